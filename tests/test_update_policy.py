"""Update policies running on behalf of managed identities (issue 7, spec §4).

Each test builds a small cluster through real requests (the same text a user
types, directives included) and checks what a user sees: command results,
table contents and `.show ingestion failures`.
"""

from __future__ import annotations

import json

import pytest

from kshell.directives import ShellState
from kshell.errors import KustoError
from kshell.script import execute_request, split_requests

SETUP = """
.create database MyDatabase volatile

.create database OtherDatabase volatile

#db OtherDatabase

.create table OtherTable (Key:string, Extra:string)

.ingest inline into table OtherTable <|
a,alpha
b,beta

#db MyDatabase

.create table MySource (Key:string, Value:long)

.create table MyTable (Key:string, Value:long, Extra:string)

.create function UpdatePolicyFunction() {
    MySource
    | join kind=leftouter (database("OtherDatabase").OtherTable) on Key
    | project Key, Value, Extra
}
"""


def policy_text(identity: str | None, *, transactional: bool = False, source: str = "MySource",
                query: str = "UpdatePolicyFunction") -> str:
    obj = {"IsEnabled": True, "Source": source, "Query": query, "IsTransactional": transactional,
           "PropagateIngestionProperties": False}
    if identity is not None:
        obj["ManagedIdentity"] = identity
    return "```\n" + json.dumps([obj], indent=4) + "\n```"


def alter(table: str, identity: str | None, merge: bool = False, **kw) -> str:
    verb = ".alter-merge" if merge else ".alter"
    return f"{verb} table {table} policy update\n{policy_text(identity, **kw)}"


class Shell:
    """Runs request texts the way the script runner does."""

    def __init__(self, session):
        self.state = ShellState(session=session)

    def run(self, script: str):
        last = None
        for request in split_requests(script):
            last = execute_request(self.state, request.text)
        return last if isinstance(last, list) else [last]

    def rows(self, query: str) -> list[list]:
        return self.run(query)[0].rows

    def fails(self, script: str) -> KustoError:
        with pytest.raises(KustoError) as info:
            self.run(script)
        return info.value

    def object_id(self, identity: str) -> str:
        result = self.run(f"#identity assign {identity}")[0]
        return str(result.rows[0][1])

    def failures(self) -> list[dict]:
        return self.run(".show ingestion failures")[0].as_dicts()


@pytest.fixture
def shell(session):
    sh = Shell(session)
    sh.run(SETUP)
    return sh


def setup_identity(sh: Shell, kind: str) -> tuple[str, str]:
    """Follow the seed page's steps for a user- or system-assigned identity: (policy value, fqn)."""
    if kind == "user":
        sh.run("#identity create my-identity")
        object_id = sh.object_id("my-identity")
        tenant = str(sh.run("#identity")[0].as_dicts()[-1]["TenantId"])
        fqn = f"aadapp={object_id};{tenant}"
        value = object_id
    else:
        object_id = sh.object_id("system")
        fqn = f"aadapp={object_id}"
        value = "system"
    sh.run(f'.alter-merge cluster policy managed_identity ```[{{"ObjectId": "{value}", '
           f'"AllowedUsages": "AutomatedFlows"}}]```')
    sh.run(f".add database OtherDatabase viewers ('{fqn}')")
    return value, fqn


INGEST = """
.ingest inline into table MySource <|
a,1
c,3
"""


@pytest.mark.parametrize("kind", ["user", "system"])
def test_seed_page_flow_derives_rows_as_the_identity(shell, kind):
    value, _ = setup_identity(shell, kind)
    result = shell.run(alter("MyDatabase.MyTable", value))[0]
    assert result.column_names == ["PolicyName", "EntityName", "Policy", "ChildEntities", "EntityType"]
    row = result.as_dicts()[0]
    assert row["PolicyName"] == "UpdatePolicy"
    assert row["EntityName"] == "[MyDatabase].[MyTable]"
    assert json.loads(row["Policy"])[0]["ManagedIdentity"] == value
    shell.run(INGEST)
    assert sorted(shell.rows("MyTable")) == [["a", 1, "alpha"], ["c", 3, ""]]
    assert sorted(shell.rows("MySource")) == [["a", 1], ["c", 3]]
    assert shell.failures() == []


def test_cross_database_query_without_managed_identity_is_refused(shell):
    setup_identity(shell, "system")
    before = shell.run(".show table MyTable policy update")[0].rows
    err = shell.fails(alter("MyTable", None))
    assert "ManagedIdentity" in err.message and "otherdatabase" in err.message.lower()
    assert shell.run(".show table MyTable policy update")[0].rows == before


