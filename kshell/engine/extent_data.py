"""Removing data from a table by extent (retention, `.drop extents`, auto delete) and
moving extents between tables (`.move extents`).

A table's rows are columnar (`data[i]` per column) and each extent names a
range of them (`first_row`, `row_count`).  Removing extents rebuilds the
columns without their rows and renumbers the remaining extents, in one step.
"""

from __future__ import annotations

from collections.abc import Callable

from kshell.engine.cluster import Extent, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def remove_extents(table: Table, drop: Callable[[Extent], bool]) -> list[Extent]:
    """Remove the extents for which `drop(extent)` is true, with their rows; returns them."""
    dropped = [e for e in table.extents if drop(e)]
    if not dropped:
        return []
    kept = [e for e in table.extents if not drop(e)]
    keep_ranges = [(e.first_row, e.first_row + e.row_count) for e in kept]
    table.data = [_take(col, keep_ranges) for col in table.data]
    table.extents = _renumbered(kept)
    return dropped


def extent_rows(table: Table, extent: Extent) -> list[list[Any]]:
    """The columns of one extent's rows."""
    lo, hi = extent.first_row, extent.first_row + extent.row_count
    return [col[lo:hi] for col in table.data]


def keep_rows(table: Table, keep: list[bool]) -> int:
    """Keep only the rows whose flag is true (soft delete); extents shrink (empty ones go).
    Returns how many rows were removed."""
    removed = keep.count(False)
    if not removed:
        return 0
    table.data = [[v for v, k in zip(col, keep) if k] for col in table.data]
    extents = []
    for e in table.extents:
        count = sum(keep[e.first_row:e.first_row + e.row_count])
        if count:
            extents.append(Extent(e.extent_id, e.first_row, count, e.ingestion_time, list(e.tags)))
    table.extents = _renumbered(extents)
    return removed


def _take(col: list[Any], ranges: list[tuple[int, int]]) -> list[Any]:
    out: list[Any] = []
    for lo, hi in ranges:
        out.extend(col[lo:hi])
    return out


def _renumbered(extents: list[Extent]) -> list[Extent]:
    out = []
    row = 0
    for e in extents:
        out.append(Extent(e.extent_id, row, e.row_count, e.ingestion_time, list(e.tags)))
        row += e.row_count
    return out
