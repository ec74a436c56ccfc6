"""Vectorised kernels over compact columns (issue 18).

A compact column (kshell/columns.py: `array('q')`, `array('d')`, `Bools`) is a buffer of
machine values; when a column holds at least `MIN_ROWS` of them and numpy is installed
(the optional `fast` extra), the operators hand it to a kernel here instead of looping
in Python.  numpy is imported on the first large column, never at start-up.

The contract, which tests/test_query_vector.py checks against the Python path on the
same data:

* A kernel gives exactly the Python path's result -- Kusto's null, overflow, division
  and NaN rules included -- or returns None, and the caller runs the Python path.  A
  kernel declines (None) on whatever it does not reproduce exactly: a list column (it
  may hold nulls), an integer division by zero (null), a NaN where ordering matters.
* Results are compact columns again (`array`/`Bools`, a copy out of numpy's buffer) or
  lists of plain Python values (`tolist()`): no numpy scalar or array ever reaches a
  value, a Tabular or a Result.
"""

from __future__ import annotations

import os
from array import array
from typing import Any

from kshell.columns import Bools

# Below this many rows the Python path is as fast (numpy's per-call overhead is a few
# microseconds per operation); tests lower it to run every kernel on small data
# (KSHELL_VECTOR_MIN_ROWS=1 runs a whole test suite through the kernels).
MIN_ROWS = int(os.environ.get("KSHELL_VECTOR_MIN_ROWS") or 20_000)

_LONG_MIN, _LONG_MAX = -2**63, 2**63 - 1
_EXACT_FLOAT_INT = 2**53  # integers up to this magnitude convert to float exactly

# Python's sum() of floats adds in order on 3.11 and compensates from 3.12 on: a grouped
# real sum (np.bincount, in row order) equals it only in the first case.
_SEQUENTIAL_FLOAT_SUM = sum([1e16, 1.0, -1e16]) == 0.0

_numpy: Any = False  # not imported yet; None when it is not installed


def numpy() -> Any:
    global _numpy
    if _numpy is False:
        try:
            import numpy as np
        except ImportError:
            np = None
        _numpy = np
    return _numpy


def large(col: Any) -> bool:
    """Whether `col` is a compact column a kernel should take (numpy present)."""
    t = type(col)
    return (t is array or t is Bools) and len(col) >= MIN_ROWS and numpy() is not None


def view(col: Any) -> Any:
    """The numpy view of a compact column (no copy), or None for anything else."""
    t = type(col)
    if t is array:
        np = numpy()
        if np is None or col.typecode not in ("q", "d"):
            return None
        return np.frombuffer(col, dtype=np.int64 if col.typecode == "q" else np.float64) if len(col) else \
            np.empty(0, dtype=np.int64 if col.typecode == "q" else np.float64)
    if t is Bools:
        np = numpy()
        if np is None:
            return None
        return np.frombuffer(col.data, dtype=np.bool_) if len(col) else np.empty(0, dtype=np.bool_)
    return None


def column(nd: Any) -> Any:
    """A numpy array as a compact column (a copy: the column owns its buffer)."""
    np = numpy()
    if nd.dtype == np.bool_:
        return Bools(bytearray(np.ascontiguousarray(nd).view(np.uint8).tobytes()))
    code = "q" if nd.dtype.kind in "iu" else "d"
    out = array(code)
    nd = np.ascontiguousarray(nd, dtype=np.int64 if code == "q" else np.float64)
    if nd.size:
        out.frombytes(memoryview(nd).cast("B"))
    return out


# ------------------------------------------------------------------ operands

def _operand(v: Any, is_const: bool, n: int) -> Any:
    """A kernel operand: a numpy view, a Python int/float constant, or None (decline)."""
    if is_const:
        t = type(v)
        if t is int:
            return v if _LONG_MIN <= v <= _LONG_MAX else None
        return v if t is float else None
    if len(v) != n:
        return None
    np = numpy()
    if np is not None and type(v) is np.ndarray:  # a nested kernel's result
        return v if v.dtype.kind in "if" else None
    return view(v) if type(v) is array else None


