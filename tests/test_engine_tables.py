"""Table commands end to end through Session.execute: result columns, rules, atomicity."""

from __future__ import annotations

import copy
import json

import pytest

from kshell.errors import BadRequest, Conflict, EntityNameInvalid, KustoError, TableNotFound


def one(session, text):
    results = session.execute(text)
    assert len(results) == 1
    return results[0]


def snapshot(session):
    """Everything a failing command must leave untouched."""
    out = {}
    for key, db in session.cluster.databases.items():
        out[key] = {
            "tables": {n: (t.name, [(c.name, c.type) for c in t.columns], copy.deepcopy(t.data),
                           len(t.extents), t.folder, t.docstring) for n, t in db.tables.items()},
            "functions": {n: (f.name, f.parameters, f.body, f.folder, f.docstring) for n, f in db.functions.items()},
            "pretty": db.pretty_name,
        }
    return out


def test_create_table_returns_schema_row(session):
    r = one(session, '.create table T (a:string, b:long) with (folder="F", docstring="Doc")')
    assert r.column_names == ["TableName", "Schema", "DatabaseName", "Folder", "DocString"]
    name, schema, db, folder, doc = r.rows[0]
    assert (name, db, folder, doc) == ("T", "NetDefaultDB", "F", "Doc")
    assert json.loads(schema) == {"Name": "T", "OrderedColumns": [
        {"Name": "a", "Type": "System.String", "CslType": "string"},
        {"Name": "b", "Type": "System.Int64", "CslType": "long"}]}


def test_create_existing_table_succeeds_without_change(session):
    session.execute(".create table T (a:string)")
    r = one(session, '.create table T (x:int, y:real) with (folder="Other")')
    assert json.loads(r.rows[0][1])["OrderedColumns"] == [{"Name": "a", "Type": "System.String", "CslType": "string"}]
    assert r.rows[0][3] == ""
    assert [c.name for c in session.database.tables["T"].columns] == ["a"]


def test_table_names_are_case_sensitive(session):
    session.execute(".create table T (a:string)")
    session.execute(".create table t (b:long)")
    assert sorted(one(session, ".show tables").column("TableName")) == ["T", "t"]


def test_show_tables_columns_and_filter(session):
    session.execute('.create table A (x:int) with (docstring="first")')
    session.execute(".create table B (x:int)")
    r = one(session, ".show tables")
    assert r.column_names == ["TableName", "DatabaseName", "Folder", "DocString"]
    assert [c.type for c in r.columns] == ["string"] * 4
    assert r.rows == [["A", "NetDefaultDB", "", "first"], ["B", "NetDefaultDB", "", ""]]
    assert one(session, ".show tables (B)").column("TableName") == ["B"]


def test_show_table_schema_as_json_and_csl(session):
    session.execute(".create table T (a:string, ['b c']:dynamic, d:bool)")
    r = one(session, ".show table T schema as json")
    assert r.column_names == ["TableName", "Schema", "DatabaseName", "Folder", "DocString"]
    cols = json.loads(r.rows[0][1])["OrderedColumns"]
    assert [(c["Name"], c["Type"], c["CslType"]) for c in cols] == [
        ("a", "System.String", "string"), ("b c", "System.Object", "dynamic"), ("d", "System.SByte", "bool")]
    assert one(session, ".show table T cslschema").rows[0][1] == "a:string,['b c']:dynamic,d:bool"


def test_show_table_column_statistics(session):
    session.execute(".create table T (a:string, b:long)")
    r = one(session, ".show table T")
    assert r.column_names == ["AttributeName", "AttributeType", "ExtentSize", "CompressionRatio", "IndexSize",
                              "IndexSizePercent", "OriginalSize", "AttributeId", "SharedIndexSize",
                              "StorageEngineVersion"]
    assert [row[:2] for row in r.rows] == [["a", "System.String"], ["b", "System.Int64"]]


def test_show_table_details(session):
    session.execute('.create table T (a:string) with (folder="F")')
    session.execute(".ingest inline into table T <|\nx\ny")
    r = one(session, ".show table T details")
    row = r.as_dicts()[0]
    assert (row["TableName"], row["Folder"], row["TotalRowCount"], row["TotalExtents"]) == ("T", "F", 2, 1)
    assert row["MinExtentsCreationTime"] == session.now()


