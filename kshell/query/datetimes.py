"""Datetime and timespan helpers of the scalar function library.

Python datetimes hold microseconds while Kusto holds 100 ns ticks; the
difference only shows in `endof*()` (one microsecond before the next period
instead of one tick) and in tick-level arithmetic.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

UTC = dt.timezone.utc
# Kusto bins datetimes on ticks counted from 0001-01-01.
DATETIME_ORIGIN = dt.datetime(1, 1, 1, tzinfo=UTC)
ONE_TICK = dt.timedelta(microseconds=1)


def start_of_day(d: dt.datetime, offset: int = 0) -> dt.datetime:
    return d.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=offset)


def start_of_week(d: dt.datetime, offset: int = 0) -> dt.datetime:
    day = start_of_day(d)
    # Weeks start on Sunday; Python's weekday() has Monday = 0.
    return day - dt.timedelta(days=(day.weekday() + 1) % 7) + dt.timedelta(weeks=offset)


def add_months(d: dt.datetime, months: int) -> dt.datetime:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return d.replace(year=year, month=month, day=day)


def start_of_month(d: dt.datetime, offset: int = 0) -> dt.datetime:
    return add_months(start_of_day(d).replace(day=1), offset)


def start_of_year(d: dt.datetime, offset: int = 0) -> dt.datetime:
    return start_of_day(d).replace(month=1, day=1, year=d.year + offset)


def end_of_day(d, offset=0):
    return _period_end(lambda k: start_of_day(d, k), offset)


def end_of_week(d, offset=0):
    return _period_end(lambda k: start_of_week(d, k), offset)


def end_of_month(d, offset=0):
    return _period_end(lambda k: start_of_month(d, k), offset)


def end_of_year(d, offset=0):
    return _period_end(lambda k: start_of_year(d, k), offset)


LAST_INSTANT = dt.datetime.max.replace(tzinfo=UTC)


def _period_end(start, offset):
    """One tick before the next period starts; the calendar's last period (which has no
    next one) ends at its last instant.  A period itself past the calendar raises."""
    try:
        return start(offset + 1) - ONE_TICK
    except (OverflowError, ValueError):
        start(offset)
        return LAST_INSTANT


_PART_ALIASES = {
    "year": "year", "quarter": "quarter", "month": "month", "week": "week", "day": "day",
    "hour": "hour", "minute": "minute", "second": "second", "millisecond": "millisecond",
    "microsecond": "microsecond", "nanosecond": "nanosecond",
    "weekofyear": "week", "week_of_year": "week", "dayofyear": "dayofyear",
}


def normalize_part(part: str) -> str | None:
    return _PART_ALIASES.get(part.strip().lower())


_FIXED = {
    "week": dt.timedelta(weeks=1), "day": dt.timedelta(days=1), "hour": dt.timedelta(hours=1),
    "minute": dt.timedelta(minutes=1), "second": dt.timedelta(seconds=1),
    "millisecond": dt.timedelta(milliseconds=1), "microsecond": dt.timedelta(microseconds=1),
    "nanosecond": dt.timedelta(microseconds=0.001),
}


def datetime_add(part: str, amount: int, d: dt.datetime) -> dt.datetime | None:
    p = normalize_part(part)
    if p == "year":
        return add_months(d, 12 * amount)
    if p == "quarter":
        return add_months(d, 3 * amount)
    if p == "month":
        return add_months(d, amount)
    if p in _FIXED:
        return d + _FIXED[p] * amount
    return None


def _truncate(d: dt.datetime, p: str) -> dt.datetime:
    if p == "day":
        return d.replace(hour=0, minute=0, second=0, microsecond=0)
    if p == "hour":
        return d.replace(minute=0, second=0, microsecond=0)
    if p == "minute":
        return d.replace(second=0, microsecond=0)
    if p == "second":
        return d.replace(microsecond=0)
    if p == "millisecond":
        return d.replace(microsecond=d.microsecond // 1000 * 1000)
    return d


def datetime_diff(part: str, d1: dt.datetime, d2: dt.datetime) -> int | None:
    """Calendar-boundary count between d2 and d1 (d1 - d2), like Kusto's datetime_diff."""
    p = normalize_part(part)
    if p == "year":
        return d1.year - d2.year
    if p == "quarter":
        return (d1.year - d2.year) * 4 + (d1.month - 1) // 3 - (d2.month - 1) // 3
    if p == "month":
        return (d1.year - d2.year) * 12 + d1.month - d2.month
    if p == "week":
        return (start_of_week(d1) - start_of_week(d2)).days // 7
    if p in ("day", "hour", "minute", "second", "millisecond"):
        return (_truncate(d1, p) - _truncate(d2, p)) // _FIXED[p]
    if p == "microsecond":
        return (d1 - d2) // ONE_TICK
    if p == "nanosecond":
        return (d1 - d2) // ONE_TICK * 1000
    return None


