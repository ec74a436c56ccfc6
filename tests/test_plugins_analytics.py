"""The user-analytics and sequence plugins (kshell.query.plugins_analytics, plugins_sequence):
the docs' worked examples, their definitions on small data, and errors for bad calls."""

from __future__ import annotations

import math

import pytest

from kshell.errors import KustoError
from query_support import D, TS, check, run

USERS = """let Users = datatable(Timestamp:datetime, user:long)[
 datetime(2019-11-01),0, datetime(2019-11-01),2, datetime(2019-11-01),3, datetime(2019-11-01),4,
 datetime(2019-11-02),0, datetime(2019-11-02),1, datetime(2019-11-02),3, datetime(2019-11-02),4, datetime(2019-11-02),5,
 datetime(2019-11-03),0, datetime(2019-11-03),2, datetime(2019-11-03),4, datetime(2019-11-03),5,
 datetime(2019-11-04),0, datetime(2019-11-04),1, datetime(2019-11-04),2, datetime(2019-11-04),3,
 datetime(2019-11-05),0, datetime(2019-11-05),1, datetime(2019-11-05),2, datetime(2019-11-05),3, datetime(2019-11-05),4];
let StartDate = datetime(2019-11-01 00:00:00);
let EndDate = datetime(2019-11-07 00:00:00);
"""


# ------------------------------------------------------------------ new_activity_metrics

def test_new_activity_metrics_gives_the_docs_worked_example():
    """The docs page's table R=1..11 (users per day as the page lists them)."""
    check(USERS + """Users
| evaluate new_activity_metrics(user, Timestamp, StartDate, EndDate-1tick, 1d)
| where from_Timestamp < datetime(2019-11-03 00:00:00.0000000)""",
          "from_Timestamp:datetime, to_Timestamp:datetime, dcount_new_values:long, dcount_retained_values:long, "
          "dcount_churn_values:real, retention_rate:real, churn_rate:real",
          [[D("2019-11-01"), D("2019-11-01"), 4, 4, 0, 1, 0],
           [D("2019-11-01"), D("2019-11-02"), 2, 3, 1, 0.75, 0.25],
           [D("2019-11-01"), D("2019-11-03"), 1, 3, 1, 0.75, 0.25],
           [D("2019-11-01"), D("2019-11-04"), 1, 3, 1, 0.75, 0.25],
           [D("2019-11-01"), D("2019-11-05"), 1, 4, 0, 1, 0],
           [D("2019-11-01"), D("2019-11-06"), 0, 0, 4, 0, 1],
           [D("2019-11-02"), D("2019-11-02"), 2, 2, 0, 1, 0],
           [D("2019-11-02"), D("2019-11-03"), 0, 1, 1, 0.5, 0.5],
           [D("2019-11-02"), D("2019-11-04"), 0, 1, 1, 0.5, 0.5],
           [D("2019-11-02"), D("2019-11-05"), 0, 1, 1, 0.5, 0.5],
           [D("2019-11-02"), D("2019-11-06"), 0, 0, 2, 0, 1]])


def test_new_activity_metrics_one_cohort_and_a_lookback_table():
    r = run(USERS + """let before = datatable(user:long)[0, 2];
Users | evaluate new_activity_metrics(user, Timestamp, StartDate, EndDate-1tick, 1d, StartDate, before)
| project to_Timestamp, dcount_retained_values, retention_rate""")
    # the cohort of 11/1 without the lookback's users 0 and 2: {3, 4}
    assert r.rows[:3] == [[D("2019-11-01"), 2, 1.0], [D("2019-11-02"), 2, 1.0], [D("2019-11-03"), 1, 0.5]]
    assert len(r.rows) == 6  # one cohort, six periods


def test_new_activity_metrics_dimensions_slice_the_cohorts():
    r = run(USERS + """Users | extend even = user % 2 == 0
| evaluate new_activity_metrics(user, Timestamp, StartDate, EndDate-1tick, 1d, even)
| where from_Timestamp == to_Timestamp and from_Timestamp == StartDate | project even, dcount_new_values""")
    assert sorted(r.rows) == [[False, 1], [True, 3]]


