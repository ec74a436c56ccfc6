"""Continuous export with a managed identity (issue 8, spec §5): the seed page replayed,
each link of the chain broken (refusal at create time or failure row at run time),
and the repaired export catching up with exactly-once artifacts.

Every step is a request a user would type (directives included); the checks read
what a user sees: command results, `.show continuous-export ...` and the files
the artifacts name on disk.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from kshell.directives import ShellState
from kshell.errors import KustoError
from kshell.script import execute_request, split_requests

OBJECT_ID = "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"
FQN = f"aadapp={OBJECT_ID}"
CONTAINER = "https://acct.blob.core.windows.net/exports"

# Seed page 004 step by step: identity on the cluster, MI policy with AutomatedFlows
# (and ExternalTable), the identity as database user, an external table with
# impersonation, storage contributor for the identity.
SEED = f"""
.create database DB volatile

#db DB

.create table T (Timestamp:datetime, Value:long)

#identity create myid objectid={OBJECT_ID}

#identity assign myid

.alter database DB policy managed_identity ```[
  {{"ObjectId": "{OBJECT_ID}", "AllowedUsages": "AutomatedFlows, ExternalTable"}}
]```

.add database DB users ('aadapp={OBJECT_ID};{{TENANT}}')

#storage create acct

#storage grant acct myid contributor

