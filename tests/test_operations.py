"""Operations, the request log and the journal: what each caller may see."""

from __future__ import annotations

import pytest

from kshell.errors import KustoError

ALICE = "aaduser=alice@contoso.com"
BOB = "aaduser=bob@contoso.com"


def run(session, text):
    return session.execute(text)


def dicts(session, text):
    return run(session, text)[0].as_dicts()


def test_commands_and_queries_are_logged(session):
    run(session, ".create table T (a:string)")
    run(session, "T | count")
    with pytest.raises(KustoError):
        run(session, ".drop table Nope")
    commands = dicts(session, ".show commands")
    assert [c["Text"] for c in commands][:2] == [".drop table Nope", ".create table T (a:string)"]
    assert commands[0]["State"] == "Failed" and "Nope" in commands[0]["FailureReason"]
    assert commands[1]["CommandType"] == "CreateTable" and commands[1]["State"] == "Completed"
    queries = dicts(session, ".show queries")
    assert [q["Text"] for q in queries] == ["T | count"]
    both = dicts(session, ".show commands-and-queries")
    assert {b["Text"] for b in both} >= {"T | count", ".create table T (a:string)"}
    assert run(session, ".show running queries")[0].rows == []


def test_operations_and_async_details(session):
    run(session, ".create table T (a:long)")
    op = run(session, ".set-or-append async T <| print a = 5")[0].rows[0][0]
    ops = dicts(session, ".show operations")
    assert any(o["OperationId"] == op and o["Operation"] == "TableSetOrAppend" for o in ops)
    assert dicts(session, f".show operations {op}")[0]["State"] == "Completed"
    details = run(session, f".show operation {op} details")[0]
    assert details.column_names[0] == "ExtentId" and details.rows[0][-1] == 1
    assert any(o["Operation"] == "CreateTable" for o in ops)
    with pytest.raises(KustoError, match="already completed"):
        run(session, f".cancel operation {op}")
    with pytest.raises(KustoError, match="not found"):
        run(session, ".cancel operation 00000000-0000-0000-0000-000000000001")
    create_op = next(o for o in ops if o["Operation"] == "CreateTable")["OperationId"]
    with pytest.raises(KustoError, match="does not keep its results"):
        run(session, f".show operation {create_op} details")
    # an operation the request hook recorded is found by its id, in any case
    assert [o["Operation"] for o in dicts(session, f".show operations {str(create_op).upper()}")] == ["CreateTable"]
    with pytest.raises(KustoError, match="already completed"):
        run(session, f".cancel operation {create_op}")
    commands = dicts(session, ".show commands")
    assert all(c["ClientActivityId"].startswith("KSH.execute;") for c in commands)
    ids = [c["ClientActivityId"] for c in commands] + [str(c["RootActivityId"]) for c in commands]
    assert len(set(ids)) == len(ids) and dicts(session, ".show commands")[1:] == commands  # the same when shown again


def test_async_materialized_view_creation_is_an_operation(session):
    run(session, ".create table T (k:string)")
    op = run(session, ".create async materialized-view with (backfill=true) V on table T { T | summarize count() by k }")[0].rows[0][0]
    assert dicts(session, f".show operation {op} details")[0]["Name"] == "V"


def test_callers_see_their_own_requests_admins_see_all(session):
    run(session, ".create table T (a:string)")
    run(session, ".add database NetDefaultDB users ('%s', '%s')" % (ALICE, BOB))
    session.principal = ALICE
    run(session, ".create table AliceT (a:string)")
    session.principal = BOB
    run(session, "print 1")
    texts = [c["Text"] for c in dicts(session, ".show commands-and-queries")]
    assert "print 1" in texts and ".create table AliceT (a:string)" not in texts
    assert all(o["Principal"] == BOB for o in dicts(session, ".show operations"))
    assert all(j["Principal"] == BOB for j in dicts(session, ".show journal"))
    session.principal = "aaduser=kshell-admin@kshell.local"
    texts = [c["Text"] for c in dicts(session, ".show commands-and-queries")]
    assert ".create table AliceT (a:string)" in texts and "print 1" in texts


def test_database_monitor_sees_the_database(session):
    run(session, ".add database NetDefaultDB users ('%s')" % ALICE)
    run(session, ".add database NetDefaultDB monitors ('%s')" % BOB)
    session.principal = ALICE
    run(session, ".create table AliceT (a:string)")
    session.principal = BOB
    assert ".create table AliceT (a:string)" in [c["Text"] for c in dicts(session, ".show commands")]


