"""Table rows in the state file: compact columnar chunks, and lazily loaded tables.

A chunk is a run of consecutive rows of one table, stored as one compressed
JSON array with one entry per column.  Each column picks the cheapest form
that holds its values exactly (decided from the values, not the declared
type, so a column holding unexpected values still round-trips):

    ["raw", [...]]   None/bool/int/float/str only
    ["json",[...]]   JSON values (dynamic: dicts/lists of plain values)
    ["dt",  [...]]   aware UTC datetimes as microseconds since the epoch
    ["td",  [...]]   timedeltas as microseconds
    ["uuid",[...]]   guids as text
    ["dec", [...]]   decimals as text
    ["gen", [...]]   anything else (dynamic values ...): the generic tagged form

`StoredTable` is a Table read from a state file whose rows stay in the file
until someone reads `table.data`; `row_count` is answered without loading.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import io
import json
import uuid
import zlib
from collections.abc import Callable
from functools import partial
from typing import Any

from kshell.columns import as_list
from kshell.store import chunks
from kshell.engine.cluster import Table
from kshell.store.codec import Decoder, Encoder
from kshell.store.tracking import TrackedTable

CHUNK_ROWS = 100_000

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_UTC = dt.timezone.utc
_US = dt.timedelta(microseconds=1)
_RAW_TYPES = frozenset({type(None), bool, int, float, str})
_JSON_TYPES = _RAW_TYPES | {dict, list}


def _refuse(v: Any) -> Any:
    raise TypeError("not JSON")


def _column_json(values: list[Any]) -> str:
    """One column of a chunk as JSON text."""
    values = as_list(values)  # a compact column (kshell.columns) is stored as its values
    kinds = set(map(type, values))
    if kinds <= _RAW_TYPES:
        return '["raw",' + json.dumps(values, separators=(",", ":")) + "]"
    if kinds <= _JSON_TYPES:
        # Dynamic values: plain JSON unless something inside is not (a datetime, a
        # non-string key ...), which the generic form below keeps exactly.
        try:
            if _plain_json(values):
                return '["json",' + json.dumps(values, separators=(",", ":"), default=_refuse) + "]"
        except TypeError:
            pass
    return json.dumps(_encode_column(values, kinds), separators=(",", ":"))


def _plain_json(values: list[Any]) -> bool:
    stack = list(values)
    pop, extend = stack.pop, stack.extend
    raw = _RAW_TYPES
    while stack:
        v = pop()
        t = type(v)
        if t in raw:
            continue
        if t is list:
            extend(v)
        elif t is dict:
            for k in v:
                if type(k) is not str:
                    return False
            extend(v.values())
        else:
            return False
    return True


def _encode_column(values: list[Any], kinds: set[type]) -> list[Any]:
    kinds = set(kinds)
    kinds.discard(type(None))
    if kinds == {dt.datetime} and all(v is None or v.tzinfo is _UTC for v in values):
        epoch, us = _EPOCH, _US
        return ["dt", [None if v is None else (v - epoch) // us for v in values]]
    if kinds == {dt.timedelta}:
        us = _US
        return ["td", [None if v is None else v // us for v in values]]
    if kinds == {uuid.UUID}:
        return ["uuid", [None if v is None else v.hex for v in values]]
    if kinds == {decimal.Decimal}:
        return ["dec", [None if v is None else str(v) for v in values]]
    enc = Encoder().encode
    return ["gen", [enc(v) for v in values]]


def _decode_column(form: str, values: list[Any]) -> list[Any]:
    if form == "raw" or form == "json":
        return values
    if form == "dt":
        epoch, us = _EPOCH, _US
        return [None if v is None else epoch + v * us for v in values]
    if form == "td":
        us = _US
        return [None if v is None else v * us for v in values]
    if form == "uuid":
        # uuid.UUID(hex) validates generically and is several times slower; a
        # million guids are common in a large table.
        new, set_, cls, safe = object.__new__, object.__setattr__, uuid.UUID, uuid.SafeUUID.unknown
        out: list[Any] = []
        append = out.append
        for v in values:
            if v is None:
                append(None)
                continue
            u = new(cls)
            set_(u, "int", int(v, 16))
            set_(u, "is_safe", safe)
            append(u)
        return out
    if form == "dec":
        return [None if v is None else decimal.Decimal(v) for v in values]
    if form == "gen":
        dec = Decoder().decode
        return [dec(v) for v in values]
    raise ValueError(f"unknown column form {form!r}")


def encode_chunk(columns: list[list[Any]]) -> bytes:
    """Rows of several columns (equal slices) -> one chunk (the version-3 form: kshell.store.chunks)."""
    return chunks.encode_chunk(columns, _column_json)


def encode_chunk_v2(columns: list[list[Any]]) -> bytes:
    """The version-2 form (one compressed JSON array): what older kshells wrote (tests)."""
    text = "[" + ",".join(_column_json(c) for c in columns) + "]"
    return zlib.compress(text.encode("ascii"), 1)


def decode_columns(f: Any, wanted: list[int]) -> dict[int, Any]:
    """The `wanted` columns of a chunk of either form read from `f` (a file-like object:
    an SQLite blob, io.BytesIO); None for a column the chunk lacks."""
    f.seek(0)
    if chunks.is_v3(f.read(4)):
        segs = chunks.segments(f, wanted)
        return {i: None if seg is None else chunks.decode_segment(seg, _decode_column) for i, seg in segs.items()}
    f.seek(0)
    stored = json.loads(zlib.decompress(f.read()))
    return {i: _decode_column(*stored[i]) if i < len(stored) else None for i in wanted}


def decode_chunk(blob: bytes) -> list[Any]:
    """Every column of a chunk."""
    if chunks.is_v3(blob):
        n = chunks._U32.unpack_from(blob, 4)[0]
        return list(decode_columns(io.BytesIO(blob), list(range(n))).values())
    return [_decode_column(form, values) for form, values in json.loads(zlib.decompress(blob))]


def chunks_of(data: list[list[Any]], start: int, stop: int) -> list[tuple[int, int, bytes]]:
    """Rows [start, stop) of columnar `data` as (first_row, row_count, blob) chunks."""
    out = []
    for lo in range(start, stop, CHUNK_ROWS):
        hi = min(stop, lo + CHUNK_ROWS)
        out.append((lo, hi - lo, encode_chunk([c[lo:hi] for c in data])))
    return out


# ------------------------------------------------------------------ lazy tables

_TABLE_DATA = Table.__dict__["data"]  # the slot of Table.data (Table is a slots dataclass)
_TABLE_ROW_COUNT = Table.row_count


class StoredTable(TrackedTable):
    """A Table whose rows are read from the state file on first use of `data`.

    Everything else about it is an ordinary Table (the serializer records it
    as Table); like every written table it is tracked (kshell.store.tracking).  Once loaded, or once `data` is assigned, it behaves exactly
    like a Table.
    """

    __slots__ = ("_rows_loader", "_stored_row_count", "_column_reader", "_columns_read")

    @property  # type: ignore[override]
    def data(self) -> list[list[Any]]:
        loader = getattr(self, "_rows_loader", None)
        if loader is not None:
            # A loader that fails (damaged file) raises again on the next use.
            data = loader(self)
            self._rows_loader = None
            self._columns_read = {}
            _TABLE_DATA.__set__(self, data)
        return _TABLE_DATA.__get__(self, Table)

    @data.setter
    def data(self, value: list[list[Any]]) -> None:
        self._rows_loader = None
        self._columns_read = {}
        _TABLE_DATA.__set__(self, value)

    def column_loaders(self) -> list[Callable[[], Any]] | None:
        """One callable per column that reads only that column from the file (a query reads
        only the columns it uses), or None once the rows are in memory (use `data`)."""
        if getattr(self, "_rows_loader", None) is None:
            return None
        return [partial(self._read_column, i) for i in range(len(self.columns))]

    def _read_column(self, i: int) -> Any:
        if getattr(self, "_rows_loader", None) is None:  # all rows were loaded meanwhile
            return _TABLE_DATA.__get__(self, Table)[i]
        read = self._columns_read
        got = read.get(i)
        if got is None:
            got = read[i] = self._column_reader(self, [i])[i]
        return got

    @property  # type: ignore[override]
    def row_count(self) -> int:
        if getattr(self, "_rows_loader", None) is not None:
            return self._stored_row_count
        return _TABLE_ROW_COUNT.__get__(self, Table)

    @property
    def rows_loaded(self) -> bool:
        return getattr(self, "_rows_loader", None) is None

    # A copy (copy.copy, deepcopy, pickle) is a plain Table holding the rows: the
    # loader belongs to this object and its place in the state file.
    def __reduce_ex__(self, protocol: int):
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(Table) if f.init}
        return _plain_table, (values,)


def _plain_table(values: dict) -> Table:
    return Table(**values)


def make_lazy(table: StoredTable, row_count: int, loader: Callable[[Table], list[list[Any]]],
              column_reader: Callable[[Table, list[int]], dict[int, Any]]) -> None:
    """`loader(table)` reads every column (the columns already read are reused through
    `columns_read`); `column_reader(table, indexes)` reads some."""
    table._stored_row_count = row_count
    table._rows_loader = loader
    table._column_reader = column_reader
    table._columns_read = {}


def columns_read(table: StoredTable) -> dict[int, Any]:
    """The columns of a not yet loaded table that were read one by one (index -> column)."""
    return getattr(table, "_columns_read", None) or {}


def rows_loaded(table: Table) -> bool:
    """False only for a stored table whose rows are still in the file."""
    return not isinstance(table, StoredTable) or table.rows_loaded
