"""Argument reading shared by the analytics plugins (kshell.query.plugins_*).

Every check raises the evaluator's semantic error naming the plugin and the
argument, so a wrong call reads as a Kusto error, never a Python traceback.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kshell.query import datetimes as D
from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.functions import _bin
from kshell.query.naming import expr_name
from kshell.query.tabular import Tabular
from kshell.syntax import ast


def positional(call: ast.Call) -> list[Any]:
    return [a for a in call.args if not isinstance(a, ast.NamedArg)]


def count_between(ev, call: ast.Call, args: list[Any], low: int, high: int | None = None) -> None:
    if len(args) < low or (high is not None and len(args) > high):
        want = f"{low}" if high == low else (f"at least {low}" if high is None else f"{low} to {high}")
        raise ev.error(call, f"{call.name}(): expects {want} arguments, got {len(args)}")


def constant(ev, call: ast.Call, expr: Any, scope, what: str) -> Any:
    e = Compiler(ev, [], scope).compile(expr)
    if not e.const:
        raise ev.error(expr, f"{call.name}(): {what} must be a constant")
    return e.value


def try_constant(ev, tab: Tabular, expr: Any, scope) -> tuple[bool, Any]:
    """(True, value) when the expression is a constant (a literal or a let-bound scalar),
    (False, None) when it reads a column or is not a scalar (a tabular name)."""
    from kshell.errors import KustoError

    if isinstance(expr, ast.Name) and tab.index(expr.name) is not None:
        return False, None
    try:
        e = Compiler(ev, tab.columns, scope).compile(expr)
    except KustoError:
        return False, None
    return (True, e.value) if e.const else (False, None)


def is_tilde(value: Any) -> bool:
    """The documented way to ask for an optional argument's default: the string '~'."""
    return isinstance(value, str) and value.strip() == "~"


def column(ev, call: ast.Call, tab: Tabular, expr: Any, scope, what: str) -> tuple[str, str, list[Any]]:
    """(name, type, values) of an expression over the input's rows."""
    e = Compiler(ev, tab.columns, scope).compile(expr)
    return expr_name(expr) or what.replace(" ", "_"), e.type, e.values(tab.data, tab.rows)


def column_ref(ev, call: ast.Call, tab: Tabular, expr: Any, what: str) -> tuple[str, str, list[Any]]:
    """A column of the input named directly (IdColumn, TimelineColumn, ...)."""
    name = expr.name if isinstance(expr, ast.Name) else None
    i = tab.index(name) if name else None
    if i is None:
        raise ev.error(expr, f"{call.name}(): {what} must be a column of the input")
    return name, tab.columns[i][1], list(tab.data[i][:tab.rows]) if tab.rows else []


def hashable(v: Any) -> Any:
    """A dictionary key for any cell (dynamic values by their JSON text)."""
    return T.to_string(v) if isinstance(v, (dict, list)) else v


# ------------------------------------------------------------------ periods

UNITS = {"week": D.start_of_week, "month": D.start_of_month, "year": D.start_of_year}


