"""Converting ingested text (and JSON values) to column types, Kusto's way.

Ingestion never fails on a bad value: like the service does for CSV, a value
that cannot be read as the column's type becomes null.  Empty fields are null,
except in string columns where they are the empty string.

`converter(type)` returns a function text -> value for one column type; it is
applied to a whole column at once (columnar, design.md).
"""

from __future__ import annotations

import datetime as dt
import operator
import re

from kshell import ticks
from kshell.engine.guids import uuid_module
from kshell.engine.lazy_modules import lazy_module
from kshell.gc_pause import gc_paused
from kshell.lazy_re import lazy
from kshell.syntax.vocabulary import TIMESPAN_UNITS

TYPE_CHECKING = False
if TYPE_CHECKING:
    import decimal
    import json
    import uuid
    from collections.abc import Callable, Iterator
    from typing import Any, TextIO
else:  # imported on first use: most requests convert no decimal, JSON or GUID text
    lazy_module(globals(), "decimal")
    lazy_module(globals(), "json")
    lazy_module(globals(), "uuid", uuid_module)

UTC = dt.timezone.utc
INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1
LONG_MIN, LONG_MAX = -(2 ** 63), 2 ** 63 - 1

# CLR type names used in Kusto's JSON schemas (`.show table T schema as json`).
CLR_TYPES = {
    "bool": "System.SByte", "int": "System.Int32", "long": "System.Int64",
    "real": "System.Double", "decimal": "System.Data.SqlTypes.SqlDecimal",
    "string": "System.String", "datetime": "System.DateTime", "timespan": "System.TimeSpan",
    "guid": "System.Guid", "dynamic": "System.Object",
}


def clr_type(type_name: str) -> str:
    return CLR_TYPES.get(type_name, "System.Object")


def to_bool(s: str) -> bool | None:
    v = s.strip().lower()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    return None


def _integer(lo: int, hi: int) -> Callable[[str], int | None]:
    def parse(s: str) -> int | None:
        if "_" in s:  # Python reads "1_000"; Kusto does not
            return None
        try:
            v = int(s)
        except ValueError:
            try:
                f = float(s)
            except ValueError:
                return None
            if not f.is_integer():
                return None
            v = int(f)
        return v if lo <= v <= hi else None

    return parse


to_int = _integer(INT_MIN, INT_MAX)
to_long = _integer(LONG_MIN, LONG_MAX)


def to_real(s: str) -> float | None:
    if "_" in s:
        return None
    try:
        return float(s)
    except ValueError:
        return None


def to_decimal(s: str) -> decimal.Decimal | None:
    if "_" in s:
        return None
    try:
        v = decimal.Decimal(s.strip())
    except decimal.InvalidOperation:
        return None
    # .NET's decimal (Kusto's) holds magnitudes below 2**96: beyond, the value does not parse
    return v if v.is_finite() and v.copy_abs() < DECIMAL_LIMIT else None


DECIMAL_LIMIT = 2 ** 96  # compared with Decimals exactly (an int: no `decimal` import at start-up)


_ISO = lazy(
    globals(), "_ISO",
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$",
    re.IGNORECASE,
)
_SEVENTH_DIGIT = lazy(globals(), "_SEVENTH_DIGIT", r"\.\d{7}")
_SLASHED = lazy(globals(), "_SLASHED", r"\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*(AM|PM))?)?\s*$",
                                       re.IGNORECASE)


