"""Aggregation functions of summarize (nulls ignored, names like Kusto's)."""

from __future__ import annotations

import math

import pytest

from query_support import D, TS, check

V = """let V = datatable(g:string, x:long, r:real, t:datetime, d:dynamic)
[
  "a", 1, 1.5, datetime(2020-01-01), dynamic({"k1": 1}),
  "a", 3, 2.5, datetime(2020-01-03), dynamic({"k2": 2}),
  "b", 2, real(null), datetime(2020-01-02), dynamic({"k1": 9}),
  "b", long(null), 4.0, datetime(null), dynamic(null),
  "b", 2, 6.0, datetime(2020-01-05), dynamic({"k3": 3})
];
"""

CASES = [
    (V + "V | summarize count() by g", "g:string, count_:long", [["a", 2], ["b", 3]]),
    (V + "V | summarize count(x) by g", "g:string, count_x:long", [["a", 2], ["b", 3]]),
    (V + "V | summarize countif(x >= 2) by g", "g:string, countif_:long", [["a", 1], ["b", 2]]),
    (V + "V | summarize sum(x), sum(r)", "sum_x:long, sum_r:real", [[8, 14.0]]),
    (V + "V | summarize sumif(x, g == 'b')", "sumif_x:long", [[4]]),
    (V + "V | summarize avg(x) by g", "g:string, avg_x:real", [["a", 2.0], ["b", 2.0]]),
    (V + "V | summarize avgif(r, x > 1)", "avgif_r:real", [[(2.5 + 6.0) / 2]]),
    (V + "V | summarize min(x), max(x), min(t), max(t)", "min_x:long, max_x:long, min_t:datetime, max_t:datetime",
     [[1, 3, D("2020-01-01"), D("2020-01-05")]]),
    (V + "V | summarize minif(r, g == 'b'), maxif(x, g == 'a')", "minif_r:real, maxif_x:long", [[4.0, 3]]),
    (V + "V | summarize dcount(x), dcountif(x, g == 'b'), count_distinct(g)",
     "dcount_x:long, dcountif_x:long, dcount_g:long", [[3, 1, 2]]),
    (V + "V | summarize make_list(x) by g", "g:string, list_x:dynamic", [["a", [1, 3]], ["b", [2, 2]]]),
    (V + "V | summarize make_list(x, 1) by g", "g:string, list_x:dynamic", [["a", [1]], ["b", [2]]]),
    (V + "V | summarize make_set(x) by g", "g:string, set_x:dynamic", [["a", [1, 3]], ["b", [2]]]),
    (V + "V | summarize make_list_if(x, x > 1)", "list_x:dynamic", [[[3, 2, 2]]]),
    (V + "V | summarize make_set_if(g, x > 1)", "set_g:dynamic", [[["a", "b"]]]),
    (V + "V | summarize make_bag(d) by g", "g:string, bag_d:dynamic",
     [["a", {"k1": 1, "k2": 2}], ["b", {"k1": 9, "k3": 3}]]),
    (V + "V | summarize take_any(g)", "g:string", [["a"]]),
    (V + "V | summarize any(g)", "any_g:string", [["a"]]),
    (V + "V | summarize take_any(x, r) by g", "g:string, x:long, r:real", [["a", 1, 1.5], ["b", 2, None]]),
    (V + "V | summarize take_any(*) by g | project g, x, r", "g:string, x:long, r:real", [["a", 1, 1.5], ["b", 2, None]]),
    (V + "V | summarize arg_max(x, g)", "x:long, g:string", [[3, "a"]]),
    (V + "V | summarize arg_min(t, x, g)", "t:datetime, x:long, g:string", [[D("2020-01-01"), 1, "a"]]),
    (V + "V | summarize arg_max(t, *) by g | project g, t, x",
     "g:string, t:datetime, x:long", [["a", D("2020-01-03"), 3], ["b", D("2020-01-05"), 2]]),
    ("range x from 1 to 10 step 1 | summarize percentile(x, 50), percentile(x, 90)",
     "percentile_x_50:long, percentile_x_90:long", [[5, 9]]),
    ("range x from 1 to 10 step 1 | summarize percentiles(x, 25, 75)",
     "percentile_x_25:long, percentile_x_75:long", [[3, 8]]),
    ("range x from 1 to 10 step 1 | summarize percentiles_array(x, 10, 100)", "percentiles_x:dynamic", [[[1, 10]]]),
    ("datatable(x:long)[1, 2, 3, 4] | summarize variance(x), stdev(x), variancep(x), stdevp(x)",
     "variance_x:real, stdev_x:real, variancep_x:real, stdevp_x:real",
     [[5 / 3, math.sqrt(5 / 3), 1.25, math.sqrt(1.25)]]),
    ("datatable(x:long)[7] | summarize stdev(x)", "stdev_x:real", [[0.0]]),
    ("datatable(t:timespan)[1h, 3h] | summarize sum(t), avg(t)", "sum_t:timespan, avg_t:timespan",
     [[TS(hours=4), TS(hours=2)]]),
    (V + "V | summarize c = count(), s = sum(x) by g | extend ratio = todouble(s) / c",
     "g:string, c:long, s:long, ratio:real", [["a", 2, 4, 2.0], ["b", 3, 4, 4 / 3]]),
    (V + "V | summarize total = sum(x) * 10", "total:long", [[80]]),
    (V + "V | summarize (mx, who) = arg_max(x, g)", "mx:long, who:string", [[3, "a"]]),
    (V + "V | summarize count() by bin(t, 2d)", "t:datetime, count_:long",
     [[D("2020-01-01"), 2], [D("2020-01-03"), 1], [None, 1], [D("2020-01-05"), 1]]),
    (V + "V | summarize count() by d_k1 = tostring(d.k1)", "d_k1:string, count_:long",
     [["1", 1], ["", 3], ["9", 1]]),
    (V + "V | summarize count() by tostring(d.k1)", "d_k1:string, count_:long", [["1", 1], ["", 3], ["9", 1]]),
    (V + "V | summarize count() by d", "d:dynamic, count_:long",
     [[{"k1": 1}, 1], [{"k2": 2}, 1], [{"k1": 9}, 1], [None, 1], [{"k3": 3}, 1]]),
    # "Default values of aggregations" in the summarize docs: 0, [] or null over no values.
    ("datatable(x:long)[] | summarize count(), sum(x), make_list(x), max(x), avg(x), stdev(x)",
     "count_:long, sum_x:long, list_x:dynamic, max_x:long, avg_x:real, stdev_x:real", [[0, 0, [], None, None, 0.0]]),
    ("datatable(x:real)[real(null)] | summarize sum(x), dcount(x), make_set(x)",
     "sum_x:real, dcount_x:long, set_x:dynamic", [[0.0, 0, []]]),
]


@pytest.mark.parametrize("query,columns,rows", CASES, ids=[f"agg{i:03d}" for i in range(len(CASES))])
def test_aggregate(query, columns, rows):
    check(query, columns, rows)
