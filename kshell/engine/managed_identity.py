"""The ManagedIdentity policy (spec 2) and the one decision every MI flow uses.

Commands (cluster and `database [D]` scope; syntax in kshell.syntax.cmd_policy):
`.show`, `.alter`, `.alter-merge`, `.delete ... policy managed_identity`.

Storage: `holder.policies["managed_identity"]` (holder = the Cluster or a
Database) is a list of policy objects exactly as `.show` prints them (plain
JSON-able dicts: ObjectId, ClientId, TenantId, DisplayName, IsSystem,
AllowedUsages), or absent when no policy is set.  `[]` (after `.alter ... []`)
is a set but empty policy; absent shows `null`.

Decisions recorded in docs/managed-identity.md: generic five-column output;
`system` stored as the system identity's GUID (and the two are one key);
usages matched case-insensitively, stored canonically, merged as an ordered
set union; `SandboxArtifacts` refused in a database policy; all-or-nothing
validation.

Permissions are not checked here: kshell.engine.permissions owns that table.
"""

from __future__ import annotations

import json
import operator
from collections import namedtuple  # (typing.NamedTuple would import typing)

from kshell.engine import azure
from kshell.gc_pause import gc_paused
from kshell.engine.cluster import Cluster, Database
from kshell.engine.policy_json import canonical_keys, parse_policy_array
from kshell.engine.session import policy_handler
from kshell.errors import BadRequest, DatabaseNotFound, KustoSyntaxError
from kshell.result import Result
from kshell.syntax.vocabulary import MANAGED_IDENTITY_USAGES
from kshell.syntax.records import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

POLICY_KIND = "managed_identity"           # key in .policies and the word after `policy`
POLICY_NAME = "ManagedIdentityPolicy"      # the PolicyName column (spec 0.4 [DECIDE])
MESSAGE_PREFIX = "ManagedIdentity policy"  # how error messages name the policy
PROPERTIES = ("ObjectId", "ClientId", "TenantId", "DisplayName", "IsSystem", "AllowedUsages")
ALL = "All"
CLUSTER_ONLY_USAGES = ("SandboxArtifacts",)  # spec 2.3: only the cluster policy counts

RESULT_COLUMNS = [("PolicyName", "string"), ("EntityName", "string"), ("Policy", "string"),
                  ("ChildEntities", "string"), ("EntityType", "string")]

_USAGE_BY_LOWER = {u.lower(): u for u in MANAGED_IDENTITY_USAGES}


# ------------------------------------------------------------------ usages
def canonical_usage(name: str) -> str | None:
    """The canonical spelling of a usage name (case-insensitive), or None if unknown."""
    return _USAGE_BY_LOWER.get(name.strip().lower())


def require_usage(name: str) -> str:
    usage = canonical_usage(name)
    if usage is None:
        raise BadRequest(f"unknown managed identity usage '{name}'; valid usages: "
                         + ", ".join(MANAGED_IDENTITY_USAGES))
    return usage


def split_usages(text: str) -> list[str]:
    """The names of an AllowedUsages string, as written (empty items dropped)."""
    return [u.strip() for u in text.split(",") if u.strip()]


def join_usages(usages: list[str]) -> str:
    return ", ".join(usages)  # the canonical formatting of every doc example (spec 2.2)


# ------------------------------------------------------------ policy access
def policy_entries(holder: Cluster | Database) -> list[dict[str, Any]] | None:
    """The stored policy objects of a cluster or database; None when no policy is set."""
    return holder.policies.get(POLICY_KIND)


def entry_for(holder: Cluster | Database, object_id: str) -> dict[str, Any] | None:
    for entry in policy_entries(holder) or ():
        if entry["ObjectId"] == object_id:
            return entry
    return None


def show_result(holder: Cluster | Database) -> Result:
    """What `.show <cluster|database D> policy managed_identity` prints (spec 2.6 [DECIDE])."""
    entries = policy_entries(holder)
    policy = "null" if entries is None else policy_json(entries)
    if isinstance(holder, Cluster):
        row = [POLICY_NAME, "", policy, "", "Cluster"]
    else:
        row = [POLICY_NAME, f"[{holder.name}]", policy, "", "Database"]
    return Result.of(RESULT_COLUMNS, [row])


