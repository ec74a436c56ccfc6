"""series_outliers, series_decompose, series_decompose_anomalies and
series_decompose_forecast, as their pages describe them: Tukey fences for outliers; the
decomposition extracts the seasonal component (per-phase medians of a detected or given
period), then the trend of what is left (its average or a fitted line), baseline =
seasonal + trend, residual = series - baseline; anomalies are the residual's outliers."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

from kshell.query import series_signal as S
from kshell.query.functions import BAG_COLUMNS, ArgumentError, scalar
from kshell.query.functions_series import _num, _series
from kshell.query.functions_series_periods import detected_period, numbers, phase_medians, real_arg

DEFAULT_SEASONALITY_THRESHOLD = 0.6
TRENDS = ("avg", "linefit", "none")


# ------------------------------------------------------------------ outliers

def _percentile_arg(value: Any, default: float, what: str) -> float:
    if value is None:
        return default
    p = real_arg(value, what)
    if not 2.0 <= p <= 98.0:
        raise ArgumentError(f"the {what} argument must be in the range [2.0, 98.0], got {value!r}")
    return p


def _normal_fence_ratio(lo_p: float, hi_p: float) -> float:
    """For normally distributed data: the score Tukey's mild fence (Q3 + 1.5 IQR) gets
    when measured in units of the [lo_p, hi_p] range, divided into 1.5."""
    z = NormalDist().inv_cdf
    fence = z(0.75) + 1.5 * (z(0.75) - z(0.25))
    return 1.5 / ((fence - z(hi_p / 100)) / (z(hi_p / 100) - z(lo_p / 100)))


# The service's factor at its default 10/90 range, measured from scores its maintainers
# published (stackoverflow.com/questions/75264555): 2.772605605507915; the normal ratio
# above gives 2.714 there, so it is scaled to agree at the default.
_CTUKEY_SCALE = 2.772605605507915 / _normal_fence_ratio(10.0, 90.0)


def outlier_scores(vals: list[float | None], kind: str = "ctukey", lo_p: float = 10.0,
                   hi_p: float = 90.0, learn: int | None = None) -> list[float]:
    """Each value's distance beyond the quantile range [Q_lo, Q_hi], in units of
    Q_hi - Q_lo: 0 inside, positive above, negative below.  For `tukey` (25/75) scores
    of +-1.5 are Tukey's fences; `ctukey` multiplies by a factor that puts the fences of
    normal data at +-1.5 whatever the percentiles (the service's normalization, as its
    maintainers describe it).  Missing values score 0.  The quantiles come from the
    first `learn` values (all by default)."""
    if kind == "tukey":
        lo_p, hi_p, factor = 25.0, 75.0, 1.0
    else:
        factor = _normal_fence_ratio(lo_p, hi_p) * _CTUKEY_SCALE
    learn = len(vals) if learn is None else learn
    known = sorted(v for v in vals[:learn] if v is not None and math.isfinite(v))
    if not known:
        return [0.0] * len(vals)
    q_lo, q_hi = S.percentile(known, lo_p), S.percentile(known, hi_p)
    scale = q_hi - q_lo
    if scale <= 0:
        # a series whose quantile range is one value: measure by the mean distance from
        # it, so a single spike still scores (and equal values score 0)
        scale = math.fsum(abs(v - q_lo) for v in known) / len(known) or 1.0
    out = []
    for v in vals:
        if v is None or not math.isfinite(v):
            out.append(0.0)
        elif v > q_hi:
            out.append((v - q_hi) / scale * factor)
        elif v < q_lo:
            out.append((v - q_lo) / scale * factor)
        else:
            out.append(0.0)
    return out


def _kind_arg(kind: Any, what: str = "kind") -> str:
    if kind is None:
        return "ctukey"
    if kind not in ("tukey", "ctukey"):
        raise ArgumentError(f"the {what} argument must be 'tukey' or 'ctukey', got {kind!r}")
    return kind


@scalar("series_outliers", "dynamic", 1, 5, strict=False)
def _outliers(s, kind=None, ignore_val=None, min_percentile=None, max_percentile=None):
    kind = _kind_arg(kind)
    lo_p = _percentile_arg(min_percentile, 10.0, "min_percentile")
    hi_p = _percentile_arg(max_percentile, 90.0, "max_percentile")
    if lo_p >= hi_p:
        raise ArgumentError("min_percentile must be below max_percentile")
    s = _series(s)
    if s is None:
        return None
    ignore = _num(ignore_val)
    vals = [None if (x := _num(v)) is None or (ignore is not None and x == ignore) else x for v in s]
    return outlier_scores(vals, kind, lo_p, hi_p)


# ------------------------------------------------------------------ decomposition

def _int_arg(value: Any, default: int, what: str) -> int:
    if value is None:
        return default
    x = real_arg(value, what)
    if x != int(x):
        raise ArgumentError(f"the {what} argument must be an integer, got {value!r}")
    return int(x)


def _trend_arg(trend: Any, default: str) -> str:
    if trend is None:
        return default
    if trend not in TRENDS:
        raise ArgumentError(f"the trend argument must be one of 'avg', 'linefit', 'none', got {trend!r}")
    return trend


def decompose(vals: list[float | None], seasonality: int, trend: str, test_points: int,
              threshold: float) -> dict[str, list]:
    """The documented order: seasonal from the series, trend from the deseasoned series,
    baseline = seasonal + trend, residual = series - baseline.  The last `test_points`
    values are not learnt from (they are forecast)."""
    n = len(vals)
    learn = max(0, n - test_points)
    if seasonality == -1:
        period = detected_period(numbers(vals[:learn]), threshold) if learn else 0
    else:
        period = seasonality
    known = [(i, v) for i, v in enumerate(vals[:learn]) if v is not None and math.isfinite(v)]
    source = vals
    if trend == "linefit" and period > 0 and len(known) > 1:
        # The phase medians of a trending series step by the trend once a period, and a
        # line fitted to that staircase leaves a sawtooth in the residual; so the
        # seasonal medians are taken from the series less a first line fit.
        first = _line(known, n)
        source = [None if v is None else v - f for v, f in zip(vals, first)]
    seasonal = phase_medians(source, period, learn) if period > 0 else [0.0] * n
    rest = [(i, v - seasonal[i]) for i, v in known]
    if trend == "none" or not rest:
        trend_s = [0.0] * n
    elif trend == "avg":
        avg = math.fsum(r for _, r in rest) / len(rest)
        trend_s = [avg] * n
    else:
        trend_s = _line(rest, n)
    baseline = [a + b for a, b in zip(seasonal, trend_s)]
    residual = [None if v is None or not math.isfinite(v) else v - b for v, b in zip(vals, baseline)]
    return {"baseline": baseline, "seasonal": seasonal, "trend": trend_s, "residual": residual}


def _line(points: list[tuple[int, float]], n: int) -> list[float]:
    """The least-squares line through (index, value) points, evaluated at 0..n-1."""
    m = len(points)
    mx = math.fsum(i for i, _ in points) / m
    my = math.fsum(v for _, v in points) / m
    sxx = math.fsum((i - mx) ** 2 for i, _ in points)
    slope = math.fsum((i - mx) * (v - my) for i, v in points) / sxx if sxx else 0.0
    return [my + slope * (i - mx) for i in range(n)]


def _decompose_args(s, seasonality, trend, test_points, threshold, default_trend="avg"):
    period = _int_arg(seasonality, -1, "seasonality")
    if period < -1:
        raise ArgumentError(f"the seasonality argument must be -1 (detect), 0 (none) or a period, got {seasonality!r}")
    trend = _trend_arg(trend, default_trend)
    points = _int_arg(test_points, 0, "test_points")
    if points < 0:
        raise ArgumentError(f"the test_points argument must not be negative, got {test_points!r}")
    thr = DEFAULT_SEASONALITY_THRESHOLD if threshold is None else real_arg(threshold, "seasonality_threshold")
    s = _series(s)
    vals = None if s is None else [_num(v) for v in s]
    return vals, period, trend, points, thr


@scalar("series_decompose", "dynamic", 1, 5, strict=False)
def _decompose(s, seasonality=None, trend=None, test_points=None, threshold=None):
    vals, period, trend, points, thr = _decompose_args(s, seasonality, trend, test_points, threshold)
    return None if vals is None else decompose(vals, period, trend, points, thr)


@scalar("series_decompose_anomalies", "dynamic", 1, 7, strict=False)
def _decompose_anomalies(s, threshold=None, seasonality=None, trend=None, test_points=None,
                         ad_method=None, seasonality_threshold=None):
    k = 1.5 if threshold is None else real_arg(threshold, "threshold")
    method = _kind_arg(ad_method, "AD_method")
    vals, period, trend, points, thr = _decompose_args(s, seasonality, trend, test_points, seasonality_threshold)
    if vals is None:
        return None
    parts = decompose(vals, period, trend, points, thr)
    scores = outlier_scores(parts["residual"], method, learn=max(0, len(vals) - points))
    flags = [1 if sc > k else -1 if sc < -k else 0 for sc in scores]
    return {"ad_flag": flags, "ad_score": scores, "baseline": parts["baseline"]}


@scalar("series_decompose_forecast", "dynamic", 2, 5, strict=False)
def _decompose_forecast(s, points, seasonality=None, trend=None, threshold=None):
    """The baseline learnt without the last `points` values.  The trend defaults to
    linefit: a forecast of avg alone would be flat (the page's syntax table says avg,
    its example and the earlier page linefit)."""
    if points is None:
        raise ArgumentError("the points argument must be a non-negative integer, got null")
    vals, period, trend, points, thr = _decompose_args(s, seasonality, trend, points, threshold, "linefit")
    return None if vals is None else decompose(vals, period, trend, points, thr)["baseline"]


BAG_COLUMNS["series_decompose"] = [(f, "dynamic") for f in ("baseline", "seasonal", "trend", "residual")]
BAG_COLUMNS["series_decompose_anomalies"] = [(f, "dynamic") for f in ("ad_flag", "ad_score", "baseline")]
