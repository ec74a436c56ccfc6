"""The pattern plugins (kshell.query.plugins_patterns): basket, autocluster, diffpatterns,
diffpatterns_text on small data whose patterns can be counted by hand."""

from __future__ import annotations

import pytest

from kshell.errors import KustoError
from query_support import run

STORMS = """let T = datatable(State:string, EventType:string, Damage:string, DamageCrops:long)[
 "TEXAS","Hail","NO",0, "TEXAS","Hail","NO",0, "KANSAS","Hail","NO",0, "IOWA","Hail","NO",0, "IOWA","Hail","YES",5,
 "TEXAS","Thunderstorm Wind","YES",0, "KANSAS","Thunderstorm Wind","YES",10, "IOWA","Thunderstorm Wind","YES",0,
 "TEXAS","Flood","NO",0, "TEXAS","Flash Flood","YES",0, "OHIO","Hail","NO",0, "OHIO","Tornado","YES",0];
"""
HEAD = ["SegmentId", "Count", "Percent", "State", "EventType", "Damage", "DamageCrops"]


def rows_of(text: str):
    r = run(STORMS + text)
    return [c.name for c in r.columns], r.rows


# ------------------------------------------------------------------ basket

def test_basket_reports_the_closed_frequent_patterns():
    cols, rows = rows_of("T | evaluate basket(0.3)")
    assert cols == HEAD
    patterns = {tuple(r[3:]): (r[1], r[2]) for r in rows}
    # Damage=NO always has DamageCrops=0, so {NO} alone is not closed: only {NO, 0} is reported
    assert patterns[("", "", "NO", 0)] == (6, 50.0)
    assert ("", "", "NO", None) not in patterns
    assert patterns[("", "", "", 0)] == (10, 83.33)
    assert patterns[("", "Hail", "NO", 0)] == (5, 41.67)
    assert patterns[("", "Hail", "", None)] == (6, 50.0)
    # every pattern reaches the threshold (30% of 12 rows)
    assert all(r[1] >= 3.6 for r in rows)
    assert [r[0] for r in rows] == list(range(len(rows)))


def test_basket_custom_wildcards_and_max_dimensions():
    _cols, rows = rows_of("T | evaluate basket(0.3, '~', 1, '*', int(-1))")
    assert all(sum(v not in ("*", -1) for v in r[3:]) == 1 for r in rows)
    assert ["*", "*", "*", 0] in [r[3:] for r in rows]


def test_basket_weight_column():
    _cols, rows = rows_of("T | extend w = iff(State == 'OHIO', 10, 1) | evaluate basket(0.5, w)")
    # OHIO weighs 20 of 30: OHIO and DamageCrops=0 make a frequent pattern, and the weight column is no attribute
    assert any(r[3] == "OHIO" and r[1] == 20 for r in rows)
    assert all(len(r) == 7 for r in rows)


# ------------------------------------------------------------------ autocluster

def test_autocluster_finds_the_dominant_segment():
    cols, rows = rows_of("T | evaluate autocluster()")
    assert cols == HEAD
    assert rows[0][1:] == [5, 41.67, "", "Hail", "NO", 0]


def test_autocluster_custom_wildcard():
    _cols, rows = rows_of("T | evaluate autocluster(0.6, '~', '~', '*')")
    assert rows and all(r[3] == "*" or r[3] in ("TEXAS", "IOWA", "KANSAS", "OHIO") for r in rows)
    assert rows[0][3:] == ["*", "Hail", "NO", 0]


# ------------------------------------------------------------------ diffpatterns

def test_diffpatterns_ranks_patterns_by_their_difference():
    r = run(STORMS + """T | extend D = iff(Damage == "YES", 1, 0) | project-away Damage
| evaluate diffpatterns(D, "0", "1")""")
    assert [c.name for c in r.columns] == ["SegmentId", "CountA", "CountB", "PercentA", "PercentB",
                                           "PercentDiffAB", "State", "EventType", "DamageCrops"]
    assert r.rows[0] == [0, 5, 0, 83.33, 0.0, 83.33, "", "Hail", 0]
    assert r.rows[1] == [1, 0, 3, 0.0, 50.0, 50.0, "", "Thunderstorm Wind", None]
    diffs = [row[5] for row in r.rows]
    assert diffs == sorted(diffs, reverse=True) and min(diffs) >= 5
    # no reported pattern extends or generalizes another
    fixed = [{(i, v) for i, v in enumerate(row[6:]) if v not in ("", None)} for row in r.rows]
    assert not any(a <= b for i, a in enumerate(fixed) for j, b in enumerate(fixed) if i != j)