# Entry -> its JSON text, for entries of recent policies.  merge_entries keeps
# the dict of every entry it does not change (entries are never modified in
# place: a changed entry is a new dict), so an entry's text can be reused.  The
# cache holds the entry itself, so an id is never reused while its text is
# cached; it is bounded (cleared when full).
_ENTRY_JSON: dict[int, tuple[dict[str, Any], str]] = {}
_ENTRY_JSON_LIMIT = 20_000

# The entries (as a tuple) and entry texts of the last policy encoded.
_LAST_POLICY: list = [(), []]


def policy_json(entries: list[dict[str, Any]]) -> str:
    """`json.dumps(entries)`, from per-entry texts (same output: ", " between items)."""
    cache = _ENTRY_JSON
    prev, prev_parts = _LAST_POLICY
    if prev and entries and entries[0] is prev[0]:
        # The usual alter-merge: the previous policy with an entry appended or
        # replaced.  Entries are compared by identity in C; only the changed
        # ones are looked up.
        parts = prev_parts[:len(entries)]
        same = list(map(operator.is_, entries, prev))
        i = -1
        for _ in range(same.count(False)):
            i = same.index(False, i + 1)
            parts[i] = _entry_text(entries[i], cache)
        parts.extend(_entry_text(e, cache) for e in entries[len(prev):])
    elif len(entries) <= 2000:
        parts = [_entry_text(e, cache) for e in entries]
    else:  # a bulk policy: encoded directly (its texts are kept below for the next merge)
        parts = [_entry_json(e) for e in entries]
    _LAST_POLICY[:] = [tuple(entries), parts]
    if len(parts) < 2:
        return "[" + ", ".join(parts) + "]"
    # One join with the brackets on the first and last items: a big policy's text
    # is built once instead of being copied again to add the brackets.
    return ", ".join(["[" + parts[0], *parts[1:-1], parts[-1] + "]"])


def _entry_text(e: dict[str, Any], cache: dict[int, tuple[dict[str, Any], str]]) -> str:
    hit = cache.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    text = _entry_json(e)
    if len(cache) >= _ENTRY_JSON_LIMIT:
        cache.clear()
    cache[id(e)] = (e, text)
    return text


_ENTRY_KEYS = PROPERTIES  # the key order _entry writes
_quote = json.encoder.encode_basestring_ascii  # json.dumps' own string encoder (C)


def _entry_json(e: dict[str, Any]) -> str:
    """json.dumps(e); written out directly for entries as _entry builds them."""
    if tuple(e) == _ENTRY_KEYS:
        object_id, client_id, tenant_id, display_name, is_system, usages = e.values()
        if (object_id.__class__ is str and client_id.__class__ is str and tenant_id.__class__ is str
                and display_name.__class__ is str and usages.__class__ is str and is_system.__class__ is bool):
            return (f'{{"ObjectId": {_quote(object_id)}, "ClientId": {_quote(client_id)}, '
                    f'"TenantId": {_quote(tenant_id)}, "DisplayName": {_quote(display_name)}, '
                    f'"IsSystem": {"true" if is_system else "false"}, "AllowedUsages": {_quote(usages)}}}')
    return json.dumps(e)