# ------------------------------------------------------------------ activity_metrics

def test_activity_metrics_compares_each_window_with_the_previous_one():
    r = run("""datatable(id:long, t:datetime)[1, datetime(2020-01-01), 2, datetime(2020-01-02), 3, datetime(2020-01-03),
 1, datetime(2020-01-08), 2, datetime(2020-01-09), 4, datetime(2020-01-10), 4, datetime(2020-01-15)]
| evaluate activity_metrics(id, t, datetime(2020-01-01), datetime(2020-01-21), 7d)""")
    assert [c.name for c in r.columns] == ["t", "dcount_values", "dcount_newvalues", "retention_rate", "churn_rate"]
    first, second, third = r.rows
    assert first[:3] == [D("2020-01-01"), 3, 3] and math.isnan(first[3]) and math.isnan(first[4])
    # week 2: {1, 2, 4}; 1 and 2 returned out of the 3 of week 1
    assert second == [D("2020-01-08"), 3, 1, pytest.approx(2 / 3), pytest.approx(1 / 3)]
    # week 3: {4}; 1 of week 2's 3 returned; retention + churn = 1
    assert third == [D("2020-01-15"), 1, 0, pytest.approx(1 / 3), pytest.approx(2 / 3)]


def test_activity_metrics_calendar_month_windows_and_dimensions():
    r = run("""datatable(id:string, t:datetime, g:string)["a", datetime(2020-01-05), "x", "a", datetime(2020-02-07), "x",
 "b", datetime(2020-02-08), "y"]
| evaluate activity_metrics(id, t, datetime(2020-01-01), datetime(2020-02-29), 'month', g)""")
    got = {(row[0], row[-1]): row[1:3] for row in r.rows}
    assert got[(D("2020-01-01"), "x")] == [1, 1] and got[(D("2020-02-01"), "x")] == [1, 0]
    assert got[(D("2020-02-01"), "y")] == [1, 1]


# ------------------------------------------------------------------ activity_engagement

def test_activity_engagement_daily_over_weekly():
    r = run("""range day from datetime(2020-01-01) to datetime(2020-01-10) step 1d
| extend id = range(0, 1, 1) | mv-expand id to typeof(long) | extend id = id + tolong((day - datetime(2020-01-01)) / 1d)
| evaluate activity_engagement(id, day, datetime(2020-01-01), datetime(2020-01-10), 1d, 7d)""")
    assert [c.name for c in r.columns] == ["day", "dcount_activities_inner", "dcount_activities_outer",
                                           "activity_ratio"]
    # each day: ids d and d+1; the 7 days up to day d: ids d-6 .. d+1
    assert r.rows[0] == [D("2020-01-01"), 2, 2, 1.0]
    assert r.rows[9] == [D("2020-01-10"), 2, 8, 0.25]


def test_activity_engagement_without_start_and_end_uses_the_data():
    r = run("""datatable(id:long, t:datetime, k:string)[1, datetime(2020-01-01 05:00), "a", 2, datetime(2020-01-02), "a"]
| evaluate activity_engagement(id, t, 1d, 2d, k)""")
    assert r.rows == [[D("2020-01-01"), 1, 1, 1.0, "a"], [D("2020-01-02"), 1, 2, 0.5, "a"]]


# ------------------------------------------------------------------ session_count

def test_session_count_counts_the_sessions_starting_in_each_bin():
    r = run("""datatable(id:long, t:long)[1, 1, 1, 3, 1, 20, 2, 5, 2, 15, 3, 12, 3, 16]
| evaluate session_count(id, t, 0, 30, 10, 5)""")
    assert [(c.name, c.type) for c in r.columns] == [("t", "long"), ("count_sessions", "long")]
    # id 1: sessions from 1 (3 goes on) and from 20; id 2: from 5 and from 15 (gap 10 > 5);
    # id 3: one session from 12 (16 goes on, in the same bin or not)
    assert r.rows == [[0, 2], [10, 2], [20, 1]]