def _is_int(x: Any) -> bool:
    return type(x) is int or (not isinstance(x, (float, int)) and x.dtype.kind == "i")


def _as_float(x: Any) -> Any:
    """x as float64 (numpy) or float (constant); None when an integer would round (Python
    compares an int with a float exactly, numpy converts the int first)."""
    np = numpy()
    if type(x) is float:
        return x
    if type(x) is int:
        return float(x) if abs(x) <= _EXACT_FLOAT_INT else None
    if x.dtype.kind == "f":
        return x
    if x.size and (int(x.max()) > _EXACT_FLOAT_INT or int(x.min()) < -_EXACT_FLOAT_INT):
        return None
    return x.astype(np.float64)


def _to_float_arith(x: Any) -> Any:
    """An operand of real arithmetic: Python's int + float rounds the int to the nearest
    float exactly as numpy's int64 -> float64 conversion does (round half to even)."""
    np = numpy()
    if type(x) is int:
        return float(x)
    if type(x) is float or x.dtype.kind == "f":
        return x
    return x.astype(np.float64)


# ------------------------------------------------------------------ arithmetic

def arithmetic(op: str, rtype: str, a: Any, a_const: bool, b: Any, b_const: bool, n: int) -> Any:
    """`a op b` over n rows as a numpy array (the caller makes it a column), or None (decline).  `rtype` is the
    result type the compiler chose: `real` (IEEE arithmetic, as Python floats) or `long`
    (64-bit two's complement, Kusto's truncating division and non-negative modulo)."""
    np = numpy()
    if np is None or n < MIN_ROWS or (a_const and b_const):
        return None
    x, y = _operand(a, a_const, n), _operand(b, b_const, n)
    if x is None or y is None:
        return None
    with np.errstate(all="ignore"):
        if rtype == "real":
            if op not in ("+", "-", "*", "/"):
                return None
            x, y = _to_float_arith(x), _to_float_arith(y)
            out = _REAL_OPS[op](np, x, y)
        elif rtype == "long":
            if not (_is_int(x) and _is_int(y)):
                return None
            out = _long_op(np, op, x, y)
            if out is None:
                return None
        else:
            return None
    if not isinstance(out, np.ndarray) or out.shape != (n,):
        return None
    return out


_REAL_OPS = {
    "+": lambda np, x, y: np.add(x, y, dtype=np.float64),
    "-": lambda np, x, y: np.subtract(x, y, dtype=np.float64),
    "*": lambda np, x, y: np.multiply(x, y, dtype=np.float64),
    # IEEE division is Python's _real_div: x/0 is +-inf by the signs, 0/0 and nan/0 NaN
    "/": lambda np, x, y: np.true_divide(x, y, dtype=np.float64),
}


def _long_op(np: Any, op: str, x: Any, y: Any) -> Any:
    if op == "+":
        return np.add(x, y, dtype=np.int64)
    if op == "-":
        return np.subtract(x, y, dtype=np.int64)
    if op == "*":
        return np.multiply(x, y, dtype=np.int64)
    yv = np.asarray(y, dtype=np.int64)
    if (yv == 0).any():
        return None  # x / 0 and x % 0 are null: the Python path builds that column
    if op == "%":
        if (yv == _LONG_MIN).any():
            return None  # |minimum| is not an int64; Python takes x % 2**63
        # Kusto's modulo is x modulo |y|, never negative: Python's % by a positive divisor
        return np.remainder(x, np.abs(yv), dtype=np.int64)
    if op == "/":
        q = np.floor_divide(x, yv, dtype=np.int64)  # minimum // -1 wraps to minimum, as Kusto's
        r = np.subtract(x, np.multiply(q, yv, dtype=np.int64), dtype=np.int64)
        # truncate toward zero: a floored quotient with a remainder and operands of
        # different signs is one too small
        fix = (r != 0) & ((np.asarray(x) < 0) != (yv < 0))
        return np.add(q, fix, dtype=np.int64)
    return None


