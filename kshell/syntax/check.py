"""`kshell --check [FILE ...]`: parse every request, execute nothing.

Each input (or stdin, named `<stdin>`) is split into requests exactly as the
script runner splits it; `#` directive lines are client-side and skipped.
Every error prints as `FILE:LINE:COL: message` with the line and column in
the file, then one summary line `N requests, M syntax errors` (with `, K semantic
errors` and `, J not simulated` when there are any).

A request that parses then goes through the semantic pass (kshell.syntax.semantics):
function and plugin names and argument counts, decided by the language catalog.  A
documented function kshell does not run prints `NotSupported: ...` but does not fail
the check (the script is valid Kusto; kshell cannot run it); an unknown name or a wrong
argument count is a semantic error.  Names are resolved across the whole input: a `let`,
a parameter or a `.create function` defines a name for every later request.

Exit status: 0 when everything parses and has no semantic error, 1 otherwise, 2 when a
file cannot be read.
"""

from __future__ import annotations

import sys

from kshell.errors import KustoError
from kshell.syntax import parse

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import TextIO


def main(paths: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    inputs: list[tuple[str, str]] = []
    if not paths:
        inputs.append(("<stdin>", sys.stdin.read()))
    else:
        for path in paths:
            try:
                with open(path, encoding="utf-8-sig") as f:
                    inputs.append((path, f.read()))
            except (OSError, UnicodeDecodeError) as e:
                print(f"kshell: cannot read {path}: {getattr(e, 'strerror', None) or e}", file=err)
                return 2
    requests = errors = 0
    counts = {"error": 0, "not simulated": 0}
    defined: set[str] = set()
    for name, text in inputs:
        n, problems = check_text(text)
        requests += n
        errors += len(problems)
        for line, col, message in problems:
            print(f"{name}:{line}:{col}: {message}", file=out)
        for line, col, kind, message in check_semantics(text, defined):
            counts[kind] += 1
            print(f"{name}:{line}:{col}: {message}", file=out)
    summary = f"{requests} {_plural(requests, 'request')}, {errors} {_plural(errors, 'syntax error')}"
    if counts["error"]:
        summary += f", {counts['error']} {_plural(counts['error'], 'semantic error')}"
    if counts["not simulated"]:
        summary += f", {counts['not simulated']} not simulated"
    print(summary, file=out)
    return 1 if errors or counts["error"] else 0


def check_semantics(text: str, defined: set[str]) -> list[tuple[int, int, str, str]]:
    """The semantic pass over every request of `text` that parses: [(line, column, kind,
    message)]; `defined` collects the names the input defines, request after request."""
    from kshell.script import iter_requests, text_lines
    from kshell.syntax import semantics

    out: list[tuple[int, int, str, str]] = []
    requests = iter_requests(text_lines(text))
    while True:
        try:
            request = next(requests)
        except (StopIteration, KustoError):
            break
        if request.is_directive:
            continue
        try:
            node = parse(request.text)
        except KustoError:
            continue  # reported by the syntax pass
        defined |= semantics.defined_names(node)
        for pos, kind, message in semantics.check(node, defined):
            line, col = _line_col(request.text, pos)
            out.append((request.line + line - 1, col, kind, message))
    out.sort(key=lambda p: (p[0], p[1]))
    return out


def _line_col(text: str, pos: int) -> tuple[int, int]:
    before = text[:pos]
    line = before.count("\n") + 1
    return line, pos - (before.rfind("\n") + 1) + 1


def check_text(text: str) -> tuple[int, list[tuple[int, int, str]]]:
    """Parse every request of `text`: (number of requests, [(line, column, message)])."""
    from kshell.script import iter_requests, text_lines

    problems: list[tuple[int, int, str]] = []
    count = 0
    requests = iter_requests(text_lines(text))
    while True:
        try:
            request = next(requests)
        except StopIteration:
            break
        except KustoError as e:  # the input ended inside a literal
            problems.append((e.line or 1, e.column or 1, e.message))
            break
        if request.is_directive:
            continue
        count += 1
        try:
            parse(request.text)
        except KustoError as e:
            line = request.line + (e.line or 1) - 1
            problems.append((line, e.column or 1, e.message))
    return count, problems


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"
