"""Signal arithmetic shared by the series_* functions: the FFT, autocorrelation, period
scores, percentiles and least squares.  Pure Python (series are thousands of points at
most); nothing here knows about Kusto values, so it is tested on plain lists.

Period detection is kshell's own (the service does not document its algorithm); see
docs/query-engine.md, 'The series_* family', for how it was calibrated against the
documented examples."""

from __future__ import annotations

import cmath
import math

# ------------------------------------------------------------------ FFT


def _fft_pow2(a: list[complex], inverse: bool) -> list[complex]:
    """Iterative radix-2 Cooley-Tukey; len(a) is a power of two.  Unscaled."""
    n = len(a)
    a = list(a)
    j = 0
    for i in range(1, n):  # bit-reversal permutation
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j |= bit
        if i < j:
            a[i], a[j] = a[j], a[i]
    sign = 1 if inverse else -1
    size = 2
    while size <= n:
        w = cmath.exp(sign * 2j * math.pi / size)
        half = size // 2
        for start in range(0, n, size):
            wk = 1 + 0j
            for k in range(start, start + half):
                t = a[k + half] * wk
                a[k + half] = a[k] - t
                a[k] = a[k] + t
                wk *= w
        size *= 2
    return a


def _dft_any(a: list[complex], inverse: bool) -> list[complex]:
    """Bluestein's chirp transform: a DFT of any length through power-of-two FFTs."""
    n = len(a)
    sign = 1 if inverse else -1
    chirp = [cmath.exp(sign * 1j * math.pi * (k * k % (2 * n)) / n) for k in range(n)]
    m = 1
    while m < 2 * n - 1:
        m *= 2
    u = [a[k] * chirp[k] for k in range(n)] + [0j] * (m - n)
    v = [0j] * m
    v[0] = chirp[0].conjugate()
    for k in range(1, n):
        v[k] = v[m - k] = chirp[k].conjugate()
    fu, fv = _fft_pow2(u, False), _fft_pow2(v, False)
    conv = _fft_pow2([x * y for x, y in zip(fu, fv)], True)
    return [conv[k] / m * chirp[k] for k in range(n)]


def dft(a: list[complex], inverse: bool = False) -> list[complex]:
    """The discrete Fourier transform of any length; the inverse is scaled by 1/n."""
    n = len(a)
    if n == 0:
        return []
    out = _fft_pow2(a, inverse) if n & (n - 1) == 0 else _dft_any(a, inverse)
    return [x / n for x in out] if inverse else out


# ------------------------------------------------------------------ autocorrelation and periods

def autocorrelation(xs: list[float]) -> list[float]:
    """The biased sample autocorrelation r[0..n-1] (r[0] = 1; all 0 for a constant series)."""
    n = len(xs)
    if n == 0:
        return []
    mean = math.fsum(xs) / n
    d = [x - mean for x in xs]
    m = 1
    while m < 2 * n:
        m *= 2
    f = _fft_pow2([complex(v) for v in d] + [0j] * (m - n), False)
    acov = _fft_pow2([complex(abs(z) ** 2) for z in f], True)
    c0 = acov[0].real
    if c0 <= 1e-12 * max(1.0, math.fsum(v * v for v in xs)):
        return [0.0] * n
    return [acov[k].real / c0 for k in range(n)]


MIN_PERIOD = 4  # the documented shortest detectable period, in bins


def period_score(r: list[float], period: float) -> float:
    """The significance of a (possibly fractional) period: the autocorrelation at that lag
    (interpolated), scaled by sqrt(n / (n - lag)) - the geometric mean of the biased and
    unbiased estimates, so a lag seen by few pairs is neither ignored nor trusted fully.
    Below the white-noise band 1.96/sqrt(n) a score is 0."""
    n = len(r)
    lo = int(math.floor(period))
    if lo < 1 or lo >= n:
        return 0.0
    frac = period - lo
    value = r[lo] if frac == 0 or lo + 1 >= n else r[lo] * (1 - frac) + r[lo + 1] * frac
    score = value * math.sqrt(n / (n - period))
    if score < 1.96 / math.sqrt(n):
        return 0.0
    return min(score, 1.0)


def validate_periods(xs: list[float], periods: list[float]) -> list[float]:
    """series_periods_validate: the score of each period; 0 outside [4, n/2]."""
    n = len(xs)
    r = autocorrelation(xs)
    return [period_score(r, p) if MIN_PERIOD <= p <= n / 2 else 0.0 for p in periods]


