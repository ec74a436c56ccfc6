"""Request splitting and the script runner.

One scanner decides whether a request text is complete (no open ``` or ~~~
literal, verbatim string, quote or bracket); `is_complete` (the REPL's Enter
key), the streaming splitter `iter_requests` and `split_requests` all use it.
Its literal rules are the tokenizer's (kshell.syntax.tokens):

- ```...``` and ~~~...~~~ may span lines;
- verbatim strings @'...' / @"..." may span lines (a doubled quote escapes);
- normal strings '...' / "..." end at the line end (an unterminated one is the
  parser's syntax error, not an open literal), except that a backslash escapes
  any character, the newline included;
- `//` starts a comment up to the line end.

Splitting rules (design.md): blank lines separate requests outside literals;
a line starting with `.` or `#` begins a new request when the previous one is
complete; whole-line `//` comments between requests are dropped; `#` lines are
client directives, one line each.  After `<|` in an `.ingest inline` command
the rest of the request is data, not Kusto text: it is never scanned, so
quotes and brackets in data lines cannot swallow the requests that follow.
When the data starts on the line after `<|`, and always for the body of
`.execute database script <|`, the body runs to a blank line: lines in it that
start with `.` or `#` belong to it (a data row `#tag,2`, a script's commands).
"""

from __future__ import annotations

import re
import time

from kshell.errors import KustoError, KustoSyntaxError
from kshell.lazy_re import lazy
from kshell.syntax.records import Record

# Annotations only: script start-up loads neither `typing` nor `dataclasses` (issue 18).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any, TextIO

DATA_FORMATS = ("csv", "tsv", "json")


class Request(Record, frozen=True):
    """One request of an input (immutable, compared by value)."""

    text: str
    line: int  # 1-based number of the request's first line in the input
    column: int = 1  # 1-based column of the text's first character on that line (a directive is stripped)

    @property
    def is_directive(self) -> bool:
        return self.text.startswith("#")


# ------------------------------------------------------------------ scanner

# What matters to completeness, in the tokenizer's order of preference.
_INTERESTING = lazy(globals(), "_INTERESTING", r"//|```|~~~|@'|@\"|'|\"|<\||[(\[{]|[)\]}]")
# Unrolled loops (runs of plain characters between escapes), possessive: the same text as
# `(?:plain|escape)*` without one backtracking mark per character (a 20 MB literal took 2 GB).
# (compiled on first use, kshell.lazy_re: each stand-in replaces itself in this dict)
_NORMAL_BODY: dict = {}
lazy(_NORMAL_BODY, "'", r"[^'\\\n]*+(?:\\.[^'\\\n]*+)*+", re.DOTALL)
lazy(_NORMAL_BODY, '"', r'[^"\\\n]*+(?:\\.[^"\\\n]*+)*+', re.DOTALL)
# (each comment ends at its newline: no nested repetition, so no catastrophic backtracking)
_INGEST_INLINE = lazy(
    globals(), "_INGEST_INLINE",
    r"\s*(?://[^\n]*\n\s*)*\.\s*(?:(ingest)\s+(?:async\s+)?inline|execute\s+(?:database|cluster)\s+script)\b",
    re.IGNORECASE)
_OPENERS = "([{"


