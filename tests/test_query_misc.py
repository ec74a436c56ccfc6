"""Less common query features: window functions, wildcards, scoping, row-context rules."""

from __future__ import annotations

import pytest

from kshell.engine.session import Session
from kshell.errors import SemanticError
from query_support import check, run

CASES = [
    ("datatable(a:string, b:long)['x y', 1, 'z', 22] | where * has 'y'", "a:string, b:long", [["x y", 1]]),
    ("datatable(a:string, b:long)['x y', 1, 'z', 22] | where * has '22'", "a:string, b:long", [["z", 22]]),
    ("range x from 1 to 4 step 1 | serialize | extend rn = row_number(), p = prev(x), nx = next(x, 1, 0)",
     "x:long, rn:long, p:long, nx:long", [[1, 1, None, 2], [2, 2, 1, 3], [3, 3, 2, 4], [4, 4, 3, 0]]),
    ("range x from 1 to 3 step 1 | extend rn = row_number(10)", "x:long, rn:long", [[1, 10], [2, 11], [3, 12]]),
    ("print range(1, 5, 2), range(3, 1, -1)", "print_0:dynamic, print_1:dynamic", [[[1, 3, 5], [3, 2, 1]]]),
    ("datatable(x:real, y:real)[1, 14, 2, 10, 3, 17, 4, 20, 5, 50] | summarize covariance(x, y), covariancep(x, y)",
     "covariance_x_y:real, covariancep_x_y:real", [[20.5, 16.4]]),
    ("datatable(n:long)[12, 10, 6] | summarize binary_all_and(n), binary_all_or(n), binary_all_xor(n)",
     "binary_all_and_n:long, binary_all_or_n:long, binary_all_xor_n:long", [[0, 14, 0]]),
    ("let T_view = view () { print x = 1 }; let T_notview = () { print x = 2 }; union T*", "x:long", [[1]]),
    ("let T = datatable(a:long)[1, 2, 3]; let f = () { let T = T | where a > 1; T }; f() | count",
     "Count:long", [[2]]),
    ("let vector_sum = (x:dynamic) { let y = array_length(x) - 1; todouble(x[y]) }; "
     "print d = dynamic([0, 1, 2, 3, 4]) | extend last = vector_sum(d)", "d:dynamic, last:real", [[[0, 1, 2, 3, 4], 4.0]]),
    ("declare query_parameters(n:long = 2); range x from 1 to n step 1", "x:long", [[1], [2]]),
    ("print bag_zip(dynamic(['a', 'b']), dynamic([1, 2])), zip(dynamic([1, 2]), dynamic(['x']))",
     "print_0:dynamic, print_1:dynamic", [[{"a": 1, "b": 2}, [[1, "x"], [2, None]]]]),
    ("datatable(n:string, d:dynamic)['a', dynamic({'x': 1, 'y': 's'}), 'b', dynamic({'z': 2})] "
     "| evaluate bag_unpack(d)", "n:string, x:dynamic, y:dynamic, z:dynamic", [["a", 1, "s", None], ["b", None, None, 2]]),
    ("print d = dynamic({'a': 1}) | evaluate bag_unpack(d, 'p_')", "p_a:dynamic", [[1]]),
    ("print extract_all(@'(?P<k>\\w)=(?P<v>\\d)', dynamic(['k', 'v']), 'a=1 b=2')", "print_0:dynamic",
     [[[["a", "1"], ["b", "2"]]]]),
]


@pytest.mark.parametrize("query,columns,rows", CASES, ids=[f"misc{i:02d}" for i in range(len(CASES))])
def test_misc(query, columns, rows):
    check(query, columns, rows)


def test_row_dependent_parameter_inside_tabular_subexpression_is_an_error():
    with pytest.raises(SemanticError) as info:
        Session().execute("let f = (hours:long) { toscalar(print t = hours * 2) }; "
                          "range x from 1 to 2 step 1 | extend y = f(x)")
    assert "depends on the current row" in info.value.message


def test_rand_is_reproducible():
    a = run("range x from 1 to 5 step 1 | extend r = rand(), k = rand(10)").rows
    b = run("range x from 1 to 5 step 1 | extend r = rand(), k = rand(10)").rows
    assert a == b
    assert all(0 <= r < 1 and 0 <= k < 10 for _, r, k in a)


def test_database_name_from_a_parameter():
    s = Session()
    s.execute("print 1")
    from kshell.engine.cluster import Column, Table
    s.database.tables["T"] = Table("T", [Column("a", "long")], data=[[1, 2]])
    r = s.execute("let f = (db:string) { database(db).T | count }; f('NetDefaultDB')")[0]
    assert r.rows == [[2]]


def test_assert_function():
    from kshell.errors import BadRequest

    check("print x = 1 | where assert(true, 'never')", "x:long", [[1]])
    with pytest.raises(BadRequest) as info:
        Session().execute("range x from 1 to 3 step 1 | where assert(x < 3, 'x too big')")
    assert "x too big" in info.value.message


def test_rls_style_query_with_principal_functions():
    s = Session()
    from kshell.engine.cluster import Column, Table
    s.database.tables["Sales"] = Table("Sales", [Column("Who", "string"), Column("Amount", "long")],
                                       data=[["someone", "other"], [10, 20]])
    me = s.execute("print current_principal()")[0].rows[0][0]
    s.database.tables["Sales"].data[0][0] = me
    r = s.execute("let IsManager = current_principal_is_member_of('aadgroup=sales_managers@domain.com');\n"
                  "let AllData = Sales | where IsManager;\n"
                  "let PartialData = Sales | where not(IsManager) and (Who == current_principal()) "
                  "| extend Amount = -1;\nunion AllData, PartialData")[0]
    assert r.rows == [[me, -1]]


def test_a_batch_gives_one_result_per_expression(session):
    results = session.execute("let x = 5; print a = x; print b = x * 2")
    assert [r.rows for r in results] == [[[5]], [[10]]]
    assert [r.column_names for r in results] == [["a"], ["b"]]