# ------------------------------------------------------------ the commands
@policy_handler(POLICY_KIND)
def managed_identity_policy(session: Any, node: Any) -> Result:
    holder = _holder(session, node)
    if node.verb == "show":
        if node.args_text:
            raise KustoSyntaxError(f"unexpected text after 'policy managed_identity': {node.args_text[:40]!r}")
        return show_result(holder)
    if node.verb == "delete":
        dropped = holder.policies.pop(POLICY_KIND, None)  # idempotent (spec 2.5 [DECIDE])
        if dropped and _LAST_POLICY[0] and _LAST_POLICY[0][0] is dropped[0]:
            _LAST_POLICY[:] = [(), []]  # let a big policy's memory go now
            _LAST_MERGE[:] = [(), None]
        return show_result(holder)
    # alter / alter-merge: validate everything, then replace the list in one step.
    if node.payload is None:
        raise KustoSyntaxError("expected the policy as a string literal after 'policy managed_identity'")
    if node.properties:
        raise KustoSyntaxError("'policy managed_identity' takes no 'with (...)' properties")
    with gc_paused(len(node.payload) > 100_000):
        requests = parse_requests(session.cluster, node.payload, cluster_scope=isinstance(holder, Cluster))
        base = [] if node.verb == "alter" else (policy_entries(holder) or [])
        holder.policies[POLICY_KIND] = merge_entries(base, requests)
        del requests  # freed while the collector is paused: it would walk them once re-enabled
        return show_result(holder)


def _holder(session: Any, node: Any) -> Cluster | Database:
    if node.entity_kind == "cluster":
        return session.cluster
    if node.entity_kind == "database":
        name = node.entity[0] if node.entity else None
        return session.get_database(name)  # context database when the name is omitted
    # cmd_policy only lets cluster/database through; keep a clear refusal anyway.
    raise KustoSyntaxError(f"policy managed_identity is set on a cluster or a database, not a {node.entity_kind}")


class PolicyRequest(namedtuple("PolicyRequest", ("identity", "usages"))):
    """One validated object of an alter/alter-merge payload: `identity` (an
    azure.ManagedIdentity) and `usages` (canonical, de-duplicated, in the order given)."""

    __slots__ = ()


def parse_requests(cluster: Cluster, payload: str, *, cluster_scope: bool) -> list[PolicyRequest]:
    """Parse and validate a whole payload; raises BadRequest on the first problem (nothing applied)."""
    objects = parse_policy_array(payload, "ManagedIdentity")
    return [_validate_object(cluster, canonical_keys(obj, PROPERTIES), n, cluster_scope)
            for n, obj in enumerate(objects, 1)]


# (AllowedUsages text, cluster scope) -> its canonical usages, for texts that
# validated: a big payload repeats a handful of usage texts (errors are never
# cached: their messages name the identity).
_VALID_USAGES: dict[tuple[str, bool], tuple[str, ...]] = {}


def _validate_object(cluster: Cluster, obj: dict[str, Any], n: int, cluster_scope: bool) -> PolicyRequest:
    object_id = obj.get("ObjectId")
    usages_text = obj.get("AllowedUsages")
    if object_id.__class__ is str and usages_text.__class__ is str and object_id.strip():
        known = _VALID_USAGES.get((usages_text, cluster_scope))
        if known is not None:  # the usual case of a big payload: only the identity is left to check
            identity = azure.find_by_object_id(cluster, object_id)
            if identity is not None and identity.assigned:
                return PolicyRequest(identity, list(known))
    where = f"policy object {n}"
    missing = [name for name, v in (("ObjectId", object_id), ("AllowedUsages", usages_text))
               if v is None or (isinstance(v, str) and not v.strip())]
    if missing:
        raise BadRequest(f"{MESSAGE_PREFIX}: {where} must specify ObjectId and AllowedUsages "
                         f"(missing or empty: {', '.join(missing)})")
    for name, v in (("ObjectId", object_id), ("AllowedUsages", usages_text)):
        if not isinstance(v, str):
            raise BadRequest(f"{MESSAGE_PREFIX}: {where}: {name} must be a string, got {json.dumps(v)}")
    names = split_usages(usages_text)
    if not names:
        raise BadRequest(f"{MESSAGE_PREFIX}: {where} must specify ObjectId and AllowedUsages "
                         f"(AllowedUsages {usages_text!r} names no usage)")
    usages: list[str] = []
    for name in names:
        usage = canonical_usage(name)
        if usage is None:
            raise BadRequest(f"{MESSAGE_PREFIX}: unknown usage '{name}' in AllowedUsages of identity "
                             f"'{object_id}'; valid usages: {', '.join(MANAGED_IDENTITY_USAGES)}")
        if usage in CLUSTER_ONLY_USAGES and not cluster_scope:
            raise BadRequest(f"{MESSAGE_PREFIX}: usage '{usage}' (identity '{object_id}') can only be "
                             "set on the cluster-level policy, not on a database")
        if usage not in usages:
            usages.append(usage)
    if len(_VALID_USAGES) < 1000:
        _VALID_USAGES[(usages_text, cluster_scope)] = tuple(usages)
    identity = azure.find_by_object_id(cluster, object_id)
    if identity is None or not identity.assigned:
        raise BadRequest(f"{MESSAGE_PREFIX}: identity '{object_id}' is not assigned to the cluster"
                         + _not_assigned_hint(cluster, object_id, identity))
    return PolicyRequest(identity, usages)


