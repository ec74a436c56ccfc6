"""The series_* functions of issue 16's second half: periods, seasonality, FFT, outliers,
decomposition (anomalies, forecast) and the two-line and polynomial fits.  Documented
examples first (series-*-function.md), then edge cases: empty and short series, nulls,
non-numbers, bad arguments as Kusto errors."""

from __future__ import annotations

import cmath
import math

import pytest

from kshell.errors import KustoError
from kshell.query import series_signal as S
from query_support import run

TRAFFIC = ("dynamic([80, 139, 87, 110, 68, 54, 50, 51, 53, 133, 86, 141, 97, 156, 94, 149, 95, 140, 77, 61, "
           "50, 54, 47, 133, 72, 152, 94, 148, 105, 162, 101, 160, 87, 63, 53, 55, 54, 151, 103, 189, 108, 183, "
           "113, 175, 113, 178, 90, 71, 62, 62, 65, 165, 109, 181, 115, 182, 121, 178, 114, 170])")


def table(text: str) -> tuple[list[str], list[list]]:
    r = run(text)
    return [c.name for c in r.columns], r.rows


def value(text: str):
    _cols, rows = table(text)
    return rows[0][-1]


def close(a, b, tol=1e-9) -> bool:
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def error(text: str) -> str:
    with pytest.raises(KustoError) as err:
        run(text)
    return str(err.value)


# ------------------------------------------------------------------ signal arithmetic

def naive_dft(xs):
    n = len(xs)
    return [sum(x * cmath.exp(-2j * math.pi * k * t / n) for t, x in enumerate(xs)) for k in range(n)]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 12, 31])
def test_dft_agrees_with_the_definition_for_every_length(n):
    xs = [complex(math.sin(i * 1.3) + i % 3, math.cos(i)) for i in range(n)]
    got = S.dft(xs)
    assert all(abs(a - b) < 1e-9 for a, b in zip(got, naive_dft(xs)))
    back = S.dft(got, inverse=True)
    assert all(abs(a - b) < 1e-9 for a, b in zip(back, xs))


def test_autocorrelation_and_percentiles():
    assert S.autocorrelation([3, 3, 3, 3]) == [0.0] * 4  # a constant series has no structure
    r = S.autocorrelation([1, -1, 1, -1, 1, -1])
    assert close(r[0], 1.0) and r[1] < 0 < r[2]
    assert S.percentile([1, 2, 3, 4], 50) == 2.5 and S.percentile([7], 90) == 7
    assert close(S.polyfit([0, 1, 2, 3], [1, 3, 7, 13], 2), [1.0, 1.0, 1.0])


# ------------------------------------------------------------------ periods

def test_periods_detect_documented_example():
    cols, rows = table(f"print y={TRAFFIC} | project series_periods_detect(y, 0.0, 50.0, 2)")
    assert cols == ["series_periods_detect_y_periods", "series_periods_detect_y_periods_scores"]
    periods, scores = rows[0]
    assert periods == [14, 0]
    assert 0.84 <= scores[0] < 0.85 and scores[1] == 0  # the page prints 0.84, truncated


def test_periods_validate_documented_example():
    cols, rows = table(f"print y={TRAFFIC} | project series_periods_validate(y, 14.0, 10.0)")
    assert cols == ["series_periods_validate_y_periods", "series_periods_validate_y_scores"]
    assert rows[0][0] == [14.0, 10.0]
    assert 0.84 <= rows[0][1][0] < 0.85 and rows[0][1][1] == 0.0


def test_periods_bounds_and_short_series():
    # periods below 4 bins or above half the series score 0 (documented)
    assert value(f"print y={TRAFFIC} | project p=series_periods_validate(y, 3, 31)")["scores"] == [0.0, 0.0]
    assert value("print p=series_periods_detect(dynamic([1,2,3]), 0, 10, 2)") == {"periods": [0, 0], "periods_scores": [0.0, 0.0]}
    assert value("print p=series_periods_detect(dynamic([]), 0, 10, 1)") == {"periods": [0], "periods_scores": [0.0]}
    assert value("print p=series_periods_validate(dynamic([]), 4)") == {"periods": [4.0], "scores": [0.0]}


