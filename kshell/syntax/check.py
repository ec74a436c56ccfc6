"""`kshell --check [FILE ...]`: parse every request, execute nothing.

Each input (or stdin, named `<stdin>`) is split into requests exactly as the
script runner splits it; `#` directive lines are client-side and skipped.
Every error prints as `FILE:LINE:COL: message` with the line and column in
the file, then one summary line `N requests, M syntax errors`.  Exit status:
0 when everything parses, 1 when anything does not, 2 when a file cannot be read.
"""

from __future__ import annotations

import sys
from typing import TextIO

from kshell.errors import KustoError
from kshell.syntax import parse


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
    for name, text in inputs:
        n, problems = check_text(text)
        requests += n
        errors += len(problems)
        for line, col, message in problems:
            print(f"{name}:{line}:{col}: {message}", file=out)
    print(f"{requests} {_plural(requests, 'request')}, {errors} {_plural(errors, 'syntax error')}",
          file=out)
    return 1 if errors else 0


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