def _not_assigned_hint(cluster: Cluster, object_id: str, identity: azure.ManagedIdentity | None) -> str:
    if identity is not None:
        return f" (#identity assign {identity.name} attaches it)"
    other = azure.find_identity(cluster, object_id)
    if other is not None and other.client_id == azure.normalize_guid(object_id):
        return f" (it is the ClientId of identity '{other.name}'; the policy takes its ObjectId {other.object_id})"
    return ""


def merge_entries(base: list[dict[str, Any]], requests: list[PolicyRequest]) -> list[dict[str, Any]]:
    """A new entry list: `base` with each request merged in order (spec 2.5).

    An ObjectId already present gets the requested usages appended (ordered,
    case-insensitive set union) and its identity details refreshed; a new one
    is appended.  Linear in len(base) + len(requests): entries are indexed by
    object id.  `base` is not modified (the caller swaps the list in only
    after every request validated).
    """
    last, index = _LAST_MERGE
    if index is not None and len(base) == len(last) and all(map(operator.is_, base, last)):
        merged = index.copy()  # `base` is the last merge's result: its index, not built again
    else:
        merged = dict(zip(map(operator.itemgetter("ObjectId"), base), base))
    for identity, usages in requests:
        old = merged.get(identity.object_id)
        if old is None:
            combined = usages
        else:
            combined = [canonical_usage(u) or u for u in split_usages(old["AllowedUsages"])]
            seen = set(combined)
            combined += [u for u in usages if u not in seen]
        merged[identity.object_id] = _entry(identity, combined)
    result = list(merged.values())
    _LAST_MERGE[:] = [tuple(result), merged]
    return result


# The last merge's result (as a tuple) and its ObjectId -> entry index.  Alter-merges
# into one policy come one after another (a script's), each into the list the last one
# made; its entries are never changed in place (a changed entry is a new dict), so the
# index of the same entries is the same.  Compared by identity, in C.
_LAST_MERGE: list = [(), None]


def _entry(identity: azure.ManagedIdentity, usages: list[str]) -> dict[str, Any]:
    # Auto-populated fields always come from the identity, never from the input (spec 2.2).
    return {
        "ObjectId": identity.object_id,
        "ClientId": identity.client_id,
        "TenantId": identity.tenant_id,
        "DisplayName": identity.display_name,
        "IsSystem": identity.is_system,
        "AllowedUsages": join_usages(usages),
    }


# ------------------------------------------------------------ the decision
class Link(namedtuple("Link", ("description", "ok"))):
    """One step of a decision chain: `description` reads "Step: detail"; `ok` whether it holds."""

    __slots__ = ()

    @property
    def step(self) -> str:
        return self.description.partition(": ")[0]

    @property
    def detail(self) -> str:
        return self.description.partition(": ")[2]


class IdentityDecision(Record):
    """Whether an identity may be used for a usage, and why (spec 2.1)."""

    allowed: bool
    identity: azure.ManagedIdentity | None
    reason: str
    links: list[Link] = field(default_factory=list)
    usage: str = ""
    database: str | None = None

    def require(self, error: type[Exception] = BadRequest) -> azure.ManagedIdentity:
        """The identity when allowed; otherwise raise `error(reason)`."""
        if not self.allowed or self.identity is None:
            raise error(self.reason)
        return self.identity