def test_unassigned_identity_is_refused_at_set_time(shell):
    setup_identity(shell, "user")
    object_id = shell.object_id("my-identity")
    shell.run("#identity unassign my-identity")
    err = shell.fails(alter("MyTable", object_id))
    assert "not assigned" in err.message
    assert shell.run(".show table MyTable policy update")[0].rows[0][2] == "null"


def test_missing_automated_flows_is_refused(shell):
    object_id = shell.object_id("system")
    shell.run(f".add database OtherDatabase viewers ('aadapp={object_id}')")
    shell.run('.alter cluster policy managed_identity ```[{"ObjectId": "system", "AllowedUsages": "NativeIngestion"}]```')
    err = shell.fails(alter("MyTable", 'system'))
    assert "AutomatedFlows" in err.message


def test_automated_flows_from_the_database_policy_is_enough(shell):
    object_id = shell.object_id("system")
    shell.run(f".add database OtherDatabase viewers ('aadapp={object_id}')")
    shell.run('.alter database MyDatabase policy managed_identity '
              '```[{"ObjectId": "system", "AllowedUsages": "AutomatedFlows"}]```')
    shell.run(alter("MyTable", 'system'))
    shell.run(INGEST)
    assert len(shell.rows("MyTable")) == 2


def test_viewer_role_dropped_fails_the_run_and_records_it(shell):
    _, fqn = setup_identity(shell, "system")
    shell.run(alter("MyTable", 'system'))
    shell.run(f".drop database OtherDatabase viewers ('{fqn}')")
    shell.run(INGEST)  # non-transactional: the ingestion itself succeeds
    assert sorted(shell.rows("MySource")) == [["a", 1], ["c", 3]]
    assert shell.rows("MyTable") == []
    [failure] = shell.failures()
    assert failure["OriginatesFromUpdatePolicy"] is True
    assert failure["Table"] == "MyTable" and failure["Database"] == "MyDatabase"
    assert failure["ErrorCode"] == "UpdatePolicy_BadRequest"
    assert "Forbidden" in failure["Details"] and "OtherDatabase" in failure["Details"]


def test_identity_unassigned_after_the_policy_was_set_fails_at_run_time(shell):
    setup_identity(shell, "user")
    object_id = shell.object_id("my-identity")
    shell.run(alter("MyTable", object_id))
    shell.run("#identity unassign my-identity")
    shell.run(INGEST)
    assert shell.rows("MyTable") == []
    [failure] = shell.failures()
    assert "not assigned" in failure["Details"]


def test_transactional_failure_lands_nothing_anywhere(shell):
    _, fqn = setup_identity(shell, "system")
    shell.run(alter("MyTable", 'system', transactional=True))
    shell.run(f".drop database OtherDatabase viewers ('{fqn}')")
    err = shell.fails(INGEST)
    assert "transactional" in err.message
    assert shell.rows("MySource") == []
    assert shell.rows("MyTable") == []
    assert len(shell.failures()) == 1


def test_rls_on_a_referenced_table_requires_a_managed_identity(shell):
    shell.run("#db MyDatabase")
    shell.run(".create table Lookup (Key:string, Extra:string)")
    shell.run(".create function RlsLookup() { Lookup | where Key != 'secret' }")
    shell.run(".alter table Lookup policy row_level_security enable \"RlsLookup\"")
    query = "MySource | join kind=leftouter (Lookup) on Key | project Key, Value, Extra"
    err = shell.fails(alter("MyTable", None, query=query))
    assert "row level security" in err.message
    setup_identity(shell, "system")
    shell.run(alter("MyTable", 'system', query=query))


def test_enabling_rls_on_a_table_read_by_a_policy_without_identity_is_refused(shell):
    shell.run(".create table Lookup (Key:string, Extra:string)")
    query = "MySource | join kind=leftouter (Lookup) on Key | project Key, Value, Extra"
    shell.run(alter("MyTable", None, query=query))
    shell.run(".create function RlsLookup() { Lookup | where Key != 'secret' }")
    err = shell.fails(".alter table Lookup policy row_level_security enable \"RlsLookup\"")
    assert "update policy" in err.message
    assert shell.run(".show table Lookup policy row_level_security")[0].rows[0][2] == "null"


def test_schema_mismatch_is_refused_and_names_the_column(shell):
    err = shell.fails(alter("MyTable", None, query='MySource | project Key, Value'))
    assert "2 columns" in err.message and "3" in err.message
    err = shell.fails(alter("MyTable", None, query='MySource | project Key, Value, Extra=Value'))
    assert "Extra" in err.message and "long" in err.message


def test_unknown_source_and_bad_query_are_refused(shell):
    err = shell.fails(alter("MyTable", None, source='Nope', query='Nope'))
    assert "'Nope' does not exist" in err.message
    err = shell.fails(alter("MyTable", None, query='MySource | where ('))
    assert "does not parse" in err.message
    err = shell.fails('.alter table MyTable policy update ```[{"IsEnabled": "yes", "Source": "MySource", "Query": "q"}]```')
    assert "IsEnabled" in err.message