def test_drop_table_returns_remaining_tables(session):
    session.execute(".create table A (x:int)")
    session.execute(".create table B (x:int)")
    r = one(session, ".drop table A")
    assert r.column_names == ["TableName", "DatabaseName"]
    assert r.rows == [["B", "NetDefaultDB"]]


def test_drop_missing_table(session):
    with pytest.raises(TableNotFound):
        session.execute(".drop table Nope")
    assert one(session, ".drop table Nope ifexists").rows == []


def test_drop_tables_all_or_nothing(session):
    session.execute(".create table A (x:int)")
    session.execute(".create table B (x:int)")
    before = snapshot(session)
    with pytest.raises(TableNotFound):
        session.execute(".drop tables (A, Missing)")
    assert snapshot(session) == before
    session.execute(".drop tables (A, Missing) ifexists")
    assert list(session.database.tables) == ["B"]


def test_alter_table_keeps_data_of_kept_columns(session):
    session.execute(".create table T (a:string, b:long)")
    session.execute(".ingest inline into table T <|\nx,1\ny,2")
    r = one(session, ".alter table T (b:long, c:real)")
    t = session.database.tables["T"]
    assert [c.name for c in t.columns] == ["b", "c"]
    assert [list(c) for c in t.data] == [[1, 2], [None, None]]
    assert json.loads(r.rows[0][1])["Name"] == "T"


def test_alter_table_type_change_fails_without_change(session):
    session.execute(".create table T (a:string, b:long)")
    before = snapshot(session)
    with pytest.raises(BadRequest):
        session.execute(".alter table T (a:long)")
    assert snapshot(session) == before


def test_alter_merge_adds_columns(session):
    session.execute(".create table T (a:string)")
    session.execute(".ingest inline into table T <|\nx")
    session.execute('.alter-merge table T (a:string, b:int) with (docstring="d")')
    t = session.database.tables["T"]
    assert [(c.name, c.type) for c in t.columns] == [("a", "string"), ("b", "int")]
    assert t.data == [["x"], [None]]
    assert t.docstring == "d"


def test_create_merge_creates_or_extends(session):
    session.execute(".create-merge table T (a:string)")
    session.execute(".create-merge table T (a:string, b:long)")
    assert [c.name for c in session.database.tables["T"].columns] == ["a", "b"]
    before = snapshot(session)
    with pytest.raises(BadRequest):
        session.execute(".create-merge table T (b:string)")
    assert snapshot(session) == before


def test_create_tables_several(session):
    r = one(session, ".create tables A (x:int), B (y:string)")
    assert r.column_names == ["TableName", "DatabaseName", "Folder", "DocString"]
    assert r.column("TableName") == ["A", "B"]


def test_create_tables_invalid_name_creates_nothing(session):
    before = snapshot(session)
    with pytest.raises(EntityNameInvalid):
        session.execute(".create tables A (x:int), ['__bad'] (y:string)")
    assert snapshot(session) == before


def test_duplicate_column_rejected(session):
    with pytest.raises(BadRequest):
        session.execute(".create table T (a:string, a:long)")
    assert "T" not in session.database.tables


def test_alter_docstring_and_folder(session):
    session.execute(".create table T (a:string)")
    r = one(session, '.alter table T docstring "hello"')
    assert r.rows[0][4] == "hello"
    r = one(session, '.alter table T folder @"A\\B"')
    assert r.rows[0][3] == "A\\B"
    with pytest.raises(TableNotFound):
        session.execute('.alter table Nope folder "x"')


def test_rename_table_and_swap(session):
    session.execute(".create table A (x:int)")
    session.execute(".create table B (y:string)")
    with pytest.raises(Conflict):
        session.execute(".rename table A to B")
    session.execute(".rename tables A=B, B=A")
    tables = session.database.tables
    assert [c.name for c in tables["A"].columns] == ["y"]
    assert [c.name for c in tables["B"].columns] == ["x"]
    session.execute(".rename table A to C")
    assert sorted(tables) == ["B", "C"]