.create external table Ext (Timestamp:datetime, Value:long) kind=storage dataformat=csv
(h@'{CONTAINER};impersonate')
"""

CREATE = (".create-or-alter continuous-export MyExport over (T) to table Ext "
          f"with (managedIdentity={OBJECT_ID}, intervalBetweenRuns=1h) <| T")


class Shell:
    """Runs request texts the way the script runner does."""

    def __init__(self, session, storage_dir):
        session.storage_dir = str(storage_dir)
        self.session = session
        self.state = ShellState(session=session)
        self.next_value = 0

    def run(self, script: str):
        last = None
        for request in split_requests(script):
            last = execute_request(self.state, request.text)
        return last if isinstance(last, list) else [last]

    def fails(self, script: str) -> KustoError:
        with pytest.raises(KustoError) as info:
            self.run(script)
        return info.value

    def ingest(self, n: int) -> list[int]:
        """Ingest n rows with fresh Values; returns the values."""
        values = list(range(self.next_value, self.next_value + n))
        self.next_value += n
        lines = "\n".join(f"2026-01-01T00:00:00Z,{v}" for v in values)
        self.run(f".ingest inline into table T <|\n{lines}")
        return values

    def export(self, name: str = "MyExport") -> dict:
        return self.run(f".show continuous-export {name}")[0].as_dicts()[0]

    def artifacts(self, name: str = "MyExport") -> list[dict]:
        return self.run(f".show continuous-export {name} exported-artifacts")[0].as_dicts()

    def failures(self, name: str = "MyExport") -> list[dict]:
        return self.run(f".show continuous-export {name} failures")[0].as_dicts()

    def exported_values(self, name: str = "MyExport") -> list[int]:
        """The Value column of every listed artifact, read from its file on disk."""
        from kshell.engine import storage

        values = []
        for artifact in self.artifacts(name):
            path = storage.local_path(self.session, storage.parse_uri(artifact["Path"]))
            text = path.read_text(encoding="utf-8")
            rows = [r for r in csv.reader(io.StringIO(text)) if r]
            assert len(rows) == artifact["NumRecords"]
            assert path.stat().st_size == artifact["SizeInBytes"]
            values.extend(int(r[1]) for r in rows)
        return values

    def files_on_disk(self) -> set[str]:
        from kshell.engine import storage

        root = storage.local_path(self.session, storage.parse_uri(CONTAINER))
        if not root.exists():
            return set()
        return {f"{CONTAINER}/{p.relative_to(root).as_posix()}" for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def shell(session, tmp_path):
    sh = Shell(session, tmp_path / "storage")
    tenant = None
    for request in split_requests(SEED):
        text = request.text
        if "{TENANT}" in text:
            tenant = str(sh.run("#identity")[0].as_dicts()[-1]["TenantId"])
            text = text.replace("{TENANT}", tenant)
        sh.run(text)
    return sh


# ----------------------------------------------------------------- the seed

def test_seed_replay_exports_every_row_exactly_once_over_hours(shell):
    before = shell.ingest(2)  # ingested before the export exists: not exported (spec 5.4)
    row = shell.run(CREATE)[0].as_dicts()[0]
    assert row["Name"] == "MyExport" and row["ExternalTableName"] == "Ext"
    assert json.loads(row["ExportProperties"])["ManagedIdentity"] == OBJECT_ID
    expected = []
    for hour in range(6):
        expected += shell.ingest(hour % 3 + 1)
        shell.run("#time advance 30m")
        expected += shell.ingest(1)
        shell.run("#time advance 30m")
    shell.run("#time advance 1h")
    exported = shell.exported_values()
    assert sorted(exported) == sorted(expected)          # every row ...
    assert len(exported) == len(set(exported))           # ... exactly once
    assert not set(before) & set(exported)
    # The artifacts list matches the files written to storage.
    assert {a["Path"] for a in shell.artifacts()} == shell.files_on_disk()
    assert shell.failures() == []
    state = shell.export()
    assert state["LastRunResult"] == "Completed"
    assert state["ExportedTo"] == state["LastRunTime"]


def test_system_identity_as_in_the_docs_example(shell):
    shell.run('.alter-merge cluster policy managed_identity ```[{"ObjectId": "system", '
              '"AllowedUsages": "AutomatedFlows"}]```')
    system = str(shell.run("#identity")[0].as_dicts()[0]["ObjectId"])
    shell.run(f".add database DB viewers ('aadapp={system}')")
    shell.run("#storage grant acct system contributor")
    shell.run('.create-or-alter continuous-export MyExport over (T) to table Ext '
              'with (managedIdentity="system", intervalBetweenRuns=5m) <| T')
    values = shell.ingest(3)
    shell.run("#time advance 5m")
    assert sorted(shell.exported_values()) == values
    assert json.loads(shell.export()["ExportProperties"])["ManagedIdentity"] == "system"


# ------------------------------------------------- create-time refusals (5.2)

def _refused(shell, script: str, *words: str) -> None:
    err = shell.fails(script)
    assert err.kind == "BadRequest", err
    for w in words:
        assert w.lower() in err.message.lower(), err.message
    assert shell.run(".show continuous-exports")[0].rows == []  # nothing was created


def test_managed_identity_property_missing_with_impersonation_is_refused(shell):
    _refused(shell, ".create-or-alter continuous-export MyExport over (T) to table Ext "
                    "with (intervalBetweenRuns=1h) <| T", "managedIdentity", "impersonation")


def test_policy_deleted_is_refused_at_create(shell):
    shell.run(".delete database DB policy managed_identity")
    _refused(shell, CREATE, "AutomatedFlows", OBJECT_ID)


def test_usage_missing_is_refused_at_create(shell):
    shell.run(f'.alter database DB policy managed_identity ```[{{"ObjectId": "{OBJECT_ID}", '
              '"AllowedUsages": "ExternalTable"}]```')
    _refused(shell, CREATE, "AutomatedFlows")


def test_identity_unassigned_is_refused_at_create(shell):
    shell.run("#identity unassign myid")
    _refused(shell, CREATE, "not assigned")


def test_unknown_identity_is_refused(shell):
    _refused(shell, CREATE.replace(OBJECT_ID, "bbbbbbbb-0000-1111-2222-bbbbbbbbbbbb"), "does not exist")


def test_cross_database_dimension_needs_an_identity_and_local_facts(shell):
    shell.run(".create database Dims volatile")
    shell.run("#db Dims")
    shell.run(".create table D (Value:long, Name:string)")
    shell.run("#db DB")
    shell.run(".create external table Ext2 (Timestamp:datetime, Value:long) kind=storage dataformat=csv "
              f"(h@'{CONTAINER}2;sharedkey=abc')")
    query = 'T | join kind=leftouter (database("Dims").D) on Value | project Timestamp, Value'
    # Without `over`, the other database's table would be a fact table: refused.
    _refused(shell, f".create-or-alter continuous-export X to table Ext2 with (intervalBetweenRuns=1h) <| {query}",
             "over", "Dims")
    # With `over (T)` the other database is a dimension: a managed identity is required.
    _refused(shell, f".create-or-alter continuous-export X over (T) to table Ext2 with (intervalBetweenRuns=1h) "
                    f"<| {query}", "managedIdentity", "other databases")
    shell.run(f".create-or-alter continuous-export X over (T) to table Ext2 "
              f"with (intervalBetweenRuns=1h, managedIdentity={OBJECT_ID}) <| {query}")
    # The identity reads Dims only with Database Viewer there: the run fails, then succeeds.
    values = shell.ingest(2)
    shell.run("#time advance 1h")
    failures = shell.failures("X")
    assert len(failures) == 1 and "Database Viewer" in failures[0]["Details"] and "Dims" in failures[0]["Details"]
    shell.run(f".add database Dims viewers ('{FQN}')")
    shell.run("#time advance 1h")
    assert sorted(shell.exported_values("X")) == values


def test_rls_table_needs_impersonation_and_identity(shell):
    shell.run(".create function RlsT() { T | where Value >= 0 }")
    shell.run('.alter table T policy row_level_security enable "RlsT"')
    shell.run(".create external table Keyed (Timestamp:datetime, Value:long) kind=storage dataformat=csv "
              f"(h@'{CONTAINER};sharedkey=abc')")
    _refused(shell, ".create-or-alter continuous-export X over (T) to table Keyed "
                    f"with (intervalBetweenRuns=1h, managedIdentity={OBJECT_ID}) <| T", "impersonation")
    _refused(shell, ".create-or-alter continuous-export X over (T) to table Ext with (intervalBetweenRuns=1h) <| T",
             "managedIdentity", "row level security")
    shell.run(CREATE)
    values = shell.ingest(2)
    shell.run("#time advance 1h")
    assert sorted(shell.exported_values()) == values


# ------------------------------------------ run-time failures and catch-up

@pytest.mark.parametrize("breaking, repairing, detail", [
    ("#storage revoke acct myid contributor", "#storage grant acct myid contributor", "Storage Blob Data Contributor"),
    (f".drop database DB users ('{FQN}')", f".add database DB viewers ('{FQN}')", "Database Viewer"),
    (".delete database DB policy managed_identity",
     f'.alter database DB policy managed_identity ```[{{"ObjectId": "{OBJECT_ID}", '
     '"AllowedUsages": "AutomatedFlows, ExternalTable"}]```', "AutomatedFlows"),
    (f'.alter database DB policy managed_identity ```[{{"ObjectId": "{OBJECT_ID}", '
     '"AllowedUsages": "ExternalTable"}]```',
     f'.alter-merge database DB policy managed_identity ```[{{"ObjectId": "{OBJECT_ID}", '
     '"AllowedUsages": "AutomatedFlows"}]```', "AutomatedFlows"),
    ("#identity unassign myid", "#identity assign myid", "not assigned"),
], ids=["storage-role-revoked", "viewer-dropped", "policy-deleted", "usage-missing", "identity-unassigned"])
def test_broken_link_gives_failure_row_and_repair_catches_up(shell, breaking, repairing, detail):
    shell.run(CREATE)
    first = shell.ingest(2)
    shell.run("#time advance 1h")
    assert sorted(shell.exported_values()) == first
    shell.run(breaking)
    missed = shell.ingest(3)
    shell.run("#time advance 1h")
    failures = shell.failures()
    assert len(failures) == 1, failures
    failure = failures[0]
    assert failure["FailureKind"] == "Failure"
    assert detail in failure["Details"], failure["Details"]
    assert failure["Name"] == "MyExport"
    assert failure["LastSuccessRun"] == shell.artifacts()[0]["Timestamp"]
    assert shell.export()["LastRunResult"] == "Failed"
    assert sorted(shell.exported_values()) == first      # the failed run listed nothing
    shell.run(repairing)
    later = shell.ingest(1)
    shell.run("#time advance 1h")
    exported = shell.exported_values()
    assert sorted(exported) == sorted(first + missed + later)
    assert len(exported) == len(set(exported))
    assert shell.export()["LastRunResult"] == "Completed"
    assert {a["Path"] for a in shell.artifacts()} <= shell.files_on_disk()


def test_dropped_external_table_fails_runs(shell):
    shell.run(CREATE)
    shell.ingest(1)
    shell.run(".drop external table Ext")
    shell.run("#time advance 1h")
    failures = shell.failures()
    assert len(failures) == 1 and "Ext" in failures[0]["Details"]


def test_identity_explain_lists_each_link(shell):
    shell.run(CREATE)
    rows = shell.run("#identity explain continuous-export MyExport")[0].rows
    assert rows[-1][:2] == ["Decision", "allowed"]
    # Only the cluster policy is missing: an alternative to the database policy that allows it.
    assert [r[0] for r in rows[:-1] if r[1] == "missing"] == ["Cluster policy"]
    steps = {r[0]: r[1] for r in rows}
    assert steps["AutomatedFlows"] == steps["Viewer on [DB]"] == steps[f"Write to {CONTAINER}"] == "ok"
    shell.run("#storage revoke acct myid contributor")
    rows = shell.run("#identity explain continuous-export MyExport")[0].rows
    assert rows[-1][:2] == ["Decision", "denied"]
    missing = [r for r in rows[:-1] if r[1] == "missing" and r[0] != "Cluster policy"]
    assert len(missing) == 1 and "Contributor" in missing[0][2]
    shell.run(f".drop database DB users ('{FQN}')")
    rows = shell.run("#identity explain continuous-export MyExport")[0].rows
    assert any(r[0] == "Viewer on [DB]" and r[1] == "missing" for r in rows)


def test_managed_identity_connection_string_needs_external_table_usage(shell):
    # The identity in the connection string is an ExternalTable use (spec 6.6); no job identity is
    # required because the external table does not impersonate.
    shell.run(".create external table ByMi (Timestamp:datetime, Value:long) kind=storage dataformat=csv "
              f"(h@'{CONTAINER}/mi;managed_identity={OBJECT_ID}')")
    shell.run(".create-or-alter continuous-export M over (T) to table ByMi with (intervalBetweenRuns=1h) <| T")
    first = shell.ingest(2)
    shell.run("#time advance 1h")
    assert sorted(shell.exported_values("M")) == first
    shell.run(f'.alter database DB policy managed_identity ```[{{"ObjectId": "{OBJECT_ID}", '
              '"AllowedUsages": "AutomatedFlows"}]```')
    missed = shell.ingest(1)
    shell.run("#time advance 1h")
    failure = shell.failures("M")[-1]
    assert "ExternalTable" in failure["Details"], failure["Details"]
    rows = shell.run("#identity explain continuous-export M")[0].rows
    assert rows[-1][:2] == ["Decision", "denied"] and "ExternalTable" in rows[-1][2]
    shell.run(f'.alter-merge database DB policy managed_identity ```[{{"ObjectId": "{OBJECT_ID}", '
              '"AllowedUsages": "ExternalTable"}]```')
    shell.run("#time advance 1h")
    assert sorted(shell.exported_values("M")) == sorted(first + missed)