def datetime_part(part: str, d: dt.datetime) -> int | None:
    p = normalize_part(part)
    if p == "year":
        return d.year
    if p == "quarter":
        return (d.month - 1) // 3 + 1
    if p == "month":
        return d.month
    if p == "week":
        return d.isocalendar()[1]
    if p == "day":
        return d.day
    if p == "dayofyear":
        return d.timetuple().tm_yday
    if p == "hour":
        return d.hour
    if p == "minute":
        return d.minute
    if p == "second":
        return d.second
    if p == "millisecond":
        return d.microsecond // 1000
    if p == "microsecond":
        return d.microsecond
    if p == "nanosecond":
        return d.microsecond * 1000
    return None


def bin_datetime(d: dt.datetime, size: dt.timedelta) -> dt.datetime:
    if not size:
        return d
    return DATETIME_ORIGIN + ((d - DATETIME_ORIGIN) // size) * size


def bin_datetime_at(d: dt.datetime, size: dt.timedelta, at: dt.datetime) -> dt.datetime:
    if not size:
        return d
    return at + ((d - at) // size) * size


def bin_timespan(t: dt.timedelta, size: dt.timedelta) -> dt.timedelta:
    if not size:
        return t
    return (t // size) * size


# ------------------------------------------------------------- time zones

def _zone(name: str):
    """The IANA zone called `name` (stdlib zoneinfo, from the system's tz database or the
    tzdata package), or None for a name it does not know."""
    import zoneinfo  # imported here: only the two zone functions need it

    try:
        return zoneinfo.ZoneInfo(name.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        return None


def utc_to_local(d: dt.datetime, zone: str) -> dt.datetime | None:
    """datetime_utc_to_local: the zone's wall-clock time, as a (UTC-typed) datetime."""
    z = _zone(zone)
    if z is None:
        return None
    return d.astimezone(z).replace(tzinfo=UTC)


def local_to_utc(d: dt.datetime, zone: str) -> dt.datetime | None:
    """datetime_local_to_utc: the UTC instant of a wall-clock time in the zone.  A wall time
    the zone skips or repeats takes the offset in force after the change (fold=1):
    datetime-local-to-utc-function.md maps Brussels 02:00 on 2022-03-27 to 00:00 UTC."""
    z = _zone(zone)
    if z is None:
        return None
    return d.replace(tzinfo=z, fold=1).astimezone(UTC)


# ------------------------------------------------------------- format strings

_DT_TOKEN = re.compile(r"yyyy|yy|y|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|tt|.", re.S)


def format_datetime(d: dt.datetime, fmt: str) -> str:
    out = []
    for tok in _DT_TOKEN.findall(fmt):
        if tok == "yyyy":
            out.append(f"{d.year:04d}")
        elif tok == "yy":
            out.append(f"{d.year % 100:02d}")
        elif tok == "y":
            out.append(str(d.year % 100))
        elif tok == "MM":
            out.append(f"{d.month:02d}")
        elif tok == "M":
            out.append(str(d.month))
        elif tok == "dd":
            out.append(f"{d.day:02d}")
        elif tok == "d":
            out.append(str(d.day))
        elif tok == "HH":
            out.append(f"{d.hour:02d}")
        elif tok == "H":
            out.append(str(d.hour))
        elif tok == "hh":
            out.append(f"{(d.hour % 12) or 12:02d}")
        elif tok == "h":
            out.append(str((d.hour % 12) or 12))
        elif tok == "mm":
            out.append(f"{d.minute:02d}")
        elif tok == "m":
            out.append(str(d.minute))
        elif tok == "ss":
            out.append(f"{d.second:02d}")
        elif tok == "s":
            out.append(str(d.second))
        elif tok[0] == "f":
            out.append(f"{d.microsecond:06d}0"[: len(tok)])
        elif tok[0] == "F":
            digits = f"{d.microsecond:06d}0"[: len(tok)].rstrip("0")
            out.append(digits)
        elif tok == "tt":
            out.append("AM" if d.hour < 12 else "PM")
        else:
            out.append(tok)
    return "".join(out)


_TS_TOKEN = re.compile(r"d{1,8}|hh|h|HH|H|mm|m|ss|s|f{1,7}|F{1,7}|.", re.S)


def format_timespan(t: dt.timedelta, fmt: str) -> str:
    neg = t < dt.timedelta(0)
    t = abs(t)
    total_us = t.days * 86400_000_000 + t.seconds * 1_000_000 + t.microseconds
    days, rem = divmod(total_us, 86400_000_000)
    hours, rem = divmod(rem, 3600_000_000)
    minutes, rem = divmod(rem, 60_000_000)
    seconds, micros = divmod(rem, 1_000_000)
    out = ["-"] if neg else []
    for tok in _TS_TOKEN.findall(fmt):
        if tok[0] == "d":
            out.append(str(days).rjust(len(tok), "0"))
        elif tok in ("hh", "HH"):
            out.append(f"{hours:02d}")
        elif tok in ("h", "H"):
            out.append(str(hours))
        elif tok == "mm":
            out.append(f"{minutes:02d}")
        elif tok == "m":
            out.append(str(minutes))
        elif tok == "ss":
            out.append(f"{seconds:02d}")
        elif tok == "s":
            out.append(str(seconds))
        elif tok[0] == "f":
            out.append(f"{micros:06d}0"[: len(tok)])
        elif tok[0] == "F":
            out.append(f"{micros:06d}0"[: len(tok)].rstrip("0"))
        else:
            out.append(tok)
    return "".join(out)
