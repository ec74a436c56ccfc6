"""identity_allowed(): the one decision every managed-identity flow uses (spec 2.1, 2.3),
and the simulated Azure identities behind it (spec 1.2)."""

from __future__ import annotations

import json

import pytest

from kshell.engine import azure
from kshell.engine.cluster import Database, new_cluster
from kshell.engine.managed_identity import identity_allowed
from kshell.errors import BadRequest, Conflict, DatabaseNotFound, EntityNotFound


@pytest.fixture
def s(session):
    session.cluster.add_database(Database("Sales"))
    session.cluster.add_database(Database("Other"))
    azure.create_identity(session.cluster, "ingest-mi")
    azure.set_assigned(session.cluster, "ingest-mi", True)
    return session


def alter(s, verb, scope, objects):
    s.execute(f".{verb} {scope} policy managed_identity ```{json.dumps(objects)}```")


def mi(s):
    return azure.find_identity(s.cluster, "ingest-mi")


# ------------------------------------------------------------- azure records
def test_new_cluster_has_its_system_identity_assigned_with_deterministic_ids():
    a, b = new_cluster(), new_cluster()
    sa, sb = azure.system_identity(a), azure.system_identity(b)
    assert sa.is_system and sa.assigned
    assert (sa.object_id, sa.client_id, sa.tenant_id) == (sb.object_id, sb.client_id, sb.tenant_id)
    assert len({sa.object_id, sa.client_id, sa.tenant_id}) == 3
    assert sa.display_name == a.name
    assert sa.resource_id.endswith(f"/providers/Microsoft.Kusto/clusters/{a.name}")
    assert azure.identity_type(a) == "SystemAssigned"


def test_user_identity_ids_are_derived_from_the_name_and_can_be_given():
    c = new_cluster()
    one = azure.create_identity(c, "mi1")
    assert not one.assigned and not one.is_system
    assert one.tenant_id == azure.system_identity(c).tenant_id
    assert one.resource_id.endswith("/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mi1")
    assert one.object_id == azure.create_identity(new_cluster(), "mi1").object_id
    given = azure.create_identity(c, "mi2", object_id="AAAAAAAA-0000-1111-2222-BBBBBBBBBBBB",
                                  client_id="00001111-aaaa-2222-bbbb-3333cccc4444",
                                  tenant="aaaabbbb-0000-cccc-1111-dddd2222eeee")
    assert (given.object_id, given.client_id, given.tenant_id) == (
        "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb", "00001111-aaaa-2222-bbbb-3333cccc4444",
        "aaaabbbb-0000-cccc-1111-dddd2222eeee")


def test_lookup_by_system_name_object_id_or_client_id():
    c = new_cluster()
    rec = azure.create_identity(c, "Mi1")
    for ref in ("Mi1", "mi1", rec.object_id, rec.object_id.upper(), rec.client_id):
        assert azure.find_identity(c, ref) is rec
    assert azure.find_identity(c, "SYSTEM") is azure.system_identity(c)
    assert azure.find_identity(c, "nobody") is None
    assert azure.find_by_object_id(c, rec.client_id) is None  # the policy takes object ids only


@pytest.mark.parametrize("name,kwargs,error", [
    ("system", {}, BadRequest),
    ("12345678-1234-1234-1234-123456789abc", {}, BadRequest),
    ("mi1", {}, Conflict),
    ("MI1", {}, Conflict),
    ("other", {"object_id": "not-a-guid"}, BadRequest),
    ("other", {"client_id": "SAME"}, Conflict),
])
def test_create_refusals(name, kwargs, error):
    c = new_cluster()
    first = azure.create_identity(c, "mi1")
    kwargs = {k: (first.object_id if v == "SAME" else v) for k, v in kwargs.items()}
    before = dict(c.identities)
    with pytest.raises(error):
        azure.create_identity(c, name, **kwargs)
    assert c.identities == before


def test_assign_unknown_identity_is_entity_not_found():
    with pytest.raises(EntityNotFound, match="ghost"):
        azure.set_assigned(new_cluster(), "ghost", True)


# ------------------------------------------------------------------ decision
def test_nothing_set_is_denied_with_each_missing_link(s):
    d = identity_allowed(s.cluster, "ingest-mi", "NativeIngestion", "Sales")
    assert not d.allowed and d.identity is mi(s)
    assert [ok for _, ok in d.links] == [True, True, False, False]
    assert "NativeIngestion" in d.reason and "not allowed" in d.reason
    with pytest.raises(BadRequest, match="not allowed"):
        d.require()


