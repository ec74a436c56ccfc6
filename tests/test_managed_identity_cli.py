"""`#identity` directives and the ManagedIdentity policy through the real `kshell` command
line (script on stdin), plus the `#identity explain` subject registry."""

from __future__ import annotations

import json

import pytest

from kshell.directives import DirectiveError, ShellState, run_directive
from kshell.engine import identity_directives
from kshell.engine.identity_directives import EXPLAIN_SUBJECTS, decision_result, explain_subject
from kshell.engine.managed_identity import Link, identity_allowed
from kshell.result import Result

UNKNOWN_ID = "12345678-1234-1234-1234-123456789abc"
GIVEN_ID = "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"


def json_results(stdout: str) -> list[dict]:
    """`--format json` output: one {"columns", "rows"} object per result line."""
    results = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    return [{"columns": [c["name"] for c in r["columns"]], "rows": r["rows"]} for r in results]


def dicts(result: dict) -> list[dict]:
    return [dict(zip(result["columns"], row)) for row in result["rows"]]


def test_identity_lifecycle_and_policy_end_to_end(run_kshell):
    script = f"""#identity
#identity create ingest-mi objectid={GIVEN_ID}
#identity assign ingest-mi
.alter-merge database NetDefaultDB policy managed_identity "[ {{ 'ObjectId' : '{GIVEN_ID}', 'AllowedUsages' : 'NativeIngestion' }}]"
.alter-merge database NetDefaultDB policy managed_identity ```[{{"ObjectId": "ingest-mi-is-not-an-id", "AllowedUsages": "ExternalTable"}}]```
"""
    code, out, err = run_kshell(script, "--format", "json", "--keep-going")
    assert code == 1, err
    results = json_results(out)
    assert len(results) == 4
    listing, created, assigned, altered = results
    assert listing["columns"] == ["Name", "ObjectId", "ClientId", "TenantId", "IsSystem", "AssignedToCluster"]
    assert [(r["Name"], r["IsSystem"], r["AssignedToCluster"]) for r in dicts(listing)] == [("system", True, True)]
    assert dicts(created)[0]["ObjectId"] == GIVEN_ID and dicts(created)[0]["AssignedToCluster"] is False
    assert dicts(assigned)[0]["AssignedToCluster"] is True
    row = dicts(altered)[0]
    assert row["EntityName"] == "[NetDefaultDB]"
    policy = json.loads(row["Policy"])
    assert [(p["ObjectId"], p["DisplayName"], p["AllowedUsages"]) for p in policy] == [
        (GIVEN_ID, "ingest-mi", "NativeIngestion")]
    assert "Error (line 5): BadRequest: ManagedIdentity policy: identity 'ingest-mi-is-not-an-id' " \
           "is not assigned to the cluster" in err
    assert "Traceback" not in err


def test_failed_alter_stops_the_script_and_changes_nothing(run_kshell):
    script = f""".alter cluster policy managed_identity '[{{"ObjectId": "system", "AllowedUsages": "ExternalTable"}}]'
.alter-merge cluster policy managed_identity '[{{"ObjectId": "system", "AllowedUsages": "AutomatedFlows"}}, {{"ObjectId": "{UNKNOWN_ID}", "AllowedUsages": "All"}}]'
.show cluster policy managed_identity
"""
    code, out, err = run_kshell(script, "--format", "json")
    assert code == 1
    assert f"identity '{UNKNOWN_ID}' is not assigned to the cluster" in err
    assert len(json_results(out)) == 1  # stopped at the failing request
    code, out, err = run_kshell(script, "--format", "json", "--keep-going")
    last = dicts(json_results(out)[-1])[0]
    assert json.loads(last["Policy"])[0]["AllowedUsages"] == "ExternalTable"


def test_system_after_unassign_is_refused(run_kshell):
    script = """#identity unassign system
.alter-merge cluster policy managed_identity ```[{"ObjectId": "system", "AllowedUsages": "AutomatedFlows"}]```
"""
    code, out, err = run_kshell(script, "--format", "json")
    assert code == 1
    assert dicts(json_results(out)[0])[0]["AssignedToCluster"] is False
    assert "identity 'system' is not assigned to the cluster" in err


def test_ids_are_deterministic_across_runs(run_kshell):
    script = "#identity create mi1\n#identity\n"
    first = run_kshell(script, "--format", "csv")
    second = run_kshell(script, "--format", "csv")
    assert first[0] == 0 and first == second
    lines = first[1].strip().splitlines()
    assert [line.split(",")[0] for line in lines] == ["Name", "mi1", "Name", "system", "mi1"]
    assert lines[1] == lines[4]  # the created record, then the same in the listing