def identity_allowed(cluster: Cluster, identity_ref: str, usage: str,
                     database_name: str | None = None) -> IdentityDecision:
    """May `identity_ref` be used for `usage` by a flow of database `database_name`?

    The rule (spec 2.1, 2.3): the identity must exist and be assigned to the
    cluster, and the usage (or `All`) must be allowed for its ObjectId by the
    cluster policy OR the database policy (additive).  `SandboxArtifacts` is
    only taken from the cluster policy.  `identity_ref` is `system`, an
    object id, a client id or an identity name.  Raises BadRequest for an
    unknown usage and DatabaseNotFound for an unknown database; every other
    outcome is a decision.
    """
    usage = require_usage(usage)
    db: Database | None = None
    if database_name is not None:
        db = cluster.database(database_name)
        if db is None:
            raise DatabaseNotFound(f"Database '{database_name}' was not found")
    links: list[Link] = []
    decision = IdentityDecision(False, None, "", links, usage, db.name if db else None)

    identity = azure.find_identity(cluster, identity_ref)
    if identity is None:
        links.append(Link(f"Identity: no managed identity '{identity_ref}' in the simulated tenant", False))
        decision.reason = (f"{MESSAGE_PREFIX}: managed identity '{identity_ref}' does not exist "
                           "or is not assigned to the cluster")
        return decision
    decision.identity = identity
    kind = ("the cluster's system-assigned identity" if identity.is_system
            else f"the user-assigned identity '{identity.name}'")
    links.append(Link(f"Identity: '{identity_ref}' is {kind} "
                      f"(ObjectId {identity.object_id}, ClientId {identity.client_id})", True))
    links.append(Link(
        f"Assigned to cluster: {identity.describe()} is "
        + ("assigned to the cluster" if identity.assigned
           else f"not assigned to the cluster (#identity assign {identity.name})"),
        identity.assigned))

    cluster_ok = _policy_link(links, "Cluster policy", cluster, identity, usage)
    db_ok = False
    if db is not None:
        step = f"Database policy [{db.name}]"
        if usage in CLUSTER_ONLY_USAGES:
            links.append(Link(f"{step}: not consulted: {usage} counts only from the cluster policy", False))
        else:
            db_ok = _policy_link(links, step, db, identity, usage)

    who = f"identity {identity.describe()}"
    if not identity.assigned:
        decision.reason = f"{MESSAGE_PREFIX}: {who} is not assigned to the cluster"
    elif cluster_ok or db_ok:
        decision.allowed = True
        decision.reason = (f"{who} may be used for {usage}: allowed by the "
                           + ("cluster policy" if cluster_ok else f"policy of database [{db.name}]"))
    else:
        scope = "the cluster policy" + (f" or the policy of database [{db.name}]" if db else "")
        decision.reason = f"{MESSAGE_PREFIX}: usage '{usage}' is not allowed for {who} by {scope}"
    return decision


def _policy_link(links: list[Link], step: str, holder: Cluster | Database,
                 identity: azure.ManagedIdentity, usage: str) -> bool:
    entries = policy_entries(holder)
    if entries is None:
        links.append(Link(f"{step}: no ManagedIdentity policy is set", False))
        return False
    entry = None
    for e in entries:
        if e["ObjectId"] == identity.object_id:
            entry = e
            break
    if entry is None:
        links.append(Link(f"{step}: has no entry for ObjectId {identity.object_id}", False))
        return False
    allowed = entry["AllowedUsages"]
    names = {canonical_usage(u) for u in split_usages(allowed)}
    if usage in names:
        links.append(Link(f"{step}: allows {usage} (AllowedUsages: {allowed})", True))
        return True
    if ALL in names:
        links.append(Link(f"{step}: allows {usage} through All (AllowedUsages: {allowed})", True))
        return True
    links.append(Link(f"{step}: entry allows {allowed}, not {usage}", False))
    return False