def test_clear_table_data(session):
    session.execute(".create table T (a:string)")
    session.execute(".ingest inline into table T <|\nx")
    r = one(session, ".clear table T data")
    assert r.rows == [["Success"]]
    assert session.database.tables["T"].row_count == 0
    assert session.database.tables["T"].extents == []


def test_create_table_based_on(session):
    session.execute('.create table A (x:int, y:string) with (folder="F")')
    r = one(session, ".create table B based-on A")
    assert json.loads(r.rows[0][1])["OrderedColumns"][1]["Name"] == "y"
    assert r.rows[0][3] == "F"


def test_creator_is_recorded(session):
    session.execute(".create table T (a:string)")
    assert session.database.tables["T"].created_by == session.principal


def test_database_qualified_table(session):
    session.execute(".create database Other volatile")
    session.execute(".create table Other.T (a:string)")
    assert "T" in session.cluster.database("other").tables
    assert "T" not in session.database.tables


def test_failed_commands_never_raise_python_errors(session):
    session.execute(".create table T (a:string)")
    for text in [".alter table Nope (a:string)", ".show table Nope", ".show table Nope schema as json",
                 ".clear table Nope data", ".rename table Nope to X", ".create table T2 based-on Nope",
                 ".alter table T column-docstrings (zz:\"x\")"]:
        before = snapshot(session)
        with pytest.raises(KustoError):
            session.execute(text)
        assert snapshot(session) == before


def test_show_command_piped_into_a_query(session):
    session.execute(".create table A (x:int)")
    session.execute('.create table B (x:int) with (folder="keep")')
    [r] = session.execute('.show tables | where Folder == "keep" | project TableName')
    assert r.column_names == ["TableName"] and r.rows == [["B"]]
    [r] = session.execute(".show tables;\n$command_results\n| count")
    assert r.rows == [[2]]
    [r] = session.execute(".show databases | project DatabaseName, IsCurrent")
    assert r.rows == [["NetDefaultDB", True]]


def test_piped_query_syntax_error_points_into_the_request(session):
    from kshell.errors import KustoSyntaxError

    with pytest.raises(KustoSyntaxError) as e:
        session.execute(".show tables\n| where")
    assert (e.value.line, e.value.column) == (2, 8)


def test_table_cannot_take_a_function_name(session):
    session.execute(".create function F() { print 1 }")
    with pytest.raises(BadRequest):
        session.execute(".create table F (a:string)")
    with pytest.raises(BadRequest):
        session.execute(".set-or-append F <| print a=1")
    assert "F" not in session.database.tables


def test_show_extents_with_tag_filters(session):
    session.execute(".create table T (a:string)")
    session.execute(".ingest inline into table T with (tags='[\"drop-by:old\",\"Blue\"]') <|\nx\ny")
    session.execute(".ingest inline into table T with (tags='[\"red\"]') <|\nz")
    [r] = session.execute(".show table T extents")
    assert r.column_names[:4] == ["ExtentId", "DatabaseName", "TableName", "MaxCreatedOn"]
    assert r.column("RowCount") == [2, 1]
    assert r.column("Tags") == ["drop-by:old\r\nBlue", "red"]
    [r] = session.execute(".show table T extents where tags has 'blue'")
    assert r.column("RowCount") == [2]
    [r] = session.execute(".show table T extents where tags contains 'drop-by' and tags !has 'red'")
    assert r.column("RowCount") == [2]
    [r] = session.execute(".show table T extents where tags !contains 'e'")
    assert r.rows == []
    first = session.database.tables["T"].extents[1].extent_id
    [r] = session.execute(f".show table T extents ({first})")
    assert r.column("ExtentId") == [first]
    [r] = session.execute(".show database extents | summarize sum(RowCount) by TableName")
    assert r.rows == [["T", 3]]