def test_alter_merge_appends_duplicates_that_run_twice(shell):
    query = "MySource | extend Extra = 'x'"
    shell.run(alter("MyTable", None, query=query))
    result = shell.run(alter("MyTable", None, query=query, merge=True))[0]
    assert len(json.loads(result.rows[0][2])) == 2
    shell.run(INGEST)
    assert sorted(shell.rows("MyTable")) == [["a", 1, "x"], ["a", 1, "x"], ["c", 3, "x"], ["c", 3, "x"]]


def test_cascade_and_cycle(shell):
    shell.run(".create table Level2 (Key:string, Value:long, Extra:string)")
    shell.run(alter("MyTable", None, query="MySource | extend Extra = 'l1'"))
    shell.run(alter("Level2", None, source='MyTable', query='MyTable | extend Value = Value * 10'))
    # Close the loop: MyTable -> Level2 -> MyTable.  The chain is cut, each table gets the data once.
    shell.run(alter("MyTable", None, source='Level2', query='Level2', merge=True))
    shell.run(INGEST)
    assert sorted(shell.rows("MyTable")) == [["a", 1, "l1"], ["c", 3, "l1"]]
    assert sorted(shell.rows("Level2")) == [["a", 10, "l1"], ["c", 30, "l1"]]


def test_policy_runs_over_new_rows_only(shell):
    shell.run(alter("MyTable", None, query="MySource | extend Extra = 'n'"))
    shell.run(INGEST)
    shell.run(".ingest inline into table MySource <|\nz,26")
    assert sorted(shell.rows("MyTable")) == [["a", 1, "n"], ["c", 3, "n"], ["z", 26, "n"]]


def test_set_or_append_triggers_policies(shell):
    shell.run(alter("MyTable", None, query="MySource | extend Extra = 's'"))
    shell.run(".set-or-append MySource <| print Key='q', Value=7")
    assert shell.rows("MyTable") == [["q", 7, "s"]]


def test_set_or_replace_on_the_source_replaces_derived_rows(shell):
    shell.run(alter("MyTable", None, query="MySource | extend Extra = 'r'"))
    shell.run(INGEST)
    shell.run(".set-or-replace MySource <| print Key='new', Value=9")
    assert shell.rows("MySource") == [["new", 9]]
    assert shell.rows("MyTable") == [["new", 9, "r"]]
    shell.run(".set-or-replace MySource <| print Key='new', Value=9 | where Value < 0")
    assert shell.rows("MyTable") == []


def test_show_star_delete_and_show_after_delete(shell):
    shell.run(alter("MyTable", None, query="MySource | extend Extra = 'x'"))
    rows = shell.run(".show table * policy update")[0].rows
    assert {r[1] for r in rows} == {"[MyDatabase].[MySource]", "[MyDatabase].[MyTable]"}
    deleted = shell.run(".delete table MyTable policy update")[0]
    assert deleted.rows[0][2] == "null"
    shell.run(INGEST)
    assert shell.rows("MyTable") == []


def test_identity_explain_lists_each_link(shell):
    _, fqn = setup_identity(shell, "system")
    shell.run(alter("MyTable", 'system'))
    rows = shell.run("#identity explain policy update MyTable")[0].as_dicts()
    assert rows[-1]["Status"] == "allowed"
    assert any(r["Step"].startswith("Viewer on [OtherDatabase]") and r["Status"] == "ok" for r in rows)
    shell.run(f".drop database OtherDatabase viewers ('{fqn}')")
    rows = shell.run("#identity explain policy update MyTable")[0].as_dicts()
    assert rows[-1]["Status"] == "denied"
    assert any(r["Step"].startswith("Viewer on [OtherDatabase]") and r["Status"] == "missing" for r in rows)


def test_seed_page_end_to_end_through_the_cli(run_kshell):
    script = SETUP + """
.alter-merge cluster policy managed_identity ```[
    {
      "ObjectId": "system",
      "AllowedUsages": "AutomatedFlows"
    }
]```

#identity assign system
""" + ".add database OtherDatabase viewers ('aadapp=system-placeholder')\n"
    # The system identity's object id is deterministic: read it from #identity first.
    code, out, err = run_kshell("#identity\n", "--format", "csv")
    assert code == 0, err
    object_id = out.splitlines()[1].split(",")[1]
    script = script.replace("system-placeholder", object_id) + f"""
.alter table MyDatabase.MyTable policy update
{policy_text("system")}

{INGEST}

MyTable | order by Key asc
"""
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 0, err
    assert out.strip().splitlines()[-3:] == ["Key,Value,Extra", "a,1,alpha", "c,3,"]
