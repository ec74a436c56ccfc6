"""Database commands, `.show version` / `.show cluster`, and the real `kshell` over these commands."""

from __future__ import annotations

import json

import pytest

from kshell.errors import BadRequest, Conflict, DatabaseNotFound, EntityNameInvalid

DATABASES_COLUMNS = ["DatabaseName", "PersistentStorage", "Version", "IsCurrent", "DatabaseAccessMode",
                     "PrettyName", "ReservedSlot1", "DatabaseId", "InTransitionTo"]


def one(session, text):
    [r] = session.execute(text)
    return r


def test_new_cluster_has_netdefaultdb(session):
    r = one(session, ".show databases")
    assert r.column_names == DATABASES_COLUMNS
    assert [c.type for c in r.columns] == ["string", "string", "string", "bool", "string", "string", "bool",
                                           "guid", "string"]
    assert r.column("DatabaseName") == ["NetDefaultDB"]
    assert r.column("IsCurrent") == [True]


def test_create_volatile_database(session):
    r = one(session, ".create database Scratch volatile")
    assert r.column_names == ["DatabaseName", "PersistentPath", "Created", "StoresMetadata", "StoresData"]
    assert r.rows[0][0] == "Scratch" and r.rows[0][2] == "True"
    shown = {row["DatabaseName"]: row for row in one(session, ".show databases").as_dicts()}
    assert shown["Scratch"]["PersistentStorage"] == "" and shown["Scratch"]["IsCurrent"] is False
    assert shown["NetDefaultDB"]["PersistentStorage"] != ""


def test_database_names_are_case_insensitive(session):
    session.execute(".create database Scratch")
    with pytest.raises(Conflict):
        session.execute(".create database SCRATCH")
    r = one(session, ".create database scratch ifnotexists")
    assert r.rows[0][:3] == ["Scratch", r.rows[0][1], "False"]
    assert len(session.cluster.databases) == 2
    assert one(session, ".show database SCRATCH").rows[0][0] == "Scratch"


def test_invalid_database_name(session):
    with pytest.raises(EntityNameInvalid):
        session.execute(".create database ['a/b']")
    assert len(session.cluster.databases) == 1


def test_drop_database(session):
    session.execute(".create database Scratch volatile")
    r = one(session, ".drop database scratch")
    assert r.column_names == DATABASES_COLUMNS and r.column("DatabaseName") == ["NetDefaultDB"]
    with pytest.raises(DatabaseNotFound):
        session.execute(".drop database Scratch")
    session.execute(".drop database Scratch ifexists")
    with pytest.raises(BadRequest):
        session.execute(".drop database NetDefaultDB")
    assert session.cluster.database("NetDefaultDB") is not None


def test_show_database_and_details(session):
    r = one(session, ".show database")
    assert r.column_names == DATABASES_COLUMNS and r.rows[0][0] == "NetDefaultDB"
    r = one(session, ".show database NetDefaultDB details")
    assert r.column_names[:6] == DATABASES_COLUMNS[:6] and "TotalSize" in r.column_names
    with pytest.raises(DatabaseNotFound):
        session.execute(".show database Nope")


def test_pretty_name(session):
    r = one(session, ".alter database NetDefaultDB prettyname 'Nice'")
    assert r.column_names == ["DatabaseName", "PrettyName"] and r.rows == [["NetDefaultDB", "Nice"]]
    assert one(session, ".show databases").column("PrettyName") == ["Nice"]
    session.execute(".drop database NetDefaultDB prettyname")
    assert one(session, ".show databases").column("PrettyName") == [""]


def test_show_database_schema_forms(session):
    session.execute('.create table T (a:string, b:long) with (folder="F", docstring="D")')
    session.execute('.create function with (folder="Fn", skipvalidation=true) G(x:long) { T | take x }')
    r = one(session, ".show database schema")
    assert r.column_names == ["DatabaseName", "TableName", "ColumnName", "ColumnType", "IsDefaultTable",
                              "IsDefaultColumn", "PrettyName", "Version", "Folder", "DocString"]
    assert [(row[1], row[2], row[3]) for row in r.rows] == [
        ("", "", ""), ("T", "", ""), ("T", "a", "System.String"), ("T", "b", "System.Int64")]

    r = one(session, ".show database NetDefaultDB schema as json")
    assert r.column_names == ["DatabaseSchema"]
    doc = json.loads(r.rows[0][0])["Databases"]["NetDefaultDB"]
    assert doc["Tables"]["T"]["OrderedColumns"][1] == {"Name": "b", "Type": "System.Int64", "CslType": "long"}
    assert doc["Tables"]["T"]["Folder"] == "F"
    assert doc["Functions"]["G"]["Body"] == "{ T | take x }"

    r = one(session, ".show database schema as csl script")
    assert r.column_names == ["DatabaseSchemaScript"]
    script = r.column("DatabaseSchemaScript")
    assert script == ['.create-merge table T (a:string, b:long) with (folder = "F", docstring = "D")',
                      '.create-or-alter function with (folder = "Fn", skipvalidation = "true") G(x:long) '
                      '{ T | take x }']


def test_csl_script_recreates_the_schema(session):
    from kshell.engine.session import Session

    session.execute('.create table T (a:string, b:long) with (folder="F", docstring="D")')
    session.execute('.create function with (skipvalidation=true) G(x:long) { T | take x }')
    script = one(session, ".show database schema as csl script").column("DatabaseSchemaScript")
    other = Session()
    for command in script:
        other.execute(command)
    assert (one(other, ".show database schema as csl script").column("DatabaseSchemaScript") == script)


def test_show_version_and_cluster(session):
    r = one(session, ".show version")
    assert r.column_names == ["BuildVersion", "BuildTime", "ServiceType", "ProductVersion"]
    r = one(session, ".show cluster")
    assert r.column_names == ["NodeId", "Address", "Name", "StartTime", "IsAdmin", "MachineTotalMemory",
                              "MachineAvailableMemory", "ProcessorCount", "EnvironmentDescription"]
    assert len(r.rows) == 1


def test_kshell_script_end_to_end(run_kshell):
    script = (".create database Sales volatile\n"
              "#db Sales\n"
              ".create table Orders (Id:long, Item:string)\n"
              ".ingest inline into table Orders <|\n1,apple\n2,O'Brien pear\n\n"
              ".show tables\n")
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 0, err
    assert "Orders,Sales" in out
    code, out, err = run_kshell(".drop table Missing\n", "--format", "csv")
    assert code == 1
    assert "Missing" in err and "Traceback" not in err


def test_show_database_without_name_and_another_familys_words(session):
    from kshell.syntax import parse
    from kshell.syntax.cmd_database import ShowDatabase

    assert not isinstance(parse(".show database principals"), ShowDatabase)
    assert not isinstance(parse(".show database extents"), ShowDatabase)
    [r] = session.execute(".show database extents")
    assert r.column_names[0] == "ExtentId"


def test_show_database_cslschema(session):
    session.execute('.create table T (a:string, b:long) with (folder="F")')
    r = one(session, ".show database cslschema")
    assert r.column_names == ["TableName", "Schema", "DatabaseName", "Folder", "DocString"]
    assert r.rows == [["T", "a:string,b:long", "NetDefaultDB", "F", ""]]
