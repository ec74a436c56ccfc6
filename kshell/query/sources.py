"""Tabular sources that make rows from nothing: datatable, print, range."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any

from kshell import ticks as K
from kshell.query import limits
from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.naming import unique
from kshell.query.tabular import Tabular
from kshell.syntax import ast

MAX_RANGE_ROWS = limits.MAX_RANGE_ROWS


def _constant(ev: Any, c: Compiler, node: Any) -> Any:
    e = c.compile(node)
    return (e.type, e.value if e.const else e.fn([], 1)[0])


def datatable(ev: Any, node: ast.Datatable, scope: Any) -> Tabular:
    cols = [(d.name, T.canonical_type(d.type) or d.type) for d in node.columns]
    width = len(cols)
    if not width:
        raise ev.error(node, "datatable: at least one column is required")
    if len(node.values) % width:
        raise ev.error(node, f"datatable: {len(node.values)} values do not fill rows of {width} columns")
    c = Compiler(ev, [], scope)
    data: list[list[Any]] = [[] for _ in cols]
    for i, v in enumerate(node.values):
        name, typ = cols[i % width]
        vtype, value = _constant(ev, c, v)
        data[i % width].append(_fit(ev, v, value, vtype, typ, name))
    return Tabular(cols, data, len(node.values) // width)


def _fit(ev: Any, node: Any, value: Any, vtype: str, typ: str, column: str) -> Any:
    """A datatable value in its column's type (Kusto accepts literals of compatible types)."""
    if value is None:
        return "" if typ == "string" else None
    if vtype == typ or typ == "dynamic":
        return T.to_json_value(value) if typ == "dynamic" else value
    if T.is_numeric(typ) and T.is_numeric(vtype):
        return T.convert(value, typ)
    if typ == "bool" and vtype in ("long", "int"):
        return bool(value)
    raise ev.error(node, f"datatable: a value of type {vtype} cannot be stored in column '{column}' of type {typ}")


def print_(ev: Any, node: ast.Print, scope: Any) -> Tabular:
    from kshell.query.operators import spread_columns  # operators imports this module's users
    c = Compiler(ev, [], scope)
    cols: list[tuple[str, str]] = []
    data: list[list[Any]] = []
    for i, item in enumerate(node.items):
        e = c.compile(item.expr)
        value = e.value if e.const else e.fn([], 1)[0]
        if e.type == "string" and value is None:
            value = ""
        spread = spread_columns(c, item, [value], named_only=True)
        if spread is None:
            if item.names:
                raise ev.error(item, "print: tuple assignment is not supported")
            # print has no input columns: a name it reads is a let value, and an unnamed
            # item is print_N whatever it reads (`let d = 1; print d` gives print_0).
            spread = [(item.name or f"print_{i}", None, [value])]
        for name, typ, vals in spread:
            if len(spread) > 1:  # one column per array: numbered if an earlier item took the name
                name = unique(name, {n for n, _t in cols})
            cols.append((name, typ or e.type))
            data.append(vals)
    if not cols:
        return Tabular([], [], 1)
    return Tabular(cols, data, 1)


def _range_count(start: Any, stop: Any, step: Any, zero: Any) -> int:
    """How many values a datetime / timespan / real range has, computed before building it."""
    if (step > zero and stop < start) or (step < zero and stop > start):
        return 0
    try:
        ratio = (stop - start) / step
    except (OverflowError, ZeroDivisionError):
        return 0
    if ratio != ratio:  # nan
        return 0
    if ratio == float("inf"):
        return limits.MAX_RANGE_ROWS + 1
    return int(math.floor(ratio + 1e-9)) + 1


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool)


def range_(ev: Any, node: ast.Range, scope: Any) -> Tabular:
    c = Compiler(ev, [], scope)
    st, start = _constant(ev, c, node.start)
    _, stop = _constant(ev, c, node.stop)
    if node.step is not None:
        _, step = _constant(ev, c, node.step)
    else:
        step = dt.timedelta(days=1) if isinstance(start, dt.datetime) else 1
    if start is None or stop is None or step is None:
        return Tabular([(node.column, st)], [[]], 0)
    if isinstance(start, dt.datetime):
        if not isinstance(step, dt.timedelta) or not isinstance(stop, dt.datetime):
            raise ev.error(node, "range: a datetime range needs a datetime end and a timespan step")
        typ = "datetime"
    elif isinstance(start, dt.timedelta):
        if not isinstance(step, dt.timedelta) or not isinstance(stop, dt.timedelta):
            raise ev.error(node, "range: a timespan range needs a timespan end and step")
        typ = "timespan"
    elif _is_number(start):
        if not _is_number(stop) or not _is_number(step):
            raise ev.error(node, "range: a numeric range needs a numeric end and step")
        typ = "real" if any(isinstance(x, float) for x in (start, stop, step)) else "long"
    else:
        raise ev.error(node, f"range: unsupported start value of type {st}")
    zero = step - step
    if step == zero:
        raise ev.error(node, "range: the step must not be zero")
    values: list[Any] = []
    if typ == "long":
        if step > 0:
            span = range(start, stop + 1, step) if stop >= start else range(0)
        else:
            span = range(start, stop - 1, step) if stop <= start else range(0)
        # counted before any row is made (1e9 rows would exhaust memory)
        count = max(0, (span.stop - span.start + span.step - (1 if span.step > 0 else -1)) // span.step)
        limits.check("range", count, limits.MAX_RANGE_ROWS)  # len() overflows past 2**63
        values = list(span)
    else:
        if typ == "real":
            start, stop, step = float(start), float(stop), float(step)
        limits.check("range", _range_count(start, stop, step, zero), limits.MAX_RANGE_ROWS)
        k = 0
        v = start
        forward = step > zero
        while (v <= stop) if forward else (v >= stop):
            values.append(v)
            k += 1
            if k > limits.MAX_RANGE_ROWS:  # rounding: the count above is the real guard
                limits.check("range", k, limits.MAX_RANGE_ROWS)
            try:
                v = start + step * k if typ in ("long", "real") else K.add(start, step * k)
            except OverflowError:  # the next value is past the calendar, so past `stop` too
                break
    limits.check("range", len(values), limits.MAX_RANGE_ROWS)
    return Tabular([(node.column, typ)], [values], len(values))
