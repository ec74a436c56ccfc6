"""series_fit_line(_dynamic), series_fit_2lines(_dynamic) and series_fit_poly: linear,
segmented and polynomial regression.

Conventions shared with series_fit_line (whose documented example they reproduce): x is
1..n, variance is the sample variance of the values, rvariance the residual sum of squares
over n - 1, rsquare 1 - SSE/SST (1 for a constant series)."""

from __future__ import annotations

import math
from typing import Any

from kshell.query import series_signal as S
from kshell.query.functions import BAG_COLUMNS, ArgumentError, scalar
from kshell.query.functions_series import _num, _series
from kshell.query.functions_series_periods import real_arg


def _sample_variance(ys: list[float]) -> float:
    n = len(ys)
    if n < 2:
        return 0.0
    m = math.fsum(ys) / n
    return math.fsum((y - m) ** 2 for y in ys) / (n - 1)


def _line_part(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """(slope, interception, SSE) of the least-squares line through the points."""
    n = len(xs)
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    slope = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    icpt = my - slope * mx
    sse = math.fsum((y - (icpt + slope * x)) ** 2 for x, y in zip(xs, ys))
    return slope, icpt, sse


def _segment(xs: list[float], ys: list[float]) -> dict[str, float]:
    slope, icpt, sse = _line_part(xs, ys)
    my = math.fsum(ys) / len(ys)
    sst = math.fsum((y - my) ** 2 for y in ys)
    return {"rsquare": 1 - sse / sst if sst else 1.0, "slope": slope, "interception": icpt,
            "variance": _sample_variance(ys), "rvariance": sse / (len(ys) - 1) if len(ys) > 1 else 0.0,
            "_sse": sse}


def fit_line(points: list[tuple[float, float]], n: int) -> dict[str, Any]:
    """series_fit_line over the known (x, y) points; line_fit covers all of 1..n."""
    part = _segment([x for x, _ in points], [y for _, y in points])
    line = [part["interception"] + part["slope"] * x for x in range(1, n + 1)]
    return {"rsquare": part["rsquare"], "slope": part["slope"], "variance": part["variance"],
            "rvariance": part["rvariance"], "interception": part["interception"], "line_fit": line}


def fit_2lines(points: list[tuple[float, float]], n: int) -> dict[str, Any] | None:
    """Every split of the known (x, y) points into a left part [0, k) and a right part
    [k, m), each of at least two points, gets a line; the split with the highest total
    r-square wins (the earliest on ties).  split_idx is the zero-based index where the
    right part starts; line_fit covers all of 1..n."""
    m = len(points)
    if m < 4:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    my = math.fsum(ys) / m
    sst = math.fsum((y - my) ** 2 for y in ys)
    # Running sums give each split's squared error in O(1), so the search is linear; the
    # chosen split is then refitted directly (the sums lose digits on large values).
    cx, cy = xs[m // 2], my  # centre the sums for precision
    pre = [(0.0, 0.0, 0.0, 0.0, 0.0)]
    for x, y in points:
        u, v = x - cx, y - cy
        a = pre[-1]
        pre.append((a[0] + u, a[1] + v, a[2] + u * u, a[3] + u * v, a[4] + v * v))

    def sse_of(lo: int, hi: int) -> float:
        c = hi - lo
        su, sv, suu, suv, svv = (pre[hi][i] - pre[lo][i] for i in range(5))
        sxx, sxy, syy = suu - su * su / c, suv - su * sv / c, svv - sv * sv / c
        return max(0.0, syy - (sxy * sxy / sxx if sxx > 0 else 0.0))

    best_k, best_sse = 2, math.inf
    for k in range(2, m - 1):
        sse = sse_of(0, k) + sse_of(k, m)
        if sse < best_sse - 1e-9 * max(1.0, sst):
            best_k, best_sse = k, sse
    k = best_k
    left, right = _segment(xs[:k], ys[:k]), _segment(xs[k:], ys[k:])
    sse = left["_sse"] + right["_sse"]
    split = xs[k]
    line = [(left if x < split else right)["interception"] + (left if x < split else right)["slope"] * x
            for x in range(1, n + 1)]
    return {"rsquare": 1 - sse / sst if sst else 1.0, "split_idx": int(split) - 1, "variance": _sample_variance(ys),
            "rvariance": sse / (m - 1), "line_fit": line,
            "right": {f: right[f] for f in _PART_FIELDS}, "left": {f: left[f] for f in _PART_FIELDS}}


_PART_FIELDS = ["rsquare", "slope", "interception", "variance", "rvariance"]


def _known(s: Any) -> list[tuple[float, float]]:
    """The (position, value) points of a series' finite numbers; positions are 1..n, so a
    missing element leaves a gap rather than shifting the rest."""
    return [(float(i + 1), x) for i, x in enumerate(_num(v) for v in s) if x is not None and math.isfinite(x)]


@scalar("series_fit_line_dynamic", "dynamic", strict=False)
def _fit_line_dynamic(s):
    s = _series(s)
    points = [] if s is None else _known(s)
    return fit_line(points, len(s)) if points else None


scalar("series_fit_line", "dynamic", strict=False)(_fit_line_dynamic)
BAG_COLUMNS["series_fit_line"] = [("rsquare", "real"), ("slope", "real"), ("variance", "real"), ("rvariance", "real"),
                                  ("interception", "real"), ("line_fit", "dynamic")]


@scalar("series_fit_2lines_dynamic", "dynamic", strict=False)
def _fit_2lines_dynamic(s):
    s = _series(s)
    return None if s is None else fit_2lines(_known(s), len(s))


_2LINES_FIELDS = [("rsquare", "real"), ("split_idx", "long"), ("variance", "real"), ("rvariance", "real"),
                  ("line_fit", "dynamic")] + [(f"{side}_{f}", "real") for side in ("right", "left") for f in _PART_FIELDS]


@scalar("series_fit_2lines", "dynamic", strict=False)
def _fit_2lines_flat(s):
    bag = _fit_2lines_dynamic(s)
    if bag is None:
        return None
    flat = {k: v for k, v in bag.items() if not isinstance(v, dict)}
    for side in ("right", "left"):
        flat.update({f"{side}_{f}": v for f, v in bag[side].items()})
    return flat


BAG_COLUMNS["series_fit_2lines"] = _2LINES_FIELDS


# ------------------------------------------------------------------ polynomial

MAX_DEGREE = 20


@scalar("series_fit_poly", "dynamic", 1, 3, strict=False)
def _fit_poly(y, x=None, degree=None):
    deg = 1 if degree is None else real_arg(degree, "degree")
    if deg != int(deg) or not 1 <= deg <= MAX_DEGREE:
        raise ArgumentError(f"the degree argument must be an integer from 1 to {MAX_DEGREE}, got {degree!r}")
    deg = int(deg)
    ys = _series(y)
    if ys is None:
        return None
    if x is None:
        xv = [float(i + 1) for i in range(len(ys))]
    else:
        xs = _series(x)
        if xs is None:
            raise ArgumentError("the x_series argument must be a dynamic array")
        if len(xs) != len(ys):
            raise ArgumentError(f"y_series and x_series differ in length ({len(ys)} and {len(xs)})")
        xv = [_num(v) for v in xs]
    yv = [_num(v) for v in ys]
    pairs = [(a, b) for a, b in zip(xv, yv) if a is not None and b is not None
             and math.isfinite(a) and math.isfinite(b)]
    if len(pairs) <= deg:
        return None  # fewer points than coefficients: no unique fit
    coef = S.polyfit([a for a, _ in pairs], [b for _, b in pairs], deg)
    if coef is None:
        return None

    def at(t: float) -> float:
        acc = 0.0
        for c in coef:
            acc = acc * t + c
        return acc

    pys = [b for _, b in pairs]
    sse = math.fsum((b - at(a)) ** 2 for a, b in pairs)
    my = math.fsum(pys) / len(pys)
    sst = math.fsum((b - my) ** 2 for b in pys)
    return {"rsquare": 1 - sse / sst if sst else 1.0, "coefficients": coef, "variance": _sample_variance(pys),
            "rvariance": sse / (len(pys) - 1), "poly_fit": [None if a is None else at(a) for a in xv]}


BAG_COLUMNS["series_fit_poly"] = [("rsquare", "real"), ("coefficients", "dynamic"), ("variance", "real"),
                                  ("rvariance", "real"), ("poly_fit", "dynamic")]
