"""Function commands: create/alter/drop/show, exists semantics, validation and skipvalidation."""

from __future__ import annotations

import pytest

from kshell.errors import BadRequest, Conflict, EntityNotFound, KustoError, KustoSyntaxError

FUNCTION_COLUMNS = ["Name", "Parameters", "Body", "Folder", "DocString"]


def one(session, text):
    [r] = session.execute(text)
    return r




def test_create_function_result_columns(session):
    session.execute(".create table StormEvents (EndTime:datetime, State:string)")
    r = one(session, '.create function with (docstring = "Demo function with date parameter",folder = "Demo")\n'
                     ' MyFunction2(Mytimestamp: datetime) {StormEvents | where EndTime <= Mytimestamp}')
    assert r.column_names == FUNCTION_COLUMNS
    assert r.rows == [["MyFunction2", "(Mytimestamp:datetime)", "{StormEvents | where EndTime <= Mytimestamp}",
                       "Demo", "Demo function with date parameter"]]
    assert session.database.functions["MyFunction2"].created_by == session.principal


def test_create_existing_function_fails_unless_ifnotexists(session):
    session.execute(".create function F() { print 1 }")
    with pytest.raises(Conflict):
        session.execute(".create function F() { print 2 }")
    r = one(session, ".create function ifnotexists F() { print 3 }")
    assert r.rows[0][2] == "{ print 1 }"
    assert session.database.functions["F"].body == "{ print 1 }"


def test_alter_requires_existing_and_create_or_alter_replaces(session):
    with pytest.raises(EntityNotFound):
        session.execute(".alter function F() { print 1 }")
    assert "F" not in session.database.functions
    session.execute('.create-or-alter function with (folder="A") F(x:long) { print x }')
    session.execute(".create-or-alter function F(x:long, y:string='a') { print x, y }")
    f = session.database.functions["F"]
    assert (f.parameters, f.body, f.folder) == ("(x:long, y:string='a')", "{ print x, y }", "A")
    session.execute('.alter function with (docstring="D") F() { print 0 }')
    assert (session.database.functions["F"].docstring, session.database.functions["F"].parameters) == ("D", "()")


def test_tabular_parameters_are_kept(session):
    session.execute(".create function with (skipvalidation=true) G(T:(a:string, b:long), U:(*)) { T }")
    assert session.database.functions["G"].parameters == "(T:(a:string, b:long), U:(*))"


def test_skipvalidation_allows_unknown_names(session):
    r = one(session, ".create function with (skipvalidation=true) IngestToTarget()\n"
                     "{\n    $source_table\n    | project Id, Value\n}")
    assert r.rows[0][0] == "IngestToTarget"
    assert session.database.functions["IngestToTarget"].skipvalidation is True


def test_validation_rejects_unknown_table_and_changes_nothing(session):
    with pytest.raises(KustoError) as e:
        session.execute(".create function F() { NoSuchTable | take 1 }")
    assert "NoSuchTable" in e.value.message
    assert "F" not in session.database.functions


def test_validation_sees_parameters(session):
    session.execute(".create table T (a:long)")
    session.execute(".create function F(n:long) { T | where a > n }")
    assert "F" in session.database.functions


def test_body_syntax_error_has_a_position(session):
    with pytest.raises(KustoSyntaxError) as e:
        session.execute(".create function F() {\n T | where \n}")
    assert e.value.line is not None
    assert "F" not in session.database.functions


def test_function_and_table_names_clash(session):
    session.execute(".create table T (a:long)")
    with pytest.raises(BadRequest):
        session.execute(".create function with (skipvalidation=true) T() { print 1 }")


def test_show_functions_and_function(session):
    session.execute('.create function with (folder="f") A() { print 1 }')
    session.execute(".create function B(x:int) { print x }")
    r = one(session, ".show functions")
    assert r.column_names == FUNCTION_COLUMNS and [c.type for c in r.columns] == ["string"] * 5
    assert r.column("Name") == ["A", "B"]
    assert one(session, ".show function B").rows == [["B", "(x:int)", "{ print x }", "", ""]]
    with pytest.raises(EntityNotFound):
        session.execute(".show function C")


def test_drop_function_and_functions(session):
    for name in "ABC":
        session.execute(f".create function {name}() {{ print 1 }}")
    r = one(session, ".drop function A")
    assert r.column_names == ["Name"] and r.rows == [["A"]]
    with pytest.raises(EntityNotFound):
        session.execute(".drop functions (B, Nope)")
    assert sorted(session.database.functions) == ["B", "C"]
    assert one(session, ".drop function Nope ifexists").rows == []
    r = one(session, ".drop functions (B, Nope) ifexists")
    assert r.column_names == FUNCTION_COLUMNS and r.column("Name") == ["C"]


def test_alter_function_docstring_and_folder(session):
    session.execute(".create function A() { print 1 }")
    assert one(session, '.alter function A docstring "doc"').rows[0][4] == "doc"
    assert one(session, '.alter function A folder "dir"').rows[0][3] == "dir"
    with pytest.raises(EntityNotFound):
        session.execute('.alter function Nope folder "dir"')


def test_scalar_function_validates_and_is_callable(session):
    session.execute(".create function AddOne(x:long) { x + 1 }")
    [r] = session.execute("print AddOne(2)")
    assert r.rows == [[3]]


def test_validation_error_points_into_the_body(session):
    with pytest.raises(KustoError) as e:
        session.execute(".create function Bad(x:long) {\n  x + nope }")
    assert (e.value.line, e.value.column) == (2, 7)
    assert "nope" in e.value.message and "Bad" not in session.database.functions
