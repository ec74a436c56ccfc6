"""Datetime and timespan helpers of the scalar function library.

Values count Kusto's 100 ns ticks (kshell.ticks): sub-second parts, differences and
bins are computed on the tick count, and `endof*()` is one tick before the next period.
"""

from __future__ import annotations

import calendar
import functools
import datetime as dt
import re

from kshell import ticks as K

UTC = dt.timezone.utc
# Kusto bins datetimes on ticks counted from 0001-01-01.
DATETIME_ORIGIN = K.ORIGIN
ONE_TICK = K.timespan_from_ticks(1)


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


LAST_INSTANT = K.datetime_from_ticks(K.datetime_ticks(dt.datetime.max.replace(tzinfo=UTC)) + 9)


def _period_end(start, offset):
    """One tick before the next period starts; the calendar's last period (which has no
    next one) ends at its last instant.  A period itself past the calendar raises."""
    try:
        return K.subtract(start(offset + 1), ONE_TICK)
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


# Ticks of the fixed-length parts.  A nanosecond is a hundredth of a tick: datetime_add
# rounds to ticks, datetime_diff counts nanoseconds as ticks * 100.
_FIXED_TICKS = {
    "week": 7 * 864_000_000_000, "day": 864_000_000_000, "hour": 36_000_000_000,
    "minute": 600_000_000, "second": 10_000_000, "millisecond": 10_000, "microsecond": 10,
}


def datetime_add(part: str, amount: int, d: dt.datetime) -> dt.datetime | None:
    p = normalize_part(part)
    if p == "year":
        return add_months(d, 12 * amount)
    if p == "quarter":
        return add_months(d, 3 * amount)
    if p == "month":
        return add_months(d, amount)
    if p in _FIXED_TICKS:
        return K.datetime_from_ticks(K.datetime_ticks(d) + _FIXED_TICKS[p] * amount)
    if p == "nanosecond":
        return K.datetime_from_ticks(K.datetime_ticks(d) + round(amount / 100))
    return None


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
    if p in _FIXED_TICKS:  # boundaries crossed: the difference of the truncated tick counts
        size = _FIXED_TICKS[p]
        return K.datetime_ticks(d1) // size - K.datetime_ticks(d2) // size
    if p == "nanosecond":
        return (K.datetime_ticks(d1) - K.datetime_ticks(d2)) * 100
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
    # The sub-second parts each count the second's fraction in their unit
    # (datetime-part-function.md: 10:20:30.1234567 has millisecond 123, microsecond
    # 123456, nanosecond 123456700).
    if p == "millisecond":
        return K.fraction(d) // 10_000
    if p == "microsecond":
        return K.fraction(d) // 10
    if p == "nanosecond":
        return K.fraction(d) * 100
    return None


def bin_datetime(d: dt.datetime, size: dt.timedelta) -> dt.datetime:
    n = K.timespan_ticks(size)
    if not n:
        return d
    return K.datetime_from_ticks(K.datetime_ticks(d) // n * n)


def bin_datetime_at(d: dt.datetime, size: dt.timedelta, at: dt.datetime) -> dt.datetime:
    n = K.timespan_ticks(size)
    if not n:
        return d
    origin = K.datetime_ticks(at)
    return K.datetime_from_ticks(origin + (K.datetime_ticks(d) - origin) // n * n)


def bin_timespan(t: dt.timedelta, size: dt.timedelta) -> dt.timedelta:
    n = K.timespan_ticks(size)
    if not n:
        return t
    return K.timespan_from_ticks(K.timespan_ticks(t) // n * n)


# ------------------------------------------------------------- time zones

def _zone(name: str):
    """The IANA zone called `name` (stdlib zoneinfo, from the system's tz database or the
    tzdata package), or None for a name it does not know.  Names are matched without
    regard to case ('us/pacific' is US/Pacific)."""
    import zoneinfo  # imported here: only the two zone functions need it

    key = name.strip()
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        pass
    exact = _zone_names().get(key.lower())
    return zoneinfo.ZoneInfo(exact) if exact else None


@functools.lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    import zoneinfo

    return {n.lower(): n for n in zoneinfo.available_timezones()}


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
            out.append(f"{K.fraction(d):07d}"[: len(tok)])
        elif tok[0] == "F":
            digits = f"{K.fraction(d):07d}"[: len(tok)].rstrip("0")
            out.append(digits)
        elif tok == "tt":
            out.append("AM" if d.hour < 12 else "PM")
        else:
            out.append(tok)
    return "".join(out)


_TS_TOKEN = re.compile(r"d{1,8}|hh|h|HH|H|mm|m|ss|s|f{1,7}|F{1,7}|.", re.S)


def format_timespan(t: dt.timedelta, fmt: str) -> str:
    total = K.timespan_ticks(t)
    neg = total < 0
    days, rem = divmod(abs(total), 864_000_000_000)
    hours, rem = divmod(rem, 36_000_000_000)
    minutes, rem = divmod(rem, 600_000_000)
    seconds, frac = divmod(rem, K.TICKS_PER_SECOND)
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
            out.append(f"{frac:07d}"[: len(tok)])
        elif tok[0] == "F":
            out.append(f"{frac:07d}"[: len(tok)].rstrip("0"))
        else:
            out.append(tok)
    return "".join(out)
