"""The simulated Azure side of the cluster: managed identities.

In ADX, identities are attached to a cluster through ARM (portal, templates,
SDKs), never through KQL (spec 1.1, 1.2).  kshell keeps a small simulated
tenant instead: every identity it knows about is a `ManagedIdentity` record in
`cluster.identities` (key: lower-case object id), whether or not it is
currently assigned to the cluster.  `#identity` directives
(identity_directives.py) create, assign and unassign them.

A cluster always has exactly one system-assigned identity record; a new
cluster has it assigned ("enabled", design.md).  "Removing" it is modelled as
unassigning it, so its ids stay stable across a disable/enable cycle.

Every id is derived deterministically from names (`derived_id`), so a script
prints the same GUIDs on every run.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from kshell.engine.cluster import Cluster, derived_id
from kshell.errors import BadRequest, Conflict, EntityNotFound

SYSTEM = "system"  # the reserved word for the cluster's system-assigned identity (spec 1.2)

# The simulated subscription and resource group every ARM resource id lives in.
RESOURCE_GROUP = "kshell-rg"


@dataclass(slots=True)
class ManagedIdentity:
    """One identity of the simulated tenant (spec 1.2)."""

    name: str                 # "system" for the system-assigned one; the resource name otherwise
    object_id: str            # lower-case GUID text (ARM principalId)
    client_id: str
    tenant_id: str
    display_name: str         # system: the cluster name; user-assigned: the resource name
    is_system: bool
    assigned: bool            # currently attached to the cluster
    resource_id: str          # ARM resource id

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (for the state file)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ManagedIdentity":
        return cls(**d)

    def describe(self) -> str:
        """How messages name this identity: `'name' (ObjectId ...)`."""
        return f"'{self.name}' (ObjectId {self.object_id})"


# ------------------------------------------------------------------ ids
def tenant_id(cluster: Cluster) -> str:
    """The simulated Entra tenant of the cluster (and, by default, of its identities)."""
    return str(derived_id("tenant", cluster.name))


def subscription_id(cluster: Cluster) -> str:
    return str(derived_id("subscription", cluster.name))


def cluster_resource_id(cluster: Cluster) -> str:
    return (f"/subscriptions/{subscription_id(cluster)}/resourceGroups/{RESOURCE_GROUP}"
            f"/providers/Microsoft.Kusto/clusters/{cluster.name}")


def user_identity_resource_id(cluster: Cluster, name: str) -> str:
    return (f"/subscriptions/{subscription_id(cluster)}/resourceGroups/{RESOURCE_GROUP}"
            f"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}")


def normalize_guid(text: str) -> str | None:
    """Canonical lower-case GUID text, or None when `text` is not a GUID."""
    try:
        return str(uuid.UUID(text.strip()))
    except (ValueError, AttributeError, TypeError):
        return None


# ---------------------------------------------------------------- records
def identities(cluster: Cluster) -> dict[str, ManagedIdentity]:
    """All identity records of the tenant, creating the system identity on first use.

    Always go through this function (not `cluster.identities` directly): a
    cluster created by `new_cluster()` or restored from an older state file
    gets its system-assigned identity here.  Its ids are derived from the
    cluster name, so creating it lazily gives the same ids as creating it early.
    """
    ids = cluster.identities
    key = _system_object_id(cluster.name)
    if key not in ids:  # O(1): this runs on every lookup
        record = _new_system_identity(cluster)
        ids[record.object_id] = record
    return ids


@functools.lru_cache(maxsize=16)
def _system_object_id(cluster_name: str) -> str:
    return str(derived_id("identity", cluster_name, SYSTEM, "object"))


def _new_system_identity(cluster: Cluster) -> ManagedIdentity:
    return ManagedIdentity(
        name=SYSTEM,
        object_id=_system_object_id(cluster.name),
        client_id=str(derived_id("identity", cluster.name, SYSTEM, "client")),
        tenant_id=tenant_id(cluster),
        display_name=cluster.name,  # spec 8.2 #29: the system identity is named after the cluster
        is_system=True,
        assigned=True,
        resource_id=cluster_resource_id(cluster),
    )


def system_identity(cluster: Cluster) -> ManagedIdentity:
    return identities(cluster)[_system_object_id(cluster.name)]


def find_identity(cluster: Cluster, ref: str) -> ManagedIdentity | None:
    """The identity `ref` names: `system`, an object id, a client id or a resource name.

    Names are matched case-insensitively (Azure resource names are).
    Returns None when the tenant has no such identity.
    """
    ids = identities(cluster)
    ref = ref.strip()
    if ref.lower() == SYSTEM:
        return system_identity(cluster)
    guid = normalize_guid(ref)
    if guid is not None:
        record = ids.get(guid)
        if record is not None:
            return record
        for record in ids.values():
            if record.client_id == guid:
                return record
        return None
    low = ref.lower()
    for record in ids.values():
        if record.name.lower() == low:
            return record
    return None


def find_by_object_id(cluster: Cluster, object_id: str) -> ManagedIdentity | None:
    """The identity whose object id is `object_id` (or `system`); None when unknown.

    This is the lookup the ManagedIdentity policy and `;managed_identity=`
    use: only `system` or an object id name an identity there.
    """
    if object_id.strip().lower() == SYSTEM:
        return system_identity(cluster)
    guid = normalize_guid(object_id)
    return identities(cluster).get(guid) if guid else None


def require_identity(cluster: Cluster, ref: str) -> ManagedIdentity:
    record = find_identity(cluster, ref)
    if record is None:
        raise EntityNotFound(f"no managed identity '{ref}' in the simulated tenant "
                             "(#identity lists them, #identity create adds one)")
    return record


# ------------------------------------------------------------- changes
def create_identity(cluster: Cluster, name: str, *, object_id: str | None = None,
                    client_id: str | None = None, tenant: str | None = None) -> ManagedIdentity:
    """A new user-assigned identity in the tenant (not yet assigned to the cluster)."""
    ids = identities(cluster)
    if not name or name.lower() == SYSTEM:
        raise BadRequest(f"'{name}' cannot name a user-assigned identity (reserved)")
    if normalize_guid(name) is not None:
        raise BadRequest(f"identity name '{name}' must not be a GUID")
    for record in ids.values():
        if record.name.lower() == name.lower():
            raise Conflict(f"a managed identity named '{record.name}' already exists")
    oid = _guid_arg("objectid", object_id) or str(derived_id("identity", cluster.name, name, "object"))
    cid = _guid_arg("clientid", client_id) or str(derived_id("identity", cluster.name, name, "client"))
    tid = _guid_arg("tenantid", tenant) or tenant_id(cluster)
    for record in ids.values():
        if oid in (record.object_id, record.client_id) or cid in (record.object_id, record.client_id):
            raise Conflict(f"the id {oid if oid in (record.object_id, record.client_id) else cid} "
                           f"is already used by managed identity {record.describe()}")
    if oid == cid:
        raise BadRequest("objectid and clientid must differ")
    record = ManagedIdentity(
        name=name, object_id=oid, client_id=cid, tenant_id=tid, display_name=name,
        is_system=False, assigned=False, resource_id=user_identity_resource_id(cluster, name),
    )
    ids[oid] = record
    return record


def _guid_arg(label: str, value: str | None) -> str | None:
    if value is None:
        return None
    guid = normalize_guid(value)
    if guid is None:
        raise BadRequest(f"{label} '{value}' is not a GUID")
    return guid


def set_assigned(cluster: Cluster, ref: str, assigned: bool) -> ManagedIdentity:
    """Attach the identity to / detach it from the cluster (an ARM operation in ADX).

    Policy entries naming a detached identity are left in place (spec 2.8):
    flows using it fail at run time instead.
    """
    record = require_identity(cluster, ref)
    record.assigned = assigned
    return record


def identity_type(cluster: Cluster) -> str:
    """The ARM `identity.type` of the cluster: SystemAssigned, UserAssigned, both, or None."""
    kinds = []
    records = identities(cluster).values()
    if any(r.is_system and r.assigned for r in records):
        kinds.append("SystemAssigned")
    if any(not r.is_system and r.assigned for r in records):
        kinds.append("UserAssigned")
    return ",".join(kinds) or "None"
