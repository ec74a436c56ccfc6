"""Kusto's 100-nanosecond ticks on top of Python's microsecond datetime and timedelta.

A Kusto datetime or timespan is a count of 100 ns ticks; Python's types hold microseconds.
kshell keeps Python's types as its value model (kshell.result) and adds the missing digit
here, once:

* a value whose tick count is a whole number of microseconds is a plain `datetime` /
  `timedelta` (nearly every value);
* any other value is an instance of `Datetime` / `Timespan` below, subclasses that carry
  the remaining 1-9 ticks in `extra` and compare, hash and do arithmetic on the full count.

`datetime_from_ticks` / `timespan_from_ticks` build the right kind of value from a tick
count and `ticks()` reads one back.  Python's own `datetime + timedelta` cannot see a
Timespan's extra ticks (the datetime's C code runs first), so code adding a timespan that
may carry them to a datetime uses `add()` / `subtract()`.
"""

from __future__ import annotations

import datetime as dt
import re

from kshell.lazy_re import lazy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

UTC = dt.timezone.utc
TICKS_PER_SECOND = 10_000_000
ORIGIN = dt.datetime(1, 1, 1, tzinfo=UTC)          # .NET's (and Kusto's) tick 0
_NAIVE_ORIGIN = dt.datetime(1, 1, 1)
_TD = dt.timedelta
_DT = dt.datetime


def timespan_ticks(td: dt.timedelta) -> int:
    return ((td.days * 86400 + td.seconds) * 1_000_000 + td.microseconds) * 10 + td.extra \
        if type(td) is Timespan else ((td.days * 86400 + td.seconds) * 1_000_000 + td.microseconds) * 10


