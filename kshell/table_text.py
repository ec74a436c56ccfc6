"""Text tables without importing tabulate (its import alone costs tens of
milliseconds of every script's start-up).

`format_table` draws the two tabulate styles kshell prints -- "psql" (the
`table` format) and "github" (`markdown`) -- byte for byte as tabulate 0.9/0.10
draws them with `disable_numparse=True` and an explicit alignment per column,
for the common case: cells of printable ASCII characters.  Anything else (a multi-line
cell, wide or combining characters, whose widths tabulate measures with
wcwidth) returns None and the caller asks tabulate itself.
tests/test_table_text.py compares the two on generated tables.
"""

from __future__ import annotations

from itertools import chain


def format_table(cells: list[list[str]], headers: list[str], fmt: str, align: list[str]) -> str | None:
    """The table as tabulate(tablefmt="psql" or "github") prints it, or None (ask tabulate)."""
    if fmt not in ("psql", "github"):
        return None
    n = len(headers)
    if not n or any(len(row) != n for row in cells):
        return None
    text = "".join(chain(headers, chain.from_iterable(cells)))
    if not (text.isascii() and text.isprintable()):
        return None  # tabs, line breaks, control or non-ASCII characters: tabulate measures those
    if cells:
        cols = [[row[i].strip() for row in cells] for i in range(n)]
        widths = [max(len(h) + 2, max(map(len, col))) for h, col in zip(headers, cols)]
        aligns = list(align)
    else:
        cols = [[] for _ in range(n)]
        widths = [len(h) + 2 for h in headers]
        aligns = ["left"] * n  # tabulate aligns the headers of an empty table left
    padded = [[s.rjust(w) if a == "right" else s.ljust(w) for s in col] for col, w, a in zip(cols, widths, aligns)]
    head = [h.rjust(w) if a == "right" else h.ljust(w) for h, w, a in zip(headers, widths, aligns)]
    dashes = ["-" * (w + 2) for w in widths]

    def row(values) -> str:
        return ("|" + "|".join(" " + v + " " for v in values) + "|").rstrip()

    if fmt == "psql":
        edge = "+" + "+".join(dashes) + "+"
        lines = [edge, row(head), "|" + "+".join(dashes) + "|"]
        lines.extend(map(row, zip(*padded)))
        lines.append(edge)
    else:
        lines = [row(head), "|" + "|".join(dashes) + "|"]
        lines.extend(map(row, zip(*padded)))
    return "\n".join(lines)
