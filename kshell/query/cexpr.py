"""Compiled expressions: a Kusto type plus a closure computing a whole column.

`CExpr.fn(cols, n)` returns the list of the expression's n values over the
input columns `cols` (a Tabular's data).  The returned list may be one of the
input lists (a plain column reference): callers never mutate it.  Constants
are folded: `const` is True and `value` holds the value.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any, Callable


class CExpr:
    __slots__ = ("type", "fn", "const", "value")

    def __init__(self, type_: str, fn: Callable[[list, int], list] | None = None, *,
                 const: bool = False, value: Any = None):
        self.type = type_
        self.const = const
        self.value = value
        if const:
            self.fn = lambda cols, n, _v=value: [_v] * n
        else:
            self.fn = fn

    def values(self, cols: list, n: int) -> list:
        return self.fn(cols, n)

    def iter(self, cols: list, n: int):
        """Values as an iterable (a constant repeats without building a list)."""
        if self.const:
            return repeat(self.value, n)
        return self.fn(cols, n)

    def __repr__(self) -> str:
        return f"CExpr({self.type}, const={self.const}, value={self.value!r})"


def const(type_: str, value: Any) -> CExpr:
    return CExpr(type_, const=True, value=value)


def column(type_: str, index: int) -> CExpr:
    return CExpr(type_, lambda cols, n, _i=index: cols[_i])


def lift(type_: str, f: Callable, args: list[CExpr], *, fold: bool = True) -> CExpr:
    """Apply a per-value function `f` to the arguments' columns (map runs in C)."""
    if fold and args and all(a.const for a in args):  # zero-argument functions (new_guid) run per row
        return const(type_, f(*[a.value for a in args]))
    if len(args) == 1:
        a0 = args[0].fn
        return CExpr(type_, lambda cols, n: list(map(f, a0(cols, n))))
    if len(args) == 2:
        x, y = args
        if y.const:
            yv = y.value
            xf = x.fn
            return CExpr(type_, lambda cols, n: list(map(f, xf(cols, n), repeat(yv, n))))
        if x.const:
            xv = x.value
            yf = y.fn
            return CExpr(type_, lambda cols, n: list(map(f, repeat(xv, n), yf(cols, n))))
        xf, yf = x.fn, y.fn
        return CExpr(type_, lambda cols, n: list(map(f, xf(cols, n), yf(cols, n))))
    if not args:
        return CExpr(type_, lambda cols, n: [f() for _ in range(n)])
    return CExpr(type_, lambda cols, n: list(map(f, *[a.iter(cols, n) for a in args])))


def strict(f: Callable) -> Callable:
    """Wrap `f` so that a null argument gives null (most scalar functions)."""
    def g(*a):
        for x in a:
            if x is None:
                return None
        return f(*a)
    return g


def strict1(f: Callable) -> Callable:
    return lambda a: None if a is None else f(a)


def strict2(f: Callable) -> Callable:
    return lambda a, b: None if a is None or b is None else f(a, b)