def test_periods_detect_finds_daily_and_weekly_cycles():
    text = ("range t from 0 to 24*7*4-1 step 1 "
            "| extend y = 10*sin(2*pi()*t/24) + 6*sin(2*pi()*t/168) + 4*((t*7919 % 101)/101.0 - 0.5) "
            "| summarize y=make_list(y) | project p=series_periods_detect(y, 20, 200, 3)")
    p = value(text)
    assert sorted(p["periods"][:2]) == [24, 168] and p["periods"][2] == 0
    assert all(0 < s <= 1 for s in p["periods_scores"][:2])


def test_periods_tolerate_nulls_and_non_numbers():
    p = value("print y=dynamic([1,5,7,3,null,5,7,3,1,'x',7,3,1,5,7,3,1,5,7,3]) "
              "| project p=series_periods_validate(y, 4, 5)")
    assert p["scores"][0] > 0.6 and p["scores"][1] == 0.0
    assert value("print p=series_periods_detect(dynamic([1,2,1,2,1,2,1,2,1,2,1,2]), 4, 5, 1)")["periods"] == [0]


def test_periods_bad_arguments_are_kusto_errors():
    assert "num_periods" in error("print series_periods_detect(dynamic([1,2]), 1, 2, -1)")
    assert "num_periods" in error("print series_periods_detect(dynamic([1,2]), 1, 2, 1000000000000)")
    assert "min_period" in error("print series_periods_detect(dynamic([1,2]), 'a', 2, 1)")
    assert "at most 16 periods" in error("print series_periods_validate(dynamic([1,2]), "
                                         + ", ".join(str(i) for i in range(4, 21)) + ")")


# ------------------------------------------------------------------ seasonal

def test_seasonal_documented_examples():
    rows = table("print s=dynamic([2, 5, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1]) "
                 "| union (print s=dynamic([8, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10])) "
                 "| union (print s=dynamic([1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6])) "
                 "| extend s_seasonal = series_seasonal(s)")[1]
    got = {len(s): seasonal for s, seasonal in rows}
    assert got[25] == [1.0, 2.0, 3.0, 4.0, 3.0, 2.0] * 4 + [1.0]   # period 6 detected
    assert got[20] == [10.0, 12.0, 14.0, 12.0, 10.0] * 4           # period 5 detected
    assert got[12] == [0.0] * 12                                    # period 3 is too short
    assert value("print series_seasonal(dynamic([1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6]), 3)") == [1.5, 3.5, 5.5] * 4
    assert value("print series_seasonal(dynamic([1, 3, 5, 1, 3, 5]), 0)") == [0.0] * 6
    assert value("print series_seasonal(dynamic([]))") == []


# ------------------------------------------------------------------ FFT

def test_fft_and_ifft_round_trip_with_tuple_names():
    cols, rows = table("print y=dynamic([1, 2, 3, 4.5]) | extend (re, im) = series_fft(y) "
                       "| extend (y2, im2) = series_ifft(re, im)")
    assert cols == ["y", "re", "im", "y2", "im2"]
    _y, re, im, y2, im2 = rows[0]
    assert close(re, [10.5, -2.0, -2.5, -2.0]) and close(im, [0.0, 2.5, 0.0, -2.5])
    assert close(y2, [1.0, 2.0, 3.0, 4.5]) and close(im2, [0.0] * 4)


def test_fft_unnamed_columns_and_bad_input():
    cols, _rows = table("print y=dynamic([1, 0, 0]) | extend series_fft(y)")
    assert cols == ["y", "series_fft_y_real", "series_fft_y_imag"]
    f = value("print y=dynamic([1, 0, 0]) | project f=series_fft(y)")
    assert close(f["real"], [1.0, 1.0, 1.0]) and close(f["imag"], [0.0, 0.0, 0.0])
    assert "differ in length" in error("print series_fft(dynamic([1,2]), dynamic([1]))")
    assert value("print f=series_fft(dynamic([]))") == {"real": [], "imag": []}
    assert value("print f=series_fft('abc')") is None


