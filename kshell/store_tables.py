"""A table's metadata document: its Table record without the rows.

    {"$table": "kshell.engine.cluster:Table", "f": {field: value}, "$rows": tid, "$n": row count}

Every field of Table except `data` (rows live in kshell_rows) is encoded
generically, each field on its own (its own record numbering), so that a
field nobody touched since the last write (kshell.store_tracking) keeps its
stored encoding and only touched fields are encoded again.  New Table fields
are stored without changes here.
"""

from __future__ import annotations

from typing import Any, Callable

from kshell.engine.cluster import Column, Extent, Table
from kshell.store_codec import CodecError, Decoder, Encoder, _default, _fields_of, _class_name

# Small records never shared between places: stored as compact rows of values.
FLAT_TYPES = frozenset({Column, Extent})
STORED_FIELDS = tuple(n for n in _fields_of(Table)[0] if n != "data")
_TABLE_TAG = _class_name(Table)


def _encode_field(table: Table, name: str) -> Any:
    return Encoder(flat_types=FLAT_TYPES).encode(getattr(table, name))


def encode_table(table: Table, tid: int, cached: dict | None = None, fields: set[str] | None = None) -> dict:
    """The document of `table`; with `cached` (its last document) only `fields` are encoded again."""
    if cached is None or fields is None:
        encoded = {name: _encode_field(table, name) for name in STORED_FIELDS}
    else:
        encoded = dict(cached["f"])
        for name in fields:
            if name in encoded or name in STORED_FIELDS:
                encoded[name] = _encode_field(table, name)
    return {"$table": _TABLE_TAG, "f": encoded, "$rows": tid, "$n": table.row_count}


def decode_table(doc: dict, make: Callable[[int, int], Table]) -> Table:
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
            value = Decoder().decode(stored[f.name])
        else:
            value = _default(f)
        setattr_(table, f.name, value)
    return table
