"""Tabular operators end to end through Session.execute, expected rows from the KQL docs' semantics."""

from __future__ import annotations

import pytest

from query_support import D, TS, check

# A small table used by many cases.
T = """let T = datatable(Name:string, Dept:string, Salary:long, Start:datetime)
[
  "Ann", "Eng", 100, datetime(2020-01-15),
  "Bob", "Eng", 80, datetime(2021-03-01),
  "Cid", "Ops", 60, datetime(2019-07-04),
  "Dee", "Ops", 90, datetime(2022-11-30),
  "Eve", "HR", 70, datetime(2018-02-02)
];
"""

CASES = [
    # ---- sources
    ("print 1", "print_0:long", [[1]]),
    ("print x = 1, y = 'a', 2.5", "x:long, y:string, print_2:real", [[1, "a", 2.5]]),
    ("print bool(null), int(null), long(null), real(null), datetime(null), timespan(null), guid(null), dynamic(null)",
     "print_0:bool, print_1:int, print_2:long, print_3:real, print_4:datetime, print_5:timespan, print_6:guid, print_7:dynamic",
     [[None] * 8]),
    ("range x from 1 to 5 step 2", "x:long", [[1], [3], [5]]),
    ("range x from 5 to 1 step -2", "x:long", [[5], [3], [1]]),
    ("range x from 1 to 0 step 1", "x:long", []),
    ("range d from datetime(2020-01-01) to datetime(2020-01-03) step 1d", "d:datetime",
     [[D("2020-01-01")], [D("2020-01-02")], [D("2020-01-03")]]),
    ("range r from 0.5 to 1.5 step 0.5", "r:real", [[0.5], [1.0], [1.5]]),
    ("datatable(a:int, b:string)[1, 'x', 2, 'y']", "a:int, b:string", [[1, "x"], [2, "y"]]),
    ("datatable(a:real, d:dynamic)[1, dynamic([1,2]), 2.5, dynamic({'k': 'v'})]", "a:real, d:dynamic",
     [[1.0, [1, 2]], [2.5, {"k": "v"}]]),
    ("datatable(a:long)[]", "a:long", []),
    # ---- where
    (T + "T | where Salary > 80 | project Name", "Name:string", [["Ann"], ["Dee"]]),
    (T + "T | where Dept == 'Eng' and Salary < 100 | project Name", "Name:string", [["Bob"]]),
    (T + "T | where Dept == 'HR' or Salary == 60 | project Name", "Name:string", [["Cid"], ["Eve"]]),
    (T + "T | where not(Dept == 'Eng') | count", "Count:long", [[3]]),
    (T + "T | where Start > datetime(2021-01-01) | project Name", "Name:string", [["Bob"], ["Dee"]]),
    (T + "T | where Start between (datetime(2019-01-01) .. datetime(2020-12-31)) | project Name",
     "Name:string", [["Ann"], ["Cid"]]),
    (T + "T | where Salary !between (70 .. 90) | project Name", "Name:string", [["Ann"], ["Cid"]]),
    (T + "T | where Name in ('Ann', 'Eve', 'Zed') | project Name", "Name:string", [["Ann"], ["Eve"]]),
    (T + "T | where Name !in ('Ann', 'Eve') | count", "Count:long", [[3]]),
    (T + "T | where Name in~ ('ANN', 'eve') | project Name", "Name:string", [["Ann"], ["Eve"]]),
    (T + "T | where Dept in ((T | where Salary >= 90 | project Dept)) | project Name",
     "Name:string", [["Ann"], ["Bob"], ["Cid"], ["Dee"]]),
    (T + "T | where Name =~ 'bob' | project Salary", "Salary:long", [[80]]),
    (T + "T | where Name !~ 'bob' | count", "Count:long", [[4]]),
    ("datatable(val:int)[5, int(null)] | where val > 3", "val:int", [[5]]),
    ("datatable(val:int)[5, int(null)] | where isnull(val)", "val:int", [[None]]),
    # ---- project family
    (T + "T | project Name, Double = Salary * 2 | take 2", "Name:string, Double:long", [["Ann", 200], ["Bob", 160]]),
    (T + "T | project Salary + 1 | take 1", "Column1:long", [[101]]),
    (T + "T | project-away Start, Dept | take 1", "Name:string, Salary:long", [["Ann", 100]]),
    (T + "T | project-away S* | take 1", "Name:string, Dept:string", [["Ann", "Eng"]]),
    (T + "T | project-keep Name, Sal* | take 1", "Name:string, Salary:long", [["Ann", 100]]),
    (T + "T | project-rename Who = Name | project Who | take 1", "Who:string", [["Ann"]]),
    (T + "T | project-reorder Salary, Name | take 1", "Salary:long, Name:string, Dept:string, Start:datetime",
     [[100, "Ann", "Eng", D("2020-01-15")]]),
    # ---- extend
    (T + "T | extend Bonus = Salary / 10, Total = Salary + Salary / 10 | project Name, Bonus, Total | take 1",
     "Name:string, Bonus:long, Total:long", [["Ann", 10, 110]]),
    (T + "T | extend Salary = Salary * 2 | project-away Start | take 1", "Name:string, Dept:string, Salary:long",
     [["Ann", "Eng", 200]]),
    (T + "T | extend Salary / 4.0 | project Column1 | take 1", "Column1:real", [[25.0]]),
    (T + "T | extend Year = getyear(Start) | project Year | take 2", "Year:int", [[2020], [2021]]),
    # ---- take / top / sort
    (T + "T | take 2 | project Name", "Name:string", [["Ann"], ["Bob"]]),
    (T + "T | limit 0 | count", "Count:long", [[0]]),
    (T + "T | top 2 by Salary | project Name", "Name:string", [["Ann"], ["Dee"]]),
    (T + "T | top 2 by Salary asc | project Name", "Name:string", [["Cid"], ["Eve"]]),
    (T + "T | sort by Name desc | project Name", "Name:string", [["Eve"], ["Dee"], ["Cid"], ["Bob"], ["Ann"]]),
    (T + "T | order by Dept asc, Salary desc | project Name",
     "Name:string", [["Ann"], ["Bob"], ["Eve"], ["Dee"], ["Cid"]]),
    ("datatable(x:long)[2, long(null), 1] | sort by x", "x:long", [[2], [1], [None]]),
    ("datatable(x:long)[2, long(null), 1] | sort by x asc", "x:long", [[None], [1], [2]]),
    ("datatable(x:long)[2, long(null), 1] | sort by x asc nulls last", "x:long", [[1], [2], [None]]),
    # ---- count / distinct
    (T + "T | count", "Count:long", [[5]]),
    (T + "T | distinct Dept", "Dept:string", [["Eng"], ["Ops"], ["HR"]]),
    ("datatable(a:long, b:string)[1, 'x', 1, 'x', 2, 'x'] | distinct *", "a:long, b:string", [[1, "x"], [2, "x"]]),
    # ---- summarize
    (T + "T | summarize count() by Dept", "Dept:string, count_:long", [["Eng", 2], ["Ops", 2], ["HR", 1]]),
    (T + "T | summarize Total = sum(Salary), Max = max(Salary) by Dept",
     "Dept:string, Total:long, Max:long", [["Eng", 180, 100], ["Ops", 150, 90], ["HR", 70, 70]]),
    (T + "T | summarize avg(Salary)", "avg_Salary:real", [[80.0]]),
    (T + "T | summarize count()", "count_:long", [[5]]),
    (T + "T | where Salary > 1000 | summarize count(), sum(Salary)", "count_:long, sum_Salary:long", [[0, 0]]),
    (T + "T | where Salary > 1000 | summarize count() by Dept", "Dept:string, count_:long", []),
    (T + "T | summarize n = count() by bin(Salary, 50)", "Salary:long, n:long", [[100, 1], [50, 4]]),
    (T + "T | summarize count() by y = getyear(Start) | sort by y asc | take 2", "y:int, count_:long",
     [[2018, 1], [2019, 1]]),
    (T + "T | summarize count() by bin(Start, 365d) | count", "Count:long", [[5]]),
    (T + "T | summarize Avg = sum(Salary) / count() by Dept", "Dept:string, Avg:long",
     [["Eng", 90], ["Ops", 75], ["HR", 70]]),
    (T + "T | summarize count() by Dept, High = Salary >= 80",
     "Dept:string, High:bool, count_:long", [["Eng", True, 2], ["Ops", False, 1], ["Ops", True, 1], ["HR", False, 1]]),
    (T + "T | summarize arg_max(Salary, Name) by Dept", "Dept:string, Salary:long, Name:string",
     [["Eng", 100, "Ann"], ["Ops", 90, "Dee"], ["HR", 70, "Eve"]]),
    (T + "T | summarize arg_min(Salary, *) by Dept | project Dept, Name, Salary",
     "Dept:string, Name:string, Salary:long", [["Eng", "Bob", 80], ["Ops", "Cid", 60], ["HR", "Eve", 70]]),
    (T + "T | summarize make_list(Name) by Dept", "Dept:string, list_Name:dynamic",
     [["Eng", ["Ann", "Bob"]], ["Ops", ["Cid", "Dee"]], ["HR", ["Eve"]]]),
    (T + "T | summarize dcount(Dept)", "dcount_Dept:long", [[3]]),
    (T + "T | summarize countif(Salary > 75), sumif(Salary, Dept == 'Ops')", "countif_:long, sumif_Salary:long",
     [[3, 150]]),
    # ---- join
    (T + "let D = datatable(Dept:string, Floor:long)['Eng', 1, 'Ops', 2, 'Legal', 3];\n"
     "T | join kind=inner D on Dept | project Name, Floor",
     "Name:string, Floor:long", [["Ann", 1], ["Bob", 1], ["Cid", 2], ["Dee", 2]]),
    (T + "let D = datatable(Dept:string, Floor:long)['Eng', 1, 'Ops', 2];\nT | join D on Dept | project-away Start",
     "Name:string, Dept:string, Salary:long, Dept1:string, Floor:long",
     [["Ann", "Eng", 100, "Eng", 1], ["Cid", "Ops", 60, "Ops", 2]]),
    (T + "let D = datatable(Dept:string, Floor:long)['Eng', 1, 'Ops', 2];\n"
     "T | join kind=leftouter D on Dept | project Name, Floor",
     "Name:string, Floor:long", [["Ann", 1], ["Bob", 1], ["Cid", 2], ["Dee", 2], ["Eve", None]]),
    (T + "let D = datatable(Dept:string, Floor:long)['Eng', 1, 'Legal', 3];\n"
     "T | join kind=rightouter D on Dept | project Name, Dept1, Floor",
     "Name:string, Dept1:string, Floor:long", [["Ann", "Eng", 1], ["Bob", "Eng", 1], ["", "Legal", 3]]),
    (T + "let D = datatable(Dept:string, Floor:long)['Eng', 1, 'Legal', 3];\n"
     "T | join kind=fullouter D on Dept | summarize count()",
     "count_:long", [[6]]),
    (T + "let D = datatable(Dept:string)['Eng'];\nT | join kind=leftanti D on Dept | project Name",
     "Name:string", [["Cid"], ["Dee"], ["Eve"]]),
    (T + "let D = datatable(Dept:string)['Eng', 'Legal'];\nT | join kind=leftsemi D on Dept | project Name",
     "Name:string", [["Ann"], ["Bob"]]),
    (T + "let D = datatable(Dept:string)['Eng', 'Legal'];\nT | join kind=rightanti D on Dept",
     "Dept:string", [["Legal"]]),
    (T + "let D = datatable(Dept:string)['Eng', 'Legal'];\nT | join kind=rightsemi D on Dept",
     "Dept:string", [["Eng"]]),
    (T + "let D = datatable(Team:string, Floor:long)['Ops', 2];\n"
     "T | join kind=inner D on $left.Dept == $right.Team | project Name, Team, Floor",
     "Name:string, Team:string, Floor:long", [["Cid", "Ops", 2], ["Dee", "Ops", 2]]),
    ("let L = datatable(k:long, a:string)[1, 'a', 1, 'b', 2, 'c'];\n"
     "let R = datatable(k:long, b:string)[1, 'x', 1, 'y'];\nL | join R on k | project a, b",
     "a:string, b:string", [["a", "x"], ["a", "y"]]),
    ("let L = datatable(k:long, a:string)[1, 'a', 1, 'b', 2, 'c'];\n"
     "let R = datatable(k:long, b:string)[1, 'x', 1, 'y'];\nL | join kind=inner R on k | project a, b",
     "a:string, b:string", [["a", "x"], ["a", "y"], ["b", "x"], ["b", "y"]]),
    # ---- lookup
    (T + "let D = datatable(Dept:string, Floor:long)['Eng', 1, 'Ops', 2];\nT | lookup D on Dept | project Name, Floor",
     "Name:string, Floor:long", [["Ann", 1], ["Bob", 1], ["Cid", 2], ["Dee", 2], ["Eve", None]]),
    (T + "let D = datatable(Dept:string, Floor:long)['Eng', 1];\nT | lookup kind=inner D on Dept | project-away Start",
     "Name:string, Dept:string, Salary:long, Floor:long", [["Ann", "Eng", 100, 1], ["Bob", "Eng", 80, 1]]),
    # ---- union
    ("union (print a = 1), (print a = 2)", "a:long", [[1], [2]]),
    ("print a = 1 | union (print a = 2, b = 'x')", "a:long, b:string", [[1, ""], [2, "x"]]),
    ("union kind=inner (print a = 1, c = 3), (print a = 2, b = 'x')", "a:long", [[1], [2]]),
    ("let X = print a = 1; let Y = print a = 2; union withsource=Src X, Y", "Src:string, a:long",
     [["X", 1], ["Y", 2]]),
    ("union (print a = 1), (print a = 'x')", "a_long:long, a_string:string", [[1, ""], [None, "x"]]),
    # ---- as / getschema / serialize / render
    ("print a = 1 | as X | union X", "a:long", [[1], [1]]),
    ("datatable(a:long, b:string, c:datetime, d:dynamic, e:real, f:bool, g:timespan, h:guid, i:int, j:decimal)[] "
     "| getschema",
     "ColumnName:string, ColumnOrdinal:int, DataType:string, ColumnType:string",
     [["a", 0, "System.Int64", "long"], ["b", 1, "System.String", "string"], ["c", 2, "System.DateTime", "datetime"],
      ["d", 3, "System.Object", "dynamic"], ["e", 4, "System.Double", "real"], ["f", 5, "System.SByte", "bool"],
      ["g", 6, "System.TimeSpan", "timespan"], ["h", 7, "System.Guid", "guid"], ["i", 8, "System.Int32", "int"],
      ["j", 9, "System.Data.SqlTypes.SqlDecimal", "decimal"]]),
    ("range x from 1 to 3 step 1 | serialize | extend y = x * 10", "x:long, y:long", [[1, 10], [2, 20], [3, 30]]),
    ("range x from 1 to 2 step 1 | serialize z = x + 1", "x:long, z:long", [[1, 2], [2, 3]]),
    ("range x from 1 to 2 step 1 | render timechart", "x:long", [[1], [2]]),
    # ---- mv-expand
    ("datatable(a:int, b:dynamic)[1, dynamic([10, 20]), 2, dynamic(['x'])] | mv-expand b",
     "a:int, b:dynamic", [[1, 10], [1, 20], [2, "x"]]),
    ("datatable(a:int, b:dynamic)[1, dynamic([10, 20]), 2, dynamic([])] | mv-expand b to typeof(long)",
     "a:int, b:long", [[1, 10], [1, 20]]),
    ("print a = dynamic(['x', 'y']) | mv-expand with_itemindex=i a", "a:dynamic, i:long", [["x", 0], ["y", 1]]),
    ("print a = dynamic([1, 2]), b = dynamic(['p', 'q', 'r']) | mv-expand a, b",
     "a:dynamic, b:dynamic", [[1, "p"], [2, "q"], [None, "r"]]),
    ("print d = dynamic({'k1': 1, 'k2': 2}) | mv-expand d", "d:dynamic", [[{"k1": 1}], [{"k2": 2}]]),
    ("print d = dynamic({'k1': 1}) | mv-expand bagexpansion=array d", "d:dynamic", [[["k1", 1]]]),
    ("print x = 1 | mv-expand e = dynamic([5, 6]) limit 1", "x:long, e:dynamic", [[1, 5]]),
    # ---- parse
    ("print s = 'Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23)' "
     "| parse s with * 'resourceName=' resourceName ', totalSlices=' totalSlices:long * 'sliceNumber=' "
     "sliceNumber:long * | project resourceName, totalSlices, sliceNumber",
     "resourceName:string, totalSlices:long, sliceNumber:long", [["PipelineScheduler", 27, 23]]),
    ("print s = 'key=value' | parse s with k '=' v | project k, v", "k:string, v:string", [["key", "value"]]),
    ("datatable(s:string)['a=1', 'nothing'] | parse s with k '=' v:long | project k, v",
     "k:string, v:long", [["a", 1], ["", None]]),
    ("datatable(s:string)['a=1', 'nothing'] | parse-where s with k '=' v:long | project k, v",
     "k:string, v:long", [["a", 1]]),
    ("print s = 'abc123def' | parse kind=regex s with '[a-z]+' n:long '[a-z]+' | project n", "n:long", [[123]]),
    # ---- let, functions, invoke
    ("let x = 5; let y = x * 2; print y", "print_0:long", [[10]]),
    ("let f = (a:long, b:long = 10) { a + b }; print f(1), f(1, 2)", "print_0:long, print_1:long", [[11, 3]]),
    ("let f = (a:string) { strcat(a, '!') }; datatable(s:string)['x', 'y'] | extend t = f(s)",
     "s:string, t:string", [["x", "x!"], ["y", "y!"]]),
    ("let R = (n:long) { range i from 1 to n step 1 }; R(3) | summarize sum(i)", "sum_i:long", [[6]]),
    ("let F = (T:(x:long)) { T | where x > 1 }; range x from 1 to 3 step 1 | invoke F()", "x:long", [[2], [3]]),
    ("let F = (T:(*), k:long) { T | take k }; range x from 1 to 3 step 1 | invoke F(2)", "x:long", [[1], [2]]),
    ("let n = toscalar(range x from 1 to 4 step 1 | count); print n", "print_0:long", [[4]]),
    ("let T1 = datatable(a:long)[1, 2]; let T2 = T1 | where a > 1; T2", "a:long", [[2]]),
    ("let m = materialize(range x from 1 to 3 step 1); m | union m | count", "Count:long", [[6]]),
    ("let T1 = datatable(a:long)[1]; table('T1') | extend b = 2", "a:long, b:long", [[1, 2]]),
    ("set notruncation; print 1", "print_0:long", [[1]]),
]