class Periods:
    """The analysis periods [Start, End] cut by a window: a timespan, a number, or
    'week' / 'month' / 'year' (calendar periods from startofweek/month/year).  Period k
    starts at Start + k * Window, or at a multiple of the window when `aligned`."""

    def __init__(self, ev, call: ast.Call, start: Any, end: Any, window: Any, what: str = "the window",
                 aligned: bool = False, end_inclusive: bool = True):
        """`aligned`: periods are bin(t, Window) (multiples of the window) rather than
        Start + k * Window; `end_inclusive=False`: End itself is out (as make-series' `to`)."""
        self.start, self.end, self.window, self.aligned = start, end, window, aligned
        self.end_inclusive = end_inclusive
        self.unit = UNITS.get(window.lower()) if isinstance(window, str) else None
        if isinstance(window, str) and self.unit is None:
            raise ev.error(call, f"{call.name}(): {what} must be a timespan, a number, 'week', 'month' or 'year'")
        if start is None or end is None:
            raise ev.error(call, f"{call.name}(): the start and end of the analysis must not be null")
        if self.unit is not None:
            if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
                raise ev.error(call, f"{call.name}(): '{window}' periods need datetime start and end")
            return
        if isinstance(start, dt.datetime) != isinstance(window, dt.timedelta) and not (
                isinstance(start, dt.timedelta) and isinstance(window, dt.timedelta)):
            raise ev.error(call, f"{call.name}(): {what} ({T.to_string(window)}) does not fit the type of the "
                                 f"start ({T.to_string(start)})")
        if _kind(start) != _kind(end):
            raise ev.error(call, f"{call.name}(): the start and end must have the same type")
        if not window or (is_number(window) and window < 0) or (isinstance(window, dt.timedelta) and window <= dt.timedelta(0)):
            raise ev.error(call, f"{call.name}(): {what} must be positive")

    def fits(self, ev, call: ast.Call, timeline_type: str) -> "Periods":
        """Refuse a Start/End whose type is not the TimelineColumn's."""
        if _type_kind(timeline_type) != _kind(self.start):
            raise ev.error(call, f"{call.name}(): the start ({T.to_string(self.start)}) does not fit the "
                                 f"TimelineColumn's type ({timeline_type})")
        return self

    def key(self, t: Any) -> Any:
        """The start of the period holding t, or None outside [Start, End]."""
        if t is None:
            return None
        try:
            if t < self.start or t > self.end or (t == self.end and not self.end_inclusive):
                return None
        except TypeError:
            return None
        if self.unit is not None:
            return self.unit(t)
        if self.aligned:
            return _bin(t, self.window)
        k = (t - self.start) // self.window
        return self.start + self.window * k

    def all(self) -> list[Any]:
        out: list[Any] = []
        p = self.unit(self.start) if self.unit is not None else (
            _bin(self.start, self.window) if self.aligned else self.start)
        while (p <= self.end if self.end_inclusive else p < self.end) and len(out) < 100_000:
            out.append(p)
            p = self._next(p)
        return out

    def _next(self, p: Any) -> Any:
        if self.unit is D.start_of_week:
            return p + dt.timedelta(days=7)
        if self.unit is D.start_of_month:
            return D.add_months(p, 1)
        if self.unit is D.start_of_year:
            return p.replace(year=p.year + 1)
        return p + self.window


def _type_kind(kusto_type: str) -> str:
    return {"datetime": "datetime", "timespan": "timedelta"}.get(
        kusto_type, "number" if kusto_type in ("int", "long", "real", "decimal") else kusto_type)


def span(ev, call: ast.Call, value: Any, timeline_type: str, what: str) -> Any:
    """A window over the timeline: a timespan for datetime/timespan timelines, a number for
    numeric ones (so comparing it with gaps between events cannot fail)."""
    want = "timedelta" if _type_kind(timeline_type) in ("datetime", "timedelta") else _type_kind(timeline_type)
    if want not in ("timedelta", "number"):
        raise ev.error(call, f"{call.name}(): the TimelineColumn must be a datetime, timespan or number, "
                             f"not {timeline_type}")
    if value is None or _kind(value) != want:
        raise ev.error(call, f"{call.name}(): {what} must be {'a timespan' if want == 'timedelta' else 'a number'}")
    return value


def _kind(v: Any) -> str:
    for k in (dt.datetime, dt.timedelta):
        if isinstance(v, k):
            return k.__name__
    return "number" if is_number(v) else type(v).__name__


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def groups(tab: Tabular, dims: list[tuple[str, str, list[Any]]]) -> dict[tuple, list[int]]:
    """Row indexes by their dimension values (in order of first appearance)."""
    out: dict[tuple, list[int]] = {}
    for r in range(tab.rows):
        out.setdefault(tuple(hashable(d[2][r]) for d in dims), []).append(r)
    return out


def dim_values(tab: Tabular, dims, idx: list[int]) -> list[Any]:
    """The dimension cells of a group (from its first row, so dynamic values stay values)."""
    return [d[2][idx[0]] for d in dims] if idx else [None for _ in dims]
