"""Row chunks in the state file, schema version 3: one compressed segment per column.

A chunk (a run of consecutive rows of one table) is

    b"KSC3" | column count (u32) | each segment's length (u32 ...) | the segments

all little-endian; each segment is one column, zlib-compressed on its own, so a reader
that needs one column decompresses only that column's segment (a query reads only the
columns it uses: kshell.store.rows.StoredTable).  A segment starts with a form byte
chosen from the values (not the declared type, so unexpected values still round-trip):

    b"q"  int64 values               (ints that fit, no bool)
    b"d"  float64 values             (any float: NaN, infinities, -0.0 exactly)
    b"t"  datetimes, int64 microseconds since the epoch (aware UTC, plain datetime)
    b"s"  timespans, int64 microseconds (plain timedelta)
    b"b"  bools, one byte each: 0 false, 1 true, 2 null
    b"k"  strings, dictionary-encoded: JSON list of the distinct strings, then u32 codes
    b"j"  anything else: the version-2 column form (kshell.store.rows: raw/json/dt/...)

"q", "d", "t" and "s" are followed by a null flag byte; when it is 1, one byte per row
(1 = null) comes before the values (a null's slot holds 0).  Version-2 chunks (one
zlib-compressed JSON array) are still read: `decode_column` recognises them by their
first bytes, so a table may hold chunks of both kinds.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
import sys
import zlib
from array import array
from itertools import compress
from typing import Any

MAGIC = b"KSC3"
_U32 = struct.Struct("<I")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_UTC = dt.timezone.utc
_US = dt.timedelta(microseconds=1)
_BOOLS = (False, True, None)
_BIG = sys.byteorder == "big"  # arrays are stored little-endian whatever the machine


def _raw(a: array) -> bytes:
    if _BIG:
        a = array(a.typecode, a)
        a.byteswap()
    return a.tobytes()


def _array(typecode: str, data: bytes) -> array:
    a = array(typecode)
    a.frombytes(data)
    if _BIG:
        a.byteswap()
    return a


def _numbers(form: bytes, typecode: str, values: list[Any]) -> bytes:
    """A numeric segment; raises OverflowError/TypeError when a value does not fit."""
    if None in values:
        mask = bytes(v is None for v in values)
        filled = array(typecode, [0 if v is None else v for v in values])
        return form + b"\x01" + mask + _raw(filled)
    return form + b"\x00" + _raw(array(typecode, values))


def _segment(values: Any, v2_form: Any) -> bytes:
    """One column's segment (uncompressed)."""
    if type(values) is array:
        if values.typecode in ("q", "d"):
            return values.typecode.encode() + b"\x00" + _raw(values)
        values = values.tolist()
    kinds = set(map(type, values))
    kinds.discard(type(None))
    try:
        if kinds == {int}:
            return _numbers(b"q", "q", values)
        if kinds == {float}:
            return _numbers(b"d", "d", values)
        if kinds == {dt.datetime} and all(v is None or v.tzinfo is _UTC for v in values):
            epoch, us = _EPOCH, _US
            return _numbers(b"t", "q", [None if v is None else (v - epoch) // us for v in values])
        if kinds == {dt.timedelta}:
            us = _US
            return _numbers(b"s", "q", [None if v is None else v // us for v in values])
    except (OverflowError, TypeError):
        pass  # an int beyond int64, a date out of range: the exact generic form below
    if kinds == {bool}:
        return b"b" + bytes(2 if v is None else v for v in values)
    if kinds == {str} and len(values) >= 16:
        codes: dict[str, int] = {}
        index = codes.setdefault
        idx = array("I", [index(v, len(codes)) for v in values])
        if len(codes) * 2 <= len(values):
            text = json.dumps(list(codes), separators=(",", ":")).encode()
            return b"k" + _U32.pack(len(text)) + text + _raw(idx)
    return b"j" + v2_form(values).encode()


def encode_chunk(columns: list[Any], v2_form: Any) -> bytes:
    """Rows of several columns (equal slices) -> one chunk.  `v2_form(values)` is the
    version-2 JSON text of a column (the fallback form)."""
    segments = [zlib.compress(_segment(c, v2_form), 1) for c in columns]
    head = MAGIC + _U32.pack(len(segments)) + b"".join(_U32.pack(len(s)) for s in segments)
    return head + b"".join(segments)


def is_v3(blob: bytes) -> bool:
    return blob[:4] == MAGIC


def segments(f: Any, wanted: list[int]) -> dict[int, bytes | None]:
    """The segments of the `wanted` columns of a version-3 chunk read from `f` (a file-like
    object with read/seek: an SQLite blob opened for incremental reading, so the other
    columns' bytes are never fetched); None for a column the chunk lacks."""
    f.seek(0)
    head = f.read(8)
    n = _U32.unpack_from(head, 4)[0]
    lengths = struct.unpack(f"<{n}I", f.read(4 * n))
    offsets = [8 + 4 * n]
    for length in lengths:
        offsets.append(offsets[-1] + length)
    f.seek(0, 2)
    if f.tell() != offsets[-1]:
        raise ValueError("chunk segments do not add up to its size")
    out: dict[int, bytes | None] = {}
    for i in wanted:
        if i >= n:
            out[i] = None
            continue
        f.seek(offsets[i])
        out[i] = zlib.decompress(f.read(lengths[i]))
    return out


def decode_segment(seg: bytes, v2_decode: Any) -> Any:
    """A segment's values: an array('q'/'d') for numbers without nulls, else a list."""
    form = seg[:1]
    if form in (b"q", b"d", b"t", b"s"):
        typecode = "d" if form == b"d" else "q"
        if seg[1] == 1:
            count = (len(seg) - 2) // 9
            mask = seg[2:2 + count]
            values: Any = _array(typecode, seg[2 + count:]).tolist()
            for i in compress(range(count), mask):
                values[i] = None
        else:
            values = _array(typecode, seg[2:])
        if form == b"t":
            epoch, us = _EPOCH, _US
            return [None if v is None else epoch + v * us for v in values]
        if form == b"s":
            us = _US
            return [None if v is None else v * us for v in values]
        return values
    if form == b"b":
        flags = seg[1:]
        # map(bool) is about twice as fast as the table lookup a null (2) needs
        return list(map(_BOOLS.__getitem__, flags) if 2 in flags else map(bool, flags))
    if form == b"k":
        size = _U32.unpack_from(seg, 1)[0]
        distinct = json.loads(seg[5:5 + size])
        return list(map(distinct.__getitem__, _array("I", seg[5 + size:])))
    if form == b"j":
        kind, values = json.loads(seg[1:])
        return v2_decode(kind, values)
    raise ValueError(f"unknown column segment form {form!r}")
