"""Window functions over the serialized row order: row_number, row_cumsum, row_rank_dense,
row_rank_min, row_window_session (prev and next are in kshell.query.compiler).

Each takes an optional `restart` predicate: when it is true on a row, the numbering,
sum or ranking starts again on that row (the docs' partitioning idiom
`row_number(1, prev(Key) != Key)`)."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from kshell.query import functions
from kshell.query.cexpr import CExpr
from kshell.syntax import ast


def _restart(c: Any, node: ast.Call, index: int):
    """The restart predicate's column function, or None."""
    if len(node.args) <= index:
        return None
    return c.predicate(node.args[index]).fn


def _const_int(c: Any, node: ast.Call, arg: Any, what: str) -> int:
    e = c.compile(arg)
    if not e.const or not isinstance(e.value, int) or isinstance(e.value, bool):
        raise c.error(node, f"{node.name}(): {what} must be a constant integer")
    return e.value


@functions.special("row_number", 0, 2, rtype="long")
def _row_number(c: Any, node: ast.Call) -> CExpr:
    start = _const_int(c, node, node.args[0], "the start") if node.args else 1
    restart = _restart(c, node, 1)

    def fn(cols, n):
        if restart is None:
            return list(range(start, start + n))
        out, k = [], start
        for i, r in enumerate(restart(cols, n)):
            if r is True and i:
                k = start
            out.append(k)
            k += 1
        return out
    return CExpr("long", fn)


@functions.special("row_cumsum", 1, 2)
def _row_cumsum(c: Any, node: ast.Call) -> CExpr:
    term = c.compile(node.args[0])
    if term.type not in ("int", "long", "real", "decimal", "timespan"):
        raise c.error(node, "row_cumsum(): the term must be numeric or a timespan")
    restart = _restart(c, node, 1)
    zero: Any = {"real": 0.0, "decimal": decimal.Decimal(0), "timespan": dt.timedelta(0)}.get(term.type, 0)
    tf = term.fn

    def fn(cols, n):
        flags = restart(cols, n) if restart is not None else [False] * n
        out, acc = [], zero
        for i, (v, r) in enumerate(zip(tf(cols, n), flags)):
            if r is True and i:
                acc = zero
            if v is not None:
                acc = acc + v
            out.append(acc)
        return out
    return CExpr("long" if term.type == "int" else term.type, fn)


def _rank(c: Any, node: ast.Call, dense: bool) -> CExpr:
    term = c.compile(node.args[0])
    restart = _restart(c, node, 1)
    tf = term.fn

    def fn(cols, n):
        flags = restart(cols, n) if restart is not None else [False] * n
        out: list[int] = []
        rank = pos = 0
        prev: Any = object()
        for i, (v, r) in enumerate(zip(tf(cols, n), flags)):
            if i == 0 or r is True:
                rank, pos, prev = 1, 1, v
            else:
                pos += 1
                if v != prev:
                    rank = rank + 1 if dense else pos
                    prev = v
            out.append(rank)
        return out
    return CExpr("long", fn)


functions.special("row_rank_dense", 1, 2, rtype="long")(lambda c, node: _rank(c, node, True))
functions.special("row_rank_min", 1, 2, rtype="long")(lambda c, node: _rank(c, node, False))


@functions.special("row_window_session", 3, 4, rtype="datetime")
def _row_window_session(c: Any, node: ast.Call) -> CExpr:
    """The start of each row's session: a session ends when a row is further than
    max_from_first from its first row, or further than max_between from the previous row."""
    expr = c.compile(node.args[0])
    limits = [c.compile(a) for a in node.args[1:3]]
    if not all(x.const and isinstance(x.value, dt.timedelta) for x in limits):
        raise c.error(node, "row_window_session(): the distances must be constant timespans")
    max_first, max_between = limits[0].value, limits[1].value
    restart = _restart(c, node, 3)
    ef = expr.fn

    def fn(cols, n):
        flags = restart(cols, n) if restart is not None else [False] * n
        out: list[Any] = []
        start = last = None
        for v, r in zip(ef(cols, n), flags):
            if v is None:
                out.append(start)
                continue
            if start is None or r is True or v - start > max_first or v - last > max_between:
                start = v
            last = v
            out.append(start)
        return out
    return CExpr(expr.type, fn)