# ------------------------------------------------------------------ comparison

_CMP = {"<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal",
        "==": "equal", "!=": "not_equal"}


def compare(op: str, a: Any, a_const: bool, b: Any, b_const: bool, n: int) -> Any:
    """A numeric comparison as a numpy bool array (the caller makes it a column), or None.  NaN compares as in Python (false,
    `!=` true); an int and a float compare exactly or the kernel declines."""
    np = numpy()
    if np is None or n < MIN_ROWS or (a_const and b_const) or op not in _CMP:
        return None
    x, y = _operand(a, a_const, n), _operand(b, b_const, n)
    if x is None or y is None:
        return None
    if not (_is_int(x) and _is_int(y)):
        x, y = _as_float(x), _as_float(y)
        if x is None or y is None:
            return None
    out = getattr(np, _CMP[op])(x, y)
    return out if isinstance(out, np.ndarray) and out.shape == (n,) else None


# ------------------------------------------------------------------ selection

def mask_indexes(mask: Any, n: int) -> Any:
    """The row indexes where a Bools mask is true, as array('q'), or None."""
    if type(mask) is not Bools or len(mask) != n or not large(mask):
        return None
    np = numpy()
    return column(np.flatnonzero(view(mask)).astype(np.int64))


def take(col: Any, idx: Any) -> Any:
    """`col` at the row indexes `idx` as a compact column, or None (a list column)."""
    if type(idx) is not array or len(idx) < MIN_ROWS:
        return None
    v = view(col)
    if v is None:
        return None
    return column(v.take(view(idx)))


# ------------------------------------------------------------------ top / sort

def top_indexes(values: Any, n: int, desc: bool) -> list[int] | None:
    """The first n row indexes in (stable) sort order of a numeric compact column; None
    when a NaN is present (it sorts with the nulls: the Python path places it)."""
    v = view(values) if type(values) is array and large(values) else None
    if v is None:
        return None
    np = numpy()
    size = len(v)
    k = min(n, size)
    if k <= 0:
        return [] if not (v.dtype.kind == "f" and np.isnan(v).any()) else None
    cand = _top_candidates(np, v, k, desc)
    if cand is None:
        return None
    order = cand[np.argsort(_sort_key(np, v[cand], desc), kind="stable")]
    return order[:n].tolist()


_CHUNKS = 4096


def _top_candidates(np: Any, v: Any, k: int, desc: bool) -> Any:
    """Row indexes (ascending) holding at least the k extreme values (ties at the edge
    included), or None when a NaN is present.  The k-th largest of the maxima of 4096
    slices is a lower bound of the k-th largest value (k slices reach it), so the rows at
    or above it are few and found in two passes; np.partition when the column is short."""
    size = len(v)
    if size >= _CHUNKS * 4 and k <= _CHUNKS:
        width = size // _CHUNKS
        body = v[: width * _CHUNKS].reshape(_CHUNKS, width)
        ext = body.max(axis=1) if desc else body.min(axis=1)
        rest = v[width * _CHUNKS:]
        if len(rest):
            ext = np.append(ext, rest.max() if desc else rest.min())
        if ext.dtype.kind == "f" and np.isnan(ext).any():  # max/min propagate NaN
            return None
        bound = np.partition(ext, len(ext) - k)[len(ext) - k] if desc else np.partition(ext, k - 1)[k - 1]
        cand = np.flatnonzero(v >= bound if desc else v <= bound)
    else:
        if v.dtype.kind == "f" and np.isnan(v).any():
            return None
        cand = np.arange(size)
    if len(cand) > k:  # narrow to the exact edge value
        vals = v[cand]
        size_c = len(vals)
        if desc:
            edge = np.partition(vals, size_c - k)[size_c - k]
            cand = cand[vals >= edge]
        else:
            edge = np.partition(vals, k - 1)[k - 1]
            cand = cand[vals <= edge]
    return cand