class _Scanner:
    """Incremental completeness state of one request, fed a line at a time."""

    __slots__ = ("literal", "literal_line", "depth", "data_mode", "data_block", "head", "line")

    def __init__(self) -> None:
        self.literal: str | None = None  # "```", "~~~", "@'", '@"', or "'"/'"' continued by a backslash-newline
        self.literal_line = 0            # line (1-based, within the request) where `literal` opened
        self.depth = 0                   # open brackets
        self.data_mode = False           # after `<|` of `.ingest inline`: raw data, never scanned
        self.data_block = False          # ... and the body runs to a blank line (see iter_requests)
        self.head = ""                   # the request's first characters (to recognise .ingest inline)
        self.line = 0

    @property
    def complete(self) -> bool:
        return self.literal is None and (self.depth <= 0 or self.data_mode)

    @property
    def in_literal(self) -> bool:
        return self.literal is not None

    def feed(self, chunk: str) -> None:
        """Scan one line (with its newline, if any)."""
        self.line += 1
        if len(self.head) < 200:
            self.head += chunk[: 200 - len(self.head)]
        if self.data_mode:
            return
        pos = 0
        n = len(chunk)
        if self.literal is not None:
            pos = self._continue_literal(chunk, 0)
        search = _INTERESTING.search
        while pos < n and self.literal is None:
            m = search(chunk, pos)
            if m is None:
                return
            tok = m.group()
            pos = m.end()
            if tok == "//":
                return
            if tok in _OPENERS:
                self.depth += 1
            elif tok in ")]}":
                self.depth = max(0, self.depth - 1)
            elif tok == "<|":
                m = _INGEST_INLINE.match(self.head) if self.depth == 0 else None
                if m:
                    self.data_mode = True
                    # A script body, or data starting on the line after `<|`, is one block up to
                    # a blank line; `.ingest inline ... <| a,1` on one line is a one-line request.
                    self.data_block = m.group(1) is None or not chunk[pos:].strip()
                    return
            else:
                self.literal = tok
                self.literal_line = self.line
                pos = self._continue_literal(chunk, pos)

    def _continue_literal(self, chunk: str, pos: int) -> int:
        """Advance inside the open literal; close it if its end is in this chunk."""
        lit = self.literal
        n = len(chunk)
        if lit in ("```", "~~~"):
            end = chunk.find(lit, pos)
            if end < 0:
                return n
            self.literal = None
            return end + 3
        if lit in ("@'", '@"'):
            q = lit[1]
            while True:
                end = chunk.find(q, pos)
                if end < 0:
                    return n
                if end + 1 < n and chunk[end + 1] == q:  # doubled quote: an escaped quote
                    pos = end + 2
                    continue
                self.literal = None
                return end + 1
        # a normal string: ends at its quote, or (unterminated) at the line end
        m = _NORMAL_BODY[lit].match(chunk, pos)
        end = m.end()
        if end < n and chunk[end] == lit:
            self.literal = None
            return end + 1
        if end < n and chunk[end] == "\n":  # unterminated: the tokenizer's error, not an open literal
            self.literal = None
            return end + 1
        # the chunk ended inside the string (after a backslash-newline, or at end of input)
        if chunk.endswith("\n"):
            return n  # a backslash escaped the newline: the string continues
        self.literal = None
        return n


