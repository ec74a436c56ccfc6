"""The tabular value every operator consumes and produces.

Columnar: `columns` is a list of (name, kusto type) pairs and `data[i]` the
list of values of column i.  Operators never mutate the lists they receive
(a stored table's lists are read directly, without a copy), they build new
ones; sharing an unchanged column list between two Tabulars is fine.
"""

from __future__ import annotations

from typing import Any

# Hidden per-row ingestion time, carried only while a query uses ingestion_time().
INGESTION_TIME_COLUMN = "$IngestionTime"


class Tabular:
    __slots__ = ("columns", "data", "rows", "name")

    def __init__(self, columns: list[tuple[str, str]], data: list[list[Any]], rows: int | None = None,
                 name: str | None = None):
        self.columns = columns
        self.data = data
        self.rows = rows if rows is not None else (len(data[0]) if data else 0)
        self.name = name  # the source table's name (union withsource)

    @classmethod
    def from_source(cls, source: Any) -> "Tabular":
        """Wrap a stored table (objects with .name/.type columns, columnar .data) without copying."""
        cols = [(c.name, c.type) if not isinstance(c, tuple) else c for c in source.columns]
        data = source.data if source.data else [[] for _ in cols]
        return cls(cols, data, len(data[0]) if data else 0, getattr(source, "name", None))

    @classmethod
    def from_rows(cls, columns: list[tuple[str, str]], rows: list[list[Any]]) -> "Tabular":
        data = [list(c) for c in zip(*rows)] if rows else [[] for _ in columns]
        return cls(columns, data, len(rows))

    @property
    def names(self) -> list[str]:
        return [c[0] for c in self.columns]

    def index(self, name: str) -> int | None:
        for i, c in enumerate(self.columns):
            if c[0] == name:
                return i
        return None

    def visible(self) -> list[int]:
        """Indexes of the user-visible columns (not the hidden ingestion-time one)."""
        return [i for i, c in enumerate(self.columns) if c[0] != INGESTION_TIME_COLUMN]

    def take_rows(self, indexes: list[int]) -> "Tabular":
        """A new Tabular with the rows at `indexes` (in that order)."""
        data = [[col[i] for i in indexes] for col in self.data]
        return Tabular(self.columns, data, len(indexes), self.name)

    def row_list(self) -> list[list[Any]]:
        if not self.data:
            return [[] for _ in range(self.rows)]
        return [list(r) for r in zip(*self.data)]

    def __repr__(self) -> str:
        return f"Tabular({self.columns!r}, rows={self.rows})"
