"""Issue 16: documented behaviours kshell answered differently, each end to end through
`kshell` and naming the page it follows (MicrosoftDocs/dataexplorer-docs,
data-explorer/kusto/query/...)."""

from __future__ import annotations

import pytest

from conftest import run_kshell
from test_query_fixes_core import Case, check_case, run_cases

CASES: dict[str, Case] = {
    "named_argument_of_a_user_function": Case(
        "assert-function.md: checkLength(len=3, input) binds len by name and input by its position",
        "let f = (len:long, s:string) { strlen(s) > len }; "
        "datatable(input:string)['123', '4567'] | where f(len=3, input)",
        ["input:string"], [["4567"]]),
    "named_arguments_in_any_order": Case(
        "user-defined-functions.md: arguments may be passed by name, in any order",
        "let f = (a:long, b:long = 10, c:long = 100) { a * 10000 + b * 100 + c }; "
        "print x = f(c=3, a=1), y = f(1, c=5), z = f(b=2, a=1)",
        ["x:long", "y:long", "z:long"], [[10000 + 1000 + 3, 10000 + 1000 + 5, 10000 + 200 + 100]]),
    "pack_all_packs_the_input_row": Case(
        "pack-all-function.md: in `extend Packed=pack_all(), P2=pack_all(true)` both pack the input "
        "row; the column the same extend added before is not in it",
        "datatable(Source:string, Target:string, N:long)['a', '', 1] "
        "| extend Packed = pack_all(), PackedIgnoreNullEmpty = pack_all(true)",
        ["Source:string", "Target:string", "N:long", "Packed:dynamic", "PackedIgnoreNullEmpty:dynamic"],
        [["a", "", 1, {"Source": "a", "Target": "", "N": 1}, {"Source": "a", "N": 1}]]),
    "sketch_functions_are_named_like_aggregates": Case(
        "hll-merge-function.md, merge-tdigest-function.md: an unnamed dcount_hll(merged) is "
        "dcount_hll_merged, percentile_tdigest(merged, ...) percentile_tdigest_merged",
        "range x from 1 to 10 step 1 | summarize h = hll(x), t = tdigest(x) "
        "| project dcount_hll(h), percentile_tdigest(t, 100, typeof(long))",
        ["dcount_hll_h:long", "percentile_tdigest_t:long"], [[10, 10]]),
}


@pytest.fixture(scope="module")
def results():
    return run_cases(CASES)


@pytest.mark.parametrize("cid", list(CASES))
def test_documented_rule(cid, results):
    check_case(CASES[cid], results[cid])


def test_a_user_function_refuses_an_unknown_or_repeated_parameter_name():
    code, out, err = run_kshell("let f = (a:long) { a }; print f(b=1)\n\nlet f = (a:long, b:long = 0) { a }; print f(1, a=2)\n",
                                "--keep-going")
    lines = err.splitlines()
    assert "function 'f' has no parameter named 'b'" in lines[0]
    assert "function 'f': parameter 'a' is given twice" in lines[1]


def test_graph_to_table_nodes_and_edges_named_for_the_next_expressions():
    # graph-to-table-operator.md, "Nodes and edges": the statement names both outputs and
    # returns none itself; the expressions after it return the named tables
    script = ('let nodes = datatable(name:string, age:long)["Alice", 23, "Bob", 31];\n'
              'let edges = datatable(source:string, destination:string)["Alice", "Bob", "Eve", "Alice"];\n'
              "edges | make-graph source --> destination with nodes on name\n"
              "| graph-to-table nodes as N with_node_id=Id, edges as E;\n"
              "N | project name, age, IdIsLong = gettype(Id) == 'long';\n"
              "E | count\n")
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 0, err
    assert out == "name,age,IdIsLong\nAlice,23,true\nBob,31,true\nEve,,true\nCount\n2\n"
