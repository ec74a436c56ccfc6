"""Issue 19: datetimes and timespans count 100 ns ticks (kshell.ticks), end to end.

scalar-data-types/datetime.md and timespan.md: both types count 100-nanosecond ticks, and
their text has seven fractional digits.  Each case names the page whose rule or printed
output it follows; they run through `python -m kshell --format json` (the JSON output trims
trailing zeros of the fraction, so 23:59:59.9999999 shows all seven digits).
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import run_kshell
from test_query_fixes_core import Case, check_case, run_cases

CASES: dict[str, Case] = {
    "endofday_is_one_tick_before_midnight": Case(
        "endofday-function.md: the end of the day is 23:59:59.9999999 (one tick before the next)",
        "range offset from -1 to 1 step 1 | project dayEnd = endofday(datetime(2017-01-01 10:10:17), offset)",
        ["dayEnd:datetime"],
        [["2016-12-31T23:59:59.9999999Z"], ["2017-01-01T23:59:59.9999999Z"], ["2017-01-02T23:59:59.9999999Z"]]),
    "endof_week_month_year": Case(
        "endofweek/endofmonth/endofyear-function.md: each period ends one tick before the next",
        "print w = endofweek(datetime(2017-01-01)), m = endofmonth(datetime(2017-01-01)), "
        "y = endofyear(datetime(2017-01-01))",
        ["w:datetime", "m:datetime", "y:datetime"],
        [["2017-01-07T23:59:59.9999999Z", "2017-01-31T23:59:59.9999999Z", "2017-12-31T23:59:59.9999999Z"]]),
    "make_datetime_seven_digits": Case(
        "make-datetime-function.md: make_datetime(2017,10,01,12,11,0.1234567) is "
        "2017-10-01 12:11:00.1234567",
        "print d = make_datetime(2017,10,01,12,11,0.1234567)",
        ["d:datetime"],
        [["2017-10-01T12:11:00.1234567Z"]]),
    "datetime_diff_to_nanoseconds": Case(
        "datetime-diff-function.md: the page's example, microsecond 100 and nanosecond -700 "
        "between values that differ below a microsecond",
        "print millisecond = datetime_diff('millisecond', datetime(2017-10-30 23:00:00.200100), "
        "datetime(2017-10-30 23:00:00.100900)), microsecond = datetime_diff('microsecond', "
        "datetime(2017-10-30 23:00:00.1009001), datetime(2017-10-30 23:00:00.1008009)), "
        "nanosecond = datetime_diff('nanosecond', datetime(2017-10-30 23:00:00.0000000), "
        "datetime(2017-10-30 23:00:00.0000007))",
        ["millisecond:long", "microsecond:long", "nanosecond:long"],
        [[100, 100, -700]]),
    "datetime_part_sub_second": Case(
        "datetime-part-function.md: 01:02:03.7654321 has millisecond 765, microsecond 765432 and "
        "nanosecond 765432100",
        "let dt = datetime(2017-10-30 01:02:03.7654321); print ms = datetime_part('millisecond', dt), "
        "us = datetime_part('microsecond', dt), ns = datetime_part('nanosecond', dt)",
        ["ms:int", "us:int", "ns:int"],
        [[765, 765432, 765432100]]),
    "tick_arithmetic": Case(
        "scalar-data-types/timespan.md: 1tick is 100 ns; datetime and timespan arithmetic keeps "
        "every tick",
        "print a = datetime(2020-01-01) + 1tick, b = datetime(2020-01-01) - datetime(2019-12-31 23:59:59.9999999), "
        "c = 3 * 1tick, d = 1h / 7, e = 1tick / 1tick, f = -1tick, g = tolong(1tick), h = totimespan(1)",
        ["a:datetime", "b:timespan", "c:timespan", "d:timespan", "e:real", "f:timespan", "g:long", "h:timespan"],
        [["2020-01-01T00:00:00.0000001Z", "00:00:00.0000001", "00:00:00.0000003", "00:08:34.2857143", 1.0,
          "-00:00:00.0000001", 1, "00:00:00.0000001"]]),
    "tick_text_and_dynamic": Case(
        "scalar-data-types/datetime.md: the text of a datetime has seven fractional digits "
        "(tostring, and inside dynamic values)",
        "print s = tostring(datetime(2020-01-01 10:11:12.1234567)), t = tostring(1tick), "
        "d = dynamic([datetime(2020-01-01 00:00:00.0000001)]), "
        "f = format_datetime(datetime(2020-01-01 10:11:12.1234567), 'fffffff'), "
        "p = todatetime('2020-01-01T00:00:00.1234567Z') == datetime(2020-01-01 00:00:00.1234567)",
        ["s:string", "t:string", "d:dynamic", "f:string", "p:bool"],
        [["2020-01-01T10:11:12.1234567Z", "00:00:00.0000001", ["2020-01-01T00:00:00.0000001Z"], "1234567", True]]),
    "ticks_in_comparisons_and_groups": Case(
        "scalar-data-types/datetime.md: values one tick apart are different values (sort, "
        "distinct, bin)",
        "datatable(t:datetime)[datetime(2020-01-01 00:00:00.0000002), datetime(2020-01-01 00:00:00.0000001), "
        "datetime(2020-01-01 00:00:00.0000001)] | summarize n = count() by t, b = bin(t, 2tick) | sort by t asc",
        ["t:datetime", "b:datetime", "n:long"],
        [["2020-01-01T00:00:00.0000001Z", "2020-01-01T00:00:00Z", 2],
         ["2020-01-01T00:00:00.0000002Z", "2020-01-01T00:00:00.0000002Z", 1]]),
    "aggregates_of_ticks": Case(
        "scalar-data-types/timespan.md: sums, averages and extremes of timespans count ticks "
        "(avg of 1, 2 and 4 ticks is 2 ticks, rounded)",
        "datatable(t:timespan)[1tick, 2tick, 4tick] | summarize avg(t), sum(t), max(t), min(t)",
        ["avg_t:timespan", "sum_t:timespan", "max_t:timespan", "min_t:timespan"],
        [["00:00:00.0000002", "00:00:00.0000007", "00:00:00.0000004", "00:00:00.0000001"]]),
    "hash_of_datetime_uses_ticks": Case(
        "hash-function.md: hash(datetime(\"2015-01-01\")) is 1380966698541616202; values a tick "
        "apart hash differently",
        'print a = hash(datetime("2015-01-01")), b = hash(datetime("2015-01-01")) != hash(datetime("2015-01-01") + 1tick)',
        ["a:long", "b:bool"],
        [[1380966698541616202, True]]),
}


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return run_cases(CASES)


@pytest.mark.parametrize("cid", list(CASES))
def test_documented_rule(results, cid):
    check_case(CASES[cid], results[cid])


def test_ticks_survive_ingestion_and_the_state_file(tmp_path):
    """scalar-data-types/datetime.md: a datetime holds 100 ns ticks; ingested text with seven
    fractional digits keeps them, in the state file too (written, then read by a new run)."""
    state = str(tmp_path / "cluster.kshell")
    script = (".create table T (t:datetime, s:timespan)\n\n"
              ".ingest inline into table T <|\n"
              "2020-01-01T00:00:00.1234567Z,00:00:00.0000001\n\n"
              ".set-or-append T <| print t = datetime(2021-01-01 00:00:00.0000009), s = 3tick\n")
    code, out, err = run_kshell(script, state)
    assert code == 0, err
    code, out, err = run_kshell("T | order by t asc | extend ts = tostring(t), ss = tostring(s)\n",
                                state, "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == [
        "t,s,ts,ss",
        "2020-01-01T00:00:00.1234567Z,00:00:00.0000001,2020-01-01T00:00:00.1234567Z,00:00:00.0000001",
        "2021-01-01T00:00:00.0000009Z,00:00:00.0000003,2021-01-01T00:00:00.0000009Z,00:00:00.0000003",
    ]