def to_datetime(s: str) -> dt.datetime | None:
    """ISO 8601 (date, date time, fractions up to 7 digits, Z or offset), RFC 822/1123,
    and `M/d/yyyy [h:mm[:ss] [AM|PM]]`.  Result is aware UTC."""
    try:
        # Fast path (C): ISO 8601 as Python reads it (it keeps six fractional digits, so a
        # seventh takes the regex below); the regex covers the rest.
        if not _SEVENTH_DIGIT.search(s):
            v = dt.datetime.fromisoformat(s)
            return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
    except ValueError:
        pass
    m = _ISO.match(s)
    try:
        if m:
            y, mo, d, h, mi, sec, frac, tz = m.groups()
            value = ticks.with_fraction(dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0),
                                                    int(sec or 0), tzinfo=UTC), frac)
            if tz and tz.upper() != "Z":
                sign = 1 if tz[0] == "+" else -1
                digits = tz[1:].replace(":", "")
                value = ticks.subtract(value, sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
            return value
        m = _SLASHED.match(s)
        if m:
            mo, d, y, h, mi, sec, ampm = m.groups()
            hour = int(h or 0)
            if ampm:
                hour = hour % 12 + (12 if ampm.upper() == "PM" else 0)
            return dt.datetime(int(y), int(mo), int(d), hour, int(mi or 0), int(sec or 0), tzinfo=UTC)
        if "," in s or "GMT" in s.upper():
            # imported here: email.utils pulls in socket and friends (start-up time)
            from email.utils import parsedate_to_datetime

            v = parsedate_to_datetime(s.strip())
            return (v if v.tzinfo else v.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, TypeError, OverflowError, IndexError):
        return None
    return None


_CLOCK = lazy(globals(), "_CLOCK", r"\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*$")
_UNIT = lazy(globals(), "_UNIT", r"\s*(-)?(\d+(?:\.\d+)?)\s*(d|days?|h|hrs?|hours?|m|min|minutes?|s|sec|seconds?|ms|milli|"
                                 r"millis|milliseconds?|microseconds?|ticks?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = TIMESPAN_UNITS  # the language's own table, defined once


def to_timespan(s: str) -> dt.timedelta | None:
    """`[-][d.]hh:mm[:ss[.fffffff]]` (.NET) or a Kusto literal such as `1.5h`, `30m`, `100ms`."""
    m = _CLOCK.match(s)
    try:
        if m:
            neg, days, h, mi, sec, frac = m.groups()
            whole = ((int(days or 0) * 24 + int(h)) * 60 + int(mi)) * 60 + int(sec or 0)
            n = whole * ticks.TICKS_PER_SECOND + int((frac or "0").ljust(7, "0"))  # 100 ns ticks
            return ticks.timespan_from_ticks(-n if neg else n)
        m = _UNIT.match(s)
        if m:
            neg, amount, unit = m.groups()
            n = round(float(amount) * _UNIT_SECONDS[unit.lower()] * ticks.TICKS_PER_SECOND)
            return ticks.timespan_from_ticks(-n if neg else n)
    except (ValueError, OverflowError):
        return None
    return None


def to_guid(s: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(s.strip())
    except ValueError:
        return None


def to_dynamic(s: str) -> Any:
    """JSON text -> Python JSON value; text that is not JSON stays a (dynamic) string."""
    try:
        return json.loads(s)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's JSON decoder goes
        return s


_TEXT_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "bool": to_bool, "int": to_int, "long": to_long, "real": to_real, "decimal": to_decimal,
    "datetime": to_datetime, "timespan": to_timespan, "guid": to_guid, "dynamic": to_dynamic,
}


def convert_text_column(values: list[str | None], type_name: str) -> list[Any]:
    """Convert one column of text fields (None = field absent) to `type_name` values."""
    if type_name == "string":
        # Equal strings share one object (a key column repeats a few values many times).
        same = {"": ""}.setdefault
        return ["" if v is None else same(v, v) for v in values]
    fast = _FAST_CONVERTERS.get(type_name)
    if fast is not None and values:
        try:
            out = fast(values)
        except (ValueError, TypeError, OverflowError):
            out = None  # some field needs the per-value rules
        if out is not None:
            return out
    conv = _TEXT_CONVERTERS[type_name]
    return [conv(v) if v else None for v in values]


# Whole-column conversions (issue 18: ingestion time): one C-level `map` over a column whose
# every field is in the common form.  Each returns None (or raises) unless it gives exactly
# what the per-value converter above gives for every field, and the caller then falls back
# to that converter: a fast path never changes an answer.
def _fast_integers(lo: int, hi: int) -> Callable[[list[str]], list[int] | None]:
    def run(values: list[str]) -> list[int] | None:
        if "_" in "".join(values):  # a None (missing field) raises TypeError here
            return None
        out = list(map(int, values))
        return out if lo <= min(out) and max(out) <= hi else None

    return run


def _fast_reals(values: list[str]) -> list[float] | None:
    return None if "_" in "".join(values) else list(map(float, values))


_BOOL_WORDS = {"true": True, "false": False}


def _fast_bools(values: list[str]) -> list[bool] | None:
    out = list(map(_BOOL_WORDS.get, values))
    return None if None in out else out


def _fast_datetimes(values: list[str]) -> list[dt.datetime] | None:
    if _SEVENTH_DIGIT.search("\n".join(values)):  # a 100-ns tick: the regex path keeps it
        return None
    out = list(map(dt.datetime.fromisoformat, values))
    # Only values that are already UTC: naive ones and other offsets take the per-value path.
    return out if set(map(_TZINFO, out)) == {UTC} else None


_TZINFO = operator.attrgetter("tzinfo")
_FAST_CONVERTERS: dict[str, Callable[[list[str]], list[Any] | None]] = {
    "int": _fast_integers(INT_MIN, INT_MAX), "long": _fast_integers(LONG_MIN, LONG_MAX),
    "real": _fast_reals, "bool": _fast_bools, "datetime": _fast_datetimes,
}


def convert_value(v: Any, type_name: str) -> Any:
    """Convert one JSON value (or any Python value) to `type_name`; null when impossible."""
    if v is None:
        return None
    if type_name == "string":
        if isinstance(v, str):
            return v
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (dict, list)):
            return json.dumps(v, separators=(",", ":"))
        return str(v)
    if type_name == "dynamic":
        return v
    if isinstance(v, str):
        return _TEXT_CONVERTERS[type_name](v) if v else None  # convert_text_column's rule for one field
    if type_name == "bool":
        return bool(v) if isinstance(v, (bool, int, float)) else None
    if type_name in ("int", "long"):
        if isinstance(v, bool) or not isinstance(v, (int, float, decimal.Decimal)):
            return None
        if isinstance(v, float) and not v.is_integer():
            return int(v) if abs(v) < 2 ** 63 else None
        iv = int(v)
        lo, hi = (INT_MIN, INT_MAX) if type_name == "int" else (LONG_MIN, LONG_MAX)
        return iv if lo <= iv <= hi else None
    if type_name == "real":
        return float(v) if isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool) else None
    if type_name == "decimal":
        return decimal.Decimal(str(v)) if isinstance(v, (int, float, decimal.Decimal)) else None
    if type_name == "datetime":
        return v if isinstance(v, dt.datetime) else None
    if type_name == "timespan":
        return v if isinstance(v, dt.timedelta) else None
    if type_name == "guid":
        return v if isinstance(v, uuid.UUID) else None
    return None


