"""Kusto scalar types: names, promotion, conversions and the string form of values.

Values follow the engine's model (kshell.result): bool, int (int and long),
float (real), decimal.Decimal, str, datetime.datetime (aware UTC),
datetime.timedelta, uuid.UUID, dynamic as JSON-like Python values, None = null.
Every converter here takes one value and returns the converted value or None
(Kusto's conversions never fail: a bad value becomes null).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
import uuid
from typing import Any
from kshell import ticks as K
from kshell.realtext import format_decimal, format_real
from kshell.syntax.literals import decode_datetime
from kshell.syntax.vocabulary import TIMESPAN_UNITS

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

TYPES = ("bool", "int", "long", "real", "decimal", "string", "datetime", "timespan", "guid", "dynamic")
NUMERIC = ("int", "long", "real", "decimal")
# Promotion order of arithmetic: the wider of two operand types wins.
_NUM_RANK = {"bool": 0, "int": 1, "long": 2, "decimal": 3, "real": 4}

# `getschema`'s DataType column.
CLR_TYPES = {
    "bool": "System.SByte", "int": "System.Int32", "long": "System.Int64",
    "real": "System.Double", "decimal": "System.Data.SqlTypes.SqlDecimal",
    "string": "System.String", "datetime": "System.DateTime",
    "timespan": "System.TimeSpan", "guid": "System.Guid", "dynamic": "System.Object",
}

# Canonical name of every type spelling (types in casts, schemas, typeof()).
TYPE_ALIASES = {
    "bool": "bool", "boolean": "bool", "int": "int", "int32": "int",
    "long": "long", "int64": "long", "real": "real", "double": "real", "float": "real",
    "decimal": "decimal", "string": "string", "datetime": "datetime", "date": "datetime",
    "timespan": "timespan", "time": "timespan", "guid": "guid", "uniqueid": "guid",
    "dynamic": "dynamic",
}


def canonical_type(name: str) -> str | None:
    return TYPE_ALIASES.get(name.lower())


def is_numeric(t: str) -> bool:
    return t in _NUM_RANK and t != "bool"


def promote(a: str, b: str) -> str:
    """The common type of two numeric types (iff/case branches, coalesce): the wider one,
    a decimal over any other number (Kusto.Language types iff(c, decimal, real) decimal)."""
    if a == "decimal" or b == "decimal":
        return "decimal"
    return a if _NUM_RANK.get(a, 0) >= _NUM_RANK.get(b, 0) else b


def arith_type(a: str, b: str) -> str:
    """Result type of `+ - * / %` between two numeric types (numerical-operators.md, and
    Microsoft's Kusto.Language): any decimal operand makes a decimal, else any real a real,
    else `long` -- `int op int` is a long too, so it never wraps at 32 bits."""
    if a == "decimal" or b == "decimal":
        return "decimal"
    if a == "real" or b == "real":
        return "real"
    return "long"


# Decimal arithmetic keeps 34 significant digits (the service's decimal precision); a
# result beyond the type's range (.NET decimal's magnitude, below 2**96, as conversions
# and ingestion check) is null (`decimal_result`).
DECIMAL_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=999999, Emin=-999999)


def decimal_result(d: decimal.Decimal | None) -> decimal.Decimal | None:
    if d is None or not d.is_finite() or d.copy_abs() >= _DECIMAL_LIMIT:
        return None
    return d


def one_nan(values: list[Any]) -> list[Any]:
    """A real column with every NaN made the one `math.nan` object, so that grouping and
    distinct put all NaN values in one group (a NaN equals no value, but Python's dict and
    set find the same object): `summarize by` and `distinct` see NaN as one value, as
    `dcount` counts it once."""
    try:
        if not any(map(math.isnan, values)):
            return values
    except TypeError:  # nulls among the values
        if not any(type(v) is float and v != v for v in values):
            return values
    return [math.nan if type(v) is float and v != v else v for v in values]


LONG_MIN, LONG_MAX = -2**63, 2**63 - 1


def wrap_long(n: int | None) -> int | None:
    """A `long` result past 64 bits wraps as two's complement (the service computes in
    64-bit integers; numpy's int64 does the same)."""
    if n is None or LONG_MIN <= n <= LONG_MAX:
        return n
    return ((n + 2**63) % 2**64) - 2**63


def type_of_value(v: Any) -> str:
    """The Kusto type of a Python value (used for dynamic values and literals)."""
    if v is None:
        return "dynamic"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "long"
    if isinstance(v, float):
        return "real"
    if isinstance(v, decimal.Decimal):
        return "decimal"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dt.datetime):
        return "datetime"
    if isinstance(v, dt.timedelta):
        return "timespan"
    if isinstance(v, uuid.UUID):
        return "guid"
    return "dynamic"


