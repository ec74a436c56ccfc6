"""series_periods_detect, series_periods_validate, series_seasonal, series_fft and
series_ifft: the frequency side of the series family (arithmetic in series_signal)."""

from __future__ import annotations

import math
from typing import Any

from kshell.query import series_signal as S
from kshell.query.functions import BAG_COLUMNS, ArgumentError, scalar
from kshell.query.functions_series import _num, _series


def numbers(s: list[Any]) -> list[float]:
    """A series' values with missing elements (null, non-numbers, NaN) as the mean of the
    others, so they neither add nor remove periodicity."""
    vals = [_num(v) for v in s]
    known = [v for v in vals if v is not None and math.isfinite(v)]
    fill = math.fsum(known) / len(known) if known else 0.0
    return [v if v is not None and math.isfinite(v) else fill for v in vals]


def real_arg(value: Any, what: str) -> float:
    x = _num(value)
    if x is None or not math.isfinite(x):
        raise ArgumentError(f"the {what} argument must be a finite number, got {value!r}")
    return x


MAX_PERIODS = 10_000  # the output arrays are padded to num_periods: a bound keeps a typo from exhausting memory


@scalar("series_periods_detect", "dynamic", 4, strict=False)
def _periods_detect(s, min_period, max_period, num_periods):
    lo, hi = real_arg(min_period, "min_period"), real_arg(max_period, "max_period")
    count = real_arg(num_periods, "num_periods")
    if count < 0 or count != int(count) or count > MAX_PERIODS:
        raise ArgumentError(f"the num_periods argument must be an integer from 0 to {MAX_PERIODS}, got {num_periods!r}")
    s = _series(s)
    if s is None:
        return None
    count = int(count)
    found = S.detect_periods(numbers(s), lo, hi, count) if s else []
    found += [(0, 0.0)] * (count - len(found))
    return {"periods": [p for p, _ in found], "periods_scores": [sc for _, sc in found]}


MAX_VALIDATE = 16  # documented limit on the periods one call validates


def _periods_validate(s, *periods):
    if len(periods) > MAX_VALIDATE:
        raise ArgumentError(f"at most {MAX_VALIDATE} periods can be validated, got {len(periods)}")
    ps = [real_arg(p, "period") for p in periods]
    s = _series(s)
    if s is None:
        return None
    scores = S.validate_periods(numbers(s), ps) if s else [0.0] * len(ps)
    return {"periods": ps, "scores": scores}


scalar("series_periods_validate", "dynamic", 2, None, strict=False)(_periods_validate)

BAG_COLUMNS["series_periods_detect"] = [("periods", "dynamic"), ("periods_scores", "dynamic")]
BAG_COLUMNS["series_periods_validate"] = [("periods", "dynamic"), ("scores", "dynamic")]


# series_seasonal's autodetection threshold.  The page says 0.7, but its own example
# (period 6 in a 25-point series) scores 0.65 with the score that gives the printed 0.84
# of series_periods_detect's example; 0.6 is series_decompose's documented default.
SEASONAL_THRESHOLD = 0.6


def detected_period(xs: list[float], threshold: float) -> int:
    """The best period in [4, n/2) whose score reaches the threshold; 0 when none does."""
    found = S.detect_periods(xs, S.MIN_PERIOD, len(xs), 1) if len(xs) >= 2 * S.MIN_PERIOD else []
    return found[0][0] if found and found[0][1] >= threshold else 0


def phase_medians(vals: list[float | None], period: int, learn: int) -> list[float]:
    """The documented seasonal component: per phase, the median of the first `learn`
    points in that phase (0 for a phase with none)."""
    med = []
    for k in range(min(period, len(vals))):  # phases past the series' end are never read
        phase = [v for v in vals[k:learn:period] if v is not None and math.isfinite(v)]
        med.append(S.median(phase) if phase else 0.0)
    return [med[i % period] for i in range(len(vals))]


@scalar("series_seasonal", "dynamic", 1, 2, strict=False)
def _seasonal(s, period=None):
    """The median of each phase; the period is detected when not given (or -1).  Any
    other non-positive period gives zeros, as the page says."""
    s = _series(s)
    if s is None:
        return None
    if period is None or period == -1:
        p = detected_period(numbers(s), SEASONAL_THRESHOLD) if s else 0
    else:
        p = real_arg(period, "period")
        if p != int(p):
            raise ArgumentError(f"the period argument must be an integer, got {period!r}")
        p = int(p)
    vals = [_num(v) for v in s]
    if p <= 0:
        return [0.0] * len(vals)
    return phase_medians(vals, p, len(vals))


# ------------------------------------------------------------------ FFT

def _complex_input(re_part: Any, im_part: Any) -> list[complex] | None:
    re_s = _series(re_part)
    if re_s is None:
        return None
    im_s = _series(im_part) if im_part is not None else None
    if im_part is not None and im_s is None:
        raise ArgumentError("the imaginary part must be a dynamic array")
    if im_s is not None and len(im_s) != len(re_s):
        raise ArgumentError(f"the real and imaginary parts differ in length ({len(re_s)} and {len(im_s)})")
    re_v = [_num(v) or 0.0 for v in re_s]
    im_v = [_num(v) or 0.0 for v in im_s] if im_s is not None else [0.0] * len(re_v)
    return [complex(a, b) for a, b in zip(re_v, im_v)]


def _transform(inverse: bool):
    def impl(re_part, im_part=None):
        z = _complex_input(re_part, im_part)
        if z is None:
            return None
        out = S.dft(z, inverse)
        return {"real": [c.real for c in out], "imag": [c.imag for c in out]}
    return impl


scalar("series_fft", "dynamic", 1, 2, strict=False)(_transform(False))
scalar("series_ifft", "dynamic", 1, 2, strict=False)(_transform(True))
BAG_COLUMNS["series_fft"] = BAG_COLUMNS["series_ifft"] = [("real", "dynamic"), ("imag", "dynamic")]
