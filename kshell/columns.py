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

TYPE_CHECKING = False
if TYPE_CHECKING:
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
    if type(values) is array or type(values) is Bools:
        return values
    if kusto_type == "bool":
        return _compact_bools(values)
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
            except BufferError:  # a numpy view of the column is alive: grow a copy instead
                grown = array(column.typecode, column)
                grown.extend(values)
                return grown
        return column.tolist() + list(values)  # does not fit: the column becomes a list
    if type(column) is Bools:
        return _extended_bools(column, values, kusto_type)
    if not column:
        return compact(values, kusto_type)
    if len(column) < MIN_COMPACT <= len(column) + len(values):
        return compact(column + list(values), kusto_type)  # small so far: cheap to check again
    column.extend(values)
    return column


def as_list(column: Any) -> list[Any]:
    """A list with the column's values (the column itself when it is one)."""
    return column.tolist() if type(column) is array or type(column) is Bools else column


# ------------------------------------------------------------------ compact bools
#
# A stored `bool` column with no null is a `Bools`: one byte (0 or 1) a value in a
# bytearray, against a list slot per value; the vector kernels view the bytes as a numpy
# bool array without copying.  Reads yield real `True`/`False` (never 0/1), so code that
# reads a column as a sequence sees what a list of bools would give it.

_BOOLS = (False, True)


class Bools:
    """A read-only-looking sequence of bools over a bytearray of 0/1 bytes."""

    __slots__ = ("data",)

    def __init__(self, data: bytearray):
        self.data = data

    @classmethod
    def of(cls, values: Any) -> "Bools | None":
        """The values as Bools, or None when one is not a bool (a null)."""
        if type(values) is Bools:
            return values
        if not set(map(type, values)) <= {bool}:
            return None
        return cls(bytearray(values))  # bytearray([True, False]) is b"\x01\x00"

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return list(map(bool, self.data[i]))
        return _BOOLS[self.data[i]]

    def __iter__(self):
        return map(bool, self.data)

    def __reversed__(self):
        return map(bool, reversed(self.data))

    def __contains__(self, v: Any) -> bool:
        if v is None:
            return False
        return any(v == b and (1 if b else 0) in self.data for b in _BOOLS)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __eq__(self, other: Any) -> bool:
        if type(other) is Bools:
            return self.data == other.data
        if isinstance(other, (list, tuple)):
            return len(other) == len(self.data) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Any) -> list[Any]:
        return self.tolist() + list(other)

    def __radd__(self, other: Any) -> list[Any]:
        return list(other) + self.tolist()

    def count(self, v: Any) -> int:
        if v is None:
            return 0
        return sum(self.data.count(1 if b else 0) for b in _BOOLS if v == b)

    def index(self, v: Any) -> int:
        for b in _BOOLS:
            if v is not None and v == b:
                return self.data.index(1 if b else 0)
        raise ValueError(f"{v!r} is not in the column")

    def tolist(self) -> list[bool]:
        return list(map(bool, self.data))

    def __repr__(self) -> str:
        return f"Bools({self.tolist()!r})"


def _compact_bools(values: Any) -> Any:
    compacted = Bools.of(values) if len(values) else None
    if compacted is not None:
        return compacted
    return values if type(values) is list else list(values)


def _extended_bools(column: Bools, values: Any, kusto_type: str) -> Any:
    if kusto_type == "bool":
        more = values.data if type(values) is Bools else (bytearray(values) if _fits(values, bool) else None)
        if more is not None:
            try:
                column.data.extend(more)
                return column
            except BufferError:  # a numpy view of the bytes is alive: grow a copy instead
                return Bools(column.data + more)
    return column.tolist() + list(values)