def empty_column(type_name: str, rows: int) -> list[Any]:
    """A column of `rows` missing values: empty strings for string (Kusto strings are never
    null), nulls otherwise."""
    return [""] * rows if type_name == "string" else [None] * rows


def column_of_values(values: list[Any], type_name: str) -> list[Any]:
    """Conform a column of already-typed values (e.g. a query result) to `type_name`."""
    if type_name == "string":
        return ["" if v is None else convert_value(v, "string") for v in values]
    return [convert_value(v, type_name) for v in values]


# ------------------------------------------------------------------ formats

_DELIMITERS = {"csv": ",", "tsv": "\t", "tsve": "\t", "psv": "|", "scsv": ";", "sohsv": "\x01"}
JSON_FORMATS = ("json", "multijson", "singlejson")
TEXT_FORMATS = ("txt", "raw")
SUPPORTED_FORMATS = tuple(_DELIMITERS) + JSON_FORMATS + TEXT_FORMATS
BINARY_FORMATS = ("parquet", "avro", "apacheavro", "orc", "w3clogfile")


class FormatError(ValueError):
    """The data cannot be read in the declared format (the caller turns it into a BadRequest)."""


def read_columns(data: str | TextIO, columns: list[tuple[str, str]], properties: dict | None = None) -> list[Any]:
    """Parse ingestion `data` (text, or a text stream read as it is parsed) into columns
    converted to the `columns` types (lists, or compact columns: kshell.columns).

    `properties` are the ingestion properties (case-insensitive names): format,
    ignoreFirstRecord, ingestionMapping.  Fields beyond the schema are ignored,
    missing ones are null (spec 7.1).
    """
    props = {str(k).lower(): v for k, v in (properties or {}).items()}
    fmt = str(props.get("format", "csv")).lower()
    ignore_first = _truthy(props.get("ignorefirstrecord", False))
    mapping = _mapping(props.get("ingestionmapping"))
    if fmt in _DELIMITERS:
        return _delimited_columns(data, _DELIMITERS[fmt], columns, mapping, ignore_first)
    if not isinstance(data, str):
        if fmt in JSON_FORMATS:
            return _json_columns(_json_stream_records(data), columns, mapping, ignore_first)
        data = data.read()  # txt/raw, or an unknown format (refused below)
    if fmt in TEXT_FORMATS:
        lines = data.splitlines()
        if ignore_first:
            lines = lines[1:]
        rows = [[ln] for ln in lines]
        return _text_rows_to_columns(rows, columns, mapping)
    if fmt in JSON_FORMATS:
        return _json_columns(iter(_json_records(data)), columns, mapping, ignore_first)
    if fmt in BINARY_FORMATS:
        raise FormatError(f"format '{fmt}' is binary and cannot be ingested inline")
    raise FormatError(f"unknown data format '{fmt}' (expected one of: {', '.join(SUPPORTED_FORMATS)})")