def test_journal_records_metadata_changes_with_before_and_after(session):
    run(session, ".create table T (a:string)")
    run(session, ".alter-merge table T (b:long)")
    run(session, ".ingest inline into table T <| x,1")
    run(session, ".alter table T policy caching hot = 1d")
    run(session, ".drop table T")
    journal = dicts(session, ".show journal")
    assert [j["Event"] for j in journal] == ["CREATE-TABLE", "ALTER-MERGE-TABLE", "ALTER-TABLE", "DROP-TABLE"]
    alter = journal[1]
    assert alter["OriginalEntityState"] == ".create-merge table T (a:string)"
    assert alter["UpdatedEntityState"] == ".create-merge table T (a:string, b:long)"
    assert "policy caching" in journal[2]["UpdatedEntityState"]
    assert journal[3]["UpdatedEntityState"] == "" and journal[3]["Principal"].startswith("aaduser=")
    assert dicts(session, ".show database NetDefaultDB journal") == journal
    assert [j["Event"] for j in dicts(session, ".show journal | where Event == 'DROP-TABLE'")] == ["DROP-TABLE"]


def test_end_to_end(run_kshell):
    code, out, err = run_kshell(".create table T (a:string)\n.show commands | project Text, State\n", "--format", "csv")
    assert code == 0, err
    assert out.strip().splitlines()[-2:] == ["Text,State", ".create table T (a:string),Completed"]


def test_repl_completion_highlighting_and_check_know_the_new_commands(session, tmp_path, run_kshell):
    from kshell.engine.policies.kinds import KINDS
    from kshell.repl.completion import CompletionEngine
    from kshell.repl.lexer import COMMAND_WORDS
    from kshell.syntax.vocabulary import POLICY_KINDS

    assert set(KINDS) <= set(POLICY_KINDS)
    engine = CompletionEngine(session)
    assert "materialized-views " in [s.text for s in engine.complete(".show materialized-")]
    assert "script " in [s.text for s in engine.complete(".execute database s")]
    assert "journal " in [s.text for s in engine.complete(".show jo")]
    assert "operations " in [s.text for s in engine.complete(".show operatio")]
    assert {"materialized-view", "execute", "script", "journal", "operations", "cancel"} <= COMMAND_WORDS
    script = tmp_path / "deploy.kql"
    script.write_text(".create materialized-view V on table T { T | summarize count() by k }\n"
                      ".execute database script <|\n.create table A (a:string)\n\n"
                      ".show operations\n.show journal\n.alter table T policy roworder (a asc)\n")
    code, out, err = run_kshell("", "--check", str(script))
    assert code == 0, out + err


@pytest.mark.parametrize("text, cls", [
    (".show database Db journal", "ShowJournal"),
    (".show journal | where Event == 'CREATE-TABLE'", "PipedCommand"),
    (".show operations", "ShowOperations"),
    (".show commands-and-queries | where StartedOn > ago(1d)", "PipedCommand"),
    (".create materialized-view with (backfill=true) MV on table T\n{\n  T | summarize count() by a\n}",
     "CreateMaterializedView"),
    (".create async ifnotexists materialized-view MV on table T { T | summarize arg_max(ts, *) by id }",
     "CreateMaterializedView"),
    (".drop materialized-view MV", "DropMaterializedView"),
    (".purge table T records in database Db <| where Id in ('a', 'b')", "DeleteRecords"),
    (".execute database script <|\n.create table A (a:long)\n.create table B (b:long)", "ExecuteDatabaseScript"),
    (".alter extent tags ('a') <| .show table T extents", "ExtentTagsByQuery"),
    (".drop extents older 10 days from all tables", "DropExtents"),
])
def test_control_commands_parse_to_their_nodes(text, cls):
    from kshell.syntax import parse

    assert type(parse(text)).__name__ == cls


def test_database_policy_changes_reach_the_journal(session):
    run(session, ".alter-merge database NetDefaultDB policy retention softdelete = 7d")
    (entry,) = dicts(session, ".show journal")
    assert entry["Event"] == "ALTER-MERGE-DATABASE" and entry["EntityName"] == "NetDefaultDB"
    assert entry["OriginalEntityState"] == "" and "policy retention" in entry["UpdatedEntityState"]


def test_a_policy_change_of_another_database_than_the_context_is_journaled_under_it(session):
    # The command names its database; the context database is a different one.
    run(session, ".create database Other volatile")
    run(session, ".alter-merge database Other policy retention softdelete = 7d")
    (entry,) = dicts(session, ".show database Other journal")
    assert (entry["Event"], entry["Database"], entry["EntityName"]) == ("ALTER-MERGE-DATABASE", "Other", "Other")
    assert "policy retention" in entry["UpdatedEntityState"]
    assert dicts(session, ".show journal") == []  # the context database's journal has none of it


