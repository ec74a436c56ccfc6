"""Compact storage for a stored table's columns (issue 18).

A stored column is a Python list of values, or -- for a `long`, `int` or `real` column
that holds no null -- an `array.array` of machine numbers ('q' = int64, 'd' = float64):
8 bytes a value instead of a list slot plus a Python object (28-32 bytes more), and a
buffer numeric kernels can view without copying (kshell.query's vector kernels).

Reading code needs no change: an array indexes, slices, iterates and `len`s like a list
and yields plain `int`/`float` values.  Code that *builds* or *extends* a stored column
goes through `extended`/`compact` here, the one place that decides the representation.
A column falls back to a list the moment a value does not fit (a null, a number out of
int64 range): the representation is an optimisation, never a semantic.
"""

from __future__ import annotations

from array import array
from typing import Any

# Kusto type -> array typecode, and the one Python type its values must have.
_TYPECODES: dict[str, tuple[str, type]] = {"long": ("q", int), "int": ("q", int), "real": ("d", float)}

# A list column shorter than this is checked again when it grows (a table that starts with
# a few rows still becomes compact).  Small columns are compact too, so every test exercises
# the representation large tables use.
MIN_COMPACT = 1024


def typecode(kusto_type: str) -> str | None:
    spec = _TYPECODES.get(kusto_type)
    return spec[0] if spec else None


def _fits(values: Any, kind: type) -> bool:
    # exact type: a bool is an int to Python but never a value of a long column
    return set(map(type, values)) <= {kind}


def compact(values: Any, kusto_type: str) -> Any:
    """`values` as the column representation for `kusto_type` (an array when it fits)."""
    if type(values) is array:
        return values
    spec = _TYPECODES.get(kusto_type)
    if spec is None or not values or not _fits(values, spec[1]):
        return values if type(values) is list else list(values)
    try:
        return array(spec[0], values)
    except OverflowError:  # an integer outside int64 (kept exact in a list)
        return values if type(values) is list else list(values)


def extended(column: Any, values: Any, kusto_type: str) -> Any:
    """`column` with `values` appended: the same object when it can grow in place, else a
    new column (the caller stores what this returns)."""
    if type(column) is array:
        spec = _TYPECODES.get(kusto_type)
        if spec is not None and (type(values) is array and values.typecode == column.typecode
                                 or _fits(values, spec[1])):
            stored = len(column)
            try:
                column.extend(values)
                return column
            except OverflowError:  # array.extend may have appended a prefix before failing
                del column[stored:]
        return column.tolist() + list(values)  # does not fit: the column becomes a list
    if not column:
        return compact(values, kusto_type)
    if len(column) < MIN_COMPACT <= len(column) + len(values):
        return compact(column + list(values), kusto_type)  # small so far: cheap to check again
    column.extend(values)
    return column


def as_list(column: Any) -> list[Any]:
    """A list with the column's values (the column itself when it is one)."""
    return column.tolist() if type(column) is array else column