def _truthy(v: Any) -> bool:
    return v is True or (isinstance(v, str) and v.strip().lower() == "true") or v == 1


MAX_FIELD_CHARS = 64 * 1024 * 1024


def _delimited_records(data: str, delimiter: str) -> list[list[str]]:
    import csv
    import io

    # A field may hold a whole JSON document: the csv module's 128 KB default is not Kusto's limit.
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter, quotechar='"',
                        doublequote=True, strict=False)
    try:
        return [r for r in reader if r]
    except csv.Error as e:
        raise FormatError(f"malformed {'CSV' if delimiter == ',' else 'delimited'} data: {e}") from None


# Delimited and JSON input is parsed and converted CHUNK_ROWS rows at a time (issue 18):
# the rows of a large input never exist all at once as lists of strings or dicts, each
# chunk's values go straight into the typed column (kshell.columns: an int64/float64 array
# when the values fit), and equal strings share one object across the whole input.
CHUNK_ROWS = 16_384


# A string column keeps interning until its table holds this many distinct strings and
# they are more than half of the rows seen (a key column with 10,000 values keeps it).
INTERN_LIMIT = 65_536


class _Columns:
    """The columns an ingestion builds, chunk by chunk."""

    __slots__ = ("types", "data", "strings")

    def __init__(self, columns: list[tuple[str, str]]):
        self.types = [t for _, t in columns]
        self.data: list[Any] = [[] for _ in columns]
        # One interning table per string column (a key column repeats a few values many
        # times); dropped when the column turns out to hold mostly distinct values.
        self.strings: list[dict | None] = [{} if t == "string" else None for t in self.types]

    def add(self, chunk: list[list[Any]], rows: int) -> None:
        from kshell.columns import extended  # here: `array` is a shared library, loaded only for ingestion

        for i, values in enumerate(chunk):
            same = self.strings[i]
            if same is not None:
                lookup = same.setdefault
                values = [lookup(v, v) for v in values]
                if len(same) > INTERN_LIMIT and len(same) > (len(self.data[i]) + rows) // 2:
                    self.strings[i] = None  # mostly distinct: the table would cost more than it saves
            self.data[i] = extended(self.data[i], values, self.types[i])


def _delimited_columns(data: str | TextIO, delimiter: str, columns: list[tuple[str, str]],
                       mapping: list[dict] | None, ignore_first: bool) -> list[Any]:
    import csv
    import io
    from itertools import islice

    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
    lines = io.StringIO(data, newline="") if isinstance(data, str) else data
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    out = _Columns(columns)
    skip = ignore_first
    try:
        with gc_paused():
            while True:
                batch = list(islice(reader, CHUNK_ROWS))
                if not batch:
                    break
                rows = [r for r in batch if r]
                del batch
                if skip and rows:
                    rows = rows[1:]
                    skip = False
                if not rows:
                    continue
                out.add(_text_rows_to_columns(rows, columns, mapping), len(rows))
    except csv.Error as e:
        raise FormatError(f"malformed {'CSV' if delimiter == ',' else 'delimited'} data: {e}") from None
    return out.data


def _text_rows_to_columns(rows: list[list[str]], columns: list[tuple[str, str]],
                          mapping: list[dict] | None) -> list[list[Any]]:
    n = len(columns)
    if mapping:
        ordinals = _mapping_ordinals(mapping, columns)
        fields = [[(r[o] if o is not None and o < len(r) else None) for r in rows] for o in ordinals]
        consts = [_mapping_const(mapping, name) for name, _ in columns]
        fields = [[c] * len(rows) if c is not None else f for f, c in zip(fields, consts)]
    else:
        fixed = [r if len(r) == n else (r + [None] * (n - len(r)))[:n] for r in rows]
        fields = [list(col) for col in zip(*fixed)] if fixed else [[] for _ in columns]
    return [convert_text_column(f, t) for f, (_, t) in zip(fields, columns)]


def _json_records(data: str) -> list[Any]:
    decoder = json.JSONDecoder()
    out: list[Any] = []
    i, n = 0, len(data)
    while True:
        while i < n and data[i] in " \t\r\n,":
            i += 1
        if i >= n:
            return out
        try:
            value, i = decoder.raw_decode(data, i)
        except ValueError as e:
            raise FormatError(f"malformed JSON data: {e}") from None
        except RecursionError:
            raise FormatError("malformed JSON data: nested too deeply") from None
        if isinstance(value, list):
            out.extend(value)
        else:
            out.append(value)


