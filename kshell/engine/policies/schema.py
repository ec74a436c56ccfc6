"""Policy payload validation against a property table.

A policy's properties are data (`Prop` rows in kshell.engine.policies.kinds).
`normalize(kind, value)` checks a decoded JSON value against them and returns
the policy as the service shows it: canonical property names, timespans as
`[d.]hh:mm:ss[.fffffff]`, datetimes as ISO 8601 with `Z`, defaults filled in.
Every refusal is a BadRequest naming the policy and the property path
(`MergePolicy: property 'Lookback.Kind' ...`).
"""

from __future__ import annotations

import datetime as dt
import re

from kshell import ticks
from kshell.errors import BadRequest
from kshell.syntax.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MISSING = object()


class Prop(Record, frozen=True):
    """One property of a policy object.

    type: bool | int | real | string | timespan | datetime | enum | regex | object | array | any
    For `object`, `fields` are the nested properties (`open` keeps unknown ones);
    for `array`, `fields` describe each element (an object) or `item` a scalar type.
    """

    name: str
    type: str
    default: Any = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    fields: tuple["Prop", ...] = ()
    item: str = ""
    required: bool = False
    open: bool = False
    allow_null: bool = True


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "an array"
    return "an object"


def format_timespan(td: dt.timedelta) -> str:
    """.NET TimeSpan text as the service prints it in policies: [-][d.]hh:mm:ss[.fffffff]."""
    return ticks.kusto_timespan(td)


def format_datetime(value: dt.datetime) -> str:
    text = value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    frac = ticks.fraction(value)  # 100 ns ticks (kshell.ticks)
    if frac:
        text += f".{frac:07d}"
    return text + "Z"


_WRAPPED = re.compile(r"(?is)^\s*(?:timespan|time|datetime)\s*\((.*)\)\s*$")