def datetime_ticks(d: dt.datetime) -> int:
    """Ticks since 0001-01-01 (UTC for an aware value)."""
    delta = _DT.__sub__(d, ORIGIN if d.tzinfo is not None else _NAIVE_ORIGIN)
    return ((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds) * 10 \
        + (d.extra if type(d) is Datetime else 0)


def ticks(v: dt.datetime | dt.timedelta) -> int:
    """A datetime's ticks since 0001-01-01, or a timespan's ticks."""
    return datetime_ticks(v) if isinstance(v, _DT) else timespan_ticks(v)


def timespan_from_ticks(n: int) -> dt.timedelta:
    us, extra = divmod(int(n), 10)
    base = _TD(microseconds=us)
    if not extra:
        return base
    out = _TD.__new__(Timespan, base.days, base.seconds, base.microseconds)
    out.extra = extra
    return out


def datetime_from_ticks(n: int, tz: dt.tzinfo | None = UTC) -> dt.datetime:
    """The datetime `n` ticks after 0001-01-01; OverflowError/ValueError outside 0001-9999."""
    us, extra = divmod(int(n), 10)
    if us < 0:
        raise OverflowError("date value out of range")
    base = (ORIGIN if tz is not None else _NAIVE_ORIGIN) + _TD(microseconds=us)
    if tz is not None and tz is not UTC:
        base = base.astimezone(tz)
    return _with_extra(base, extra)


def _with_extra(base: dt.datetime, extra: int) -> dt.datetime:
    if not extra:
        return base
    out = _DT.__new__(Datetime, base.year, base.month, base.day, base.hour, base.minute,
                      base.second, base.microsecond, base.tzinfo, fold=base.fold)
    out.extra = extra
    return out


def with_fraction(base: dt.datetime, fraction: str) -> dt.datetime:
    """`base` (whole seconds) plus a decimal fraction of a second given as its digits
    ("1234567"): digits past the seventh are dropped, as .NET parses them."""
    digits = (fraction or "")[:7].ljust(7, "0")
    n = int(digits)
    return _with_extra(base.replace(microsecond=n // 10), n % 10)


def add(a: Any, b: Any) -> Any:
    """a + b for datetimes and timespans, keeping every tick."""
    if type(b) is _TD and type(a) is not Datetime and type(a) is not Timespan:
        return a + b
    if isinstance(a, _DT):
        return datetime_from_ticks(datetime_ticks(a) + timespan_ticks(b), a.tzinfo)
    if isinstance(b, _DT):
        return datetime_from_ticks(datetime_ticks(b) + timespan_ticks(a), b.tzinfo)
    return timespan_from_ticks(timespan_ticks(a) + timespan_ticks(b))


def subtract(a: Any, b: Any) -> Any:
    """a - b for datetimes and timespans, keeping every tick."""
    if type(a) is not Datetime and type(a) is not Timespan and type(b) is not Datetime \
            and type(b) is not Timespan:
        return a - b
    if isinstance(a, _DT):
        if isinstance(b, _DT):
            return timespan_from_ticks(datetime_ticks(a) - datetime_ticks(b))
        return datetime_from_ticks(datetime_ticks(a) - timespan_ticks(b), a.tzinfo)
    return timespan_from_ticks(timespan_ticks(a) - timespan_ticks(b))


def fraction(d: dt.datetime) -> int:
    """The ticks of a datetime past its whole second (0 to 9,999,999)."""
    return d.microsecond * 10 + (d.extra if type(d) is Datetime else 0)


def kusto_datetime(d: dt.datetime) -> str:
    """Kusto's text of a datetime: ISO 8601 in UTC, 7 fractional digits, a Z."""
    if d.tzinfo is not None and d.utcoffset():
        d = d.astimezone(UTC)
    return (f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}."
            f"{fraction(d):07d}Z")


def kusto_timespan(td: dt.timedelta) -> str:
    """Kusto's text of a timespan: [-][d.]hh:mm:ss[.fffffff]."""
    total = timespan_ticks(td)
    sign = "-" if total < 0 else ""
    days, rem = divmod(abs(total), 864_000_000_000)
    hours, rem = divmod(rem, 36_000_000_000)
    minutes, rem = divmod(rem, 600_000_000)
    seconds, frac = divmod(rem, TICKS_PER_SECOND)
    out = f"{sign}{days}." if days else sign
    out += f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return out + f".{frac:07d}" if frac else out


_ISO_FRACTION = lazy(globals(), "_ISO_FRACTION", r"(\.\d{6})(\d)")


def isoformat(d: dt.datetime) -> str:
    """ISO 8601 text with a seventh fractional digit when the value has one."""
    text = _DT.isoformat(d)
    extra = d.extra if type(d) is Datetime else 0
    if not extra:
        return text
    if d.microsecond:
        return re.sub(r"(\.\d{6})", lambda m: m.group(1) + str(extra), text, count=1)
    # isoformat omits a zero fraction: insert one after the seconds
    return re.sub(r"(T\d\d:\d\d:\d\d)", lambda m: m.group(1) + f".000000{extra}", text, count=1)


def fromisoformat(text: str) -> dt.datetime:
    """The inverse of isoformat(): Python's reader keeps six fractional digits."""
    m = _ISO_FRACTION.search(text)
    if not m:
        return _DT.fromisoformat(text)
    base = _DT.fromisoformat(text[: m.end(1)] + text[m.end():])
    return _with_extra(base, int(m.group(2)))


class Timespan(dt.timedelta):
    """A timedelta holding 1-9 ticks beyond its microseconds (see the module's text)."""

    extra = 0

    def __reduce__(self):
        return (timespan_from_ticks, (timespan_ticks(self),))

    def __reduce_ex__(self, protocol):  # the base class's own would drop `extra`
        return self.__reduce__()

    def __repr__(self) -> str:
        return f"kshell.ticks.timespan_from_ticks({timespan_ticks(self)})"

    def __hash__(self) -> int:
        return hash(timespan_ticks(self)) if self.extra else _TD.__hash__(self)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, _TD):
            return timespan_ticks(self) == timespan_ticks(other)
        return NotImplemented

    def __ne__(self, other: Any) -> bool:
        if isinstance(other, _TD):
            return timespan_ticks(self) != timespan_ticks(other)
        return NotImplemented

    def __lt__(self, other):
        return timespan_ticks(self) < timespan_ticks(other) if isinstance(other, _TD) else NotImplemented

    def __le__(self, other):
        return timespan_ticks(self) <= timespan_ticks(other) if isinstance(other, _TD) else NotImplemented

    def __gt__(self, other):
        return timespan_ticks(self) > timespan_ticks(other) if isinstance(other, _TD) else NotImplemented

    def __ge__(self, other):
        return timespan_ticks(self) >= timespan_ticks(other) if isinstance(other, _TD) else NotImplemented

    def __bool__(self) -> bool:
        return timespan_ticks(self) != 0

    def __add__(self, other):
        if isinstance(other, (_TD, _DT)):
            return add(self, other)
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        return subtract(self, other) if isinstance(other, _TD) else NotImplemented

    def __rsub__(self, other):
        if isinstance(other, _DT):
            return subtract(other, self)
        return timespan_from_ticks(timespan_ticks(other) - timespan_ticks(self)) \
            if isinstance(other, _TD) else NotImplemented

    def __neg__(self):
        return timespan_from_ticks(-timespan_ticks(self))

    def __pos__(self):
        return self

    def __abs__(self):
        return timespan_from_ticks(abs(timespan_ticks(self)))

    def __mul__(self, other):
        if isinstance(other, bool) or not isinstance(other, (int, float)):
            return NotImplemented
        return timespan_from_ticks(round(timespan_ticks(self) * other))

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, _TD):
            return timespan_ticks(self) / timespan_ticks(other)
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return timespan_from_ticks(round(timespan_ticks(self) / other))
        return NotImplemented

    def __rtruediv__(self, other):
        return timespan_ticks(other) / timespan_ticks(self) if isinstance(other, _TD) else NotImplemented

    def __floordiv__(self, other):
        if isinstance(other, _TD):
            return timespan_ticks(self) // timespan_ticks(other)
        if isinstance(other, int) and not isinstance(other, bool):
            return timespan_from_ticks(timespan_ticks(self) // other)
        return NotImplemented

    def __rfloordiv__(self, other):
        return timespan_ticks(other) // timespan_ticks(self) if isinstance(other, _TD) else NotImplemented

    def __mod__(self, other):
        if isinstance(other, _TD):
            return timespan_from_ticks(timespan_ticks(self) % timespan_ticks(other))
        return NotImplemented

    def __rmod__(self, other):
        if isinstance(other, _TD):
            return timespan_from_ticks(timespan_ticks(other) % timespan_ticks(self))
        return NotImplemented

    def __divmod__(self, other):
        if isinstance(other, _TD):
            q, r = divmod(timespan_ticks(self), timespan_ticks(other))
            return q, timespan_from_ticks(r)
        return NotImplemented

    def __rdivmod__(self, other):
        if isinstance(other, _TD):
            q, r = divmod(timespan_ticks(other), timespan_ticks(self))
            return q, timespan_from_ticks(r)
        return NotImplemented

    def total_seconds(self) -> float:
        return timespan_ticks(self) / TICKS_PER_SECOND


class Datetime(dt.datetime):
    """A datetime holding 1-9 ticks beyond its microseconds (see the module's text)."""

    extra = 0

    def __reduce__(self):
        return (fromisoformat, (isoformat(self),))

    def __reduce_ex__(self, protocol):  # the base class's own would drop `extra`
        return self.__reduce__()

    def __repr__(self) -> str:
        return f"kshell.ticks.fromisoformat({isoformat(self)!r})"

    def __str__(self) -> str:
        return isoformat(self).replace("T", " ")

    def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
        if sep == "T" and timespec == "auto":
            return isoformat(self)
        return _DT.isoformat(self, sep, timespec)

    def __hash__(self) -> int:
        return hash(datetime_ticks(self)) if self.extra else _DT.__hash__(self)

    def _cmp(self, other):
        return datetime_ticks(self) - datetime_ticks(other)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, _DT):
            return (self.tzinfo is None) == (other.tzinfo is None) and self._cmp(other) == 0
        return NotImplemented

    def __ne__(self, other: Any) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __lt__(self, other):
        return self._cmp(other) < 0 if isinstance(other, _DT) else NotImplemented

    def __le__(self, other):
        return self._cmp(other) <= 0 if isinstance(other, _DT) else NotImplemented

    def __gt__(self, other):
        return self._cmp(other) > 0 if isinstance(other, _DT) else NotImplemented

    def __ge__(self, other):
        return self._cmp(other) >= 0 if isinstance(other, _DT) else NotImplemented

    def __add__(self, other):
        return add(self, other) if isinstance(other, _TD) else NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        return subtract(self, other) if isinstance(other, (_TD, _DT)) else NotImplemented

    def __rsub__(self, other):
        return subtract(other, self) if isinstance(other, _DT) else NotImplemented

    def replace(self, *args, **kwargs):
        out = _DT.replace(self, *args, **kwargs)
        # Replacing the microseconds (truncating to a second, a day...) drops the extra ticks.
        keep = 0 if args[6:7] or "microsecond" in kwargs else self.extra
        return _with_extra(_DT.__new__(_DT, out.year, out.month, out.day, out.hour, out.minute,
                                       out.second, out.microsecond, out.tzinfo, fold=out.fold), keep)

    def astimezone(self, tz=None):
        out = _DT.astimezone(_DT.replace(self), tz)
        return _with_extra(out, self.extra)