def test_explain_prints_the_decision_chain(run_kshell):
    script = """.alter-merge database NetDefaultDB policy managed_identity ```[{"ObjectId": "system", "AllowedUsages": "All"}]```
#identity explain system NativeIngestion
#identity explain system SandboxArtifacts NetDefaultDB
"""
    code, out, err = run_kshell(script, "--format", "json")
    assert code == 0, err
    _, allowed, sandbox = json_results(out)
    assert allowed["columns"] == ["Step", "Status", "Detail"]
    assert [(r["Step"], r["Status"]) for r in dicts(allowed)] == [
        ("Identity", "ok"), ("Assigned to cluster", "ok"), ("Cluster policy", "missing"),
        ("Database policy [NetDefaultDB]", "ok"), ("Decision", "allowed")]
    assert "through All" in dicts(allowed)[3]["Detail"]
    rows = dicts(sandbox)
    assert rows[-1]["Status"] == "denied"
    assert rows[3]["Status"] == "missing" and "cluster policy" in rows[3]["Detail"]


@pytest.mark.parametrize("line,needle", [
    ("#identity frob", "unknown #identity subcommand 'frob'"),
    ("#identity create", "usage: #identity create NAME"),
    ("#identity create mi1 color=blue", "unexpected 'color=blue'"),
    ("#identity create mi1 objectid=xyz", "objectid 'xyz' is not a GUID"),
    ("#identity create system", "reserved"),
    ("#identity assign", "usage: #identity assign"),
    ("#identity assign ghost", "'ghost'"),
    ("#identity explain system", "usage: #identity explain IDENTITY USAGE"),
    ("#identity explain system Bogus", "unknown managed identity usage 'Bogus'"),
    ("#identity explain system All NoSuchDb", "NoSuchDb"),
])
def test_directive_errors_are_clean(run_kshell, line, needle):
    code, out, err = run_kshell(line + "\n")
    assert code == 1
    assert needle in err
    assert "Traceback" not in err and "internal error" not in err


# -------------------------------------------------------------- in-process
@pytest.fixture
def state(session):
    return ShellState(session)


def test_explain_defaults_to_the_context_database(state):
    state.session.execute('.alter database NetDefaultDB policy managed_identity \'[{"ObjectId":"system","AllowedUsages":"SqlRequest"}]\'')
    result = run_directive(state, "#identity explain SYSTEM sqlrequest")
    assert result.rows[-1][:2] == ["Decision", "allowed"]


def test_explain_subjects_can_be_registered_by_other_families(state, monkeypatch):
    monkeypatch.setattr(identity_directives, "EXPLAIN_SUBJECTS", dict(EXPLAIN_SUBJECTS))
    seen = []

    @explain_subject("policy update", "#identity explain policy update TABLE", "why an update policy may run")
    def explain_update(st, args):
        seen.append(args)
        decision = identity_allowed(st.session.cluster, "system", "AutomatedFlows", "NetDefaultDB")
        return decision_result(decision, leading_links=[Link(f"Update policy: {args} names 'system'", True)])

    result = run_directive(state, "#identity explain Policy UPDATE MyTable")
    assert seen == ["MyTable"]
    assert isinstance(result, Result)
    assert result.rows[0] == ["Update policy", "ok", "MyTable names 'system'"]
    assert result.rows[-1][:2] == ["Decision", "denied"]
    # The ordinary form still works next to registered subjects.
    assert run_directive(state, "#identity explain system All").rows[-1][1] == "denied"
    with pytest.raises(DirectiveError, match="explain policy update TABLE"):
        run_directive(state, "#identity explain")


def test_identities_and_policies_survive_the_state_file(run_kshell, tmp_path):
    path = str(tmp_path / "cluster.kshell")
    code, _, err = run_kshell(f"""#identity create mi1 objectid={GIVEN_ID}
#identity assign mi1
#identity unassign system
.alter cluster policy managed_identity '[{{"ObjectId":"{GIVEN_ID}","AllowedUsages":"All"}}]'
""", path)
    assert code == 0, err
    code, out, err = run_kshell("#identity\n#identity explain mi1 ExternalTable\n", path, "--format", "json")
    assert code == 0, err
    listing, explain = json_results(out)
    assert [(r["Name"], r["ObjectId"], r["AssignedToCluster"]) for r in dicts(listing)][1:] == [
        ("mi1", GIVEN_ID, True)]
    assert dicts(listing)[0]["AssignedToCluster"] is False  # system stays unassigned
    assert [r["Status"] for r in dicts(explain)] == ["ok", "ok", "ok", "missing", "allowed"]