def test_diffpatterns_threshold_and_weight():
    r = run(STORMS + """T | extend D = iff(Damage == "YES", "bad", "good"), w = 2 | project-away Damage
| evaluate diffpatterns(D, "good", "bad", w, 0.6)""")
    assert [row[1:6] for row in r.rows] == [[10, 0, 83.33, 0.0, 83.33]]  # weights double the counts


# ------------------------------------------------------------------ diffpatterns_text

def test_diffpatterns_text_positional_tokens():
    r = run("""datatable(msg:string, failed:bool)[
 "disk full on node1", true, "disk full on node2", true, "disk full on node3", true,
 "backup done on node1", false, "backup done on node2", false, "backup done fast", false, "all good", false]
| evaluate diffpatterns_text(msg, failed)""")
    assert [c.name for c in r.columns] == ["Count_of_True", "Count_of_False", "Percent_of_True",
                                           "Percent_of_False", "Pattern"]
    assert r.rows[0] == [3, 0, 100.0, 0.0, "disk full on *"]
    assert [0, 3, 0.0, 75.0, "backup done *"] in r.rows
    assert r.rows[-1][2] - r.rows[-1][3] <= r.rows[0][2] - r.rows[0][3]


def test_diffpatterns_text_min_tokens():
    r = run("""datatable(msg:string, failed:bool)["a b c", true, "a b d", true, "x y z", false, "x q z", false]
| evaluate diffpatterns_text(msg, failed, 3)""")
    assert sorted(row[4] for row in r.rows) == ["a b c *", "a b d *", "x q z *", "x y z *"]
    r = run("""datatable(msg:string, failed:bool)["a b c", true, "a b d", true, "x y z", false, "x q z", false]
| evaluate diffpatterns_text(msg, failed, 2)""")
    assert sorted(row[4] for row in r.rows) == ["a b *", "x * z *"]


# ------------------------------------------------------------------ edge cases

@pytest.mark.parametrize("call", ["basket()", "autocluster()"])
def test_empty_input(call):
    r = run(f"datatable(a:string, b:long)[] | evaluate {call}")
    assert [c.name for c in r.columns] == ["SegmentId", "Count", "Percent", "a", "b"] and r.rows == []


def test_null_values_are_no_items():
    r = run("datatable(a:string, b:long)['x', long(null), 'x', long(null), '', 1] | evaluate basket(0.5)")
    assert r.rows == [[0, 2, 66.67, "x", None]]


@pytest.mark.parametrize("call, message", [
    ("basket(2.0)", "Threshold must be a number between 0.015 and 1"),
    ("basket(0.1, nope)", "'nope'"),
    ("basket(0.1, a)", "must be numeric"),
    ("basket(0.1, '~', 0)", "MaxDimensions must be a positive integer"),
    ("autocluster(1.5)", "SizeWeight"),
    ("diffpatterns(a, 'x')", "expects at least 3 arguments"),
    ("diffpatterns(nope, 'x', 'y')", "SplitColumn must be a column"),
    ("diffpatterns(a, 'x', 'nothing')", "no row has 'nothing'"),
    ("diffpatterns_text(a, b > 0, 500)", "MinTokens"),
    ("diffpatterns_text(a, b > 100)", "hold for some rows and fail for others"),
])
def test_bad_arguments_are_kusto_errors(call, message):
    with pytest.raises(KustoError, match=message):
        run(f"datatable(a:string, b:long)['x', 1, 'y', 2] | evaluate {call}")


# ------------------------------------------------------------------ the miner against brute force

def test_miner_finds_exactly_the_closed_frequent_patterns():
    from itertools import combinations

    from hypothesis import given, settings, strategies as st

    from kshell.query.pattern_mining import Miner

    item = st.sampled_from(["a", "b", "c", "d", "e", "f"])
    row = st.tuples(st.frozensets(item, max_size=5), st.integers(min_value=1, max_value=3))

    @settings(max_examples=150, deadline=None)
    @given(st.lists(row, min_size=1, max_size=12), st.sampled_from([0.1, 0.25, 0.5]))
    def check(rows, threshold):
        data = [(items, (float(w),)) for items, w in rows]
        total = sum(w for _i, (w,) in data)
        universe = sorted({i for items, _w in data for i in items})
        expected = {}
        for n in range(1, len(universe) + 1):
            for combo in combinations(universe, n):
                p = frozenset(combo)
                holders = [items for items, _w in data if p <= items]
                weight = sum(w for items, (w,) in data if p <= items)
                if not holders or weight < threshold * total - 1e-9:
                    continue
                if frozenset.intersection(*holders) == p:  # closed: no item added by every holder
                    expected[p] = [float(weight)]
        assert Miner(data, threshold).closed() == expected

    check()