def detect_periods(xs: list[float], min_period: float, max_period: float,
                   count: int) -> list[tuple[int, float]]:
    """series_periods_detect: up to `count` (period, score) pairs, best first.

    Candidates come from the periodogram's peaks (each frequency bin k stands for the
    periods n/(k+1)..n/(k-1)); each is refined to the autocorrelation's highest hill in
    that range, as AUTOPERIOD does (Vlachos et al., 2005).  A period must repeat more than
    twice (below n/2), since a hill at n/2 cannot be told from a one-off similarity."""
    n = len(xs)
    lo = max(MIN_PERIOD, math.ceil(min_period))
    hi = min(math.floor(max_period), (n - 1) // 2)
    if count <= 0 or hi < lo:
        return []
    r = autocorrelation(xs)
    # Candidates are found on the series less its line: a trend's low-frequency power
    # would dwarf the seasonal peaks, and its slow decay would flatten the autocorrelation's
    # hills.  Scores stay those of the series itself (period_score).
    flat = _detrended(xs)
    rd = autocorrelation(flat)
    spectrum = dft([complex(v) for v in flat])
    power = [abs(z) ** 2 for z in spectrum[: n // 2 + 1]]
    windows = {}
    for k in range(1, len(power)):
        first = max(lo, math.floor(n / (k + 1)))
        last = min(hi, math.ceil(n / (k - 1)) if k > 1 else hi)
        if first <= last:
            windows[k] = (first, last)
    top = max((power[k] for k in windows), default=0.0)  # the strongest bin in the range searched
    found: dict[int, float] = {}
    for k, (first, last) in windows.items():
        left = power[k - 1] if k > 1 else -1.0
        right = power[k + 1] if k + 1 < len(power) else -1.0
        if top <= 0 or power[k] < 0.1 * top or power[k] < left or power[k] < right:
            continue
        lag = max(range(first, last + 1), key=lambda t: rd[t])
        if rd[lag] < rd[lag - 1] or (lag + 1 < n and rd[lag] < rd[lag + 1]):
            continue  # the range's edge, not a hill
        score = period_score(r, lag)
        if score > 0:
            found[lag] = max(score, found.get(lag, 0.0))
    ranked = sorted(found.items(), key=lambda t: (-t[1], t[0]))
    return ranked[:count]


def _detrended(xs: list[float]) -> list[float]:
    n = len(xs)
    mx, my = (n - 1) / 2, math.fsum(xs) / n
    sxx = math.fsum((i - mx) ** 2 for i in range(n))
    slope = math.fsum((i - mx) * (x - my) for i, x in enumerate(xs)) / sxx if sxx else 0.0
    return [x - my - slope * (i - mx) for i, x in enumerate(xs)]


# ------------------------------------------------------------------ statistics

def percentile(sorted_xs: list[float], p: float) -> float:
    """The p-th percentile (0..100) by linear interpolation between closest ranks."""
    if len(sorted_xs) == 1:
        return sorted_xs[0]
    pos = (len(sorted_xs) - 1) * p / 100.0
    i = int(math.floor(pos))
    if i + 1 >= len(sorted_xs):
        return sorted_xs[-1]
    return sorted_xs[i] + (sorted_xs[i + 1] - sorted_xs[i]) * (pos - i)


def median(xs: list[float]) -> float:
    return percentile(sorted(xs), 50.0)


def solve(a: list[list[float]], b: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None for a singular system."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda i: abs(m[i][col]))
        if abs(m[piv][col]) < 1e-12:
            return None
        m[col], m[piv] = m[piv], m[col]
        for i in range(col + 1, n):
            f = m[i][col] / m[col][col]
            if f:
                for j in range(col, n + 1):
                    m[i][j] -= f * m[col][j]
    out = [0.0] * n
    for i in range(n - 1, -1, -1):
        out[i] = (m[i][n] - math.fsum(m[i][j] * out[j] for j in range(i + 1, n))) / m[i][i]
    return out


def polyfit(xs: list[float], ys: list[float], degree: int) -> list[float] | None:
    """Least-squares polynomial coefficients, highest power first (normal equations on
    x scaled to [-1, 1] for conditioning, then expanded back)."""
    lo, hi = min(xs), max(xs)
    mid, half = (lo + hi) / 2, (hi - lo) / 2 or 1.0
    ts = [(x - mid) / half for x in xs]
    k = degree + 1
    sums = [math.fsum(t ** p for t in ts) for p in range(2 * k - 1)]
    a = [[sums[i + j] for j in range(k)] for i in range(k)]
    b = [math.fsum(y * t ** i for t, y in zip(ts, ys)) for i in range(k)]
    c = solve(a, b)  # c[i] multiplies t^i, t = (x - mid) / half
    if c is None:
        return None
    # expand sum c_i ((x - mid)/half)^i into powers of x
    coef = [0.0] * k
    for i, ci in enumerate(c):
        for j in range(i + 1):  # binomial expansion of (x - mid)^i
            coef[j] += ci * math.comb(i, j) * (-mid) ** (i - j) / half ** i
    return list(reversed(coef))