def test_session_count_bins_are_multiples_of_the_bin_up_to_end_excluded():
    r = run("datatable(id:long, t:long)[1, 7, 2, 25] | evaluate session_count(id, t, 5, 30, 10, 1)")
    assert r.rows == [[0, 1], [10, 0], [20, 1]]


def test_session_count_gives_the_docs_chart():
    """The page shows its example as a chart: 100 points from 0 to 9900, about 57 sessions
    at 0, then between 18 and 23, the highest (23) at 3600."""
    r = run("""let _data = range Timeline from 1 to 9999 step 1
    | extend __key = 1
    | join kind=inner (range Id from 1 to 50 step 1 | extend __key=1) on __key
    | where Timeline % Id == 0
    | project Timeline, Id;
_data | evaluate session_count(Id, Timeline, 1, 10000, 100, 41)""")
    assert [row[0] for row in r.rows] == list(range(0, 10000, 100))
    counts = [row[1] for row in r.rows]
    assert counts[0] == 58 and min(counts[1:]) == 18 and max(counts[1:]) == 23
    assert r.rows[counts.index(23)][0] == 3600
    assert counts[1:9] == [18, 19, 20, 19, 20, 19, 21, 18]  # the chart's first steps


# ------------------------------------------------------------------ funnel_sequence

EVENTS = """let E = datatable(Id:long, T:datetime, S:string)[
 1, datetime(2007-01-01 01:00), "Hail", 1, datetime(2007-01-01 01:30), "Tornado", 1, datetime(2007-01-01 02:00), "Hail",
 2, datetime(2007-01-02 01:00), "Tornado", 2, datetime(2007-01-02 05:00), "Thunderstorm Wind",
 3, datetime(2007-01-03 01:00), "Hail", 3, datetime(2007-01-03 03:00), "Flood", 3, datetime(2007-01-03 04:00), "Tornado",
 3, datetime(2007-01-03 06:00), "Thunderstorm Wind", 4, datetime(2007-01-04), "Tornado"];
"""


FUNNEL = ("E | evaluate funnel_sequence(Id, T, datetime(2007-01-01), datetime(2008-01-01), {step}, 365d, S, "
          "dynamic(['Tornado']))")


def funnel_tables(step: str):
    from kshell.engine.session import Session
    from query_support import NOW

    return Session(now=NOW).execute(EVENTS + FUNNEL.format(step=step))


def test_funnel_sequence_returns_the_three_documented_tables():
    both, before, after = funnel_tables("1d")
    assert [(c.name, c.type) for c in both.columns] == [("T", "datetime"), ("prev", "string"), ("next", "string"),
                                                        ("dcount", "long"), ("samples", "dynamic")]
    assert both.rows == [[D("2007-01-01"), "", "", 1, [4]],
                         [D("2007-01-01"), "", "Thunderstorm Wind", 1, [2]],
                         [D("2007-01-01"), "Flood", "Thunderstorm Wind", 1, [3]],
                         [D("2007-01-01"), "Hail", "Hail", 1, [1]]]
    assert [c.name for c in before.columns] == ["T", "prev", "dcount", "samples"]
    assert before.rows == [[D("2007-01-01"), "", 2, [2, 4]], [D("2007-01-01"), "Flood", 1, [3]],
                           [D("2007-01-01"), "Hail", 1, [1]]]
    assert [c.name for c in after.columns] == ["T", "next", "dcount", "samples"]
    assert after.rows == [[D("2007-01-01"), "Thunderstorm Wind", 2, [2, 3]], [D("2007-01-01"), "", 1, [4]],
                          [D("2007-01-01"), "Hail", 1, [1]]]


