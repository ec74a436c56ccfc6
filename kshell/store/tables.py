"""A table's metadata document: its Table record without the rows.

    {"$table": "kshell.engine.cluster:Table", "f": {field: value}, "$rows": tid, "$n": row count}

Every field of Table except `data` (rows live in kshell_rows) is encoded
generically, each field on its own (its own record numbering), so that a
field nobody touched since the last write (kshell.store.tracking) keeps its
stored encoding and only touched fields are encoded again.  New Table fields
are stored without changes here.

Extents are the one part of a table that grows with every ingestion, so a
list of Extent records is kept aside, one stored row per extent (SQLite table
kshell_extents), appended like the rows; the document then holds
`"extents": {"$aside": ["module:Qual", [field names]]}`.
"""

from __future__ import annotations

from typing import Any, Callable

from kshell.engine.cluster import Column, Extent, Table
from kshell.store.codec import CodecError, Decoder, Encoder, _class_name, _default, _fields_of

# Small records never shared between places: stored as compact rows of values.
FLAT_TYPES = frozenset({Column, Extent})
STORED_FIELDS = tuple(n for n in _fields_of(Table)[0] if n != "data")
ASIDE_FIELD = "extents"
_TABLE_TAG = _class_name(Table)


class Encoded:
    """A table document, and its extent rows when they are kept aside (else None)."""

    __slots__ = ("doc", "extent_rows")

    def __init__(self, doc: dict, extent_rows: list | None):
        self.doc = doc
        self.extent_rows = extent_rows


def encode_table(table: Table, tid: int, cached: Encoded | None = None, fields: set[str] | None = None,
                 flat_cache: dict | None = None) -> Encoded:
    """The document of `table`; with `cached` (what was last written) only `fields` are encoded again.

    `flat_cache` (kept by the caller per table) lets unchanged Column/Extent
    records reuse their encoding; it is updated to the records met this time."""
    seen: dict[int, tuple] = {}

    def field(name: str) -> Any:
        enc = Encoder(flat_types=FLAT_TYPES, flat_cache=flat_cache)
        value = enc.encode(getattr(table, name))
        seen.update(enc.flat_seen)
        return value

    if cached is None or fields is None:
        names = STORED_FIELDS
        encoded: dict[str, Any] = {}
        extent_rows = None
    else:
        names = [n for n in fields if n in STORED_FIELDS]
        encoded = dict(cached.doc["f"])
        extent_rows = cached.extent_rows
    for name in names:
        value = field(name)
        if name == ASIDE_FIELD:
            extent_rows = None
            if isinstance(value, dict) and "$flat" in value:
                value, extent_rows = {"$aside": [value["$flat"], value["n"]]}, value["v"]
        encoded[name] = value
    if flat_cache is not None and seen:
        flat_cache.update(seen)
        if len(flat_cache) > 2 * len(seen) + 16:
            # Records the table no longer holds (dropped extents): forget them.
            for key in [k for k in flat_cache if k not in seen]:
                del flat_cache[key]
    doc = {"$table": _TABLE_TAG, "f": encoded, "$rows": tid, "$n": table.row_count}
    return Encoded(doc, extent_rows)


def decode_table(doc: dict, extent_rows: list, make: Callable[[int, int], Table]) -> Table:
    """The table of a document; `make(tid, row_count)` builds the (lazy) table object."""
    if not isinstance(doc, dict) or doc.get("$table") != _TABLE_TAG:
        raise CodecError("a table document holds no table")
    table = make(int(doc["$rows"]), int(doc.get("$n", 0)))
    stored = doc.get("f", {})
    setattr_ = object.__setattr__
    for f in _fields_of(Table)[1]:
        if f.name == "data":
            continue
        if f.name in stored and f.name in STORED_FIELDS:
            value = stored[f.name]
            if isinstance(value, dict) and "$aside" in value:
                tag, names = value["$aside"]
                value = {"$flat": tag, "n": names, "v": extent_rows}
            value = Decoder().decode(value)
        else:
            value = _default(f)
        setattr_(table, f.name, value)
    return table