# ------------------------------------------------------------------ outliers

def test_outliers_scores_distance_beyond_the_quantile_range():
    # tukey: Q1 = 3.25, Q3 = 7.75 on 1..10; 30 replaces 10 -> Q3 = 7.75 still
    s = value("print series_outliers(dynamic([1,2,3,4,5,6,7,8,9,30]), 'tukey')")
    q1, q3 = 3.25, 7.75
    assert close(s[9], (30 - q3) / (q3 - q1)) and s[4] == 0.0 and close(s[0], (1 - q1) / (q3 - q1))
    # ctukey (default 10/90): a clear spike is above 1.5, the body scores 0
    c = value("print series_outliers(dynamic([10,11,9,10,12,10,9,11,10,60,10,11]))")
    assert c[9] > 1.5 and all(abs(v) < 1.5 for i, v in enumerate(c) if i != 9)
    assert c[0] == c[1] == c[3] == 0.0  # inside [Q10, Q90]


def test_outliers_ctukey_normalization_reproduces_the_services_scores():
    # scores published by the service's maintainers (stackoverflow.com/questions/75264555)
    s = value("print series_outliers(dynamic([-3, 2.4, 15, 3.9, 5, 6, 4.5, 5.2, 3, 4, 5, 16, 7, 5, 5, 4]))")
    expected = [-1.9040785483608571, -0.10021466044004519, 1.3361954725339347] + [0.0] * 8 + \
        [1.6702443406674186] + [0.0] * 4
    assert close(s, expected, 1e-12)


def test_outliers_missing_and_ignored_values_score_zero():
    s = value("print series_outliers(dynamic([1, null, 'x', 2, 3, -999, 2, 1, 2, 3, 1, 2, 3, 2, 100]), 'ctukey', -999)")
    assert s[1] == s[2] == s[5] == 0.0 and s[14] > 1.5
    assert value("print series_outliers(dynamic([]))") == []
    assert value("print series_outliers(dynamic([5]))") == [0.0]
    assert value("print series_outliers(dynamic([1,1,1,1,1]))") == [0.0] * 5


def test_outliers_bad_arguments():
    assert "'tukey' or 'ctukey'" in error("print series_outliers(dynamic([1]), 'foo')")
    assert "[2.0, 98.0]" in error("print series_outliers(dynamic([1]), 'ctukey', 0, 1, 90)")
    assert "below max_percentile" in error("print series_outliers(dynamic([1]), 'ctukey', 0, 80, 20)")


# ------------------------------------------------------------------ decomposition

def test_decompose_components_follow_the_documented_order():
    cols, rows = table("print y=dynamic([10, 20, 10, 20, 10, 20, 10, 20, 10, 20, 10, 20, 10, 20, 10, 20, 100, 20]) "
                       "| extend series_decompose(y, 2)")
    assert cols == ["y", "series_decompose_y_baseline", "series_decompose_y_seasonal",
                    "series_decompose_y_trend", "series_decompose_y_residual"]
    y, baseline, seasonal, trend, residual = rows[0]
    assert seasonal == [10.0, 20.0] * 9                         # per-phase medians
    assert trend == [5.0] * 18                                  # avg of the deseasoned series
    assert baseline == [a + b for a, b in zip(seasonal, trend)]
    assert residual == [v - b for v, b in zip(y, baseline)]