def test_an_operator_after_funnel_sequence_works_on_the_first_table():
    r = run(EVENTS + FUNNEL.format(step="1d") + " | summarize sum(dcount) by next")
    assert sorted(r.rows) == [["", 1], ["Hail", 1], ["Thunderstorm Wind", 2]]
    from kshell.engine.session import Session
    from query_support import NOW

    # `where` keeping every row hands its input on: still one table
    out = Session(now=NOW).execute(EVENTS + FUNNEL.format(step="1d") + " | where dcount > 0")
    assert len(out) == 1 and len(out[0].rows) == 4


def test_funnel_sequence_step_window_limits_prev_and_next():
    both = funnel_tables("1h")[0]
    # id 3's Flood is 1h before its Tornado (kept); its Thunderstorm Wind 2h after (dropped)
    assert sorted(row[1:4] for row in both.rows) == [["", "", 2], ["Flood", "", 1], ["Hail", "Hail", 1]]


def test_funnel_sequence_tables_in_the_shell(run_kshell):
    rc, out, err = run_kshell(EVENTS.replace("\n", " ") + FUNNEL.format(step="1d") + "\n", "--format", "csv")
    assert rc == 0, err
    assert out.count("dcount,samples") == 3


def test_funnel_sequence_completion_per_period():
    check(EVENTS + "E | evaluate funnel_sequence_completion(Id, T, datetime(2007-01-01), datetime(2008-01-01), 365d, "
                   "S, dynamic(['Hail', 'Tornado', 'Thunderstorm Wind']), dynamic([1h, 4h, 1d]))",
          "T:datetime, S:string, Period:timespan, dcount:long",
          [[D("2007-01-01"), "Hail", TS(hours=1), 2], [D("2007-01-01"), "Tornado", TS(hours=1), 1],
           [D("2007-01-01"), "Thunderstorm Wind", TS(hours=1), 0],
           [D("2007-01-01"), "Hail", TS(hours=4), 2], [D("2007-01-01"), "Tornado", TS(hours=4), 2],
           [D("2007-01-01"), "Thunderstorm Wind", TS(hours=4), 0],
           [D("2007-01-01"), "Hail", TS(days=1), 2], [D("2007-01-01"), "Tornado", TS(days=1), 2],
           [D("2007-01-01"), "Thunderstorm Wind", TS(days=1), 1]])


# ------------------------------------------------------------------ sequence_detect

def test_sequence_detect_reports_every_occurrence_like_the_docs_example():
    check("""datatable(State:string, StartTime:datetime, EventType:string)[
 "CALIFORNIA", datetime(2007-05-08 00:00), "Excessive Heat", "CALIFORNIA", datetime(2007-05-08 16:02), "Wildfire",
 "CALIFORNIA", datetime(2007-05-10 11:30), "Wildfire", "CALIFORNIA", datetime(2007-05-20 11:30), "Wildfire",
 "CALIFORNIA", datetime(2007-08-31 08:00), "Excessive Heat", "CALIFORNIA", datetime(2007-09-01 11:28), "Wildfire",
 "CALIFORNIA", datetime(2007-09-02 12:00), "Excessive Heat", "CALIFORNIA", datetime(2007-09-02 13:30), "Wildfire",
 "TEXAS", datetime(2007-08-10 08:00), "Excessive Heat", "TEXAS", datetime(2007-08-11 13:56), "Wildfire"]
| evaluate sequence_detect(StartTime, 5d, 5d, heat=(EventType == "Excessive Heat"),
                           wildfire=(EventType == 'Wildfire'), State)""",
          "State:string, heat_StartTime:datetime, wildfire_StartTime:datetime, Duration:timespan",
          [["CALIFORNIA", D("2007-05-08T00:00"), D("2007-05-08T16:02"), TS(hours=16, minutes=2)],
           ["CALIFORNIA", D("2007-05-08T00:00"), D("2007-05-10T11:30"), TS(days=2, hours=11, minutes=30)],
           ["TEXAS", D("2007-08-10T08:00"), D("2007-08-11T13:56"), TS(days=1, hours=5, minutes=56)],
           ["CALIFORNIA", D("2007-08-31T08:00"), D("2007-09-01T11:28"), TS(days=1, hours=3, minutes=28)],
           ["CALIFORNIA", D("2007-08-31T08:00"), D("2007-09-02T13:30"), TS(days=2, hours=5, minutes=30)],
           ["CALIFORNIA", D("2007-09-02T12:00"), D("2007-09-02T13:30"), TS(hours=1, minutes=30)]])


