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

from kshell.engine.cluster import Cluster, derived_id_text
from kshell.engine.guids import uuid_module
from kshell.errors import BadRequest, Conflict, EntityNotFound
from kshell.lazy_re import lazy
from kshell.syntax.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SYSTEM = "system"  # the reserved word for the cluster's system-assigned identity (spec 1.2)

# The simulated subscription and resource group every ARM resource id lives in.
RESOURCE_GROUP = "kshell-rg"


class ManagedIdentity(Record):
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
        return {n: getattr(self, n) for n in self.__record_names__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ManagedIdentity":
        return cls(**d)

    def describe(self) -> str:
        """How messages name this identity: `'name' (ObjectId ...)`."""
        return f"'{self.name}' (ObjectId {self.object_id})"


# ------------------------------------------------------------------ ids
def tenant_id(cluster: Cluster) -> str:
    """The simulated Entra tenant of the cluster (and, by default, of its identities)."""
    return derived_id_text("tenant", cluster.name)


def subscription_id(cluster: Cluster) -> str:
    return derived_id_text("subscription", cluster.name)


def cluster_resource_id(cluster: Cluster) -> str:
    return (f"/subscriptions/{subscription_id(cluster)}/resourceGroups/{RESOURCE_GROUP}"
            f"/providers/Microsoft.Kusto/clusters/{cluster.name}")


def user_identity_resource_id(cluster: Cluster, name: str) -> str:
    return (f"/subscriptions/{subscription_id(cluster)}/resourceGroups/{RESOURCE_GROUP}"
            f"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}")


_CANONICAL_GUID = lazy(globals(), "_CANONICAL_GUID", r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalize_guid(text: str) -> str | None:
    """Canonical lower-case GUID text, or None when `text` is not a GUID."""
    if isinstance(text, str) and _CANONICAL_GUID.fullmatch(text):
        return text  # already canonical: the common case, and the hot path of big policies
    try:
        return str(uuid_module().UUID(text.strip()))  # other spellings (braces, urn:uuid:, no hyphens)
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
    return derived_id_text("identity", cluster_name, SYSTEM, "object")


def _new_system_identity(cluster: Cluster) -> ManagedIdentity:
    return ManagedIdentity(
        name=SYSTEM,
        object_id=_system_object_id(cluster.name),
        client_id=derived_id_text("identity", cluster.name, SYSTEM, "client"),
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
    by_name, by_client = _index(ids)
    guid = normalize_guid(ref)
    if guid is not None:
        return ids.get(guid) or by_client.get(guid)
    return by_name.get(ref.lower())


# Secondary indexes (lower-case name -> record, client id -> record) of the
# few most recent identity dicts.  Records are only ever added and their
# name/client id never change, so an index is current while the dict is the
# same object with the same size.  Kept out of the Cluster so the state file
# never sees it.
_INDEXES: list[tuple[dict, int, dict, dict]] = []


def _index(ids: dict[str, ManagedIdentity]) -> tuple[dict[str, ManagedIdentity], dict[str, ManagedIdentity]]:
    for i, entry in enumerate(_INDEXES):
        if entry[0] is ids:
            del _INDEXES[i]
            if entry[1] == len(ids):
                _INDEXES.insert(0, entry)  # most recent first (create_identity updates [0])
                return entry[2], entry[3]
            break
    by_name = {r.name.lower(): r for r in ids.values()}
    by_client = {r.client_id: r for r in ids.values()}
    _INDEXES.insert(0, (ids, len(ids), by_name, by_client))
    del _INDEXES[8:]
    return by_name, by_client


def find_by_guid(cluster: Cluster, guid: str) -> ManagedIdentity | None:
    """The identity whose object id or client id is `guid` (canonical lower-case GUID text).

    O(1) through the indexes: principal checks call this for every `aadapp=`
    assignment they look at.
    """
    ids = identities(cluster)
    record = ids.get(guid)
    if record is None:
        record = _index(ids)[1].get(guid)
    return record


def client_id_index(cluster: Cluster) -> dict[str, ManagedIdentity]:
    """Client id -> identity record (read-only: kept current by create_identity)."""
    return _index(identities(cluster))[1]


def find_by_object_id(cluster: Cluster, object_id: str) -> ManagedIdentity | None:
    """The identity whose object id is `object_id` (or `system`); None when unknown.

    This is the lookup the ManagedIdentity policy and `;managed_identity=`
    use: only `system` or an object id name an identity there.
    """
    ids = identities(cluster)
    record = ids.get(object_id)  # keys are canonical object ids: the common case, one lookup
    if record is not None:
        return record
    if object_id.strip().lower() == SYSTEM:
        return system_identity(cluster)
    guid = normalize_guid(object_id)
    return ids.get(guid) if guid else None


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
    by_name, by_client = _index(ids)
    if name.lower() in by_name:
        raise Conflict(f"a managed identity named '{by_name[name.lower()].name}' already exists")
    oid = _guid_arg("objectid", object_id) or derived_id_text("identity", cluster.name, name, "object")
    cid = _guid_arg("clientid", client_id) or derived_id_text("identity", cluster.name, name, "client")
    tid = _guid_arg("tenantid", tenant) or tenant_id(cluster)
    for guid in (oid, cid):
        taken = ids.get(guid) or by_client.get(guid)
        if taken is not None:
            raise Conflict(f"the id {guid} is already used by managed identity {taken.describe()}")
    if oid == cid:
        raise BadRequest("objectid and clientid must differ")
    record = ManagedIdentity(
        name=name, object_id=oid, client_id=cid, tenant_id=tid, display_name=name,
        is_system=False, assigned=False, resource_id=user_identity_resource_id(cluster, name),
    )
    ids[oid] = record
    by_name[name.lower()] = record  # keep the index current instead of rebuilding it
    by_client[cid] = record
    _INDEXES[0] = (ids, len(ids), by_name, by_client)
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
