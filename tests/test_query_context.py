"""The session's QueryContext: stored tables and functions, databases, hooks, scoping, output_schema."""

from __future__ import annotations

import pytest

from kshell.engine import queries
from kshell.engine.cluster import Column, Database, Function, Table
from kshell.engine.queries import SessionQueryContext
from kshell.engine.session import Session
from kshell.errors import DatabaseNotFound, Forbidden, SemanticError
from kshell.query import output_schema, run
from kshell.syntax import parse_query
from query_support import NOW, check


def make_session() -> Session:
    s = Session(now=NOW)
    t = Table("Events", [Column("Level", "string"), Column("Count", "long")],
              data=[["Error", "Info", "Error", "Warn"], [3, 10, 5, 1]])
    s.database.tables["Events"] = t
    other = s.cluster.add_database(Database("Other"))
    other.tables["Remote"] = Table("Remote", [Column("x", "long")], data=[[7, 8]])
    other.functions["RemoteCount"] = Function("RemoteCount", "()", "{ Remote | count }")
    s.database.functions["ErrorsAbove"] = Function(
        "ErrorsAbove", "(n:long, level:string = 'Error')", "{ Events | where Level == level and Count > n }")
    s.database.functions["Twice"] = Function("Twice", "(x:long)", "{ x * 2 }")
    s.database.functions["AllEvents"] = Function("AllEvents", "()", "{ Events }")
    return s


def test_stored_table_read_without_copy():
    s = make_session()
    check("Events | where Level == 'Error' | summarize total = sum(Count)", "total:long", [[8]], session=s)
    # The engine never mutates the stored columns.
    assert [list(c) for c in s.database.tables["Events"].data] == [["Error", "Info", "Error", "Warn"], [3, 10, 5, 1]]


def test_stored_function_with_default_parameter():
    s = make_session()
    check("ErrorsAbove(4)", "Level:string, Count:long", [["Error", 5]], session=s)
    check("ErrorsAbove(0, 'Info')", "Level:string, Count:long", [["Info", 10]], session=s)
    check("ErrorsAbove(n = 0, level = 'Warn')", "Level:string, Count:long", [["Warn", 1]], session=s)


def test_stored_scalar_function_over_columns():
    s = make_session()
    check("Events | project d = Twice(Count) | take 2", "d:long", [[6], [20]], session=s)


def test_stored_function_without_parentheses_and_invoke_chain():
    s = make_session()
    check("AllEvents | count", "Count:long", [[4]], session=s)
    check("AllEvents() | where Count > 4 | count", "Count:long", [[2]], session=s)


def test_cross_database_reference_and_function_context():
    s = make_session()
    check("database('Other').Remote | summarize sum(x)", "sum_x:long", [[15]], session=s)
    check("database('other').Remote | count", "Count:long", [[2]], session=s)  # database names: case-insensitive
    check("database('Other').RemoteCount()", "Count:long", [[2]], session=s)
    with pytest.raises(SemanticError):
        s.execute("Remote")  # not in the context database
    with pytest.raises(DatabaseNotFound):
        s.execute("database('Missing').Remote")


def test_union_across_databases_with_source():
    s = make_session()
    check("union withsource=T (Events | project x = Count), database('Other').Remote | summarize count() by T",
          "T:string, count_:long", [["union_arg0", 4], ["Remote", 2]], session=s)


def test_let_shadows_table():
    s = make_session()
    check("let Events = datatable(a:long)[1]; Events", "a:long", [[1]], session=s)


def test_scoped_tables_replace_a_table():
    s = make_session()
    new_rows = Table("Events", [Column("Level", "string"), Column("Count", "long")], data=[["New"], [1]])
    ctx = SessionQueryContext(s, scoped_tables={("netdefaultdb", "Events"): new_rows})
    r = run(parse_query("Events | project Level"), ctx)
    assert r.rows == [["New"]]


def test_database_and_table_read_hooks(monkeypatch):
    s = make_session()
    seen: list[str] = []

    def db_hook(ctx, database):
        seen.append(database)
        if database == "Other" and ctx.principal == "aaduser=blocked@x.com":
            raise Forbidden("no access to Other")

    class OnlyErrors:
        def __init__(self, t):
            self.name, self.columns, self.extents = t.name, t.columns, t.extents
            keep = [i for i, v in enumerate(t.data[0]) if v == "Error"]
            self.data = [[col[i] for i in keep] for col in t.data]

    def table_hook(ctx, database, table):
        return OnlyErrors(table) if table.name == "Events" else table

    monkeypatch.setattr(queries, "DATABASE_READ_HOOKS", [db_hook])
    monkeypatch.setattr(queries, "TABLE_READ_HOOKS", [table_hook])
    check("Events | count", "Count:long", [[2]], session=s)
    check("database('Other').Remote | count", "Count:long", [[2]], session=s)
    assert "NetDefaultDB" in seen and "Other" in seen
    ctx = SessionQueryContext(s, principal="aaduser=blocked@x.com")
    with pytest.raises(Forbidden):
        run(parse_query("database('Other').Remote"), ctx)


def test_principal_override():
    s = make_session()
    ctx = SessionQueryContext(s, principal="aadapp=11111111-2222-3333-4444-555555555555;contoso.com")
    r = run(parse_query("print current_principal_details().Type"), ctx)
    assert r.rows[0][0] == "AadApplication"


def test_output_schema_reads_no_rows():
    s = make_session()
    ctx = SessionQueryContext(s)
    schema = output_schema(parse_query("Events | summarize n = count(), m = max(Count) by Level | extend r = 1.5"), ctx)
    assert schema == [("Level", "string"), ("n", "long"), ("m", "long"), ("r", "real")]
    assert output_schema(parse_query("Events | where Count > 100 | project Count"), ctx) == [("Count", "long")]


def test_output_schema_with_function_parameters():
    from kshell.syntax import query as q
    from kshell.syntax.cursor import Cursor

    s = make_session()
    params = q.parse_params(Cursor("(T:(a:string), k:long = 3, s:string)"))
    body = q.parse_body(Cursor("{ T | extend b = k + 1, c = strlen(s) }"))
    schema = output_schema(body, SessionQueryContext(s), params=params)
    assert schema == [("a", "string"), ("b", "long"), ("c", "long")]
    bad = q.parse_body(Cursor("{ T | extend b = nope }"))
    with pytest.raises(SemanticError):
        output_schema(bad, SessionQueryContext(s), params=params)


def test_query_handler_via_execute_text():
    s = make_session()
    results = s.execute("Events | summarize c = count() by Level | order by c desc, Level asc")
    assert len(results) == 1
    assert results[0].rows == [["Error", 2], ["Info", 1], ["Warn", 1]]
    assert [c.type for c in results[0].columns] == ["string", "long"]