def _sort_key(np: Any, v: Any, desc: bool) -> Any:
    """Ascending key equal to v's order, or its reverse with ties kept (stable)."""
    if not desc:
        return v
    return np.invert(v) if v.dtype.kind == "i" else np.negative(v)  # ~x = -x-1 never overflows


def sort_order(values: Any, desc: bool, order: list[int]) -> list[int] | None:
    """`order` stably sorted by `values` (a numeric compact column without NaN)."""
    v = view(values) if type(values) is array and large(values) else None
    if v is None or len(order) != len(v):
        return None
    np = numpy()
    if v.dtype.kind == "f" and np.isnan(v).any():
        return None
    o = np.asarray(order, dtype=np.int64)
    perm = np.argsort(_sort_key(np, v[o], desc), kind="stable")
    return o[perm].tolist()


# ------------------------------------------------------------------ grouping

def group_codes(key_vals: list[Any], n: int) -> tuple[Any, list[int]] | None:
    """Factorise the group keys once: (codes, first_rows), codes[i] the group of row i
    numbered by first appearance (the Python path's dict order), first_rows the first
    row of each group.  Only one compact key column; None otherwise (or a real NaN key:
    Python's dict keeps every NaN object apart)."""
    if len(key_vals) != 1 or not large(key_vals[0]) or len(key_vals[0]) != n:
        return None
    np = numpy()
    v = view(key_vals[0])
    if v.dtype == np.bool_:
        u8 = v.view(np.uint8)
        first_true = int(np.argmax(u8)) if u8[0] == 0 else 0
        first_false = int(np.argmin(u8)) if u8[0] == 1 else 0
        has_true, has_false = bool(u8[first_true]), not u8[first_false]
        if not has_true or not has_false:  # one group: every code 0
            return np.zeros(n, dtype=np.uint8), [0]
        if first_false < first_true:
            return u8, [first_false, first_true]  # False is group 0: the bytes are the codes
        return np.subtract(1, u8, dtype=np.uint8), [first_true, first_false]
    if v.dtype.kind == "f" and np.isnan(v).any():
        return None
    _uniq, first, inverse = np.unique(v, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank[inverse.reshape(-1)], first[order].tolist()


def grouped(name: str, values: Any, codes: Any, ngroups: int, counts: Any = None) -> list[Any] | None:
    """An aggregate per group over a compact column as a list of plain values, or None.
    `codes` (numpy, or None for a single group of every row) numbers each row's group."""
    v = view(values)
    if v is None:
        return None
    np = numpy()
    if codes is None:
        codes = np.zeros(len(v), dtype=np.uint8)
    if len(codes) != len(v):
        return None
    kind = v.dtype.kind
    if kind == "b":
        return None
    if counts is None:
        counts = np.bincount(codes, minlength=ngroups)
    if (counts == 0).any():
        return None
    if name in ("sum", "avg"):
        if kind == "f":
            if not _SEQUENTIAL_FLOAT_SUM:
                return None
            # bincount adds each group's values in row order from 0.0: Python's sum()
            sums = np.bincount(codes, weights=v, minlength=ngroups)
            return sums.tolist() if name == "sum" else (sums / counts).tolist()
        big = max(abs(int(v.max())), abs(int(v.min()))) if len(v) else 0
        if big * len(v) <= _EXACT_FLOAT_INT:
            # every partial sum is an integer below 2**53: float64 adds them exactly
            sums = np.bincount(codes, weights=v, minlength=ngroups).astype(np.int64)
        else:
            if name == "avg" and big * len(v) > _LONG_MAX:
                return None  # the mean of longs is float(exact sum) / count: int64 could wrap
            sums = np.zeros(ngroups, dtype=np.int64)
            np.add.at(sums, codes, v)  # int64 wraps as Kusto's sum of longs does
        if name == "sum":
            return sums.tolist()
        return [float(s) / c for s, c in zip(sums.tolist(), counts.tolist())]
    if name in ("min", "max"):
        if kind == "f":
            if np.isnan(v).any() or ((v == 0) & np.signbit(v)).any():
                return None  # NaN and -0.0 vs 0.0: the Python path decides
            out = np.full(ngroups, np.inf if name == "min" else -np.inf)
        else:
            info = np.iinfo(np.int64)
            out = np.full(ngroups, info.max if name == "min" else info.min, dtype=np.int64)
        if ngroups == 1:
            return [(v.min() if name == "min" else v.max()).item()]
        (np.minimum if name == "min" else np.maximum).at(out, codes, v)
        return out.tolist()
    if name == "dcount":
        if kind == "f" and np.isnan(v).any():
            return None
        if ngroups == 1:
            return [int(len(np.unique(v)))]
        pairs = np.unique(np.stack([codes, v.view(np.int64) if kind == "i" else _float_bits(np, v)]), axis=1)
        return np.bincount(pairs[0], minlength=ngroups).tolist()
    return None


def _float_bits(np: Any, v: Any) -> Any:
    """Distinct-value identity of reals: equal floats (0.0 and -0.0 included) get one id."""
    return np.where(v == 0, 0.0, v).view(np.int64)


def group_counts(codes: Any, ngroups: int) -> Any:
    """Rows per group (numpy: pass it to `grouped`; `.tolist()` for values)."""
    return numpy().bincount(codes, minlength=ngroups)


# ------------------------------------------------------------------ compiled expressions

_NUMERIC = frozenset({"int", "long", "real"})


def binary(kind: str, op: str, l: Any, r: Any, compiled: Any, build: Any) -> Any:
    """The CExpr `compiled` (the Python path of `l op r`, built by `build(op, l, r)`),
    computing large compact operands with a kernel.  When the kernel declines, the
    Python path runs over the operand columns already computed (`build` over column
    references), so nothing is evaluated twice.  A kernel operand that is itself a
    kernel's expression hands over its numpy result directly: `a * 2 + b / 3` converts
    only the final column out of numpy."""
    from kshell.query.cexpr import column as ref

    if compiled.const or l.type not in _NUMERIC or r.type not in _NUMERIC or (l.const and r.const):
        return compiled
    if kind == "arith" and compiled.type not in ("long", "real"):
        return compiled
    l_const, r_const, inner = l.const, r.const, compiled.fn
    lf = l.numpy_fn if type(l) is VectorExpr else l.fn
    rf = r.numpy_fn if type(r) is VectorExpr else r.fn
    fallback = build(op, l if l_const else ref(l.type, 0), r if r_const else ref(r.type, 1)).fn
    kernel = arithmetic if kind == "arith" else compare

    def numpy_fn(cols: Any, n: int) -> Any:
        """The result as a numpy array when a kernel computed it, else a column."""
        if n < MIN_ROWS:
            return inner(cols, n)
        a = l.value if l_const else lf(cols, n)
        b = r.value if r_const else rf(cols, n)
        if kind == "arith":
            out = kernel(op, compiled.type, a, l_const, b, r_const, n)
        else:
            out = kernel(op, a, l_const, b, r_const, n)
        if out is not None:
            return out
        return fallback([_plain(a), _plain(b)], n)

    def fn(cols: Any, n: int) -> Any:
        out = numpy_fn(cols, n)
        return column(out) if _numpy is not None and _numpy is not False and type(out) is _numpy.ndarray else out
    return VectorExpr(compiled.type, fn, numpy_fn)


def _plain(v: Any) -> Any:
    """A nested kernel's numpy result as a column for the Python path."""
    np = _numpy
    return column(v) if np is not None and np is not False and type(v) is np.ndarray else v


def _vector_expr_class() -> Any:
    from kshell.query.cexpr import CExpr

    class VectorExpr(CExpr):
        """A CExpr whose kernel result can be read as numpy by an enclosing kernel."""

        __slots__ = ("numpy_fn",)

        def __init__(self, type_: str, fn: Any, numpy_fn: Any):
            super().__init__(type_, fn)
            self.numpy_fn = numpy_fn
    return VectorExpr


VectorExpr = _vector_expr_class()