def test_extent_tags_alter_merge_drop(session):
    session.execute(".create table T (a:string)")
    session.execute(".ingest inline into table T with (tags='[\"x\"]') <|\n1")
    old_id = session.database.tables["T"].extents[0].extent_id
    [r] = session.execute(".alter-merge table T extent tags ('drop-by:p1', 'y')")
    assert r.column_names == ["OriginalExtentId", "ResultExtentId", "ResultExtentTags", "Details"]
    assert r.rows[0][0] == str(old_id) and r.rows[0][1] != str(old_id)
    assert session.database.tables["T"].extents[0].tags == ["x", "drop-by:p1", "y"]
    session.execute(".drop table T extent tags ('x')")
    assert session.database.tables["T"].extents[0].tags == ["drop-by:p1", "y"]
    session.execute(".alter table T extent tags ('only')")
    assert session.database.tables["T"].extents[0].tags == ["only"]
    [r] = session.execute(".drop table T extent tags with (extentCreatedOnFrom=datetime(2000-01-01))")
    assert len(r.rows) == 1 and session.database.tables["T"].extents[0].tags == []
    [r] = session.execute(".drop table T extent tags with (extentCreatedOnTo=datetime(2000-01-01))")
    assert r.rows == []
    assert session.database.tables["T"].row_count == 1


def test_extent_tags_on_extents_chosen_by_a_command(session):
    session.execute(".create table T (a:string)")
    session.execute(".ingest inline into table T with (tags='[\"drop-by:a\"]') <|\n1")
    session.execute(".ingest inline into table T <|\n2")
    session.execute(".drop table T extent tags <|\n  .show table T extents\n  | where isnotempty(Tags)")
    assert [e.tags for e in session.database.tables["T"].extents] == [[], []]
    session.execute(".alter table T extent tags ('k') <| .show table T extents | where RowCount == 1 | take 1")
    assert [e.tags for e in session.database.tables["T"].extents] == [["k"], []]


def test_show_table_data_statistics(session):
    session.execute(".create table T (a:string, b:long)")
    session.execute(".ingest inline into table T <|\nhello,1\nworld,2")
    [r] = session.execute('.show table T data statistics with (scope="all", samplepercent=80)')
    assert r.column_names[:3] == ["ColumnName", "ColumnType", "ColumnId"]
    assert [(row[0], row[1], row[11]) for row in r.rows] == [("a", "string", 2), ("b", "long", 2)]
    assert r.rows[0][3] == 10  # OriginalSize of 'hello' + 'world'


def test_column_commands(session):
    session.execute(".create table T (a:string, b:long, c:real)")
    session.execute(".ingest inline into table T <|\nx,1,1.5")
    [r] = session.execute(".rename column T.a to name")
    assert json.loads(r.rows[0][1])["OrderedColumns"][0]["Name"] == "name"
    session.execute(".rename columns b = T.c, c = T.b")
    t = session.database.tables["T"]
    assert [(c.name, c.type) for c in t.columns] == [("name", "string"), ("c", "long"), ("b", "real")]
    assert table_rows(session, "T") == [["x", 1, 1.5]]
    session.execute(".alter column T.c type=string")
    assert table_rows(session, "T") == [["x", "", 1.5]]
    session.execute(".drop table T columns (b)")
    session.execute(".drop column T.nope ifexists")
    assert [c.name for c in t.columns] == ["name", "c"]
    before = snapshot(session)
    for text in [".drop column T.nope", ".drop table T columns (name, c)", ".rename column T.name to c",
                 ".alter column T.zz type=long", ".rename columns a = T.name, a = T.c"]:
        with pytest.raises(KustoError):
            session.execute(text)
        assert snapshot(session) == before, text


def table_rows(session, name):
    return [list(r) for r in zip(*session.database.tables[name].data)]


def test_column_docstrings(session):
    session.execute(".create table T (a:string, b:long)")
    [r] = session.execute('.alter table T column-docstrings (a:"first", b:"second")')
    cols = json.loads(r.rows[0][1])["OrderedColumns"]
    assert [c.get("DocString") for c in cols] == ["first", "second"]
    session.execute('.alter-merge table T column-docstrings (b:"changed")')
    session.execute(".rename column T.a to aa")
    [r] = session.execute(".show table T schema as json")
    assert [c.get("DocString") for c in json.loads(r.rows[0][1])["OrderedColumns"]] == ["first", "changed"]
    session.execute('.alter table T column-docstrings (b:"only")')
    [r] = session.execute(".show table T schema as json")
    assert [c.get("DocString") for c in json.loads(r.rows[0][1])["OrderedColumns"]] == [None, "only"]