def test_the_journal_keeps_each_entitys_state_as_it_was_when_the_command_ran(session):
    """Scripts are written when `.show journal` asks (issue 18): an entry still shows the
    entity before and after its own command, not as later commands left it; a command
    that leaves the entity's script as it was (the same policy again, a role) adds none."""
    run(session, ".create table T (a:string) with (folder='f1')")
    run(session, ".alter table T policy caching hot = 1d")
    run(session, ".alter table T policy caching hot = 1d")  # the same again: no change
    run(session, ".add database NetDefaultDB viewers ('aaduser=v@contoso.com')")  # not in any script
    run(session, ".create-or-alter function F() { T | take 1 }")
    run(session, ".create-or-alter function F() { T | take 2 }")
    run(session, ".alter table T policy caching hot = 3d")
    run(session, ".alter-merge database NetDefaultDB policy managed_identity "
                 "```[{\"ObjectId\": \"system\", \"AllowedUsages\": \"NativeIngestion\"}]```")
    journal = dicts(session, ".show journal")
    assert [(j["Event"], j["EntityName"]) for j in journal] == [
        ("CREATE-TABLE", "T"), ("ALTER-TABLE", "T"), ("CREATE-OR-ALTER-FUNCTION", "F"),
        ("CREATE-OR-ALTER-FUNCTION", "F"), ("ALTER-TABLE", "T"), ("ALTER-MERGE-DATABASE", "NetDefaultDB")]
    assert journal[0]["OriginalEntityState"] == "" and "folder" in journal[0]["UpdatedEntityState"]
    assert "1.00:00:00" in journal[1]["UpdatedEntityState"] and "caching" not in journal[1]["OriginalEntityState"]
    assert journal[2]["OriginalEntityState"] == "" and "take 1" in journal[2]["UpdatedEntityState"]
    assert "take 1" in journal[3]["OriginalEntityState"] and "take 2" in journal[3]["UpdatedEntityState"]
    assert "1.00:00:00" in journal[4]["OriginalEntityState"] and "3.00:00:00" in journal[4]["UpdatedEntityState"]
    assert "managed_identity" in journal[5]["UpdatedEntityState"]
    assert all(j["UpdatedEntityName"] == j["EntityName"] for j in journal)
    assert dicts(session, ".show journal") == journal  # written once, shown the same again


def test_a_run_of_database_policy_commands_journals_each_state_it_found(session):
    """Policy commands on a database one after another (a script's alter-merges), with a
    failed command, a query, a role change, a database created and the context database
    switched (`#db`) in between: each entry's original state is exactly the state its
    command found."""
    def merge(db, days):
        return f".alter-merge database {db} policy retention softdelete = {days}d"

    run(session, ".create database Other volatile")
    steps = [merge("NetDefaultDB", 1), merge("NetDefaultDB", 2), ("use", "Other"), merge("Other", 3),
             ("use", "NetDefaultDB"), merge("NetDefaultDB", 4),
             ".alter-merge database NetDefaultDB policy retention softdelete = bad", merge("NetDefaultDB", 5),
             "print 1", merge("NetDefaultDB", 6), ".add database NetDefaultDB viewers ('aaduser=v@contoso.com')",
             merge("NetDefaultDB", 7), ".create database Third volatile", ("use", "Third"), merge("Third", 8),
             ("use", "Other"), merge("Other", 9), ("use", "NetDefaultDB"), merge("NetDefaultDB", 9)]
    for step in steps:
        if isinstance(step, tuple):
            session.use_database(step[1])
            continue
        try:
            session.execute(step)
        except KustoError:
            pass
    journal = [j for db in ("NetDefaultDB", "Other", "Third") for j in dicts(session, f".show database {db} journal")
               if j["Event"] == "ALTER-MERGE-DATABASE"]
    seen: dict[str, str] = {}
    for j in journal:
        assert j["OriginalEntityState"] == seen.get(j["EntityName"], ""), j["ChangeCommand"]
        assert f'"{j["ChangeCommand"].split("= ")[1][:-1]}.00:00:00"' in j["UpdatedEntityState"]
        seen[j["EntityName"]] = j["UpdatedEntityState"]
    assert [(j["EntityName"], j["ChangeCommand"].split("= ")[1]) for j in journal] == [
        ("NetDefaultDB", "1d"), ("NetDefaultDB", "2d"), ("NetDefaultDB", "4d"), ("NetDefaultDB", "5d"),
        ("NetDefaultDB", "6d"), ("NetDefaultDB", "7d"), ("NetDefaultDB", "9d"), ("Other", "3d"), ("Other", "9d"),
        ("Third", "8d")]
