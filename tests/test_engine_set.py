"""`.set`, `.append`, `.set-or-append`, `.set-or-replace` from a query (spec 7.3, 9 row 51)."""

from __future__ import annotations

import pytest

from kshell.engine import ingest
from kshell.errors import BadRequest, KustoSyntaxError, TableNotFound

EXTENT_COLUMNS = ["ExtentId", "OriginalSize", "ExtentSize", "ColumnSize", "IndexSize", "RowCount"]


def one(session, text):
    [r] = session.execute(text)
    return r


def table_rows(session, name, db=None):
    t = (session.cluster.database(db) if db else session.database).tables[name]
    return [list(r) for r in zip(*t.data)]


def test_set_or_append_creates_then_appends(session):
    r = one(session, '.set-or-append T <| print a=1, b="x"')
    assert r.column_names == EXTENT_COLUMNS
    assert [c.type for c in r.columns] == ["guid"] + ["long"] * 5
    assert r.rows[0][5] == 1
    one(session, '.set-or-append T <| print a=2, b="y"')
    t = session.database.tables["T"]
    assert [(c.name, c.type) for c in t.columns] == [("a", "long"), ("b", "string")]
    assert table_rows(session, "T") == [[1, "x"], [2, "y"]]
    assert len(t.extents) == 2 and t.created_by == session.principal


def test_columns_match_by_position_not_name(session):
    session.execute(".create table T (a:long, b:string)")
    session.execute('.append T <| print other=5, names="z"')
    assert table_rows(session, "T") == [[5, "z"]]


def test_set_requires_new_table_and_append_existing(session):
    session.execute(".set T <| print a=1")
    with pytest.raises(BadRequest):
        session.execute(".set T <| print a=2")
    with pytest.raises(TableNotFound):
        session.execute(".append Missing <| print a=1")
    assert "Missing" not in session.database.tables
    assert table_rows(session, "T") == [[1]]


def test_type_mismatch_and_extra_columns_change_nothing(session):
    session.execute(".set T <| print a=1, b='x'")
    with pytest.raises(BadRequest):
        session.execute(".append T <| print a='text', b='x'")
    with pytest.raises(BadRequest):
        session.execute(".append T <| print a=1, b='x', c=2.5")
    assert table_rows(session, "T") == [[1, "x"]]
    session.execute(".set-or-append T with (extend_schema=true) <| print a=2, b='y', c=2.5")
    assert [c.name for c in session.database.tables["T"].columns] == ["a", "b", "c"]
    assert table_rows(session, "T") == [[1, "x", None], [2, "y", 2.5]]


def test_numeric_types_convert(session):
    session.execute(".create table T (r:real, i:int)")
    session.execute(".append T <| print x=3, y=4")
    assert table_rows(session, "T") == [[3.0, 4]]


def test_set_or_replace_replaces_rows(session):
    session.execute(".set-or-replace T <| range i from 1 to 5 step 1")
    session.execute(".set-or-replace T <| range i from 10 to 11 step 1")
    assert table_rows(session, "T") == [[10], [11]]
    assert len(session.database.tables["T"].extents) == 1
    session.execute(".set-or-replace T with (recreate_schema=true) <| print s='new'")
    assert [(c.name, c.type) for c in session.database.tables["T"].columns] == [("s", "string")]
    assert table_rows(session, "T") == [["new"]]


def test_docs_example_set_or_replace_with_dynamic_index(session):
    session.execute('.set-or-replace Employees <|\n  range i from 1 to 100 step 1\n  | project Id=i\n'
                    '  | extend Code = tostring(dynamic(["Customer", "Employee"])[Id %2])\n'
                    '  | extend Color = tostring(dynamic(["Red", "Blue", "Gray"])[Id %3])')
    r = one(session, "Employees | summarize count() by Code | order by Code asc")
    assert r.rows == [["Customer", 50], ["Employee", 50]]