def text_lines(text: str) -> list[str]:
    """`text` cut after each "\n" only (str.splitlines would also cut at \r, \x0c, \u2028 ...,
    which may sit inside string literals)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _scan(text: str) -> _Scanner:
    scanner = _Scanner()
    for chunk in text_lines(text):
        scanner.feed(chunk[:-2] + "\n" if chunk.endswith("\r\n") else chunk)
    return scanner


def is_complete(text: str) -> bool:
    """True when `text` is a complete request: no open literal, quote or bracket.

    A directive (`#...`) is always complete: directives are one line.
    """
    stripped = text.lstrip()
    if stripped.startswith("#"):
        return True
    return _scan(text).complete


def open_literal(text: str) -> tuple[str, int] | None:
    """(opening delimiter, 1-based line) of the literal left open at the end of `text`, if any."""
    s = _scan(text)
    return (s.literal, s.literal_line) if s.literal is not None else None


# ----------------------------------------------------------------- splitter

def _unterminated(literal: str, line: int) -> KustoSyntaxError:
    what = {"```": "``` literal", "~~~": "~~~ literal", "@'": "verbatim string @'", '@"': 'verbatim string @"'}
    desc = what.get(literal, f"string {literal}")
    return KustoSyntaxError(f"unterminated {desc} opened at line {line} (the input ended inside it)", line=line)


def _is_comment_line(stripped: str) -> bool:
    return stripped.startswith("//")


def iter_requests(lines: Iterable[str]) -> Iterator[Request]:
    """Split an input, given line by line, into requests, as the lines arrive.

    Raises KustoSyntaxError (its `line` being the absolute input line) when the
    input ends inside a literal, after yielding every request before it.
    """
    buf: list[str] = []
    start = 0
    scanner: _Scanner | None = None
    lineno = 0
    kept = 0  # buf[:kept] ends with the last line that is not a whole-line comment outside literals

    def finish() -> Request:
        # trailing whole-line comments belong to nobody: drop them (line numbers are
        # unaffected); in .ingest inline data every line is data
        text = "".join(buf if scanner.data_mode else buf[:kept]).rstrip("\n")
        return Request(text, start)

    def add(line: str) -> None:
        nonlocal kept
        comment = scanner.literal is None and _is_comment_line(line.strip())
        buf.append(line)
        scanner.feed(line)
        if not comment:
            kept = len(buf)

    for raw in lines:
        lineno += 1
        line = raw[:-2] + "\n" if raw.endswith("\r\n") else raw
        if not line.endswith("\n"):
            line += "\n"
        if lineno == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if scanner is not None:
            if scanner.literal is not None:
                add(line)
                continue
            stripped = line.strip()
            if not stripped:
                yield finish()
                buf, scanner = [], None
                continue
            if stripped[0] in ".#" and not scanner.data_block and (scanner.data_mode or scanner.depth <= 0):
                yield finish()
                buf, scanner = [], None
            elif scanner.data_mode:  # the hot path of big inline ingestions
                buf.append(line)
                continue
            else:
                add(line)
                continue
        # no request open: this line may start one
        stripped = line.strip()
        if not stripped or _is_comment_line(stripped):
            continue
        if stripped.startswith("#"):
            yield Request(stripped, lineno, len(line) - len(line.lstrip()) + 1)
            continue
        buf = []
        start = lineno
        scanner = _Scanner()
        add(line)
    if scanner is not None:
        if scanner.in_literal:
            raise _unterminated(scanner.literal, start + scanner.literal_line - 1)
        yield finish()


def split_requests(text: str) -> list[Request]:
    """All requests of a whole text (see iter_requests)."""
    return list(iter_requests(text_lines(text)))


# ------------------------------------------------------------------ running

def execute_request(state: Any, text: str) -> list | str | None:
    """Run one request: a `#directive`, or a query/command on the state's target
    (kshell.target: the simulated cluster or a remote one)."""
    # (`import a.b as m`: a from-import of a module looks for its __path__ and builds an
    # AttributeError each time in Python 3.11; this runs for every request)
    import kshell.directives as directives

    if text.lstrip().startswith("#"):
        out = directives.run_directive(state, text)
        # Directives may change the cluster (#time, #identity ...) without going
        # through Session.run: a session backed by a state file writes them now.
        directives.target_of(state).sync()
        if out is None or isinstance(out, (str, list)):
            return out
        return [out]
    return directives.target_of(state).execute(text)


def error_position(request: Request, error: KustoError) -> tuple[int, int | None]:
    """The input (line, column) of an error: the request's first line plus the error's line
    within it; the column (1-based) only when the error carries one (syntax and semantic
    errors), else None.  Script mode's error line and the shell's caret both use it."""
    if not error.line:
        return request.line, None
    line = request.line + error.line - 1
    column = error.column or None
    if column is not None and error.line == 1:
        column += request.column - 1  # a directive's text starts after its indentation
    return line, column


def error_line(request: Request, error: KustoError) -> int:
    """The input line of an error (see error_position)."""
    return error_position(request, error)[0]


# Control characters a message quotes from the input (a name holding ESC, NUL, a
# carriage return) are shown escaped, so an error cannot drive the terminal or
# overwrite its own line; line feeds stay (some usage messages list forms per line).
_CONTROL = lazy(globals(), "_CONTROL", "[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _escape_control(match: re.Match) -> str:
    ch = match.group()
    return {"\t": "\\t", "\r": "\\r"}.get(ch) or f"\\u{ord(ch):04x}"


def format_error(line: int, error: KustoError, column: int | None = None) -> str:
    """`Error (line N, column C): <Kind>: <message>`; without a column, `Error (line N): ...`."""
    message = error.message
    if _CONTROL.search(message):
        message = _CONTROL.sub(_escape_control, message)
    where = f"line {line}, column {column}" if column else f"line {line}"
    return f"Error ({where}): {error.kind}: {message}"


def report_error(request: Request, error: KustoError) -> str:
    """The error line of a failed request, placed in the input (error_position)."""
    line, column = error_position(request, error)
    return format_error(line, error, column)


def run_one(state: Any, request: Request, out: TextIO, err: TextIO) -> bool:
    """Execute one request and render its results to `out`; errors go to `err`.

    Returns True on success.  Only KustoErrors are handled here: anything else
    is an internal bug and propagates to the caller.
    """
    # (`import a.b as m`: a from-import of a module looks for its __path__ and builds an
    # AttributeError each time in Python 3.11; this runs for every request)
    import kshell.render as rendering

    data_format = state.format in DATA_FORMATS
    notices = err if data_format else out
    if state.echo:
        notices.write(_echo_text(request.text))
    started = time.perf_counter()
    try:
        outcome = execute_request(state, request.text)
    except KustoError as e:
        err.write(report_error(request, e) + "\n")
        err.flush()
        return False
    elapsed = time.perf_counter() - started
    rows = 0
    if isinstance(outcome, str):
        notices.write(_CONTROL.sub(_escape_control, outcome.rstrip("\n")) + "\n")
    elif outcome:
        blocks = []
        for result in outcome:
            rows += len(result.rows)
            for warning in result.warnings:
                err.write(f"Warning: {warning}\n")
            blocks.append(rendering.render(result, state.format, types=state.types))
            if result.visualization is not None:
                blocks.append(_chart_block(state, result, out, err))
        if len(blocks) == 1:  # (most requests: one result)
            text = blocks[0].rstrip("\n")
        else:
            sep = "\n" if data_format else "\n\n"
            text = sep.join(b.rstrip("\n") for b in blocks if b)
        if text:
            if len(text) < 65536:
                out.write(text + "\n")
            else:  # (a long text is not copied again for its line end)
                out.write(text)
                out.write("\n")
        if not request.is_directive:
            import kshell.outfiles as outfiles

            try:
                for note in outfiles.after_request(state, outcome):
                    notices.write(note + "\n")
            except KustoError as e:
                err.write(format_error(request.line, e) + "\n")
                return False
    if state.timing and not request.is_directive:
        notices.write(f"({rows} row{'s' if rows != 1 else ''}, {elapsed * 1000:.1f} ms)\n")
    if not data_format and not state.interactive and outcome:
        out.write("\n")  # a blank line between the outputs of consecutive requests
    out.flush()
    return True


def _chart_block(state: Any, result: Any, out: TextIO, err: TextIO) -> str:
    """The chart of a `| render` result under its table (`--charts always|never|auto`;
    auto: only when stdout is a terminal).  A chart that cannot be drawn is one note on stderr."""
    mode = state.extras.get("charts", "auto")
    is_tty = _isatty(out)
    if mode == "never" or (mode == "auto" and not is_tty) or state.format in DATA_FORMATS:
        return ""
    from kshell import charts

    if not charts.drawable(result):
        return ""
    import shutil

    size = shutil.get_terminal_size((100, 30))
    try:
        return charts.draw(result, size.columns - 1, max(10, min(size.lines - 6, 24)), color=is_tty)
    except charts.ChartError as e:
        err.write(f"kshell: {e}\n")
        return ""


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _echo_text(text: str) -> str:
    return "".join(f"> {line}\n" for line in text.split("\n"))


def _say_not_run(rest: Iterator[Request], err: TextIO) -> None:
    """After a failure stops a script: how many requests it leaves unrun."""
    left = 0
    try:
        for _ in rest:
            left += 1
    except Exception:  # noqa: BLE001 - the rest ends inside a literal, or is not text: count what came before
        pass
    if left:
        err.write(f"({left} more request{'s' if left != 1 else ''} not run)\n")


def run_requests(state: Any, requests: Iterable[Request], out: TextIO, err: TextIO, *, keep_going: bool = False) -> int:
    """Run requests in order; 0 if all succeeded, 1 if one failed.

    Stops at the first failure unless keep_going.  A splitter error (input
    ended inside a literal) counts as a failed request.
    """
    failed = False
    it = iter(requests)
    while True:
        try:
            request = next(it)
        except StopIteration:
            break
        except KustoError as e:
            err.write(format_error(e.line or 0, e) + "\n")
            return 1
        if not run_one(state, request, out, err):
            failed = True
            if not keep_going:
                _say_not_run(it, err)
                break
        if state.quit:
            break
    err.flush()
    return 1 if failed else 0