def parse_timespan(value: Any) -> dt.timedelta | None:
    """Every spelling a policy accepts: `1.00:00:00`, `00:05:00`, `10d`, `1.5h`, `timespan(2h)`, seconds as a number."""
    from kshell.engine.values import to_timespan

    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return dt.timedelta(seconds=value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _WRAPPED.match(text)
    if m:
        text = m.group(1).strip()
    return to_timespan(text)


def parse_datetime(value: Any) -> dt.datetime | None:
    from kshell.engine.values import to_datetime

    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _WRAPPED.match(text)
    if m:
        text = m.group(1).strip()
    return to_datetime(text) if text else None


def _range_check(policy: str, path: str, number: float, prop: Prop, shown: str) -> None:
    if prop.min is not None and number < prop.min:
        raise BadRequest(f"{policy}: property '{path}' must be at least {_bound(prop, prop.min)}, got {shown}")
    if prop.max is not None and number > prop.max:
        raise BadRequest(f"{policy}: property '{path}' must be at most {_bound(prop, prop.max)}, got {shown}")


def _bound(prop: Prop, bound: float) -> str:
    if prop.type == "timespan":
        return format_timespan(dt.timedelta(seconds=bound))
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def check_value(policy: str, path: str, prop: Prop, value: Any) -> Any:
    """One property value, checked and in its canonical form."""
    t = prop.type
    if value is None:
        if prop.required or not prop.allow_null:
            raise BadRequest(f"{policy}: property '{path}' may not be null")
        return None
    if t == "any":
        return value
    if t == "bool":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise BadRequest(f"{policy}: property '{path}' must be a boolean, got {_kind_of(value)}")
        return value
    if t in ("int", "real"):
        if isinstance(value, str):
            try:
                value = float(value) if t == "real" else int(value)
            except ValueError:
                raise BadRequest(f"{policy}: property '{path}' must be a number, got {_kind_of(value)}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadRequest(f"{policy}: property '{path}' must be a number, got {_kind_of(value)}")
        if t == "int":
            if isinstance(value, float) and not value.is_integer():
                raise BadRequest(f"{policy}: property '{path}' must be a whole number, got {value}")
            value = int(value)
        _range_check(policy, path, value, prop, str(value))
        return value
    if t == "string" or t == "regex":
        if not isinstance(value, str):
            raise BadRequest(f"{policy}: property '{path}' must be a string, got {_kind_of(value)}")
        if t == "regex":
            try:
                re.compile(value)
            except re.error as e:
                raise BadRequest(f"{policy}: property '{path}' is not a valid regular expression: {e}") from None
        if prop.required and not value.strip():
            raise BadRequest(f"{policy}: property '{path}' may not be empty")
        return value
    if t == "enum":
        if not isinstance(value, str):
            raise BadRequest(f"{policy}: property '{path}' must be one of {', '.join(prop.choices)}, "
                             f"got {_kind_of(value)}")
        for choice in prop.choices:
            if choice.lower() == value.strip().lower():
                return choice
        raise BadRequest(f"{policy}: property '{path}' must be one of {', '.join(prop.choices)}, got {value!r}")
    if t == "timespan":
        span = parse_timespan(value)
        if span is None:
            raise BadRequest(f"{policy}: property '{path}' must be a timespan (e.g. '1.00:00:00' or '1d'), "
                             f"got {_kind_of(value)}")
        _range_check(policy, path, span.total_seconds(), prop, format_timespan(span))
        return format_timespan(span)
    if t == "datetime":
        when = parse_datetime(value)
        if when is None:
            raise BadRequest(f"{policy}: property '{path}' must be a datetime (e.g. '2024-01-01'), "
                             f"got {_kind_of(value)}")
        return format_datetime(when)
    if t == "object":
        if not isinstance(value, dict):
            raise BadRequest(f"{policy}: property '{path}' must be an object, got {_kind_of(value)}")
        # an open object (free-form properties) shows only what was given
        return check_object(policy, prop.fields, value, prefix=path + ".", open_=prop.open, fill=not prop.open)
    if t == "array":
        if not isinstance(value, list):
            raise BadRequest(f"{policy}: property '{path}' must be an array, got {_kind_of(value)}")
        out = []
        for i, item in enumerate(value):
            here = f"{path}[{i}]"
            if prop.fields:
                if not isinstance(item, dict):
                    raise BadRequest(f"{policy}: property '{here}' must be an object, got {_kind_of(item)}")
                out.append(check_object(policy, prop.fields, item, prefix=here + ".", open_=prop.open, fill=True))
            elif prop.item:
                out.append(check_value(policy, here, Prop(here, prop.item), item))
            else:
                out.append(item)
        return out
    raise AssertionError(f"unknown property type {t}")  # a table error, caught by the tests


def check_object(policy: str, props: tuple[Prop, ...], obj: dict[str, Any], *, prefix: str = "",
                 open_: bool = False, fill: bool = True) -> dict[str, Any]:
    """An object's properties: names matched case-insensitively, unknown names refused
    (unless `open_`), required ones present, defaults filled when `fill`."""
    by_lower = {p.name.lower(): p for p in props}
    given: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in obj.items():
        prop = by_lower.get(str(key).lower())
        if prop is None:
            if open_:
                extra[key] = value
                continue
            known = ", ".join(p.name for p in props)
            raise BadRequest(f"{policy}: unknown property '{prefix}{key}' (known properties: {known})")
        given[prop.name] = check_value(policy, prefix + prop.name, prop, value)
    out: dict[str, Any] = {}
    for prop in props:
        if prop.name in given:
            out[prop.name] = given[prop.name]
        elif prop.required:
            raise BadRequest(f"{policy}: property '{prefix}{prop.name}' is required")
        elif fill:
            default = prop.default
            if prop.type == "object" and default is None and prop.fields and not prop.allow_null:
                default = check_object(policy, prop.fields, {}, prefix=prefix + prop.name + ".", fill=True)
            out[prop.name] = _copy(default)
    out.update(extra)
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