def test_decompose_trend_options_and_no_seasonality():
    d = value("print series_decompose_dynamic_is_not_a_function=1, "
              "d=series_decompose(dynamic([1, 2, 3, 4, 5, 6]), 0, 'linefit')")
    assert close(d["trend"], [1, 2, 3, 4, 5, 6]) and close(d["residual"], [0] * 6) and d["seasonal"] == [0.0] * 6
    d = value("print d=series_decompose(dynamic([1, 2, 3]), 0, 'none')")
    assert d["baseline"] == [0.0] * 3 and d["residual"] == [1.0, 2.0, 3.0]  # documented: baseline 0, residual x
    d = value("print d=series_decompose(dynamic([2, null, 4]), 0)")
    assert d["baseline"] == [3.0] * 3 and d["residual"] == [-1.0, None, 1.0]


def test_decompose_test_points_are_not_learnt():
    d = value("print d=series_decompose(dynamic([1, 2, 3, 4, 100, 100]), 0, 'linefit', 2)")
    assert close(d["baseline"], [1, 2, 3, 4, 5, 6])


def test_decompose_bad_arguments():
    assert "trend argument" in error("print series_decompose(dynamic([1,2,3]), 1, 'bad')")
    assert "integer" in error("print series_decompose(dynamic([1,2,3]), 2.5)")
    assert "seasonality argument" in error("print series_decompose(dynamic([1,2,3]), -2)")
    assert "test_points" in error("print series_decompose(dynamic([1,2,3]), 0, 'avg', -1)")
    assert value("print d=series_decompose(dynamic([]))") == {"baseline": [], "seasonal": [], "trend": [], "residual": []}
    assert value("print d=series_decompose('abc')") is None


# A deterministic version of the pages' example: weekly seasonality, a trend, noise from a
# sine of an irrational step, and six inserted outliers.
WEEKLY = ("range t from 1 to 24*7*5 step 1 "
          "| extend y = 2*abs(sin(t*2.7183)) + iff((t/24)%7>=5, 5.0, 15.0) - (((t%24)/10)*((t%24)/10)) + t/72.0 "
          "| extend y=iff(t==150 or t==200 or t==780, y-8.0, y) "
          "| extend y=iff(t==300 or t==400 or t==600, y+8.0, y) "
          "| summarize y=make_list(y, 10000)")


def test_decompose_anomalies_find_the_inserted_outliers():
    cols, rows = table(WEEKLY + " | extend series_decompose_anomalies(y, 2.5, -1, 'linefit')")
    assert cols == ["y", "series_decompose_anomalies_y_ad_flag", "series_decompose_anomalies_y_ad_score",
                    "series_decompose_anomalies_y_baseline"]
    flags = rows[0][1]
    assert {i + 1: f for i, f in enumerate(flags) if f} == {150: -1, 200: -1, 780: -1, 300: 1, 400: 1, 600: 1}
    assert all(abs(s) <= 2.5 for i, s in enumerate(rows[0][2]) if not flags[i])


def test_decompose_anomalies_arguments():
    assert "AD_method" in error("print series_decompose_anomalies(dynamic([1,2,3]), 1.5, -1, 'avg', 0, 'x')")
    a = value("print a=series_decompose_anomalies(dynamic([1, 1, 1, 1, 1, 9, 1, 1]), 1.5, 0)")
    assert a["ad_flag"] == [0, 0, 0, 0, 0, 1, 0, 0] and a["baseline"] == [2.0] * 8


def test_decompose_forecast_continues_trend_and_season():
    f = value("print f=series_decompose_forecast(dynamic([1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0]), 3)")
    assert close(f, [float(i) for i in range(1, 12)])
    weekly = value(WEEKLY.replace("24*7*5", "24*7*4") + " | project f=series_decompose_forecast("
                   "array_concat(y, repeat(0.0, 24*7)), 24*7)")
    assert len(weekly) == 24 * 7 * 5
    # the forecast week repeats the learnt week shape plus the trend: its weekday hours are
    # about 10 above its weekend hours, as in the data
    week5 = weekly[24 * 7 * 4:]
    assert week5[24 * 2 + 3] - week5[24 * 5 + 3] > 8
    assert "points" in error("print series_decompose_forecast(dynamic([1,2]), -1)")


# ------------------------------------------------------------------ fits