def test_sequence_detect_span_limit():
    r = run("""datatable(t:datetime, e:string)[datetime(2020-01-01 00:00), "a", datetime(2020-01-01 00:09), "b",
 datetime(2020-01-01 00:18), "c"]
| evaluate sequence_detect(t, 10m, 15m, x=(e == "a"), y=(e == "b"), z=(e == "c"))""")
    assert r.rows == []  # every step within 10m, but the whole takes 18m


# ------------------------------------------------------------------ empty input, nulls, errors

@pytest.mark.parametrize("call", [
    "session_count(id, t, datetime(2020-01-01), datetime(2020-01-03), 1d, 1h)",
    "activity_metrics(id, t, datetime(2020-01-01), datetime(2020-01-03), 1d)",
    "activity_engagement(id, t, datetime(2020-01-01), datetime(2020-01-03), 1d, 2d)",
    "new_activity_metrics(id, t, datetime(2020-01-01), datetime(2020-01-03), 1d)",
    "funnel_sequence(id, t, datetime(2020-01-01), datetime(2020-01-03), 1d, 1d, s, dynamic(['a']))",
    "funnel_sequence_completion(id, t, datetime(2020-01-01), datetime(2020-01-03), 1d, s, dynamic(['a']), dynamic([1h]))",
    "sequence_detect(t, 1h, 1h, a=(s == 'a'), b=(s == 'b'))",
])
def test_empty_input_and_null_rows_give_a_table(call):
    empty = run(f"datatable(id:long, t:datetime, s:string)[] | evaluate {call}")
    nulls = run(f"datatable(id:long, t:datetime, s:string)[long(null), datetime(null), ''] | evaluate {call}")
    assert [c.name for c in empty.columns] == [c.name for c in nulls.columns]
    for r in (empty, nulls):  # zero counts where the plugin lists every period, no rows otherwise
        assert all(v in (0, 0.0) or v is None or (isinstance(v, float) and math.isnan(v))
                   for row in r.rows for v in row if isinstance(v, (int, float)))


@pytest.mark.parametrize("call, message", [
    ("session_count(id, t)", "expects at least 6 arguments"),
    ("session_count(nope, t, 1, 2, 3, 4)", "IdColumn must be a column"),
    ("activity_metrics(id, t, datetime(2020-01-01), datetime(2020-02-01), 'fortnight')", "'week', 'month' or 'year'"),
    ("activity_metrics(id, t, datetime(2020-01-01), datetime(2020-02-01), 7)", "does not fit the type"),
    ("activity_engagement(id, t, 1d)", "expects at least 4 arguments"),
    ("activity_engagement(id, t, 1d, s)", "InnerActivityWindow and OuterActivityWindow"),
    ("new_activity_metrics(id, t, datetime(2020-01-01), datetime(2020-02-01), 1d, datetime(2021-01-01))",
     "Cohort is outside"),
    ("funnel_sequence(id, t, datetime(2020-01-01), datetime(2020-02-01), 1d, 1d, s, 'a')", "dynamic array"),
    ("funnel_sequence_completion(id, t, datetime(2020-01-01), datetime(2020-02-01), 1d, s, dynamic(['a']), dynamic([]))",
     "MaxSequenceStepWindows"),
    ("sequence_detect(t, 1h, 1h, a=(s == 'a'))", "at least two step predicates"),
    ("activity_metrics(id, t, datetime(2020-01-01), datetime(2020-02-01), -1d)", "must be positive"),
])
def test_bad_calls_are_kusto_errors(call, message):
    with pytest.raises(KustoError, match=message):
        run(f"datatable(id:long, t:datetime, s:string)[1, datetime(2020-01-01), 'a'] | evaluate {call}")


