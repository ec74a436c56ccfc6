"""The simulated clock: `#time`, `#time set DATETIME`, `#time advance SPAN`.

The cluster clock (`cluster.now`) only moves through these directives, so a
script is reproducible.  After the clock moves, every function in CLOCK_HOOKS
runs with (session, old_now, new_now) and may return Results to show (the
continuous-export family registers there to run the exports that fell due).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from kshell.directives import DirectiveError, ShellState, directive
from kshell.result import Result
from kshell.syntax.vocabulary import TIMESPAN_UNITS

ClockHook = Callable[[object, dt.datetime, dt.datetime], "list[Result] | None"]

# (session, old_now, new_now) -> list[Result] | None, called after every clock move.
CLOCK_HOOKS: list[ClockHook] = []

_UTC = dt.timezone.utc
_WRAPPED = re.compile(r"(?is)^\s*(?:datetime|timespan|time)\s*\((.*)\)\s*$")
_SPAN_UNIT = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]+)$")
_SPAN_CLOCK = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d{1,7})?)?$")


def _unwrap(text: str) -> str:
    m = _WRAPPED.match(text)
    return (m.group(1) if m else text).strip()


def parse_datetime(text: str) -> dt.datetime:
    """An ISO-8601 date/time (`2026-01-01`, `2026-01-01T10:00:00Z`, `datetime(2026-01-01 10:00)`) as aware UTC.

    Without a zone the time is UTC, as in Kusto.  Raises ValueError.
    """
    raw = _unwrap(text)
    if not raw:
        raise ValueError("empty date/time")
    value = raw.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", raw) else raw
    if value[-1:] in ("z", "Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{raw}' is not a date/time (expected e.g. 2026-01-01T00:00:00Z)") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_UTC)
    return parsed.astimezone(_UTC)


def parse_timespan(text: str) -> dt.timedelta:
    """`1h`, `30m`, `2d`, `1.5h`, `100ms`, `1.02:00:00`, `00:30:00`, `timespan(1h)`, optionally negative.

    Raises ValueError.
    """
    raw = _unwrap(text)
    sign = 1
    body = raw
    if body.startswith("-"):
        sign, body = -1, body[1:].strip()
    m = _SPAN_UNIT.match(body)
    if m:
        unit = TIMESPAN_UNITS.get(m.group(2).lower())
        if unit is None:
            raise ValueError(f"unknown timespan unit '{m.group(2)}' in '{raw}'")
        ticks = round(float(m.group(1)) * unit * 10_000_000)
        return sign * dt.timedelta(microseconds=ticks // 10)
    m = _SPAN_CLOCK.match(body)
    if m:
        days, hours, minutes, seconds, frac = m.groups()
        if int(minutes) > 59 or int(seconds or 0) > 59:
            raise ValueError(f"'{raw}' is not a timespan")
        micro = int((frac or ".0")[1:].ljust(7, "0")[:7]) // 10
        span = dt.timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes),
                            seconds=int(seconds or 0), microseconds=micro)
        return sign * span
    raise ValueError(f"'{raw}' is not a timespan (expected e.g. 1h, 30m, 2d or 1.02:00:00)")


def _now_result(now: dt.datetime) -> Result:
    return Result.of([("Now", "datetime")], [[now]])


def move_clock(session, new_now: dt.datetime) -> list[Result]:
    """Set the cluster clock and run the clock hooks; returns what the hooks want shown."""
    old_now = session.cluster.now
    session.cluster.now = new_now
    shown: list[Result] = []
    from kshell.engine.session import load_hook_owners

    load_hook_owners("clock")
    for hook in list(CLOCK_HOOKS):
        out = hook(session, old_now, new_now)
        if out:
            shown.extend(out if isinstance(out, list) else [out])
    return shown


@directive(
    "time",
    "#time | #time set DATETIME | #time advance SPAN",
    "Show the simulated clock, set it, or move it forward (e.g. #time advance 1h).",
)
def time_directive(state: ShellState, args: str) -> list[Result]:
    session = state.session
    word, _, rest = args.strip().partition(" ")
    word = word.lower()
    rest = rest.strip()
    if not word:
        return [_now_result(session.now())]
    if word == "set":
        if not rest:
            raise DirectiveError("usage: #time set DATETIME (e.g. #time set 2026-01-01T00:00:00Z)")
        try:
            new_now = parse_datetime(rest)
        except ValueError as e:
            raise DirectiveError(str(e)) from None
    elif word == "advance":
        if not rest:
            raise DirectiveError("usage: #time advance SPAN (e.g. #time advance 1h)")
        try:
            span = parse_timespan(rest)
        except ValueError as e:
            raise DirectiveError(str(e)) from None
        except OverflowError:
            raise DirectiveError(f"'{rest}' is too long a timespan") from None
        if span < dt.timedelta(0):
            raise DirectiveError("the clock never moves backwards: #time advance needs a positive span")
        try:
            new_now = session.now() + span
        except OverflowError:
            raise DirectiveError(f"advancing the clock by {rest} goes past the last date/time (9999-12-31)") from None
    else:
        raise DirectiveError(f"unknown #time action '{word}'; expected set or advance")
    shown = move_clock(session, new_now)
    return [_now_result(new_now), *shown]