def test_fit_2lines_on_two_exact_segments():
    cols, rows = table("print y=dynamic([1, 2, 3, 4, 5, 6, 2, 0, -2]) | extend series_fit_2lines(y)")
    assert cols[:6] == ["y", "series_fit_2lines_y_rsquare", "series_fit_2lines_y_split_idx",
                        "series_fit_2lines_y_variance", "series_fit_2lines_y_rvariance", "series_fit_2lines_y_line_fit"]
    assert len(cols) == 16
    r = dict(zip(cols, rows[0]))
    assert close(r["series_fit_2lines_y_rsquare"], 1.0) and r["series_fit_2lines_y_split_idx"] == 6
    assert close(r["series_fit_2lines_y_left_slope"], 1.0) and close(r["series_fit_2lines_y_right_slope"], -2.0)
    assert close(r["series_fit_2lines_y_line_fit"], [1, 2, 3, 4, 5, 6, 2, 0, -2])
    d = value("print d=series_fit_2lines_dynamic(dynamic([1, 2, 3, 4, 5, 6, 2, 0, -2]))")
    assert set(d) == {"rsquare", "split_idx", "variance", "rvariance", "line_fit", "right", "left"}
    assert close(d["left"]["interception"], 0.0) and close(d["right"]["interception"], 16.0)


def test_fit_2lines_tuple_names_and_short_series():
    cols, rows = table("print y=dynamic([1, 2.2, 2.5, 4.7, 5.0, 12, 10.3, 10.3, 9, 8.3, 6.2]) "
                       "| extend (RSquare2, SplitIdx) = series_fit_2lines(y) | project RSquare2, SplitIdx")
    assert cols == ["RSquare2", "SplitIdx"] and rows[0][0] > 0.9
    assert value("print d=series_fit_2lines_dynamic(dynamic([1, 2, 3]))") is None
    assert value("print d=series_fit_2lines_dynamic(dynamic([]))") is None


def test_fit_poly():
    cols, rows = table("print y=dynamic([2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30]) "
                       "| extend series_fit_poly(y), series_fit_line(y)")
    r = dict(zip(cols, rows[0]))
    assert close(r["series_fit_poly_y_coefficients"], [2.730769230769231, -1.6666666666666679], 1e-9)
    assert close(r["series_fit_poly_y_poly_fit"], r["series_fit_line_y_line_fit"], 1e-9)  # degree 1 is fit_line
    assert close(r["series_fit_poly_y_rsquare"], 0.982900730884447)
    p = value("print p=series_fit_poly(dynamic([6, 11, 18, 27]), dynamic([1, 2, 3, 4]), 2)")
    assert close(p["coefficients"], [1.0, 2.0, 3.0]) and close(p["rsquare"], 1.0)
    assert value("print p=series_fit_poly(dynamic([1, 2]), dynamic([1, 2]), 2)") is None  # too few points
    assert "degree" in error("print series_fit_poly(dynamic([1,2,3]), dynamic([1,2,3]), 0)")
    assert "differ in length" in error("print series_fit_poly(dynamic([1,2]), dynamic([1]), 1)")


def test_errors_reach_the_cli_as_kusto_errors(run_kshell):
    code, out, err = run_kshell("print series_decompose(dynamic([1, 2, 3, 4]), 0, 'linefit')\n\n"
                                "print series_outliers(dynamic([1]), 'nope')\n")
    assert code != 0 and "Traceback" not in err and "'tukey' or 'ctukey'" in err
    assert "series_decompose_Column1_baseline" in out or "series_decompose__baseline" in out


# ------------------------------------------------------------------ several-column forms

def test_several_columns_are_typed_and_named_as_documented():
    r = run("print x=dynamic([1, 2, 3]) | project series_stats(x)")
    assert [(c.name, c.type) for c in r.columns][:2] == [("series_stats_x_min", "real"), ("series_stats_x_min_idx", "long")]
    r = run("print x=dynamic([1, 2, 3]) | project series_fit_2lines(dynamic([1, 2, 3, 4, 5]))")
    assert (r.columns[1].name, r.columns[1].type) == ("series_fit_2lines__split_idx", "long")
    # a column not named by the argument leaves its part empty (series-fit-poly-function.md's
    # series_stats__min)
    assert run("print t=dynamic([1, 2]) | project series_stats(series_add(t, 0))").columns[0].name == "series_stats__min"