def test_cluster_policy_alone_allows(s):
    alter(s, "alter-merge", "cluster", [{"ObjectId": mi(s).object_id, "AllowedUsages": "NativeIngestion"}])
    d = identity_allowed(s.cluster, "ingest-mi", "nativeingestion", "Sales")
    assert d.allowed and d.usage == "NativeIngestion" and "cluster policy" in d.reason
    assert d.require() is mi(s)
    assert identity_allowed(s.cluster, "ingest-mi", "NativeIngestion").allowed


def test_database_policy_alone_allows_only_in_that_database(s):
    alter(s, "alter-merge", "database Sales", [{"ObjectId": mi(s).object_id, "AllowedUsages": "ExternalTable"}])
    d = identity_allowed(s.cluster, mi(s).object_id, "ExternalTable", "sales")
    assert d.allowed and "[Sales]" in d.reason
    assert not identity_allowed(s.cluster, "ingest-mi", "ExternalTable", "Other").allowed
    assert not identity_allowed(s.cluster, "ingest-mi", "ExternalTable").allowed


def test_policies_are_additive_per_usage(s):
    oid = mi(s).object_id
    alter(s, "alter", "cluster", [{"ObjectId": oid, "AllowedUsages": "NativeIngestion"}])
    alter(s, "alter", "database Sales", [{"ObjectId": oid, "AllowedUsages": "AutomatedFlows"}])
    assert identity_allowed(s.cluster, "ingest-mi", "NativeIngestion", "Sales").allowed
    assert identity_allowed(s.cluster, "ingest-mi", "AutomatedFlows", "Sales").allowed
    assert not identity_allowed(s.cluster, "ingest-mi", "ExternalTable", "Sales").allowed


@pytest.mark.parametrize("usage", ["AutomatedFlows", "AzureAI", "DataConnection", "ExportRequest",
                                   "ExternalDataRequest", "ExternalTable", "NativeIngestion",
                                   "SandboxArtifacts", "SqlRequest", "All"])
def test_all_covers_every_usage(s, usage):
    alter(s, "alter", "cluster", [{"ObjectId": "system", "AllowedUsages": "All"}])
    assert identity_allowed(s.cluster, "system", usage, "Sales").allowed


def test_sandbox_artifacts_counts_only_from_the_cluster_policy(s):
    alter(s, "alter", "database Sales", [{"ObjectId": "system", "AllowedUsages": "All"}])
    d = identity_allowed(s.cluster, "system", "SandboxArtifacts", "Sales")
    assert not d.allowed
    assert "cluster" in d.links[-1].description and not d.links[-1].ok
    assert identity_allowed(s.cluster, "system", "SqlRequest", "Sales").allowed
    alter(s, "alter", "cluster", [{"ObjectId": "system", "AllowedUsages": "SandboxArtifacts"}])
    assert identity_allowed(s.cluster, "system", "SandboxArtifacts", "Sales").allowed


def test_unassigned_identity_is_denied_even_when_the_policy_allows_it(s):
    alter(s, "alter", "cluster", [{"ObjectId": "system", "AllowedUsages": "All"}])
    azure.set_assigned(s.cluster, "system", False)
    d = identity_allowed(s.cluster, "system", "ExternalTable", "Sales")
    assert not d.allowed and "not assigned" in d.reason
    assert d.links[1] == (d.links[1].description, False)
    assert d.links[2].ok  # the policy link still shows what the policy says
    azure.set_assigned(s.cluster, "system", True)
    assert identity_allowed(s.cluster, "system", "ExternalTable", "Sales").allowed


def test_unknown_identity_is_a_denial_not_an_error(s):
    d = identity_allowed(s.cluster, "12345678-1234-1234-1234-123456789abc", "ExternalTable", "Sales")
    assert not d.allowed and d.identity is None and len(d.links) == 1
    assert "12345678-1234-1234-1234-123456789abc" in d.reason


def test_unknown_usage_and_unknown_database_are_errors(s):
    with pytest.raises(BadRequest, match="'Ingest'"):
        identity_allowed(s.cluster, "system", "Ingest", "Sales")
    with pytest.raises(DatabaseNotFound, match="Nope"):
        identity_allowed(s.cluster, "system", "ExternalTable", "Nope")


def test_policy_change_takes_effect_on_the_next_decision(s):
    alter(s, "alter", "cluster", [{"ObjectId": "system", "AllowedUsages": "ExternalTable"}])
    assert identity_allowed(s.cluster, "system", "ExternalTable", "Sales").allowed
    s.execute(".delete cluster policy managed_identity")
    assert not identity_allowed(s.cluster, "system", "ExternalTable", "Sales").allowed


def test_link_step_and_detail(s):
    d = identity_allowed(s.cluster, "system", "ExternalTable", "Sales")
    assert [link.step for link in d.links] == ["Identity", "Assigned to cluster", "Cluster policy",
                                               "Database policy [Sales]"]
    assert all(link.detail for link in d.links)
