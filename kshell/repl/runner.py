"""Running what the user entered: one or several requests, in order.

A pasted text may hold several requests; the shared splitter
(`kshell.script.split_requests`) cuts it and each runs in turn, stopping at
the first failure.  Words that are not KQL (`help`, `?`, `exit`, `quit`) are
answered first (kshell.repl.prompt_words).  A request running longer than
0.3 s shows a spinner (kshell.repl.progress); Ctrl-C while it runs cancels it
and returns to the prompt (the session's rollback hooks run, as for a failed
request).  An error quoting the text shows it with a caret under the column.
An internal bug prints one line and the shell goes on: losing a whole
interactive session to one bad request would be worse.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from kshell.errors import KustoError
from kshell.repl import pager


def run_text(state: Any, text: str, *, auto_vertical: bool | int = True, out=None, err=None) -> bool:
    """Run every request of `text`; False if one failed (the rest are then skipped)."""
    from kshell.repl import prompt_words
    from kshell.script import error_line, format_error, report_error, split_requests

    out = out or sys.stdout
    err = err or sys.stderr
    if prompt_words.handle(state, text, out):
        return True
    try:
        requests = split_requests(text)
    except KustoError as e:
        err.write(format_error(e.line or 1, e) + "\n")
        return False
    for n, request in enumerate(requests):
        try:
            ok = run_request(state, request, auto_vertical=auto_vertical, out=out, err=err)
        except KustoError as e:
            err.write(report_error(request, e) + "\n")
            err.write(caret(request.text, e, error_line(request, e)))
            ok = False
        if not ok:
            left = len(requests) - n - 1
            if left:
                err.write(f"({left} more request{'s' if left != 1 else ''} not run)\n")
            err.flush()
            return False
        if state.quit:
            break
    return True


def caret(text: str, error: KustoError, shown_line: int | None = None) -> str:
    """The error's line of `text` with a caret under its column ("" when unknown);
    the gutter shows `shown_line` (the line in everything entered) when given."""
    line, column = getattr(error, "line", None), getattr(error, "column", None)
    lines = text.split("\n")
    if not line or not column or line > len(lines):
        return ""
    source = lines[line - 1]
    if len(source) > 200 or column > len(source) + 1:
        return ""
    from kshell.script import _CONTROL, _escape_control

    shown = _CONTROL.sub(lambda m: " " if m.group() == "\t" else _escape_control(m), source)
    if shown != source.replace("\t", " "):
        return ""  # escapes would move the caret
    gutter = f"{shown_line or line:>4} | "
    return f"{gutter}{shown}\n{' ' * (len(gutter) + column - 1)}^\n"


def run_request(state: Any, request: Any, *, auto_vertical: bool | int = True, out=None, err=None) -> bool:
    from kshell.repl import progress, results
    from kshell.script import execute_request

    out = out or sys.stdout
    err = err or sys.stderr
    started = time.perf_counter()
    try:
        with progress.spinner(err):
            outcome = execute_request(state, request.text)
    except KeyboardInterrupt:
        _rollback(state)
        err.write("Cancelled.\n")
        err.flush()
        return False
    except KustoError:
        raise
    except Exception as e:  # noqa: BLE001 - an internal bug: one line, keep the shell
        _rollback(state)
        message = str(e).strip().splitlines()[0] if str(e).strip() else ""
        err.write(f"kshell: internal error: {type(e).__name__}: {message}\n")
        err.flush()
        return False
    elapsed = time.perf_counter() - started
    columns, rows = pager.terminal_size()
    rows_out = 0
    if isinstance(outcome, str):
        out.write(outcome.rstrip("\n") + "\n")
    elif outcome:
        rows_out = results.show(state, outcome, columns=columns, rows=rows, auto_vertical=auto_vertical,
                                out=out, err=err)
        if not request.is_directive:
            from kshell.outfiles import after_request

            for note in after_request(state, outcome):
                out.write(note + "\n")
    if state.timing and not request.is_directive and not isinstance(outcome, str):
        out.write(f"({rows_out} row{'s' if rows_out != 1 else ''}, {elapsed * 1000:.1f} ms)\n")
    out.flush()
    return True


def _rollback(state: Any) -> None:
    # the target undoes partial work (local) or cancels the request in flight (remote)
    from kshell.directives import target_of

    try:
        target_of(state).cancel()
    except Exception:  # noqa: BLE001 - best effort after an interruption
        pass