# A datetime's 100 ns ticks since 0001-01-01, or a timespan's ticks (kshell.ticks).
ticks_of = K.ticks
EPOCH_TICKS = K.datetime_ticks(EPOCH)


# ------------------------------------------------------------------ formatting

# Kusto's text of datetimes and timespans is defined once, with the tick representation.
format_timespan = K.kusto_timespan
format_datetime = K.kusto_datetime
fraction_ticks = K.fraction


def to_json_value(v: Any) -> Any:
    """A value as it appears inside dynamic (JSON): datetimes and timespans become text."""
    if isinstance(v, dt.datetime):
        return format_datetime(v)
    if isinstance(v, dt.timedelta):
        return format_timespan(v)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, decimal.Decimal):
        return float(v)
    return v


def dynamic_text(v: Any) -> str:
    """Compact JSON text of a dynamic value, as tostring() prints it."""
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False, default=str)


def to_string(v: Any) -> str:
    """tostring(): the Kusto text of any value; null becomes the empty string."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format_real(v)
    if isinstance(v, decimal.Decimal):
        return format_decimal(v)
    if isinstance(v, dt.datetime):
        return format_datetime(v)
    if isinstance(v, dt.timedelta):
        return format_timespan(v)
    if isinstance(v, uuid.UUID):
        return str(v)
    return dynamic_text(v)


# ------------------------------------------------------------------ conversions

def to_bool(v: Any) -> bool | None:
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        return v != 0
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("true", "1"):
            return True
        if s in ("false", "0"):
            return False
    return None


def to_long(v: Any) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None
        return _in_long_range(int(v))
    if isinstance(v, decimal.Decimal):
        return _in_long_range(int(v)) if v.is_finite() else None
    if isinstance(v, str):
        s = v.strip()
        try:
            return _in_long_range(int(s))
        except ValueError:
            try:
                f = float(s)
            except ValueError:
                return None
            return None if math.isnan(f) or math.isinf(f) else _in_long_range(int(f))
    if isinstance(v, dt.datetime):
        return K.datetime_ticks(v) - EPOCH_TICKS
    if isinstance(v, dt.timedelta):
        return K.timespan_ticks(v)
    return None


def _in_long_range(n: int) -> int | None:
    """A converted value a 64-bit long cannot hold is null (tolong("1e30"), tolong(1e300))."""
    return n if -2**63 <= n < 2**63 else None


def to_int(v: Any) -> int | None:
    n = to_long(v)
    # toint-function.md: a value that does not convert is null -- one outside the 32-bit
    # range too, as tolong() nulls what a long cannot hold (arithmetic wraps; conversions do not).
    return n if n is None or -2**31 <= n < 2**31 else None


def to_real(v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float, decimal.Decimal)):
        return float(v)
    if isinstance(v, str):
        s = v.strip()
        low = s.lower()
        if low in ("nan",):
            return math.nan
        if low in ("inf", "infinity", "+infinity"):
            return math.inf
        if low in ("-inf", "-infinity"):
            return -math.inf
        try:
            return float(s)
        except ValueError:
            return None
    if isinstance(v, dt.timedelta):
        return float(K.timespan_ticks(v))
    return None


def to_decimal(v: Any) -> decimal.Decimal | None:
    if v is None:
        return None
    if isinstance(v, decimal.Decimal):
        return v
    if isinstance(v, bool):
        return decimal.Decimal(int(v))
    if isinstance(v, (int, float)):
        d = decimal.Decimal(repr(v)) if isinstance(v, float) else decimal.Decimal(v)
        return d if d.is_finite() and d.copy_abs() < _DECIMAL_LIMIT else None
    if isinstance(v, str):
        try:
            d = decimal.Decimal(v.strip())
        except decimal.InvalidOperation:
            return None
        return d if d.is_finite() and d.copy_abs() < _DECIMAL_LIMIT else None
    return None


_DECIMAL_LIMIT = decimal.Decimal(2 ** 96)  # .NET decimal's range (Kusto's decimal)


_DT_FORMATS = (
    "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%Y%m%d", "%Y-%m", "%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y",
    "%a, %d %b %Y %H:%M:%S", "%d %b %Y %H:%M:%S", "%a, %d %b %Y %H:%M", "%d %b %Y",
)
_FRACTION = re.compile(r"(\.\d{6})\d+")  # the fallback formats read microseconds
_TZ = re.compile(r"(Z|GMT|UTC|[+-]\d{2}:?\d{2})$", re.I)


def parse_datetime(s: str) -> dt.datetime | None:
    """Parse the datetime texts Kusto accepts: every form the datetime literal accepts
    (todatetime-function.md: todatetime('12-02-2022') == datetime('12-02-2022')), then a
    few more (RFC 822 variants, yyyyMMdd)."""
    s = s.strip()
    if not s:
        return None
    if "," not in s or not s[0].isdigit():  # `2025, 6, 14` is literal syntax, not text
        try:
            return decode_datetime(s)
        except (ValueError, OverflowError):
            pass
    offset = dt.timedelta(0)
    m = _TZ.search(s)
    if m:
        tz = m.group(1).upper()
        s = s[: m.start()].rstrip()
        if tz[0] in "+-":
            digits = tz[1:].replace(":", "")
            offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            if tz[0] == "-":
                offset = -offset
    s = _FRACTION.sub(r"\1", s)
    for fmt in _DT_FORMATS:
        try:
            d = dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
        return d.replace(tzinfo=UTC) - offset
    return None


def to_datetime(v: Any) -> dt.datetime | None:
    if v is None or isinstance(v, dt.datetime):
        return v
    if isinstance(v, str):
        return parse_datetime(v)
    if isinstance(v, bool):
        return None
    if isinstance(v, int):  # ticks
        try:
            return K.datetime_from_ticks(EPOCH_TICKS + v)
        except (OverflowError, ValueError):  # past year 9999
            return None
    return None


_TS_TEXT = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$")
_TS_UNIT = re.compile(r"^(-)?(\d+(?:\.\d+)?)\s*([a-z]+)$", re.I)
# Timespan units are the language's own table (vocabulary.TIMESPAN_UNITS), defined once.
_UNIT_SECONDS = TIMESPAN_UNITS


def parse_timespan(s: str) -> dt.timedelta | None:
    s = s.strip()
    m = _TS_TEXT.match(s)
    if m:
        neg, days, hh, mm, ss, frac = m.groups()
        whole = ((int(days or 0) * 24 + int(hh)) * 60 + int(mm)) * 60 + int(ss or 0)
        n = whole * K.TICKS_PER_SECOND + int((frac or "0").ljust(7, "0"))
        return K.timespan_from_ticks(-n if neg else n)
    m = _TS_UNIT.match(s)
    if m and m.group(3).lower() in _UNIT_SECONDS:
        n = round(float(m.group(2)) * _UNIT_SECONDS[m.group(3).lower()] * K.TICKS_PER_SECOND)
        return K.timespan_from_ticks(-n if m.group(1) else n)
    if re.fullmatch(r"-?\d+", s):
        return dt.timedelta(days=int(s))
    return None


def to_timespan(v: Any) -> dt.timedelta | None:
    if v is None or isinstance(v, dt.timedelta):
        return v
    if isinstance(v, str):
        return parse_timespan(v)
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):  # ticks
        try:
            return K.timespan_from_ticks(round(v))
        except (OverflowError, ValueError):  # out of range, NaN, infinity
            return None
    return None


def to_guid(v: Any) -> uuid.UUID | None:
    if v is None or isinstance(v, uuid.UUID):
        return v
    if isinstance(v, str):
        try:
            return uuid.UUID(v.strip())
        except ValueError:
            return None
    return None


def parse_json(v: Any) -> Any:
    """todynamic()/parse_json(): text becomes JSON; bad JSON stays a string value."""
    if isinstance(v, str):
        try:
            return json.loads(v)
        except (ValueError, RecursionError):  # nested deeper than the decoder goes: bad JSON too
            return v
    return to_json_value(v)


def to_dynamic(v: Any) -> Any:
    return to_json_value(v)


CONVERTERS = {
    "bool": to_bool, "int": to_int, "long": to_long, "real": to_real, "decimal": to_decimal,
    "string": to_string, "datetime": to_datetime, "timespan": to_timespan, "guid": to_guid,
    "dynamic": parse_json,
}


def convert(v: Any, kusto_type: str) -> Any:
    return CONVERTERS[kusto_type](v)


def from_dynamic(v: Any, kusto_type: str) -> Any:
    """A dynamic element cast to a scalar type (mv-expand `to typeof(T)`, tolong(d.x))."""
    if kusto_type == "dynamic":
        return v
    if kusto_type == "string":
        return to_string(v)
    if isinstance(v, (dict, list)):
        return None
    return CONVERTERS[kusto_type](v)
