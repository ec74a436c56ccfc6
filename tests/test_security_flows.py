"""Roles in automated flows: update policies run as their managed identity, RLS interplay."""

from __future__ import annotations

import importlib.util

import pytest

from kshell.engine import azure
from kshell.errors import BadRequest, Forbidden

pytestmark = pytest.mark.skipif(importlib.util.find_spec("kshell.engine.update_policy") is None,
                                reason="update policies are not built yet")

POLICY = ('.alter table Dst policy update @\'[{"IsEnabled": true, "Source": "Src", "Query": "%s", '
          '"IsTransactional": %s%s}]\'')


def policy(query="Src", transactional=False, identity=None):
    mi = f', "ManagedIdentity": "{identity}"' if identity else ""
    return POLICY % (query, "true" if transactional else "false", mi)


@pytest.fixture
def flow(session):
    session.execute(".create table Src (a:long)")
    session.execute(".create table Dst (a:long)")
    return session


def rows(session, table):
    return sorted(r[0] for r in session.execute(f"{table} | project a")[0].rows)


def test_rls_refused_on_a_source_of_a_policy_without_identity(flow):
    flow.execute(policy())
    with pytest.raises(BadRequest, match="update policy of table 'Dst'"):
        flow.execute('.alter table Src policy row_level_security enable "Src"')
    flow.execute(".alter-merge cluster policy managed_identity '[{\"ObjectId\":\"system\",\"AllowedUsages\":\"AutomatedFlows\"}]'")
    flow.execute(policy(identity="system"))
    flow.execute('.alter table Src policy row_level_security enable "Src | where a > 0"')


def test_an_ingestor_triggers_a_policy_without_identity(flow):
    flow.execute(policy())
    flow.execute(".add database NetDefaultDB ingestors ('aaduser=loader@x.com')")
    flow.principal = "aaduser=loader@x.com"
    flow.execute(".ingest inline into table Src <| 5")
    with pytest.raises(Forbidden):      # an ingestor cannot query ...
        flow.execute("Dst | count")
    flow.principal = "aaduser=kshell-admin@kshell.local"
    assert rows(flow, "Dst") == [5]      # ... but the policy ran on the service's authority


def test_policy_with_identity_reads_what_the_identity_may_read(flow):
    system = azure.system_identity(flow.cluster)
    flow.execute(".create database Other volatile")
    flow.execute(".set Other.Dim <| print a=long(1)")
    flow.execute(".create function Keep() { Src | where a in (database('Other').Dim | project a) }")
    flow.execute(".alter-merge cluster policy managed_identity '[{\"ObjectId\":\"system\",\"AllowedUsages\":\"AutomatedFlows\"}]'")
    flow.execute(policy(query="Keep()", identity="system"))
    # the identity has no role yet: the (non-transactional) policy fails, the source keeps its rows
    flow.execute(".ingest inline into table Src <| 1")
    assert rows(flow, "Src") == [1] and rows(flow, "Dst") == []
    failures = flow.execute(".show ingestion failures")[0].as_dicts()
    assert failures and "not authorized" in failures[-1]["Details"]
    # Database Viewer on the home database only is not enough: the query reads Other too
    flow.execute(f".add database NetDefaultDB viewers ('aadapp={system.object_id}')")
    flow.execute(".ingest inline into table Src <| 1")
    assert rows(flow, "Dst") == []
    flow.execute(f".add database Other viewers ('aadapp={system.client_id};{system.tenant_id}')")
    flow.execute(".ingest inline into table Src <| 1\n2")
    assert rows(flow, "Dst") == [1]


def test_transactional_policy_needs_table_admin_on_the_source(flow):
    flow.execute(".add database NetDefaultDB users ('aaduser=owner@x.com')")
    flow.execute(".add table Dst admins ('aaduser=owner@x.com')")
    flow.principal = "aaduser=owner@x.com"
    flow.execute(policy())                      # non-transactional: Table Admin of Dst suffices
    with pytest.raises(BadRequest, match="Table Admin on the source table 'Src'"):
        flow.execute(policy(transactional=True))
    flow.principal = "aaduser=kshell-admin@kshell.local"
    flow.execute(".add table Src admins ('aaduser=owner@x.com')")
    flow.principal = "aaduser=owner@x.com"
    flow.execute(policy(transactional=True))


@pytest.mark.skipif(importlib.util.find_spec("kshell.engine.continuous_export") is None,
                    reason="continuous export is not built yet")
def test_rls_refused_on_a_table_a_continuous_export_reads_without_impersonation(flow):
    flow.execute(".create external table Plain (a:long) kind=storage dataformat=csv "
                 "('https://acct.blob.core.windows.net/plain?sv=2020&sig=s')")
    flow.execute(".create-or-alter continuous-export Out to table Plain with (intervalBetweenRuns=1h) <| Src")
    with pytest.raises(BadRequest, match="continuous export 'Out'.*'Plain' does not use impersonate"):
        flow.execute('.alter table Src policy row_level_security enable "Src"')
    flow.execute(".drop continuous-export Out")
    flow.execute(".create external table Imp (a:long) kind=storage dataformat=csv "
                 "('https://acct.blob.core.windows.net/imp;impersonate')")
    flow.execute(".alter-merge cluster policy managed_identity '[{\"ObjectId\":\"system\",\"AllowedUsages\":\"AutomatedFlows\"}]'")
    flow.execute(".create-or-alter continuous-export Out to table Imp with (intervalBetweenRuns=1h, "
                 "managedIdentity='system') <| Src")
    flow.execute('.alter table Src policy row_level_security enable "Src"')


def test_policy_with_identity_reads_an_rls_source_through_the_policy(flow):
    system = azure.system_identity(flow.cluster)
    flow.execute(".alter-merge cluster policy managed_identity '[{\"ObjectId\":\"system\",\"AllowedUsages\":\"AutomatedFlows\"}]'")
    flow.execute(f".add database NetDefaultDB viewers ('aadapp={system.object_id}')")
    flow.execute(policy(identity="system"))
    flow.execute('.alter table Src policy row_level_security enable '
                 '"Src | where a > 1 or current_principal_is_member_of(\'aadgroup=full@x.com\')"')
    flow.execute(".ingest inline into table Src <| 1\n2")
    assert rows(flow, "Dst") == [2]          # the identity sees only what the RLS query lets through
    from kshell.directives import ShellState, run_directive

    run_directive(ShellState(session=flow), f"#group add aadgroup=full@x.com aadapp={system.client_id}")
    flow.execute(".ingest inline into table Src <| 1")
    assert rows(flow, "Dst") == [1, 2]