def test_tuple_of_fewer_names_extend_keeps_those_project_adds_the_rest():
    # series-stats-function.md: with fewer names, extend shows only those columns;
    # series-fit-2lines-function.md: project names the rest by default
    cols, _ = table("print x=dynamic([1, 2, 3]) | extend (mn, mi) = series_stats(x)")
    assert cols == ["x", "mn", "mi"]
    cols, _ = table("print x=dynamic([1, 2, 3, 4, 5]) | project (rs, si, v) = series_fit_2lines(x)")
    assert cols[:4] == ["rs", "si", "v", "series_fit_2lines_x_rvariance"] and len(cols) == 15


def test_fits_and_stats_with_missing_values():
    d = value("print d=series_fit_line_dynamic(dynamic([1, null, 3, 4]))")
    assert close(d["line_fit"], [1.0, 2.0, 3.0, 4.0]) and close(d["slope"], 1.0)  # the gap keeps positions
    st = value("print s=series_stats_dynamic(dynamic([1, null, 3]))")
    assert st["min"] is None and st["sum"] is None and st["len"] == 3  # non-finite -> null by default
    st = value("print s=series_stats_dynamic(dynamic([1, null, 3]), true)")
    assert st["min"] == 1.0 and st["max_idx"] == 2 and st["sum"] == 4.0


def test_nan_and_infinity_are_missing_values():
    d = value("print d=series_decompose(dynamic([1, 2, real(nan), 2, 1, 2, 1, real(inf), 1, 2]), 2)")
    assert d["seasonal"] == [1.0, 2.0] * 5 and d["residual"][2] is None and d["residual"][7] is None
    assert value("print s=series_seasonal(dynamic([1, 2, real(nan), 2, 1, 2]), 2)") == [1.0, 2.0] * 3


def test_a_period_longer_than_the_series():
    assert value("print s=series_seasonal(dynamic([1, 2, 3]), 1000000000000)") == [1.0, 2.0, 3.0]
    d = value("print d=series_decompose(dynamic([1, 2, 3]), 1000000000000, 'avg', 5)")
    assert d["baseline"] == [0.0, 0.0, 0.0]  # nothing learnt: every point is a test point


def test_fit_2lines_search_agrees_with_refitting_every_split():
    from kshell.query.functions_series_fit import _segment, fit_2lines
    for seed in range(20):
        ys = [((i * 7919 + seed * 104729) % 97) / 7.0 + (i if i < 6 + seed % 5 else -i) for i in range(14)]
        pts = [(float(i + 1), y) for i, y in enumerate(ys)]
        xs = [x for x, _ in pts]
        brute = min(range(2, len(ys) - 1),
                    key=lambda k: _segment(xs[:k], ys[:k])["_sse"] + _segment(xs[k:], ys[k:])["_sse"])
        assert fit_2lines(pts, len(ys))["split_idx"] == brute


def test_a_constant_series_has_no_period_and_no_anomaly():
    _cols, rows = table("print p=series_periods_detect(repeat(5, 100), 4, 50, 2), "
                        "v=series_periods_validate(repeat(5, 100), 10), "
                        "a=series_decompose_anomalies(repeat(5, 30))")
    p, v, a = rows[0]
    assert p == {"periods": [0, 0], "periods_scores": [0.0, 0.0]} and v["scores"] == [0.0]
    assert a["ad_flag"] == [0] * 30 and a["baseline"] == [5.0] * 30


def test_a_tuple_of_more_names_than_columns_is_an_error():
    assert "produces 7" in error("print x=dynamic([1, 2]) | extend (a, b, c, d, e, f, g, h) = series_stats(x)")