JSON_READ_CHARS = 1 << 20  # how much JSON text a stream is read ahead by


def _json_stream_records(stream: TextIO) -> Iterator[Any]:
    """The records of JSON text read from a stream a block at a time (as `_json_records`)."""
    decoder = json.JSONDecoder()
    buf, i, eof = "", 0, False
    while True:
        while i < len(buf) and buf[i] in " \t\r\n,":
            i += 1
        if i >= len(buf):
            if eof:
                return
            buf, i = stream.read(JSON_READ_CHARS), 0
            eof = not buf
            continue
        try:
            value, end = decoder.raw_decode(buf, i)
            # A value that reaches the end of what was read may go on (a number, "tr|ue").
            complete = end < len(buf) or eof
        except ValueError as e:
            if eof:
                raise FormatError(f"malformed JSON data: {e}") from None
            complete = False
        except RecursionError:
            raise FormatError("malformed JSON data: nested too deeply") from None
        if not complete:
            more = stream.read(JSON_READ_CHARS)
            eof = not more
            buf, i = buf[i:] + more, 0
            continue
        i = end
        if isinstance(value, list):
            yield from value
        else:
            yield value


def _json_columns(records: Iterator[Any], columns: list[tuple[str, str]], mapping: list[dict] | None,
                  ignore_first: bool) -> list[Any]:
    """Typed columns of JSON records, converted CHUNK_ROWS records at a time."""
    from itertools import islice

    if ignore_first:
        next(records, None)
    out = _Columns(columns)
    with gc_paused():
        while True:
            batch = list(islice(records, CHUNK_ROWS))
            if not batch:
                return out.data
            chunk = _json_to_columns(batch, columns, mapping)
            out.add(chunk, len(chunk[0]) if chunk else 0)


def _json_to_columns(records: list[Any], columns: list[tuple[str, str]],
                     mapping: list[dict] | None) -> list[list[Any]]:
    records = [r for r in records if isinstance(r, dict)]
    out = []
    for name, type_name in columns:
        path = _mapping_path(mapping, name) if mapping else None
        const = _mapping_const(mapping, name) if mapping else None
        if const is not None:
            values = [const] * len(records)
        elif path is not None:
            values = [_json_path(r, path) for r in records]
        else:
            values = [r.get(name) for r in records]
        if type_name in _FAST_CONVERTERS and values and set(map(type, values)) == {str}:
            column = convert_text_column(values, type_name)  # JSON text fields: a whole column at once
        else:
            column = [convert_value(v, type_name) for v in values]
        if type_name == "string":
            column = ["" if v is None else v for v in column]
        out.append(column)
    return out


def _mapping(value: Any) -> list[dict] | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise FormatError("ingestionMapping is not valid JSON") from None
    if not isinstance(value, list):
        raise FormatError("ingestionMapping must be a JSON array")
    return [{str(k).lower(): v for k, v in m.items()} for m in value if isinstance(m, dict)]


def _mapping_entry(mapping: list[dict], column: str) -> dict | None:
    for m in mapping:
        if m.get("column", m.get("name")) == column:
            props = {str(k).lower(): v for k, v in (m.get("properties") or {}).items()}
            return {**m, **props}
    return None


def _mapping_ordinals(mapping: list[dict], columns: list[tuple[str, str]]) -> list[int | None]:
    out = []
    for name, _ in columns:
        m = _mapping_entry(mapping, name)
        try:
            out.append(int(m["ordinal"]) if m and m.get("ordinal") is not None else None)
        except (TypeError, ValueError):
            out.append(None)
    return out


def _mapping_path(mapping: list[dict], column: str) -> str | None:
    m = _mapping_entry(mapping, column)
    return m.get("path") if m else None


def _mapping_const(mapping: list[dict] | None, column: str) -> Any:
    m = _mapping_entry(mapping, column) if mapping else None
    return m.get("constvalue") if m else None


_PATH_PART = lazy(globals(), "_PATH_PART", r"\.([^.\[]+)|\['([^']*)'\]|\[(\d+)\]")


def _json_path(record: Any, path: str) -> Any:
    """A value by a simple JSON path: `$`, `$.a.b`, `$['a b']`, `$.a[0]`."""
    if not path.startswith("$"):
        return None
    value = record
    for m in _PATH_PART.finditer(path, 1):
        key = m.group(1) or m.group(2)
        if key is not None:
            value = value.get(key) if isinstance(value, dict) else None
        else:
            idx = int(m.group(3))
            value = value[idx] if isinstance(value, list) and idx < len(value) else None
        if value is None:
            return None
    return value