def test_a_bad_call_in_the_shell_prints_an_error_not_a_traceback(run_kshell):
    rc, out, err = run_kshell("print id=1, t=now() | evaluate activity_metrics(id, t, 'fortnight')\n")
    assert rc != 0 and "SemanticError" in err and "Traceback" not in err + out


@pytest.mark.parametrize("call, message", [
    ("sequence_detect(t, 10, 10, x=(s == 'a'), y=(s == 'b'))", "MaxSequenceStepWindow must be a timespan"),
    ("sequence_detect(n, 1h, 1h, x=(s == 'a'), y=(s == 'b'))", "MaxSequenceStepWindow must be a number"),
    ("sequence_detect(s, 1h, 1h, x=(s == 'a'), y=(s == 'b'))", "TimelineColumn must be a datetime"),
    ("funnel_sequence(id, t, datetime(2020-01-01), datetime(2020-02-01), 5, 1d, s, dynamic(['a']))",
     "MaxSequenceStepWindow must be a timespan"),
    ("session_count(id, t, datetime(2020-01-01), datetime(2020-02-01), 1d, 5)", "LookBackWindow must be a timespan"),
    ("session_count(id, t, 0, 10, 1, 1)", "does not fit the TimelineColumn's type"),
    ("funnel_sequence_completion(id, n, 0, 10, 1, s, dynamic(['a']), dynamic([1h]))", "must be a number"),
    ("activity_metrics(id, t, datetime(null), datetime(2020-01-01), 1d)", "must not be null"),
    ("new_activity_metrics(id, n, datetime(2020-01-01), datetime(2020-02-01), 1d)", "does not fit"),
])
def test_windows_must_fit_the_timeline(call, message):
    with pytest.raises(KustoError, match=message):
        run(f"datatable(id:long, t:datetime, s:string, n:long)[1, datetime(2020-01-01), 'a', 5] | evaluate {call}")


def test_odd_arguments_never_raise_a_python_error():
    """Every plugin with each argument replaced by values of other types: a result or a Kusto error."""
    calls = {
        "session_count": ["id", "t", "datetime(2020-01-01)", "datetime(2020-01-05)", "1d", "1h"],
        "activity_metrics": ["id", "t", "datetime(2020-01-01)", "datetime(2020-01-05)", "1d"],
        "activity_engagement": ["id", "t", "datetime(2020-01-01)", "datetime(2020-01-05)", "1d", "2d"],
        "new_activity_metrics": ["id", "t", "datetime(2020-01-01)", "datetime(2020-01-05)", "1d"],
        "funnel_sequence": ["id", "t", "datetime(2020-01-01)", "datetime(2020-01-05)", "1d", "1d", "s",
                            "dynamic(['a'])"],
        "funnel_sequence_completion": ["id", "t", "datetime(2020-01-01)", "datetime(2020-01-05)", "1d", "s",
                                       "dynamic(['a'])", "dynamic([1h])"],
        "sequence_detect": ["t", "1h", "1h", "x=(s == 'a')", "y=(s == 'b')"],
        "basket": ["0.1", "'~'", "2"],
        "autocluster": ["0.5", "'~'", "5"],
        "diffpatterns": ["s", "'a'", "'b'", "'~'", "0.1"],
        "diffpatterns_text": ["s", "id > 0", "1", "0.1", "5"],
    }
    odd = ["''", "-1", "0", "1.5", "dynamic(null)", "dynamic({})", "datetime(null)", "0d", "'week'", "n", "id"]
    data = ("datatable(id:long, t:datetime, s:string, n:long)[1, datetime(2020-01-01), 'a', 5, "
            "2, datetime(2020-01-02), 'b', long(null), 1, datetime(null), '', 7]")
    for name, args in calls.items():
        for i in range(len(args)):
            for value in odd:
                call = ", ".join(args[:i] + [value] + args[i + 1:])
                try:
                    run(f"{data} | evaluate {name}({call})")
                except KustoError:
                    pass
