"""Decoding of Kusto literal text into runtime values.

The query parser calls these for `datetime(...)`, `timespan(...)`/`time(...)`,
`guid(...)` and the typed scalar literals (`int(5)`, `real(nan)`, ...); the
engine may call them too (ingestion, `todatetime`).  Each function raises
ValueError on text it cannot read; the parser turns that into a
KustoSyntaxError at the literal's position.

Values follow the engine's model: datetime.datetime (aware, UTC),
datetime.timedelta, uuid.UUID, int, float, decimal.Decimal, bool, None
for a typed null.
"""

from __future__ import annotations

import datetime as dt
import re

from kshell import ticks as K
from kshell.lazy_re import lazy
from kshell.syntax.vocabulary import TIMESPAN_UNITS

# The patterns below compile on first use, and decimal and uuid are imported by the
# literals that need them: a request without such literals pays for none (issue 18).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import uuid

UTC = dt.timezone.utc

_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}

# Time zone names RFC 822 allows, in hours from UTC.
_ZONES = {"z": 0, "gmt": 0, "ut": 0, "utc": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5,
          "mst": -7, "mdt": -6, "pst": -8, "pdt": -7}

# ISO 8601 and the "sortable" forms: 2015-12-31, 2015-12-31 23:59, 2015-12-31T23:59:59.9Z,
# 2015-12-31 23:59:59.1234567+02:00.
_ISO = lazy(
    globals(), "_ISO",
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7})\d*)?)?)?"
    r"\s*(Z|z|[+-]\d{1,2}(?::?\d{2})?)?"
)
# RFC 822 / RFC 850: "Sat, 08 Nov 2014 15:00:00 GMT", "08 Nov 2014 15:00", "Saturday, 08-Nov-14 15:00:00 GMT".
_RFC = lazy(
    globals(), "_RFC",
    r"(?:[A-Za-z]+,\s*)?(\d{1,2})[ -]([A-Za-z]{3})[ -](\d{2}|\d{4})\s+"
    r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7})\d*)?)?"
    r"\s*([A-Za-z]+|[+-]\d{4})?"
)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1].strip()
    return text


def _ticks(frac: str | None) -> int:
    """A fraction of a second's digits -> ticks (7 digits; further digits are dropped)."""
    if not frac:
        return 0
    return int((frac + "0000000")[:7])


# Other forms .NET's DateTime parsing (which Kusto uses) reads and the docs show:
# 10-01-2018 10:00 and 12/02/2022 (month first), a year alone, a time alone,
# and `datetime(2025, 6, 14)` (parts separated by commas).
_MONTH_FIRST = lazy(
    globals(), "_MONTH_FIRST",
    r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})(?:[Tt ]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7})\d*)?)?)?")
_TIME_ONLY = lazy(globals(), "_TIME_ONLY", r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7})\d*)?)?")
_PARTS = lazy(globals(), "_PARTS", r"\d{1,4}(?:\s*,\s*\d{1,7}){0,6}")
_SPACED_DASHES = lazy(globals(), "_SPACED_DASHES", r"(?<=\d)\s+-\s+(?=\d)")

# The date of a time-only literal (`datetime(8:00)`).  .NET would use today's date,
# which a parser cannot know; kshell fixes it to the Unix epoch (docs/parser-coverage.md).
TIME_ONLY_DATE = dt.date(1970, 1, 1)


def decode_datetime(text: str) -> dt.datetime | None:
    """`datetime(...)` content -> aware UTC datetime, or None for `null`."""
    s = _unquote(text)
    if s.lower() == "null":
        return None
    s = _SPACED_DASHES.sub("-", s)
    try:
        return _decode_datetime(s, text)
    except (ValueError, OverflowError) as e:
        if str(e).startswith(("invalid datetime", "unknown")):
            raise
        raise ValueError(f"invalid datetime literal {text.strip()!r}: {e}") from None


def _decode_datetime(s: str, text: str) -> dt.datetime:
    m = _ISO.fullmatch(s)
    if m:
        y, mo, d, hh, mi, ss, frac, zone = m.groups()
        offset = _offset(zone)
        value = dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0), tzinfo=UTC)
        return K.subtract(K.with_fraction(value, frac), offset)
    m = _RFC.fullmatch(s)
    if m:
        d, mon, y, hh, mi, ss, frac, zone = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            raise ValueError(f"unknown month name {mon!r}")
        year = int(y)
        if len(y) == 2:
            year += 2000 if year < 50 else 1900
        value = dt.datetime(year, month, int(d), int(hh), int(mi), int(ss or 0), tzinfo=UTC)
        return K.subtract(K.with_fraction(value, frac), _offset(zone))
    m = _MONTH_FIRST.fullmatch(s)
    if m:
        mo, d, y, hh, mi, ss, frac = m.groups()
        return K.with_fraction(dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0),
                                           int(ss or 0), tzinfo=UTC), frac)
    m = _TIME_ONLY.fullmatch(s)
    if m:
        hh, mi, ss, frac = m.groups()
        return K.with_fraction(dt.datetime.combine(TIME_ONLY_DATE, dt.time(int(hh), int(mi), int(ss or 0)),
                                                   tzinfo=UTC), frac)
    if _PARTS.fullmatch(s):
        parts = [int(p) for p in s.split(",")]
        if len(parts) == 1:
            parts += [1, 1]
        elif len(parts) == 2:
            parts.append(1)
        # the seventh part counts ticks
        return K.add(dt.datetime(*parts[:6], tzinfo=UTC), K.timespan_from_ticks(parts[6])) \
            if len(parts) == 7 else dt.datetime(*parts, tzinfo=UTC)
    raise ValueError(f"invalid datetime literal {text.strip()!r}")


