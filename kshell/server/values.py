"""Kusto's JSON value encodings, in both directions.

This is the one place that says how a kshell value travels in a REST response
(kshell.result's value model: bool, int, float, Decimal, str, aware datetime,
timedelta, UUID, dynamic JSON, None).  A client of a Kusto endpoint (a remote
target) decodes with `decode_value`, the inverse of `encode_value`.

Encodings, as the service sends them (docs/server.md):

| type      | JSON                                                                     |
|-----------|--------------------------------------------------------------------------|
| bool      | true / false                                                             |
| int, long | a number                                                                 |
| real      | a number; NaN, Infinity, -Infinity as the strings "NaN", "Infinity", "-Infinity" |
| decimal   | a string ("1.5"), so no digit is lost                                    |
| string    | a string                                                                 |
| datetime  | "2024-01-02T03:04:05Z", 7 fractional digits (100 ns ticks) when not whole seconds |
| timespan  | "[-][d.]hh:mm:ss[.fffffff]"                                              |
| guid      | "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"                                   |
| dynamic   | v2: the JSON value itself; v1: its compact JSON text                     |
| any null  | null                                                                     |
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
import uuid
from typing import Any

from kshell import ticks

# Kusto type name -> the .NET type name of v1's `DataType` column field.
CLR_TYPES = {
    "bool": "Boolean",
    "int": "Int32",
    "long": "Int64",
    "real": "Double",
    "decimal": "Decimal",
    "string": "String",
    "datetime": "DateTime",
    "timespan": "TimeSpan",
    "guid": "Guid",
    "dynamic": "Object",
}

# --------------------------------------------------------------- encoding

def encode_datetime(value: dt.datetime) -> str:
    if value.tzinfo is not None and value.utcoffset():
        value = value.astimezone(dt.timezone.utc)
    text = (f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
            f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}")
    frac = ticks.fraction(value)  # 100 ns ticks past the second
    if frac:
        text += f".{frac:07d}"
    return text + "Z"


def encode_timespan(value: dt.timedelta) -> str:
    return ticks.kusto_timespan(value)


def encode_real(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def encode_decimal(value: decimal.Decimal) -> str:
    if value.is_nan():
        return "NaN"
    if value.is_infinite():
        return "Infinity" if value > 0 else "-Infinity"
    return format(value, "f") if abs(value.adjusted()) < 30 else str(value)


def dynamic_json(value: Any) -> Any:
    """A dynamic value as plain JSON (datetimes and the like inside it as their Kusto text)."""
    if type(value).__name__ == "Dynamic" and hasattr(value, "value"):
        value = value.value
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return encode_real(value)
    if isinstance(value, dict):
        return {str(k): dynamic_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [dynamic_json(v) for v in value]
    if isinstance(value, (dt.datetime, dt.timedelta, uuid.UUID, decimal.Decimal)):
        return encode_scalar(value)
    return str(value)  # nothing else should reach here; text rather than a failed reply


def encode_scalar(value: Any) -> Any:
    """Any non-dynamic kshell value, by its Python type."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return encode_real(value)
    if isinstance(value, dt.datetime):
        return encode_datetime(value)
    if isinstance(value, dt.timedelta):
        return encode_timespan(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return encode_decimal(value)
    return dynamic_json(value)


def encode_value(type_name: str, value: Any, *, v1: bool = False) -> Any:
    """The JSON of one cell of a column of `type_name`."""
    if value is None:
        return None
    if type_name == "dynamic":
        out = dynamic_json(value)
        if v1 and out is not None:
            return json.dumps(out, separators=(",", ":"), ensure_ascii=False)
        return out
    if type_name == "real" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return encode_real(float(value))
    return encode_scalar(value)


def column_encoder(type_name: str, *, v1: bool = False):
    """A function encoding one value of the column (the common types take a fast path)."""
    if type_name in ("long", "int", "bool", "string"):
        return _identity
    if type_name == "real":
        return _encode_real_cell
    return lambda value: encode_value(type_name, value, v1=v1)


def _identity(value: Any) -> Any:
    return value


def _encode_real_cell(value: Any) -> Any:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else encode_real(value)


# --------------------------------------------------------------- decoding

_TIMESPAN = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$")
_REAL_WORDS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def decode_datetime(text: str) -> dt.datetime:
    s = text.strip()
    if s.endswith("Z") or s.endswith("z"):
        s = s[:-1] + "+00:00"
    frac = re.search(r"\.(\d+)", s)
    digits = ""
    if frac:  # Python reads microseconds: the ticks are added back below
        digits = frac.group(1)
        s = s[: frac.start()] + s[frac.end():]
    value = dt.datetime.fromisoformat(s)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    value = value.astimezone(dt.timezone.utc)
    return ticks.datetime_from_ticks(ticks.datetime_ticks(value) + int((digits + "0000000")[:7]))


def decode_timespan(text: str) -> dt.timedelta:
    m = _TIMESPAN.match(text.strip())
    if m is None:
        raise ValueError(f"'{text}' is not a timespan")
    sign, days, h, mi, s, frac = m.groups()
    n = ((int(days or 0) * 24 + int(h)) * 60 + int(mi)) * 60 + int(s)
    n = n * ticks.TICKS_PER_SECOND + int(((frac or "") + "0000000")[:7])
    return ticks.timespan_from_ticks(-n if sign else n)


def decode_value(type_name: str, value: Any, *, v1: bool = False) -> Any:
    """The kshell value of one JSON cell (the inverse of encode_value)."""
    if value is None:
        return None
    if type_name == "datetime":
        return decode_datetime(value)
    if type_name == "timespan":
        return decode_timespan(value) if isinstance(value, str) else ticks.timespan_from_ticks(int(value))
    if type_name == "decimal":
        return decimal.Decimal(str(value))
    if type_name == "guid":
        return uuid.UUID(value)
    if type_name == "real":
        return _REAL_WORDS[value] if isinstance(value, str) else float(value)
    if type_name in ("int", "long"):
        return int(value)
    if type_name == "dynamic" and v1 and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