def test_dollar_column_names_fail(session):
    with pytest.raises(BadRequest):
        session.execute(".set T <| print ['a$b']=1")
    assert "T" not in session.database.tables


def test_database_qualified_target_and_properties(session):
    session.execute(".create database Other volatile")
    session.execute('.set-or-append Other.T with (folder="F", docstring="D") <| print a=1')
    t = session.cluster.database("Other").tables["T"]
    assert (t.folder, t.docstring) == ("F", "D")
    assert "T" not in session.database.tables


def test_async_returns_operation_id(session):
    r = one(session, ".set-or-append async T <| print a=1")
    assert r.column_names == ["OperationId"] and r.columns[0].type == "guid"
    assert table_rows(session, "T") == [[1]]


def test_query_syntax_error_position_is_in_the_request(session):
    with pytest.raises(KustoSyntaxError) as e:
        session.execute(".set-or-append T <|\n  print a=1\n  | where")
    assert e.value.line == 3
    assert "T" not in session.database.tables


def test_hook_failure_removes_a_created_table(session):
    saved = list(ingest.INGESTION_HOOKS)

    def refuse(batch, append):
        raise BadRequest("refused")
    ingest.INGESTION_HOOKS[:] = [refuse]
    try:
        with pytest.raises(BadRequest):
            session.execute(".set-or-append New <| print a=1")
    finally:
        ingest.INGESTION_HOOKS[:] = saved
    assert "New" not in session.database.tables


def test_hook_failure_restores_extended_schema(session):
    session.execute(".set T <| print a=1")
    saved = list(ingest.INGESTION_HOOKS)
    ingest.INGESTION_HOOKS[:] = [lambda batch, append: (_ for _ in ()).throw(BadRequest("refused"))]
    try:
        with pytest.raises(BadRequest):
            session.execute(".set-or-append T with (extend_schema=true) <| print a=2, b='new'")
    finally:
        ingest.INGESTION_HOOKS[:] = saved
    assert [c.name for c in session.database.tables["T"].columns] == ["a"]
    assert table_rows(session, "T") == [[1]]


def test_ingest_if_not_exists_skips_tagged_data(session):
    props = "with (tags='[\"ingest-by:batch1\"]', ingestIfNotExists='[\"batch1\"]')"
    r = one(session, f".set-or-append T {props} <| print a=1")
    assert len(r.rows) == 1
    r = one(session, f".set-or-append T {props} <| print a=2")
    assert r.rows == []
    assert table_rows(session, "T") == [[1]]
    [r] = session.execute(f".ingest inline into table T {props} <|\n3")
    assert r.rows[0][0].int == 0
    assert table_rows(session, "T") == [[1]]
    assert session.database.tables["T"].extents[0].tags == ["ingest-by:batch1"]


def test_each_ingestion_records_the_simulated_clock(session):
    import datetime as dt

    start = session.now()
    session.execute(".create table T (a:string)")
    session.execute(".ingest inline into table T <|\nx")
    session.cluster.now = start + dt.timedelta(hours=1)
    session.execute(".set-or-append T <| print a='y'")
    [r] = session.execute("T | extend t = ingestion_time() | order by a asc")
    assert r.rows == [["x", start], ["y", start + dt.timedelta(hours=1)]]


def test_missing_string_values_are_empty_not_null(session):
    session.execute(".create table T (n:long, s:string)")
    session.execute(".append T <| print n=1")
    session.execute(".ingest inline into table T with (format='json') <|\n{\"n\":2}")
    assert table_rows(session, "T") == [[1, ""], [2, ""]]
    session.execute(".alter-merge table T (extra:string, other:long)")
    assert table_rows(session, "T") == [[1, "", "", None], [2, "", "", None]]


def test_set_from_a_command(session):
    session.execute('.create table A (x:int) with (folder="F")')
    r = one(session, ".set-or-append Inventory <| .show tables | project TableName, Folder")
    assert r.rows[0][5] == 1
    assert table_rows(session, "Inventory") == [["A", "F"]]
