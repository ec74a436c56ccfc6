"""The result of one request: typed columns and rows.

Rendering (kshell.render) turns a Result into text; nothing here formats.
Values are plain Python objects following kshell.query's value model:
bool, int (int/long), float (real), decimal.Decimal, str, datetime.datetime
(timezone-aware UTC), datetime.timedelta, uuid.UUID, dynamic (dict/list/any
JSON value wrapped as kshell.query.values.Dynamic or a raw dict/list), or None
for null.
"""

from __future__ import annotations

from kshell.syntax.records import Record

# Annotations only: records instead of dataclasses, and no `typing` at run time,
# keep this module cheap to import (script start-up, issue 18).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class ResultColumn(Record, frozen=True):
    """One column: its name and Kusto type name (bool, int, long, real, decimal, string,
    datetime, timespan, guid, dynamic).  Immutable and hashable (a frozen record)."""

    name: str
    type: str


class Result:
    __slots__ = ("columns", "rows", "name", "visualization", "warnings")

    def __init__(self, columns: list[ResultColumn], rows: list[list[Any]] | None = None,
                 name: str = "PrimaryResult", visualization: dict[str, Any] | None = None,
                 warnings: list[str] | None = None):
        self.columns = columns
        self.rows = [] if rows is None else rows
        # Optional table name for multi-result requests (e.g. "PrimaryResult").
        self.name = name
        # `| render ...` at the end of a query: {"chart": "timechart", "title": ..., ...}.
        self.visualization = visualization
        # Notices the service attaches to a result (e.g. result truncation), printed on stderr.
        self.warnings = [] if warnings is None else warnings

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.columns, self.rows, self.name, self.visualization, self.warnings) == (
            other.columns, other.rows, other.name, other.visualization, other.warnings)

    __hash__ = None  # mutable, compared by value

    def __repr__(self) -> str:
        return (f"Result(columns={self.columns!r}, rows={self.rows!r}, name={self.name!r}, "
                f"visualization={self.visualization!r}, warnings={self.warnings!r})")

    @classmethod
    def of(cls, columns: list[tuple[str, str]], rows: list[list[Any]] | None = None) -> Result:
        """Build from ``[(name, type), ...]`` pairs."""
        # Handlers pass the same column lists again and again (a script's every
        # `.add` builds one); columns are immutable, so one set is shared.
        pairs = tuple(columns)
        try:
            made = _COLUMNS_OF.get(pairs)
            hashable = True
        except TypeError:  # unhashable pairs (lists): built each time
            made, hashable = None, False
        if made is None:
            made = tuple([ResultColumn(n, t) for n, t in pairs])
            if hashable:
                if len(_COLUMNS_OF) >= 1000:
                    _COLUMNS_OF.clear()
                _COLUMNS_OF[pairs] = made
        return cls(list(made), rows or [])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> list[Any]:
        """All values of one column (handy in tests)."""
        i = self.column_names.index(name)
        return [r[i] for r in self.rows]

    def as_dicts(self) -> list[dict[str, Any]]:
        names = self.column_names
        return [dict(zip(names, r)) for r in self.rows]


# Result.of: (name, type) pairs -> their columns.
_COLUMNS_OF: dict[tuple, tuple[ResultColumn, ...]] = {}
