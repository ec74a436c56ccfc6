"""series_* functions: element-wise arithmetic and comparisons over dynamic arrays,
reductions, filling and filters (FIR, IIR).  Periods, seasonality and the
FFT are in functions_series_periods; decomposition and outliers in
functions_series_decompose; the line, two-line and polynomial fits in functions_series_fit.

A series is a dynamic array of numbers; a scalar argument stands for a series of that
value.  Missing elements (null, non-numbers) give null elements (the docs' convention)."""

from __future__ import annotations

import math
import statistics
from typing import Any, Callable

from kshell.query.functions import BAG_COLUMNS, scalar


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def _series(v: Any) -> list[Any] | None:
    return v if isinstance(v, list) else None


def _keep_int(x: float, *inputs: Any) -> Any:
    """Integer results of integer inputs stay integers (the docs print [5,4,5] for long series)."""
    if all(isinstance(i, int) and not isinstance(i, bool) for i in inputs) and float(x).is_integer():
        return int(x)
    return x


def _unary(f: Callable[[float], float], keep_int: bool = False):
    def impl(s):
        s = _series(s)
        if s is None:
            return None
        out = []
        for v in s:
            x = _num(v)
            if x is None:
                out.append(None)
                continue
            try:
                r = f(x)
            except (ValueError, OverflowError):
                r = math.nan
            out.append(_keep_int(r, v) if keep_int else r)
        return out
    return impl


for _name, _f, _ki in (("series_abs", abs, True), ("series_acos", math.acos, False),
                       ("series_asin", math.asin, False), ("series_atan", math.atan, False),
                       ("series_ceiling", lambda x: float(math.ceil(x)), False),
                       ("series_floor", lambda x: float(math.floor(x)), False),
                       ("series_cos", math.cos, False), ("series_sin", math.sin, False),
                       ("series_tan", math.tan, False), ("series_exp", math.exp, False),
                       ("series_log", lambda x: math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan), False),
                       ("series_sign", lambda x: (x > 0) - (x < 0), True)):
    scalar(_name, "dynamic", strict=False)(_unary(_f, _ki))


def _pairs(a: Any, b: Any) -> list[tuple[Any, Any]] | None:
    sa, sb = _series(a), _series(b)
    if sa is None and sb is None:
        return None
    n = max(len(sa) if sa is not None else 0, len(sb) if sb is not None else 0)
    ea = sa if sa is not None else [a] * n
    eb = sb if sb is not None else [b] * n
    return [(ea[i] if i < len(ea) else None, eb[i] if i < len(eb) else None) for i in range(n)]


def _binary(f: Callable[[float, float], Any], keep_int: bool = False):
    def impl(a, b):
        pairs = _pairs(a, b)
        if pairs is None:
            return None
        out = []
        for u, v in pairs:
            x, y = _num(u), _num(v)
            if x is None or y is None:
                out.append(None)
                continue
            try:
                r = f(x, y)
            except (ValueError, OverflowError, ZeroDivisionError):
                r = None
            out.append(_keep_int(r, u, v) if keep_int and isinstance(r, float) else r)
        return out
    return impl


def _div(x: float, y: float) -> float:
    if y == 0:
        return math.nan if x == 0 else math.copysign(math.inf, x)
    return x / y


for _name, _f, _ki in (("series_add", lambda x, y: x + y, True), ("series_subtract", lambda x, y: x - y, True),
                       ("series_multiply", lambda x, y: x * y, True), ("series_divide", _div, False),
                       ("series_pow", math.pow, False),
                       ("series_equals", lambda x, y: x == y, False),
                       ("series_not_equals", lambda x, y: x != y, False),
                       ("series_greater", lambda x, y: x > y, False),
                       ("series_greater_equals", lambda x, y: x >= y, False),
                       ("series_less", lambda x, y: x < y, False),
                       ("series_less_equals", lambda x, y: x <= y, False)):
    scalar(_name, "dynamic", 2, strict=False)(_binary(_f, _ki))


def _values(s: Any) -> list[float] | None:
    s = _series(s)
    return None if s is None else [x for x in (_num(v) for v in s) if x is not None]


@scalar("series_sum", "real", strict=False)
def _sum(s):
    v = _values(s)
    return None if v is None else math.fsum(v)


@scalar("series_product", "real", strict=False)
def _product(s):
    v = _values(s)
    return None if v is None else math.prod(v)


@scalar("series_magnitude", "real", strict=False)
def _magnitude(s):
    v = _values(s)
    return None if v is None else math.sqrt(math.fsum(x * x for x in v))


@scalar("series_dot_product", "real", 2, strict=False)
def _dot_product(a, b):
    pairs = _pairs(a, b)
    if pairs is None:
        return None
    return math.fsum(_num(x) * _num(y) for x, y in pairs if _num(x) is not None and _num(y) is not None)


@scalar("series_cosine_similarity", "real", 2, 4, strict=False)
def _cosine_similarity(a, b, ma=None, mb=None):
    d = _dot_product(a, b)
    na = ma if ma is not None else _magnitude(a)
    nb = mb if mb is not None else _magnitude(b)
    if d is None or not na or not nb:
        return None
    return d / (na * nb)


@scalar("series_pearson_correlation", "real", 2, strict=False)
def _pearson(a, b):
    sa, sb = _series(a), _series(b)
    if sa is None or sb is None or len(sa) != len(sb) or len(sa) < 2:
        return None
    xs, ys = [_num(v) for v in sa], [_num(v) for v in sb]
    if any(v is None for v in xs + ys):
        return None
    try:
        return statistics.correlation(xs, ys)
    except statistics.StatisticsError:
        return None