@pytest.mark.parametrize("query,columns,rows", CASES, ids=[f"op{i:03d}" for i in range(len(CASES))])
def test_operator(query, columns, rows):
    check(query, columns, rows)


def test_sample_returns_requested_rows():
    from query_support import run

    r = run("range x from 1 to 100 step 1 | sample 7")
    assert len(r.rows) == 7
    assert len({row[0] for row in r.rows}) == 7


def test_timespan_arithmetic_in_extend():
    check("print a = datetime(2020-01-01) | extend b = a + 1d, c = a - datetime(2019-12-31), d = 2h * 3",
          "a:datetime, b:datetime, c:timespan, d:timespan",
          [[D("2020-01-01"), D("2020-01-02"), TS(days=1), TS(hours=6)]])


NAMING = [
    ("print d = dynamic({'a': {'b': 1}}) | project d.a.b, d['a']", "d_a_b:dynamic, d_a:dynamic", [[1, {"b": 1}]]),
    ("print x = 1 | extend x + 1, x * 2", "x:long, Column1:long, Column2:long", [[1, 2, 2]]),
    ("print x = 1, Column1 = 5 | extend x + 1", "x:long, Column1:long, Column2:long", [[1, 5, 2]]),
    ("print d = dynamic({'k': 'v'}) | summarize count() by d.k", "d_k:dynamic, count_:long", [["v", 1]]),
    ("print x = 3 | summarize count() by x + 1", "Column1:long, count_:long", [[4, 1]]),
    ("range x from 1 to 3 step 1 | summarize sum(x * 2)", "sum_x:long", [[12]]),
    ("range x from 1 to 4 step 1 | distinct x % 2", "Column1:long", [[1], [0]]),
    ("range x from 1 to 4 step 1 | project-reorder x asc", "x:long", [[1], [2], [3], [4]]),
    ("datatable(b:long, a:long, c:long)[1, 2, 3] | project-reorder * asc", "a:long, b:long, c:long", [[2, 1, 3]]),
    ("datatable(x:long)[3, long(null), 1, 2] | top 2 by x asc", "x:long", [[None], [1]]),
    ("datatable(x:long)[3, long(null), 1, 2] | top 2 by x desc", "x:long", [[3], [2]]),
    ("range x from 1 to 100 step 1 | sort by x desc | take 3", "x:long", [[100], [99], [98]]),
    ("range x from 1 to 100 step 1 | sort by x % 10 desc, x asc | take 3", "x:long", [[9], [19], [29]]),
]


@pytest.mark.parametrize("query,columns,rows", NAMING, ids=[f"name{i:02d}" for i in range(len(NAMING))])
def test_naming_and_ordering(query, columns, rows):
    check(query, columns, rows)
