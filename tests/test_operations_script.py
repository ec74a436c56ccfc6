"""`.execute database script`: result table, stop/continue on errors, no rollback of
completed commands, ThrowOnErrors, `.show` skipped, and the docs example end to end."""

from __future__ import annotations

import pytest

from kshell.errors import KustoError

SCRIPT = """.execute database script {props}<|
.create table A (a:string)
.alter table Missing policy caching hot = 1d
.create table B (b:string)
.show tables
"""


def outcomes(result):
    return [(r["CommandText"].split(" (")[0], r["Result"]) for r in result.as_dicts()]


def tables(session):
    return sorted(session.database.tables)


def test_stops_at_the_first_failure_by_default_and_keeps_what_completed(session):
    result = session.execute(SCRIPT.format(props=""))[0]
    assert result.column_names == ["OperationId", "CommandType", "CommandText", "Result", "Reason"]
    assert outcomes(result) == [(".create table A", "Completed"),
                                (".alter table Missing policy caching hot = 1d", "Failed"),
                                (".create table B", "Skipped"), (".show tables", "Skipped")]
    assert "Missing" in result.as_dicts()[1]["Reason"]
    assert tables(session) == ["A"]  # not a transaction: A stays


def test_continue_on_errors_runs_every_command(session):
    result = session.execute(SCRIPT.format(props="with (ContinueOnErrors=true) "))[0]
    assert [o[1] for o in outcomes(result)] == ["Completed", "Failed", "Completed", "Skipped"]
    assert result.as_dicts()[3]["Reason"] == "read-only commands are not run in a script"
    assert tables(session) == ["A", "B"]
    assert len({r["OperationId"] for r in result.as_dicts()}) == 4


def test_throw_on_errors_fails_the_request_and_changes_nothing(session):
    with pytest.raises(KustoError, match="command 2 of the script failed"):
        session.execute(SCRIPT.format(props="with (ThrowOnErrors=true) "))
    assert tables(session) == []
    with pytest.raises(KustoError, match="cannot both be set"):
        session.execute(SCRIPT.format(props="with (ThrowOnErrors=true, ContinueOnErrors=true) "))
    with pytest.raises(KustoError, match="unknown property 'Bogus'"):
        session.execute(SCRIPT.format(props="with (Bogus=true) "))


def test_each_command_keeps_its_own_permission_check(session):
    session.execute(".create table T (a:string)")
    session.execute(".add database NetDefaultDB admins ('aaduser=dba@contoso.com')")
    session.principal = "aaduser=dba@contoso.com"
    result = session.execute(".execute database script with (ContinueOnErrors=true) <|\n"
                             ".alter cluster policy caching hot = 1d\n.alter table T policy caching hot = 2d")[0]
    assert [r["Result"] for r in result.as_dicts()] == ["Failed", "Completed"]
    assert "Forbidden" in result.as_dicts()[0]["Reason"]


def test_queries_and_directives_in_a_script_fail(session):
    result = session.execute(".execute database script with (ContinueOnErrors=true) <|\nprint 1\n#db\n.create table Z (z:long)")[0]
    assert [r["Result"] for r in result.as_dicts()] == ["Failed", "Failed", "Completed"]


def test_docs_example_end_to_end(run_kshell):
    script = """.execute database script with (ContinueOnErrors=true)
<|
//
// Create tables
.create-merge table T(a:string, b:string)
//
// Apply policies
.alter-merge table T policy retention softdelete = 10d
//
// Create functions
.create-or-alter function
  with (skipvalidation = "true")
  SampleT1(myLimit: long) {
    T1 | take myLimit
}
#tag-like line inside the body
.ingest inline into table T <| x,y

.execute database script <|
.create table X (x:string)
.drop table NotThere
.create table Y (y:long)

.show table T policy retention | project Policy
.show tables | project TableName | order by TableName asc
"""
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 0, err
    lines = out.strip().splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith(("OperationId,", "Policy", "TableName"))]
    first, second = "\n".join(lines[heads[0]:heads[1]]), "\n".join(lines[heads[1]:heads[2]])
    assert first.count(",Completed,") == 4 and first.count(",Failed,") == 1  # the `#...` line
    assert second.count(",Completed,") == 1 and second.count(",Failed,") == 1
    assert second.count(",Skipped,") == 1  # the script stopped at the failure: no Y
    assert "10.00:00:00" in lines[heads[2] + 1]
    assert lines[heads[3]:] == ["TableName", "T", "X"]


def test_script_commands_reach_the_journal(session):
    session.execute(".execute database script <|\n.create table A (a:string)\n.alter-merge table A (b:long)")
    journal = session.execute(".show journal")[0].as_dicts()
    assert [j["Event"] for j in journal] == ["CREATE-TABLE", "ALTER-MERGE-TABLE"]
    assert journal[1]["UpdatedEntityState"] == ".create-merge table A (a:string, b:long)"


def test_a_command_that_does_not_parse_has_no_command_type(session):
    # the failed row must not carry the previous command's type
    result = session.execute(".execute database script with (ContinueOnErrors=true) <|\n"
                             ".create table A (a:string)\n.bogus\n")[0]
    rows = result.as_dicts()
    assert [(r["CommandType"], r["Result"]) for r in rows] == [("CreateTable", "Completed"), ("", "Failed")]
