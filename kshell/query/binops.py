"""Binary operators: arithmetic, comparison, logic and the string operators.

Each operator is chosen once per operator node from the operand types and
returned as a CExpr over whole columns.  Null rules (Kusto docs, "Null
values"): arithmetic and ordering with a null give null; `==` gives false for
null vs value and null for null vs null; `!=` the opposite; and/or are
three-valued.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import operator as _operator
import re
from itertools import repeat
from typing import Any, Callable

from kshell import ticks as K
from kshell.query import types as T
from kshell.query.cexpr import CExpr, const, lift

TD_ZERO = dt.timedelta(0)


class OperandError(Exception):
    """Operand types an operator does not accept (turned into a SemanticError by the caller)."""


# ------------------------------------------------------------------ arithmetic

def _int_div(a, b):
    if b == 0:
        return None
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


# Kusto's modulo is never negative: `a % b` is a modulo |b| in [0, |b|)
# (numerical-operators.md: -14 % 12 == 10, 14 % -12 == 2, -14 % -12 == 10).
def _int_mod(a, b):
    if b == 0:
        return None
    return a % abs(b)


def _real_div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return math.nan
        return math.inf if (a > 0) == (math.copysign(1, b) > 0) else -math.inf


def _real_mod(a, b):
    try:
        return a % abs(b) if not math.isinf(b) else math.fmod(a, b)
    except (ZeroDivisionError, ValueError):
        return math.nan


def _dec_mod(a, b):
    m = abs(b)
    return T.DECIMAL_CONTEXT.remainder(T.DECIMAL_CONTEXT.add(T.DECIMAL_CONTEXT.remainder(a, m), m), m)


_DEC_BASE = {
    "+": T.DECIMAL_CONTEXT.add, "-": T.DECIMAL_CONTEXT.subtract, "*": T.DECIMAL_CONTEXT.multiply,
    "/": T.DECIMAL_CONTEXT.divide, "%": _dec_mod,
}


def _dec_op(op: str) -> Callable:
    """Decimal arithmetic (an integer or real operand converted first): 34 significant
    digits, null on division by zero, NaN/Infinity operands or a result out of range."""
    base = _DEC_BASE[op]
    conv = T.to_decimal

    def f(a, b):
        a, b = conv(a), conv(b)
        if a is None or b is None:
            return None
        try:
            return T.decimal_result(base(a, b))
        except (decimal.DecimalException, ZeroDivisionError):
            return None
    return f


def _num(f):
    return lambda a, b: None if a is None or b is None else f(a, b)


_NUMERIC_OPS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
}
_LONG_OPS = {
    "+": lambda a, b: T.wrap_long(a + b), "-": lambda a, b: T.wrap_long(a - b),
    "*": lambda a, b: T.wrap_long(a * b), "/": lambda a, b: T.wrap_long(_int_div(a, b)), "%": _int_mod,
}


def _dyn_arith(op: str) -> Callable:
    """Arithmetic on dynamic operands: decided per value at run time."""
    def f(a, b):
        if a is None or b is None or isinstance(a, (dict, list, str, bool)) or isinstance(b, (dict, list, str, bool)):
            return None
        if isinstance(a, int) and isinstance(b, int):
            return _LONG_OPS[op](a, b)
        if op == "/":
            return _real_div(float(a), float(b))
        if op == "%":
            return _real_mod(float(a), float(b))
        return _NUMERIC_OPS[op](float(a), float(b))
    return f


def arithmetic(op: str, l: CExpr, r: CExpr) -> CExpr:
    lt, rt = l.type, r.type
    if T.is_numeric(lt) and T.is_numeric(rt):
        rtype = T.arith_type(lt, rt)
        if rtype == "decimal":
            return lift(rtype, _dec_op(op), [l, r])
        if rtype == "real":
            base = {"/": _real_div, "%": _real_mod}.get(op) or _NUMERIC_OPS[op]
            f = _num(base)
        else:
            f = _num(_LONG_OPS[op])
        if (rtype == "long" and (op == "%" or op == "/") and r.const and not l.const
                and type(r.value) is int and r.value != 0):
            return _wrapped_long(_int_divmod_by_const(op, l, r.value, f))
        fast = _FAST_ARITH.get(op) if not (l.const and r.const) else None
        if fast is not None and (rtype == "real" or (op != "/" and op != "%")):
            e = _fast_binary(rtype, fast, f, l, r)
            return _wrapped_long(e) if rtype == "long" else e
        return lift(rtype, f, [l, r])
    if "dynamic" in (lt, rt) and (lt == "dynamic" or T.is_numeric(lt)) and (rt == "dynamic" or T.is_numeric(rt)):
        return lift("dynamic" if lt == rt else ("real" if "real" in (lt, rt) else "dynamic"), _dyn_arith(op), [l, r])
    pair = (lt, rt)
    f = None
    rtype = None
    # Datetimes and timespans count 100 ns ticks (kshell.ticks): arithmetic goes through the
    # tick count so a value's seventh fractional digit is never lost.
    if op == "+":
        if pair == ("datetime", "timespan") or pair == ("timespan", "datetime") or pair == ("timespan", "timespan"):
            f, rtype = K.add, ("timespan" if pair == ("timespan", "timespan") else "datetime")
    elif op == "-":
        if pair == ("datetime", "datetime") or pair == ("timespan", "timespan"):
            f, rtype = K.subtract, "timespan"
        elif pair == ("datetime", "timespan"):
            f, rtype = K.subtract, "datetime"
    elif op == "*":
        if lt == "timespan" and T.is_numeric(rt):
            f, rtype = (lambda a, b: K.timespan_from_ticks(round(K.timespan_ticks(a) * float(b)))), "timespan"
        elif rt == "timespan" and T.is_numeric(lt):
            f, rtype = (lambda a, b: K.timespan_from_ticks(round(K.timespan_ticks(b) * float(a)))), "timespan"
    elif op == "/":
        if pair == ("timespan", "timespan"):
            f, rtype = (lambda a, b: None if not b else K.timespan_ticks(a) / K.timespan_ticks(b)), "real"
        elif lt == "timespan" and T.is_numeric(rt):
            f, rtype = (lambda a, b: None if not b else K.timespan_from_ticks(round(K.timespan_ticks(a) / float(b)))), "timespan"
    elif op == "%":
        if pair == ("timespan", "timespan"):
            f, rtype = (lambda a, b: None if not b else K.timespan_from_ticks(K.timespan_ticks(a) % K.timespan_ticks(b))), "timespan"
    if f is None:
        raise OperandError(f"Operator '{op}' is not defined for operands of types {lt} and {rt}")
    slow = _num(_null_on_overflow(f))
    fast = _tick_fast_path(op, lt, rt)
    if fast is not None and not (l.const and r.const):
        return _tick_binary(rtype, fast, slow, l, r, check_right=lt == "datetime" and rt == "timespan")
    return lift(rtype, slow, [l, r])


def _tick_fast_path(op: str, lt: str, rt: str) -> Callable | None:
    """The C operator that is exact for datetime/timespan operands: +/- always, except a
    plain datetime +/- a kshell.ticks.Timespan (Python's datetime cannot see its extra
    ticks; _tick_binary checks for those); `*` by an integer (timedelta * int is exact)."""
    if op == "+" or op == "-":
        return _FAST_ARITH[op]
    if op == "*" and (lt in ("int", "long") or rt in ("int", "long")):
        return _operator.mul
    return None


def _tick_binary(rtype: str, fast: Callable, slow: Callable, l: CExpr, r: CExpr, check_right: bool) -> CExpr:
    if check_right and r.const and type(r.value) is K.Timespan:
        return lift(rtype, slow, [l, r])
    if not check_right or r.const:
        return _fast_binary(rtype, fast, slow, l, r)
    lf, rf = l.fn, r.fn

    def fn(cols, n):
        a, b = lf(cols, n), rf(cols, n)  # lists (a constant's fn repeats its value)
        if K.Timespan in set(map(type, b)):
            return list(map(slow, a, b))
        try:
            return list(map(fast, a, b))
        except (TypeError, OverflowError):  # a null, or past the calendar: per value
            return list(map(slow, a, b))
    return CExpr(rtype, fn)


def _null_on_overflow(f):
    """datetime/timespan arithmetic past the calendar (year 9999, ~2.7M years of span) is null."""
    def g(a, b):
        try:
            return f(a, b)
        except (OverflowError, ValueError):
            return None
    return g


_FAST_ARITH = {"+": _operator.add, "-": _operator.sub, "*": _operator.mul, "/": _operator.truediv}


def _int_divmod_by_const(op: str, l: CExpr, c: int, slow: Callable) -> CExpr:
    """long `/` or `%` by a non-zero constant: truncating division and the non-negative
    remainder of _int_div/_int_mod, in one comprehension; a null
    value raises TypeError and the column goes the null-aware way instead."""
    m, lf = abs(c), l.fn
    if op == "%":
        def fn(cols, n):
            a = lf(cols, n)
            try:
                return [x % m for x in a]
            except TypeError:
                return list(map(slow, a, repeat(c, n)))
    elif c > 0:
        def fn(cols, n):
            a = lf(cols, n)
            try:
                return [x // m if x >= 0 else -(-x // m) for x in a]
            except TypeError:
                return list(map(slow, a, repeat(c, n)))
    else:
        def fn(cols, n):
            a = lf(cols, n)
            try:
                return [-(x // m) if x >= 0 else -x // m for x in a]
            except TypeError:
                return list(map(slow, a, repeat(c, n)))
    return CExpr("long", fn)


def _fast_binary(rtype: str, fast: Callable, slow: Callable, l: CExpr, r: CExpr) -> CExpr:
    """`map(operator.x, ...)` in C when no operand value is null (checked per call),
    else the null-aware per-value function."""
    if r.const:
        c, lf = r.value, l.fn
        if c is None:
            return const(rtype, None)

        def fn(cols, n):
            a = lf(cols, n)
            try:  # a null operand raises TypeError: then the null-aware path
                return list(map(fast, a, repeat(c, n)))
            except (TypeError, ZeroDivisionError, OverflowError):
                return list(map(slow, a, repeat(c, n)))
        return CExpr(rtype, fn)
    if l.const:
        c, rf = l.value, r.fn
        if c is None:
            return const(rtype, None)

        def fn(cols, n):
            b = rf(cols, n)
            try:
                return list(map(fast, repeat(c, n), b))
            except (TypeError, ZeroDivisionError, OverflowError):
                return list(map(slow, repeat(c, n), b))
        return CExpr(rtype, fn)
    lf, rf = l.fn, r.fn

    def fn(cols, n):
        a, b = lf(cols, n), rf(cols, n)
        try:
            return list(map(fast, a, b))
        except (TypeError, ZeroDivisionError, OverflowError):
            return list(map(slow, a, b))
    return CExpr(rtype, fn)


def _wrapped_long(e: CExpr) -> CExpr:
    """The C fast paths compute with Python's unbounded ints: a column whose values left
    the 64-bit range is wrapped afterwards (one min/max pass; the per-value path wraps
    itself, and a column holding a null came from it)."""
    inner = e.fn

    def fn(cols, n):
        out = inner(cols, n)
        try:
            if out and (max(out) > T.LONG_MAX or min(out) < T.LONG_MIN):
                return [T.wrap_long(v) for v in out]
        except TypeError:
            pass
        return out
    return CExpr("long", fn)


_WRAP_NEGATION = {"int": lambda v: ((v + 2**31) % 2**32) - 2**31, "long": T.wrap_long}


def negate(e: CExpr) -> CExpr:
    wrap = _WRAP_NEGATION.get(e.type)
    if wrap is not None:  # -(minimum) wraps to itself, as two's complement does
        return lift(e.type, lambda a: None if a is None else wrap(-a), [e])
    if T.is_numeric(e.type) or e.type in ("timespan", "dynamic"):
        return lift(e.type, lambda a: None if a is None or isinstance(a, (str, dict, list, bool)) else -a, [e])
    raise OperandError(f"Unary operator '-' is not defined for type {e.type}")


# ------------------------------------------------------------------ comparison

def _comparable(lt: str, rt: str) -> bool:
    if lt == rt or "dynamic" in (lt, rt):
        return True
    if T.is_numeric(lt) and T.is_numeric(rt):
        return True
    if {lt, rt} == {"guid", "string"}:
        return True
    return False


def _coerce_dyn(a, b):
    """Bring a dynamic value and a typed value to comparable Python values."""
    if isinstance(a, str) and isinstance(b, dt.datetime):
        return T.parse_datetime(a), b
    if isinstance(b, str) and isinstance(a, dt.datetime):
        return a, T.parse_datetime(b)
    if isinstance(a, str) and isinstance(b, dt.timedelta):
        return T.parse_timespan(a), b
    if isinstance(b, str) and isinstance(a, dt.timedelta):
        return a, T.parse_timespan(b)
    if isinstance(a, uuid_type) or isinstance(b, uuid_type):
        return str(a), str(b)
    return a, b


import uuid as _uuid  # noqa: E402

uuid_type = _uuid.UUID


def _safe(cmp):
    def f(a, b):
        if a is None or b is None:
            return None
        try:
            return cmp(a, b)
        except TypeError:
            a2, b2 = _coerce_dyn(a, b)
            try:
                return cmp(a2, b2)
            except TypeError:
                return None
    return f


def _eq(a, b):
    if a is None or b is None:
        return None if a is None and b is None else False
    return a == b


def _ne(a, b):
    if a is None or b is None:
        return None if a is None and b is None else True
    return a != b


def _dyn_eq(a, b):
    if a is None or b is None:
        return None if a is None and b is None else False
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        a, b = _coerce_dyn(a, b)
        if isinstance(a, (int, float)) and isinstance(b, str) or isinstance(b, (int, float)) and isinstance(a, str):
            return T.to_string(a) == T.to_string(b)
    return a == b


_ORDER = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def compare(op: str, l: CExpr, r: CExpr) -> CExpr:
    lt, rt = l.type, r.type
    if not _comparable(lt, rt):
        raise OperandError(f"Cannot compare values of types {lt} and {rt}. Try adding explicit casts")
    if {lt, rt} == {"guid", "string"}:
        l = lift("string", lambda a: None if a is None else str(a), [l]) if lt == "guid" else l
        r = lift("string", lambda a: None if a is None else str(a), [r]) if rt == "guid" else r
    dyn = "dynamic" in (lt, rt)
    if op in ("==", "!="):
        if dyn:
            f = _dyn_eq if op == "==" else (lambda a, b: (lambda x: None if x is None else not x)(_dyn_eq(a, b)))
            return lift("bool", f, [l, r])
        # Fast paths: a column against a non-null constant needs no null test
        # (None == c is False and None != c is True, as Kusto says).
        if r.const and r.value is not None and not l.const:
            c, lf = r.value, l.fn
            fast = _operator.eq if op == "==" else _operator.ne
            return CExpr("bool", lambda cols, n: list(map(fast, lf(cols, n), repeat(c, n))))
        if l.const and l.value is not None and not r.const:
            c, rf = l.value, r.fn
            if op == "==":
                return CExpr("bool", lambda cols, n: [x == c for x in rf(cols, n)])
            return CExpr("bool", lambda cols, n: [x != c for x in rf(cols, n)])
        return lift("bool", _eq if op == "==" else _ne, [l, r])
    cmp = _ORDER[op]
    if not dyn and r.const and r.value is not None and not l.const:
        c, lf = r.value, l.fn
        fast = _FAST_ORDER[op]
        safe = _safe(cmp)

        def fn(cols, n):
            a = lf(cols, n)
            try:  # a null raises TypeError: then the null-aware path
                return list(map(fast, a, repeat(c, n)))
            except TypeError:
                return list(map(safe, a, repeat(c, n)))
        return CExpr("bool", fn)
    return lift("bool", _safe(cmp), [l, r])


_FAST_ORDER = {"<": _operator.lt, "<=": _operator.le, ">": _operator.gt, ">=": _operator.ge}


# ------------------------------------------------------------------- logic

def _and(a, b):
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _or(a, b):
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def as_bool(e: CExpr) -> CExpr:
    if e.type == "bool":
        return e
    if e.type == "dynamic":
        return lift("bool", lambda v: v if isinstance(v, bool) or v is None else T.to_bool(v), [e])
    raise OperandError(f"The expression must be of type bool, but is of type {e.type}")


def logical(op: str, l: CExpr, r: CExpr) -> CExpr:
    l, r = as_bool(l), as_bool(r)
    return lift("bool", _and if op == "and" else _or, [l, r])


def logical_not(e: CExpr) -> CExpr:
    e = as_bool(e)
    return lift("bool", lambda a: None if a is None else not a, [e])


# --------------------------------------------------------------- string operators

def as_text(e: CExpr) -> CExpr:
    """Operands of string operators are compared as text."""
    if e.type == "string":
        return e
    return lift("string", T.to_string, [e])


_TERM = "0-9A-Za-z"


def _term_regex(needle: str, prefix: bool, suffix: bool, cs: bool) -> re.Pattern:
    """Whole-term match: `has` bounds both ends, `hasprefix` the start, `hassuffix` the end."""
    pat = re.escape(needle)
    if needle[:1].isalnum() and not suffix:
        pat = f"(?<![{_TERM}])" + pat
    if needle[-1:].isalnum() and not prefix:
        pat = pat + f"(?![{_TERM}])"
    return re.compile(pat, 0 if cs else re.I)


def _string_pred(word: str, needle: str) -> Callable[[str], bool]:
    """Predicate over the left operand text for a constant right operand."""
    cs = word.endswith("_cs")
    base = word[:-3] if cs else word
    if base == "has":
        if not needle:
            return lambda s: True
        rx = _term_regex(needle, False, False, cs)
        return lambda s: rx.search(s) is not None
    if base == "hasprefix":
        if not needle:
            return lambda s: True
        rx = _term_regex(needle, True, False, cs)
        return lambda s: rx.search(s) is not None
    if base == "hassuffix":
        if not needle:
            return lambda s: True
        rx = _term_regex(needle, False, True, cs)
        return lambda s: rx.search(s) is not None
    if base == "contains":
        if cs:
            return lambda s: needle in s
        low = needle.lower()
        return lambda s: low in s.lower()
    if base == "startswith":
        if cs:
            return lambda s: s.startswith(needle)
        low = needle.lower()
        return lambda s: s.lower().startswith(low)
    if base == "endswith":
        if cs:
            return lambda s: s.endswith(needle)
        low = needle.lower()
        return lambda s: s.lower().endswith(low)
    if base == "matches regex":
        from kshell.query import regex

        rx = regex.compile(needle)
        return lambda s: rx.search(s) is not None
    if base == "like":
        rx = re.compile(re.escape(needle).replace("%", ".*").replace("_", "."), re.S | re.I)
        return lambda s: rx.fullmatch(s) is not None
    raise OperandError(f"unknown string operator {word}")


STRING_OPERATORS = (
    "has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs",
    "contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs",
    "matches regex", "like",
)


def string_op(op: str, l: CExpr, r: CExpr) -> CExpr:
    negated = op.startswith("!")
    word = op[1:] if negated else op
    if word == "notlike":
        negated, word = True, "like"
    l, r = as_text(l), as_text(r)
    if r.const:
        try:
            pred = _string_pred(word, r.value or "")
        except re.error as e:
            raise OperandError(f"invalid regular expression {r.value!r}: {e}") from None
        lf = l.fn
        if l.const:
            v = pred(l.value or "")
            return const("bool", (not v) if negated else v)
        if negated:
            return CExpr("bool", lambda cols, n: [not pred(s) if s is not None else True for s in lf(cols, n)])
        return CExpr("bool", lambda cols, n: [pred(s) if s is not None else False for s in lf(cols, n)])

    def f(s, needle):
        try:
            v = _string_pred(word, needle or "")(s or "")
        except re.error as e:  # a row's pattern (`a matches regex r`) is not a regular expression
            from kshell.errors import SemanticError
            raise SemanticError(f"invalid regular expression {needle!r}: {e}") from None
        return (not v) if negated else v
    return lift("bool", f, [l, r])


def case_insensitive_eq(op: str, l: CExpr, r: CExpr) -> CExpr:
    l, r = as_text(l), as_text(r)
    if op == "=~":
        return lift("bool", lambda a, b: (a or "").lower() == (b or "").lower(), [l, r])
    return lift("bool", lambda a, b: (a or "").lower() != (b or "").lower(), [l, r])


# ------------------------------------------------------------------ in / has_any

def flatten_items(values: list[Any]) -> list[Any]:
    """`in` lists: dynamic arrays among the items contribute their elements."""
    out = []
    for v in values:
        if isinstance(v, list):
            out.extend(v)
        else:
            out.append(v)
    return out


def membership(op: str, l: CExpr, items: list[Any]) -> CExpr:
    negated = op.startswith("!")
    word = op[1:] if negated else op
    if word in ("has_any", "has_all"):
        needles = [T.to_string(v) for v in items]
        preds = [_string_pred("has", nd) for nd in needles]
        l = as_text(l)
        if word == "has_any":
            f = lambda s: any(p(s or "") for p in preds)
        else:
            f = lambda s: all(p(s or "") for p in preds)
        g = (lambda s: not f(s)) if negated else f
        return lift("bool", g, [l])
    if word == "in~":
        keys = {T.to_string(v).lower() for v in items}
        l = as_text(l)
        if negated:
            return lift("bool", lambda s: (s or "").lower() not in keys, [l])
        return lift("bool", lambda s: (s or "").lower() in keys, [l])
    if l.type == "string":
        keys = {T.to_string(v) for v in items}
    elif l.type == "dynamic":
        keys = set()
        for v in items:
            keys.add(T.to_string(v))
        l = lift("string", lambda v: None if v is None else T.to_string(v), [l])
    else:
        keys = set()
        for v in items:
            try:
                hash(v)
                keys.add(v)
            except TypeError:
                pass
    if l.type == "real":  # NaN equals nothing, itself included (set lookup would find the same object)
        keys = {k for k in keys if k == k}
        if negated:
            return lift("bool", lambda a: a is not None and (a != a or a not in keys), [l])
        return lift("bool", lambda a: a is not None and a == a and a in keys, [l])
    if negated:
        return lift("bool", lambda a: a is not None and a not in keys, [l])
    return lift("bool", lambda a: a is not None and a in keys, [l])
