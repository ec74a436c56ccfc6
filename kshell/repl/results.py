"""Showing results in the shell: charts, the screen's row cap, the layout, the pager.

- A result of `| render X` is drawn as a chart (kshell.charts; config
  `charts = off` or a kind kshell cannot draw shows the table, the latter
  with a one-line note).
- At most `max_rows` rows (config, default 5000; 0: no cap) are shown, with a
  note of how many were not (the whole result still goes to `#out`).
- Tables stay horizontal; a table wider than the screen scrolls sideways in
  the pager (`less -S`).  The vertical layout is used when `#format
  vertical` asks, or (config `auto_vertical = on`, or a number of screens)
  when one row would not fit at all: wider than VERTICAL_SCREENS (or that
  many) screens, or wider than the screen with no pager to scroll it.
- Warnings the service attaches (result truncation) go to stderr.
"""

from __future__ import annotations

from typing import Any

from kshell.repl import pager
from kshell.result import Result

VERTICAL_SCREENS = 4


def show(state: Any, outcome: list, *, columns: int, rows: int, auto_vertical: bool | int, out, err) -> int:
    """Write the results of one request; returns the number of rows they hold."""
    blocks: list[str] = []
    notes: list[str] = []
    total = 0
    for result in outcome:
        total += len(result.rows)
        for warning in result.warnings:
            err.write(f"Warning: {warning}\n")
        chart = _chart(state, result, columns, rows, notes)
        if chart is not None:
            blocks.append(chart)
            continue
        shown, hidden = cap(result, state.extras.get("max_rows", 5000))
        text = layout(shown, state.format, state.types, columns, auto_vertical,
                      can_scroll=state.pager and pager.is_tty(out))
        blocks.append(text.rstrip("\n"))
        if hidden:
            notes.append(f"({hidden} more row{'s' if hidden != 1 else ''} not shown: max_rows is "
                         f"{len(shown.rows)}; #out FILE writes them all)")
    text = "\n\n".join(b for b in blocks if b)
    if text:
        pager.show(text, use_pager=state.pager, rows=rows, columns=columns, out=out)
    for note in notes:
        out.write(note + "\n")
    return total


def cap(result: Result, max_rows: int) -> tuple[Result, int]:
    """`result` cut to `max_rows` rows for the screen (0: no cap), and how many rows were cut."""
    if not max_rows or len(result.rows) <= max_rows:
        return result, 0
    return Result(result.columns, result.rows[:max_rows], result.name), len(result.rows) - max_rows


def layout(result: Result, fmt: str, types: bool, columns: int, auto_vertical: bool | int, *,
           can_scroll: bool) -> str:
    """`auto_vertical`: how many screens a row may span before it is shown as a record
    (True: VERTICAL_SCREENS; 0/False: never)."""
    from kshell.render import render

    text = render(result, fmt, types=types)
    if not (auto_vertical and fmt == "table" and result.columns):
        return text
    screens = VERTICAL_SCREENS if auto_vertical is True else int(auto_vertical)
    width = pager.widest_line(text)
    if width > columns * screens or (width > columns and not can_scroll):
        return render(result, "vertical", types=types)
    return text


def _chart(state: Any, result: Result, columns: int, rows: int, notes: list[str]) -> str | None:
    if result.visualization is None or state.extras.get("charts", "always") == "never":
        return None
    if state.format in ("csv", "tsv", "json"):
        return None  # data formats show the data, as in scripts
    from kshell import charts

    if not charts.drawable(result):
        return None
    try:
        text = charts.draw(result, max(columns - 1, 30), max(10, min(rows - 8, 30)), color=True)
    except charts.ChartError as e:
        notes.append(f"({e})")
        return None
    return text