def _stats(s: Any, ignore_nonfinite: bool = False) -> dict | None:
    ss = _series(s)
    if ss is None:
        return None
    vals = [(i, _num(v)) for i, v in enumerate(ss)]
    finite = [(i, x) for i, x in vals if x is not None and math.isfinite(x)]
    if len(finite) < len(vals) and not ignore_nonfinite:
        # a null, NaN, infinity or non-number makes every statistic null unless ignored
        # (series-stats-dynamic-function.md); len still counts the array
        return {"min": None, "min_idx": None, "max": None, "max_idx": None, "avg": None, "stdev": None,
                "variance": None, "sum": None, "len": len(ss)}
    vals = finite
    if not vals:
        return {"min": None, "min_idx": None, "max": None, "max_idx": None, "avg": None, "stdev": None,
                "variance": None, "sum": 0.0, "len": len(ss)}
    xs = [x for _i, x in vals]
    lo = min(vals, key=lambda t: t[1])
    hi = max(vals, key=lambda t: t[1])
    var = statistics.variance(xs) if len(xs) > 1 else 0.0
    return {"min": lo[1], "min_idx": lo[0], "max": hi[1], "max_idx": hi[0], "avg": statistics.fmean(xs),
            "stdev": math.sqrt(var), "variance": var, "sum": math.fsum(xs), "len": len(ss)}


scalar("series_stats_dynamic", "dynamic", 1, 2, strict=False)(lambda s, ig=False: _stats(s, bool(ig)))


# ------------------------------------------------------------------ filling

def _missing(v: Any, placeholder: Any) -> bool:
    if placeholder is None:
        return v is None or (isinstance(v, float) and math.isnan(v))
    return v == placeholder


@scalar("series_fill_forward", "dynamic", 1, 2, strict=False)
def _fill_forward(s, placeholder=None):
    s = _series(s)
    if s is None:
        return None
    out, last = [], None
    for v in s:
        if _missing(v, placeholder):
            out.append(last if last is not None else v)
        else:
            last = v
            out.append(v)
    return out


@scalar("series_fill_backward", "dynamic", 1, 2, strict=False)
def _fill_backward(s, placeholder=None):
    s = _series(s)
    return None if s is None else list(reversed(_fill_forward(list(reversed(s)), placeholder)))


@scalar("series_fill_const", "dynamic", 2, 3, strict=False)
def _fill_const(s, const, placeholder=None):
    s = _series(s)
    return None if s is None else [const if _missing(v, placeholder) else v for v in s]


@scalar("series_fill_linear", "dynamic", 1, 4, strict=False)
def _fill_linear(s, placeholder=None, fill_edges=True, constant=None):
    s = _series(s)
    if s is None:
        return None
    known = [i for i, v in enumerate(s) if not _missing(v, placeholder) and _num(v) is not None]
    out: list[Any] = [float(v) if _num(v) is not None and not _missing(v, placeholder) else None for v in s]
    if not known:
        return [constant if constant is not None else 0.0 for _ in s]
    for a, b in zip(known, known[1:]):
        for i in range(a + 1, b):
            out[i] = out[a] + (out[b] - out[a]) * (i - a) / (b - a)
    if fill_edges in (True, None):
        for i in range(known[0]):
            out[i] = out[known[0]]
        for i in range(known[-1] + 1, len(s)):
            out[i] = out[known[-1]]
    elif constant is not None:
        for i in list(range(known[0])) + list(range(known[-1] + 1, len(s))):
            out[i] = constant
    if all(isinstance(s[i], int) and not isinstance(s[i], bool) for i in known):
        # a series of integers stays one (interpolated values are truncated)
        out = [int(v) if isinstance(v, float) and math.isfinite(v) else v for v in out]
    return out


# ------------------------------------------------------------------ filters

@scalar("series_fir", "dynamic", 2, 4, strict=False)
def _fir(s, taps, normalize=None, center=False):
    xs, ws = _series(s), _values(taps)
    if xs is None or not ws:
        return None
    if normalize is None:
        normalize = all(w >= 0 for w in ws)
    total = sum(ws)
    if normalize and total:
        ws = [w / total for w in ws]
    n, k = len(xs), len(ws)
    shift = (k - 1) // 2 if center else 0
    out = []
    for i in range(n):
        acc = 0.0
        for j, w in enumerate(ws):
            t = i + shift - j
            x = _num(xs[t]) if 0 <= t < n else 0.0
            acc += w * (x if x is not None else 0.0)
        out.append(acc)
    return out


@scalar("series_iir", "dynamic", 3, strict=False)
def _iir(s, numerators, denominators):
    xs, b, a = _series(s), _values(numerators), _values(denominators)
    if xs is None or not b or not a or a[0] == 0:
        return None
    b = [v / a[0] for v in b]
    a = [v / a[0] for v in a]
    ys: list[float] = []
    for i in range(len(xs)):
        acc = 0.0
        for j, w in enumerate(b):
            x = _num(xs[i - j]) if i - j >= 0 else 0.0
            acc += w * (x or 0.0)
        for j in range(1, len(a)):
            if i - j >= 0:
                acc -= a[j] * ys[i - j]
        ys.append(acc)
    return ys


# Several-column forms: the bag's fields become columns (kshell.query.operators.spread_columns).
_STATS_FIELDS = [("min", "real"), ("min_idx", "long"), ("max", "real"), ("max_idx", "long"), ("avg", "real"),
                 ("stdev", "real"), ("variance", "real")]
scalar("series_stats", "dynamic", 1, 2, strict=False)(
    lambda s, ig=False: {k: v for k, v in (_stats(s, bool(ig)) or {}).items() if k in dict(_STATS_FIELDS)} or None)
BAG_COLUMNS["series_stats"] = _STATS_FIELDS
