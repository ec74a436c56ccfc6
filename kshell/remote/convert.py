"""A cluster's result tables as kshell Results, in kshell's value model.

The values are read from the tables' raw JSON rows, not from the SDK's
converted rows: the SDK leaves guids, reals written as "NaN"/"Infinity" and
dynamic values as they came, and its datetimes and timespans drop the 7th
fractional digit (100 ns ticks), which kshell keeps (kshell.ticks).  Converting here gives every column the same Python values a
local query produces (kshell.result), so the six output formats print a remote
result exactly as they print a local one.

Column types: v2 responses (queries) name Kusto types (`long`, `datetime`);
v1 responses (commands) may carry only the CLR name (`Int64`, `DateTime`,
`SByte` for bool, `Object` for dynamic), which is mapped here.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from kshell import ticks
from kshell.result import Result, ResultColumn
from kshell.syntax.vocabulary import SCALAR_TYPES

UTC = dt.timezone.utc

# CLR names in v1 responses (DataType), lower-cased, "System." prefix removed.
_CLR = {
    "string": "string", "int64": "long", "int32": "int", "int16": "int", "byte": "int",
    "double": "real", "single": "real", "datetime": "datetime", "timespan": "timespan",
    "guid": "guid", "boolean": "bool", "sbyte": "bool", "decimal": "decimal",
    "data.sqltypes.sqldecimal": "decimal", "object": "dynamic",
}


def kusto_type(name: str | None) -> str:
    """The Kusto type of a result column, from its ColumnType or DataType."""
    if not name:
        return "dynamic"
    low = name.strip().lower()
    if low in SCALAR_TYPES:
        return SCALAR_TYPES[low]
    low = low.removeprefix("system.")
    return _CLR.get(low, "dynamic")


# ------------------------------------------------------------------ values

_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")
_TIMESPAN = re.compile(r"(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$")


def to_datetime(value: Any) -> dt.datetime:
    """ISO-8601 text (up to 7 fractional digits: 100 ns ticks, kept by kshell.ticks) as an
    aware UTC datetime."""
    m = _DATETIME.match(str(value).strip())
    if m is None:
        raise ValueError(f"not a datetime: {value!r}")
    year, month, day, hour, minute, second, frac, zone = m.groups()
    out = ticks.with_fraction(dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                          int(second or 0), tzinfo=UTC), frac)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        out = ticks.subtract(out, sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return out


def to_timespan(value: Any) -> dt.timedelta:
    """`[-][d.]hh:mm:ss[.fffffff]`, or a number of ticks (100 ns)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ticks.timespan_from_ticks(int(value))
    m = _TIMESPAN.match(str(value).strip())
    if m is None:
        raise ValueError(f"not a timespan: {value!r}")
    sign, days, hours, minutes, seconds, frac = m.groups()
    whole = ((int(days or 0) * 24 + int(hours)) * 60 + int(minutes)) * 60 + int(seconds)
    n = whole * ticks.TICKS_PER_SECOND + int((frac or "0")[:7].ljust(7, "0"))
    return ticks.timespan_from_ticks(-n if sign else n)


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def to_real(value: Any) -> float:
    # JSON has no NaN/Infinity: the service writes them as strings
    return float(value)


def to_long(value: Any) -> int:
    return int(value)


def to_decimal(value: Any) -> decimal.Decimal:
    # a float would lose digits: go through its shortest text
    return decimal.Decimal(value if isinstance(value, str) else repr(value) if isinstance(value, float) else value)


def to_guid(value: Any) -> uuid.UUID | str:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return str(value)


def to_string(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def to_dynamic(value: Any) -> Any:
    # a JSON value already; kshell keeps dynamic values as plain dict/list/scalars
    return value


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "bool": to_bool, "int": to_long, "long": to_long, "real": to_real, "decimal": to_decimal,
    "string": to_string, "datetime": to_datetime, "timespan": to_timespan, "guid": to_guid,
    "dynamic": to_dynamic,
}


def convert_value(type_name: str, value: Any) -> Any:
    """One cell; null stays None, and a value the type cannot read is kept as sent."""
    if value is None:
        return None
    try:
        return CONVERTERS[type_name](value)
    except (ValueError, TypeError, ArithmeticError, KeyError):
        return value


# ------------------------------------------------------------------ tables

def result_from_table(name: str | None, raw_columns: Iterable[dict], raw_rows: Iterable[list]) -> Result:
    """A Result from a table's JSON columns (ColumnName, ColumnType/DataType) and rows."""
    columns = [ResultColumn(str(c.get("ColumnName", "")), kusto_type(c.get("ColumnType") or c.get("DataType")))
               for c in raw_columns]
    converters = [CONVERTERS[c.type] for c in columns]
    rows = []
    for raw in raw_rows:
        row = []
        for conv, col, value in zip(converters, columns, raw):
            if value is None:
                row.append(None)
                continue
            try:
                row.append(conv(value))
            except (ValueError, TypeError, ArithmeticError):
                row.append(value)
        rows.append(row)
    return Result(columns, rows, name or "PrimaryResult")


def results_from_response(response: Any) -> list[Result]:
    """The primary results of an SDK response data set, in order."""
    return [result_from_table(t.table_name, t.raw_columns, t.raw_rows) for t in response.primary_results]