def _offset(zone: str | None) -> dt.timedelta:
    if not zone:
        return dt.timedelta(0)
    z = zone.lower()
    if z in _ZONES:
        return dt.timedelta(hours=_ZONES[z])
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", zone)
    if not m:
        raise ValueError(f"unknown time zone {zone!r}")
    sign = -1 if m.group(1) == "-" else 1
    return sign * dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))


# [-][d.]hh:mm[:ss[.fffffff]]
_CLOCK = lazy(globals(), "_CLOCK", r"(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7})\d*)?)?")
_UNIT = lazy(globals(), "_UNIT", r"(-)?(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]*)")


def decode_timespan(text: str) -> dt.timedelta | None:
    """`timespan(...)`/`time(...)` content -> timedelta, or None for `null`.

    Forms: `1.02:03:04.5`, `02:00:00`, `1d`/`30m`/`1.5h`/`100ms`, and a bare
    number, which counts days (Kusto's `time(2)` is two days).
    """
    s = _unquote(text)
    if s.lower() == "null":
        return None
    m = _CLOCK.fullmatch(s)
    if m:
        neg, days, hh, mi, ss, frac = m.groups()
        whole = ((int(days or 0) * 24 + int(hh)) * 60 + int(mi)) * 60 + int(ss or 0)
        n = whole * K.TICKS_PER_SECOND + _ticks(frac)
        return K.timespan_from_ticks(-n if neg else n)
    m = _UNIT.fullmatch(s)
    if m:
        neg, num, unit = m.groups()
        if unit == "":
            seconds = float(num) * 86400.0
        elif unit in TIMESPAN_UNITS:
            seconds = float(num) * TIMESPAN_UNITS[unit]
        elif unit.lower() in TIMESPAN_UNITS:
            seconds = float(num) * TIMESPAN_UNITS[unit.lower()]
        else:
            raise ValueError(f"unknown timespan unit {unit!r}")
        value = seconds_to_timespan(seconds)
        return -value if neg else value
    raise ValueError(f"invalid timespan literal {text.strip()!r}")


def seconds_to_timespan(seconds: float) -> dt.timedelta:
    """A timespan token's value (seconds, float) -> timespan, rounded to 100 ns ticks."""
    return K.timespan_from_ticks(round(seconds * K.TICKS_PER_SECOND))


def decode_guid(text: str) -> uuid.UUID | None:
    s = _unquote(text)
    if s.lower() == "null":
        return None
    import uuid

    try:
        return uuid.UUID(s)
    except ValueError:
        raise ValueError(f"invalid guid literal {text.strip()!r}") from None


def decode_raw(constructor: str, content: str) -> tuple[str, object]:
    """A RAW token (constructor, content) -> (Kusto type name, value)."""
    try:
        return _decode_raw(constructor, content)
    except OverflowError:  # e.g. time(1000000000d): beyond timedelta's range
        raise ValueError(f"{constructor}({content.strip()}) is out of range") from None


def _decode_raw(constructor: str, content: str) -> tuple[str, object]:
    if constructor in ("datetime", "date"):
        return "datetime", decode_datetime(content)
    if constructor in ("timespan", "time"):
        return "timespan", decode_timespan(content)
    if constructor == "guid":
        return "guid", decode_guid(content)
    raise ValueError(f"unknown literal constructor {constructor!r}")


_SPECIAL_REALS = {"nan": float("nan"), "+inf": float("inf"), "inf": float("inf"),
                  "-inf": float("-inf")}


def decode_typed_scalar(type_name: str, text: str) -> object:
    """Content of a typed scalar literal such as `int(5)`, `real(nan)`, `bool(true)`,
    `decimal(1.5)`, `long(null)` -> value.  `type_name` is canonical (int long real
    decimal bool string)."""
    s = text.strip()
    low = s.lower()
    if low == "null":
        return None
    if type_name == "bool":
        if low in ("true", "1"):
            return True
        if low in ("false", "0"):
            return False
        raise ValueError(f"invalid bool literal {s!r}")
    if type_name in ("int", "long"):
        try:
            value = int(s, 16) if low.lstrip("+-").startswith("0x") else int(s)
        except ValueError:
            raise ValueError(f"invalid {type_name} literal {s!r}") from None
        return value
    if type_name == "real":
        if low in _SPECIAL_REALS:
            return _SPECIAL_REALS[low]
        try:
            return float(s)
        except ValueError:
            raise ValueError(f"invalid real literal {s!r}") from None
    if type_name == "decimal":
        import decimal

        try:
            return decimal.Decimal(s)
        except decimal.InvalidOperation:
            raise ValueError(f"invalid decimal literal {s!r}") from None
    if type_name == "string":
        return s
    raise ValueError(f"no literal form for type {type_name!r}")


def format_timespan(value: dt.timedelta) -> str:
    """Kusto's text form of a timespan: [-][d.]hh:mm:ss[.fffffff]."""
    return K.kusto_timespan(value)


def format_datetime(value: dt.datetime) -> str:
    """ISO 8601 form used inside dynamic values: 2015-12-31T23:59:59.9000000Z."""
    return K.kusto_datetime(value)
