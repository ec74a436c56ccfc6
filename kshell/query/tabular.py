"""The tabular value every operator consumes and produces.

Columnar: `columns` is a list of (name, kusto type) pairs and `data[i]` the
list of values of column i.  Operators never mutate the lists they receive
(a stored table's lists are read directly, without a copy), they build new
ones; sharing an unchanged column list between two Tabulars is fine.
"""

from __future__ import annotations

from array import array
from typing import Any

from kshell.query import vector

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
        loaders = getattr(source, "column_loaders", None)
        lazy = loaders() if loaders is not None else None
        if lazy is not None:  # a stored table not in memory: read a column when an operator does
            return cls(cols, LazyData([_Load(f) for f in lazy]), source.row_count, getattr(source, "name", None))
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
        """A new Tabular with the rows at `indexes` (in that order); columns are
        gathered lazily, only when an operator reads them."""
        return Tabular(self.columns, LazyData.gather(self.data, indexes), len(indexes), self.name)

    def row_list(self) -> list[list[Any]]:
        if not self.data:
            return [[] for _ in range(self.rows)]
        return [list(r) for r in zip(*self.data)]

    def __repr__(self) -> str:
        return f"Tabular({self.columns!r}, rows={self.rows})"


def gather(col: list[Any], idx: list[int]) -> list[Any]:
    """The values of `col` at `idx` (a list comprehension measured faster than itemgetter/map);
    a large compact column at an index array is gathered by a kernel into a compact column."""
    if type(idx) is array:
        out = vector.take(col, idx)
        if out is not None:
            return out
    return [col[i] for i in idx]


class DeferredIndex:
    """A row selection computed on first use (a join's output rows: `| count` never needs
    them, only their number)."""

    __slots__ = ("compute", "value")

    def __init__(self, compute):
        self.compute = compute
        self.value = None

    def get(self) -> Any:
        if self.value is None:
            self.value = self.compute()
            self.compute = None
        return self.value


def _index(idx: Any) -> Any:
    return idx.get() if type(idx) is DeferredIndex else idx


class _Gather:
    """A column not built yet: the values of `base` at `idx`."""

    __slots__ = ("base", "idx")

    def __init__(self, base: list[Any], idx: list[int]):
        self.base = base
        self.idx = idx


class _Load:
    """A column not read yet: `load()` reads it (a stored table's column, kshell.store)."""

    __slots__ = ("load",)

    def __init__(self, load: Any):
        self.load = load


class LazyData:
    """The columns of a Tabular whose row selection (where, sort, take...) is applied
    only to the columns someone reads, and -- for a stored table -- which are read from
    the state file only when someone does.  Behaves like a read-only list of lists.

    A `where` over five columns followed by `summarize count() by k` then builds
    one filtered column instead of five."""

    __slots__ = ("entries",)

    def __init__(self, entries: list[Any]):
        self.entries = entries

    @classmethod
    def gather(cls, data: Any, idx: list[int]) -> "LazyData":
        entries: list[Any] = []
        composed: dict[int, list[int]] = {}
        src = data.entries if isinstance(data, LazyData) else data
        for e in src:
            if isinstance(e, _Gather):
                key = id(e.idx)
                inner = composed.get(key)
                if inner is None:
                    if type(e.idx) is DeferredIndex or type(idx) is DeferredIndex:  # stay lazy
                        inner = DeferredIndex(lambda a=e.idx, b=idx: gather(_index(a), _index(b)))
                    else:
                        inner = gather(e.idx, idx)
                    composed[key] = inner
                entries.append(_Gather(e.base, inner))
            else:
                entries.append(_Gather(e, idx))
        return cls(entries)

    def _get(self, i: int) -> list[Any]:
        e = self.entries[i]
        if isinstance(e, _Gather):
            base = e.base
            e = gather(base.load() if isinstance(base, _Load) else base, _index(e.idx))
            self.entries[i] = e
        elif isinstance(e, _Load):
            e = e.load()
            self.entries[i] = e
        return e

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._get(j) for j in range(*i.indices(len(self.entries)))]
        return self._get(i)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        for i in range(len(self.entries)):
            yield self._get(i)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __add__(self, other: Any) -> "LazyData":
        extra = other.entries if isinstance(other, LazyData) else list(other)
        return LazyData(self.entries + extra)

    def __radd__(self, other: Any) -> "LazyData":
        return LazyData(list(other) + self.entries)

    def copy(self) -> "LazyData":
        return LazyData(list(self.entries))

    def append(self, col: list[Any]) -> None:
        self.entries.append(col)

    def __setitem__(self, i: int, col: list[Any]) -> None:
        self.entries[i] = col

    def pick(self, indexes: list[int]) -> "LazyData":
        """Some of the columns (project-away, reorder), still lazy."""
        return LazyData([self.entries[i] for i in indexes])


def pick_columns(data: Any, indexes: list[int]) -> Any:
    if isinstance(data, LazyData):
        return data.pick(indexes)
    return [data[i] for i in indexes]


def put_column(cols: list[tuple[str, str]], data: Any, name: str, typ: str, values: Any) -> None:
    """Set column `name` of (`cols`, `data`, both from mutable_columns): replace the column of
    that name in place (extend, parse and the like overwrite an input column), else append it."""
    for i, (n, _t) in enumerate(cols):
        if n == name:
            cols[i] = (name, typ)
            data[i] = values
            return
    cols.append((name, typ))
    data.append(values)


def mutable_columns(data: Any) -> Any:
    """A copy of the column list that may be appended to / replaced in, keeping laziness."""
    if isinstance(data, LazyData):
        return data.copy()
    return list(data)
