"""Principals and roles: who is who, and which roles a principal holds.

Principals are named by FQNs (spec 3.6): `aaduser=UPN|ObjectId[;tenant]`,
`aadgroup=Email|Name|ObjectId[;tenant]`, `aadapp=AppId|Name[;tenant]`,
`msauser=UPN`.  Prefixes are case-insensitive.  kshell simulates one
directory: a principal's identity is its kind plus an object id.  Object ids
the user does not give are derived from the name (so `aaduser=alice@x.com`
and `aaduser=<its derived object id>` are the same principal); tenants are
carried for display and for the canonical FQN but never split a principal in
two.  A managed identity of the simulated tenant (kshell.engine.azure) is an
app: `aadapp=<objectId>` or `aadapp=<clientId>` (with or without tenant) name it.

Role assignments are `RoleAssignment` records kept in the `principals` list
of the securable: Cluster, Database, Table, Function, and the dict records of
external tables and materialized views (key "principals").  The creator of a
table / function / external table (`created_by`) is an implicit admin of it.
Simulated Entra groups live in `cluster.groups` (group FQN -> member FQNs),
managed by `#group`; membership is transitive.

`access(cluster, fqn)` gathers everything a principal holds into an `Access`
object that answers the lattice questions of spec 3.2 (is this principal a
table admin of T? may it read database D?), evaluating role dependencies: a
role whose prerequisite is missing is held but not effective (spec 8.2 #19).
"""

from __future__ import annotations

from kshell.engine.cluster import Cluster, derived_id_text
from kshell.errors import BadRequest
from kshell.lazy_re import lazy
from kshell.syntax.records import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

try:  # the managed-identity family is optional; imported once here (principal checks are hot paths)
    from kshell.engine import azure as _azure
except ImportError:
    _azure = None

# ------------------------------------------------------------------ kinds

# FQN prefix (lower-case) -> (PrincipalType column, current_principal_details Type)
PRINCIPAL_KINDS = {
    "aaduser": ("Microsoft Entra user", "AadUser"),
    "aadgroup": ("Microsoft Entra group", "AadGroup"),
    "aadapp": ("Microsoft Entra app", "AadApplication"),
    "msauser": ("Microsoft account", "MsaUser"),
}

# Role words as typed in commands (kshell.syntax.vocabulary.ROLE_WORDS) -> role names.
ROLE_NAMES = {
    "admins": "Admin",
    "users": "User",
    "viewers": "Viewer",
    "unrestrictedviewers": "UnrestrictedViewer",
    "ingestors": "Ingestor",
    "monitors": "Monitor",
    "alldatabasesadmins": "AllDatabasesAdmin",
    "alldatabasesviewers": "AllDatabasesViewer",
    "alldatabasesmonitors": "AllDatabasesMonitor",
}
ROLE_WORD_OF = {v: k for k, v in ROLE_NAMES.items()}

ALL_DATABASES_ADMIN = "AllDatabasesAdmin"
ALL_DATABASES_VIEWER = "AllDatabasesViewer"
ALL_DATABASES_MONITOR = "AllDatabasesMonitor"

_GUID_RE = lazy(globals(), "_GUID_RE", r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


def _guid(text: str) -> str | None:
    """The canonical text of a GUID (as str(uuid.UUID(text))), None when `text` is not one."""
    if not 32 <= len(text) <= 36 or not _GUID_RE.match(text):  # most names are no GUID: no regex for them
        return None
    h = text.replace("-", "").lower()
    if len(h) != 32:  # `$` also matches before a final newline
        return None
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# ------------------------------------------------------------- principals

class Principal(Record, frozen=True):
    kind: str            # aaduser | aadgroup | aadapp | msauser
    ident: str           # UPN, name, e-mail or id as given
    tenant: str | None   # as given after ';' (id or name), None when implicit
    object_id: str       # given GUID or derived; for a managed identity its object id
    identity: Any = None  # the ManagedIdentity record, when this names one

    @property
    def key(self) -> tuple[str, str]:
        """What makes two FQNs the same principal."""
        return (self.kind, self.object_id)

    @property
    def fqn(self) -> str:
        """The FQN in its normalised typed form (lower-case prefix)."""
        return f"{self.kind}={self.ident}" + (f";{self.tenant}" if self.tenant else "")

    @property
    def upn(self) -> str | None:
        return self.ident if "@" in self.ident and self.kind in ("aaduser", "msauser") else None


def parse_fqn(text: str, cluster: Cluster | None = None) -> Principal:
    """Parse a principal FQN; raise BadRequest naming the problem."""
    static = _PARSED_FQNS.get(text) if isinstance(text, str) else None
    if static is None:
        static = _parse_fqn_text(text)
    kind, ident, tenant, guid, object_id = static
    identity = None
    if guid is not None and kind == "aadapp" and cluster is not None:
        identity = _identity_by_guid(cluster, guid)
        if identity is not None:
            object_id = identity.object_id
    return Principal(kind, ident, tenant, object_id, identity)


# FQN text -> (kind, ident, tenant, GUID of ident, object id without the
# cluster's identities): the part of parsing that depends on the text alone.
# Results list every assignment on every call, so each distinct FQN is parsed
# (and its id derived) once.
_PARSED_FQNS: dict[str, tuple[str, str, str | None, str | None, str]] = {}


def _parse_fqn_text(text: str) -> tuple[str, str, str | None, str | None, str]:
    raw = text.strip() if isinstance(text, str) else ""
    prefix, eq, rest = raw.partition("=")
    kind = prefix.strip().lower()
    if not eq or kind not in PRINCIPAL_KINDS:
        raise BadRequest(
            f"'{text}' is not a valid principal FQN: expected aaduser=, aadgroup=, aadapp= or msauser= "
            "followed by a UPN, name or object id (e.g. 'aaduser=alice@contoso.com')")
    ident, semi, tenant = rest.partition(";")
    ident, tenant = ident.strip(), tenant.strip()
    if not ident:
        raise BadRequest(f"'{text}' is not a valid principal FQN: the principal name is empty")
    if semi and not tenant:
        raise BadRequest(f"'{text}' is not a valid principal FQN: the tenant after ';' is empty")
    if ";" in tenant or any(ch.isspace() for ch in tenant):
        raise BadRequest(f"'{text}' is not a valid principal FQN: invalid tenant '{tenant}'")
    guid = _guid(ident)
    if kind == "msauser" and "@" not in ident:
        raise BadRequest(f"'{text}' is not a valid principal FQN: msauser= needs a UPN (e.g. msauser=someone@live.com)")
    if kind == "aaduser" and guid is None and "@" not in ident:
        raise BadRequest(f"'{text}' is not a valid principal FQN: aaduser= needs a UPN or an object id")
    if kind == "msauser" and semi:
        raise BadRequest(f"'{text}' is not a valid principal FQN: msauser= takes no tenant")
    object_id = guid if guid is not None else derived_id_text("principal", kind, ident.lower())
    value = (kind, ident, tenant or None, guid, object_id)
    if len(_PARSED_FQNS) >= 100_000:
        _PARSED_FQNS.clear()
    _PARSED_FQNS[text] = value
    return value


def find_managed_identity(cluster: Cluster, ident: str) -> Any:
    """The managed identity an `aadapp=` names by object id or client id (None if none)."""
    guid = _guid(ident)
    return None if guid is None else _identity_by_guid(cluster, guid)


def _identity_by_guid(cluster: Cluster, guid: str) -> Any:
    return None if _azure is None else _azure.find_by_guid(cluster, guid)


def tenant_id_of(cluster: Cluster | None, p: Principal) -> str:
    """The tenant id of the canonical FQN: given GUID, derived from a tenant name or UPN domain, or the cluster tenant."""
    if p.identity is not None:
        return p.identity.tenant_id
    if p.tenant:
        return _guid(p.tenant) or derived_id_text("tenant-domain", p.tenant.lower())
    if "@" in p.ident:
        return derived_id_text("tenant-domain", p.ident.rsplit("@", 1)[1].lower())
    return cluster_tenant(cluster)


def cluster_tenant(cluster: Cluster | None) -> str:
    try:
        from kshell.engine import azure

        if cluster is not None:
            return azure.tenant_id(cluster)
    except ImportError:
        pass
    return derived_id_text("tenant", cluster.name if cluster is not None else "kshell")


def canonical_fqn(cluster: Cluster | None, p: Principal) -> str:
    """`type=ObjectId;TenantId`, the form the service returns (spec 3.6, 3.7)."""
    if p.kind == "msauser":
        return f"msauser={p.ident}"
    return f"{p.kind}={p.object_id};{tenant_id_of(cluster, p)}"


def display_name(p: Principal) -> str:
    """PrincipalDisplayName (spec 3.4 and its [DECIDE] for apps)."""
    if p.identity is not None:
        return f"{p.identity.display_name} (app id: {p.identity.client_id})"
    if p.kind == "aadapp":
        return f"{p.ident} (app id: {_guid(p.ident) or p.object_id})"
    if p.upn:
        return f"{p.upn.split('@', 1)[0]} (upn: {p.upn})"
    return p.ident


def principal_type(p: Principal) -> str:
    return PRINCIPAL_KINDS[p.kind][0]


def principal_details(session_or_cluster: Any, fqn: str) -> dict[str, Any]:
    """The bag of current_principal_details() (spec 3.7) for `fqn`."""
    cluster = _cluster_of(session_or_cluster)
    p = parse_fqn(fqn, cluster)
    tenant = tenant_id_of(cluster, p)
    return {
        "UserPrincipalName": p.upn or "",
        "IdentityProvider": "https://login.live.com" if p.kind == "msauser" else "https://sts.windows.net",
        "Authority": tenant,
        "Mfa": "NotApplicable" if p.kind == "aadapp" else "False",
        "Type": PRINCIPAL_KINDS[p.kind][1],
        "DisplayName": display_name(p),
        "ObjectId": p.object_id,
        "FQN": canonical_fqn(cluster, p),
        "Country": "",
        "TenantCountry": "",
        "TenantRegion": "WW",
        "Notes": "",
    }


def current_principal_fqn(session: Any) -> str:
    """current_principal(): the canonical FQN of the session principal."""
    return canonical_fqn(session.cluster, parse_fqn(session.principal, session.cluster))


def _cluster_of(x: Any) -> Cluster:
    return x if isinstance(x, Cluster) else x.cluster


# ----------------------------------------------------------- assignments

class RoleAssignment(Record):
    """One principal holding one role on one securable (kept in its `principals` list)."""

    role: str          # Admin, User, Viewer, UnrestrictedViewer, Ingestor, Monitor, AllDatabases*
    fqn: str           # normalised typed FQN (Principal.fqn)
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "fqn": self.fqn, "notes": self.notes}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RoleAssignment":
        return cls(role=d["role"], fqn=d["fqn"], notes=d.get("notes", ""))


def assignments_of(entity: Any) -> list[RoleAssignment]:
    """The principals list of a securable (object with .principals or dict record); [] when it has none."""
    if isinstance(entity, dict):
        value = entity.get("principals")
    else:
        value = getattr(entity, "principals", None)
    return value if isinstance(value, list) else []


def mutable_assignments_of(entity: Any) -> list[RoleAssignment]:
    """The principals list to change; NotSupported when the record cannot hold one."""
    if isinstance(entity, dict):
        value = entity.setdefault("principals", [])
    else:
        value = getattr(entity, "principals", None)
        if value is None:
            try:
                entity.principals = value = []
            except AttributeError:
                from kshell.errors import NotSupported

                raise NotSupported(f"kshell cannot keep role assignments on {type(entity).__name__} records") from None
    return value


def creator_of(entity: Any) -> str:
    if isinstance(entity, dict):
        return entity.get("created_by") or entity.get("CreatedBy") or ""
    return getattr(entity, "created_by", "") or ""


def clear_creator(entity: Any) -> None:
    if isinstance(entity, dict):
        entity.pop("created_by", None)
    elif hasattr(entity, "created_by"):
        entity.created_by = ""


# ---------------------------------------------------------------- groups

def group_members(cluster: Cluster, group_fqn: str) -> list[str] | None:
    key = parse_fqn(group_fqn, cluster).key
    for g, members in cluster.groups.items():
        if principal_key(cluster, g) == key:
            return members
    return None


def principal_keys(cluster: Cluster, fqn: str, key: Any = None) -> set[tuple[str, str]]:
    """The principal's own key plus the keys of every group it belongs to (transitively).
    `key`: the cluster's key_function, when the caller has it already."""
    if key is None:
        key = key_function(cluster)
    own = key(fqn)  # parse_fqn(fqn, cluster).key, from the cache of parsed FQNs
    if own is None:
        own = parse_fqn(fqn, cluster).key  # not a valid FQN: raises, naming the problem
    keys = {own}
    if not cluster.groups:
        return keys
    group_keys = {g: key(g) for g in cluster.groups}
    member_keys = {g: {key(m) for m in ms} for g, ms in cluster.groups.items()}
    changed = True
    while changed:
        changed = False
        for g, gk in group_keys.items():
            if gk not in keys and keys & member_keys[g]:
                keys.add(gk)
                changed = True
    return keys


def is_member_of(session_or_cluster: Any, fqn: str, group: str) -> bool | None:
    """current_principal_is_member_of(group): `fqn` is `group` or a (transitive) member of it.

    None when `group` is not a valid FQN (the function's null result).
    """
    cluster = _cluster_of(session_or_cluster)
    try:
        target = parse_fqn(group, cluster).key
    except BadRequest:
        return None
    return target in principal_keys(cluster, fqn)


def principal_key(cluster: Cluster, fqn: str) -> tuple[str, str] | None:
    """The principal key of a stored FQN (None when it no longer parses)."""
    return key_function(cluster)(fqn)


# FQN text -> (kind, object id, names an app by GUID) or None: pure, so cached.
# Role checks run on every request and look at every assignment, so parsing
# (and deriving ids) once per distinct FQN matters.
_STATIC_KEYS: dict[str, tuple[str, str, bool] | None] = {}


def _static_key(fqn: str) -> tuple[str, str, bool] | None:
    hit = _STATIC_KEYS.get(fqn, False)
    if hit is not False:
        return hit
    try:
        p = parse_fqn(fqn)
        value = (p.kind, p.object_id, p.kind == "aadapp" and _guid(p.ident) is not None)
    except BadRequest:
        value = None
    if len(_STATIC_KEYS) > 50_000:
        _STATIC_KEYS.clear()
    _STATIC_KEYS[fqn] = value
    return value


def key_function(cluster: Cluster):
    """A function FQN -> principal key for this cluster (managed identities resolved by client id too)."""
    by_client = _azure.client_id_index(cluster) if _azure is not None else {}

    def key(fqn: str) -> tuple[str, str] | None:
        static = _STATIC_KEYS.get(fqn, False)
        if static is False:
            static = _static_key(fqn)
        if static is None:
            return None
        kind, object_id, app_guid = static
        if app_guid:
            record = by_client.get(object_id)
            if record is not None:
                object_id = record.object_id
        return (kind, object_id)

    return key


# FQN -> principal key for one client-id index, while it is the same dict with the same
# size (identities are only ever added): a role change compares every assignment of its
# securable by key, so each FQN's key is looked up in C (keys_of) once known.
_KEY_MEMO: list = [None, -1, {}]  # client-id index, its size, FQN -> key
_MISSING = object()


def keys_of(cluster: Cluster, fqns: list[str]) -> list[tuple[str, str] | None]:
    """[key_function(cluster)(f) for f in fqns]."""
    by_client = _azure.client_id_index(cluster) if _azure is not None else None
    memo = _KEY_MEMO
    if by_client is None or memo[0] is not by_client or memo[1] != len(by_client) or len(memo[2]) > 50_000:
        memo[:] = [by_client, -1 if by_client is None else len(by_client), {}]
    table = memo[2]
    keys = list(map(table.get, fqns, [_MISSING] * len(fqns)))
    if _MISSING in keys:
        key = key_function(cluster)
        for i, k in enumerate(keys):
            if k is _MISSING:
                keys[i] = table[fqns[i]] = key(fqns[i])
    return keys


# ---------------------------------------------------------------- scopes

# A securable is named by a scope tuple:
#   ("cluster",)  ("database", Db)  ("table", Db, T)  ("function", Db, F)
#   ("external table", Db, X)  ("materialized-view", Db, V)
ENTITY_KINDS = ("table", "function", "external table", "materialized-view")


def entities_of_kind(db: Any, kind: str) -> dict[str, Any]:
    return {
        "table": db.tables,
        "function": db.functions,
        "external table": db.external_tables,
        "materialized-view": db.materialized_views,
    }[kind]


def securables(cluster: Cluster) -> Iterator[tuple[tuple, Any]]:
    """Every securable with its scope tuple (cluster first, then each database and its entities)."""
    yield ("cluster",), cluster
    for db in cluster.databases.values():
        yield ("database", db.name), db
        for kind in ENTITY_KINDS:
            for name, entity in entities_of_kind(db, kind).items():
                yield (kind, db.name, name), entity


def lookup_securable(cluster: Cluster, scope: tuple) -> Any:
    if scope[0] == "cluster":
        return cluster
    db = cluster.database(scope[1])
    if db is None or scope[0] == "database":
        return db
    return entities_of_kind(db, scope[0]).get(scope[2])


def held_roles(cluster: Cluster, fqn: str) -> list[tuple[tuple, str, str]]:
    """Every role the principal holds, directly or through groups, with the holder's FQN.

    Returns (scope, role, holder FQN); creators are implicit admins of what they created.
    """
    keys = principal_keys(cluster, fqn)
    key = key_function(cluster)
    out = []
    for scope, entity in securables(cluster):
        for a in assignments_of(entity):
            if key(a.fqn) in keys:
                out.append((scope, a.role, a.fqn))
        creator = creator_of(entity) if scope[0] != "cluster" else ""
        if creator and key(creator) in keys:
            out.append((scope, "Admin", creator))
    return out


def cluster_roles(cluster: Cluster, fqn: str) -> set[str]:
    """The cluster-level roles of `fqn` alone (a fast path: AllDatabasesAdmin may do anything)."""
    key = key_function(cluster)
    keys = principal_keys(cluster, fqn, key)
    return {a.role for a in cluster.principals if key(a.fqn) in keys}


# ----------------------------------------------------------------- access

class Access(Record):
    """What one principal may do: the lattice of spec 3.2 over its held roles."""

    cluster_roles: set[str] = field(default_factory=set)
    db_roles: dict[str, set[str]] = field(default_factory=dict)        # db lower -> roles
    entity_roles: dict[tuple, set[str]] = field(default_factory=dict)  # (kind, db lower, name) -> roles

    # cluster
    def all_databases_admin(self) -> bool:
        return ALL_DATABASES_ADMIN in self.cluster_roles

    def all_databases_monitor(self) -> bool:
        return bool(self.cluster_roles & {ALL_DATABASES_ADMIN, ALL_DATABASES_MONITOR})

    # database
    def _db(self, db: str) -> set[str]:
        return self.db_roles.get(db.lower(), set())

    def database_admin(self, db: str) -> bool:
        return self.all_databases_admin() or "Admin" in self._db(db)

    def database_user(self, db: str) -> bool:
        """Database User permissions (create entities; the prerequisite of table admin)."""
        return self.database_admin(db) or "User" in self._db(db)

    def database_viewer(self, db: str) -> bool:
        """Read data and metadata of the database (queries)."""
        return (self.database_user(db) or "Viewer" in self._db(db)
                or bool(self.cluster_roles & {ALL_DATABASES_VIEWER}))

    def database_metadata(self, db: str) -> bool:
        """`.show` commands on the database: User/Viewer/Monitor or above."""
        return self.database_viewer(db) or "Monitor" in self._db(db) or self.all_databases_monitor()

    def database_monitor(self, db: str) -> bool:
        """Monitor-level operations (show principals, artifacts, failures)."""
        return self.database_admin(db) or "Monitor" in self._db(db) or self.all_databases_monitor()

    def unrestricted_viewer(self, db: str) -> bool:
        """Read tables with restricted view access: UnrestrictedViewer, effective only
        with Database User or Viewer (spec 3.2).  No admin role includes it."""
        return "UnrestrictedViewer" in self._db(db) and self.database_viewer(db)

    def database_ingestor(self, db: str) -> bool:
        return self.database_admin(db) or "Ingestor" in self._db(db)

    def any_access(self, db: str) -> bool:
        """Any role on the database, its entities, or the cluster."""
        if self.cluster_roles or self._db(db):
            return True
        return any(k[1] == db.lower() and v for k, v in self.entity_roles.items())

    # entities
    def _ent(self, kind: str, db: str, name: str) -> set[str]:
        return self.entity_roles.get((kind, db.lower(), name), set())

    def _any_table_admin(self, db: str) -> bool:
        """Some *effective* Table Admin in the database (a prerequisite of function and
        materialized-view admins): a Table Admin assignment whose own prerequisite is
        gone must not make another role effective (stale roles)."""
        return any(k[0] == "table" and k[1] == db.lower() and self.table_admin(db, k[2])
                   for k in self.entity_roles)

    def table_admin(self, db: str, table: str) -> bool:
        # Table Admin depends on Database User (spec 3.2).
        return self.database_admin(db) or (
            "Admin" in self._ent("table", db, table) and self.database_user(db))

    def table_ingestor(self, db: str, table: str) -> bool:
        # Table Ingestor depends on Database User or Database Ingestor.
        return (self.table_admin(db, table) or self.database_ingestor(db) or (
            "Ingestor" in self._ent("table", db, table)
            and (self.database_user(db) or "Ingestor" in self._db(db))))

    def function_admin(self, db: str, name: str) -> bool:
        # Function Admin depends on Database User or (some) Table Admin.
        return self.database_admin(db) or (
            "Admin" in self._ent("function", db, name)
            and (self.database_user(db) or self._any_table_admin(db)))

    def external_table_admin(self, db: str, name: str) -> bool:
        # External Table Admin depends on Database User or Database Viewer.
        return self.database_admin(db) or (
            "Admin" in self._ent("external table", db, name)
            and self.database_viewer(db))

    def materialized_view_admin(self, db: str, name: str) -> bool:
        return self.database_admin(db) or (
            "Admin" in self._ent("materialized-view", db, name)
            and (self.database_user(db) or self._any_table_admin(db)))

    def entity_admin(self, kind: str, db: str, name: str) -> bool:
        return {
            "table": self.table_admin,
            "function": self.function_admin,
            "external table": self.external_table_admin,
            "materialized-view": self.materialized_view_admin,
        }[kind](db, name)


def access(cluster: Cluster, fqn: str) -> Access:
    acc = Access()
    for scope, role, _holder in held_roles(cluster, fqn):
        if scope[0] == "cluster":
            acc.cluster_roles.add(role)
        elif scope[0] == "database":
            acc.db_roles.setdefault(scope[1].lower(), set()).add(role)
        else:
            acc.entity_roles.setdefault((scope[0], scope[1].lower(), scope[2]), set()).add(role)
    return acc


def roles_of(session_or_cluster: Any, fqn: str, scope: tuple | None = None) -> list[tuple[tuple, str, str]]:
    """Held roles of `fqn` (scope, role, holder FQN), optionally only those bearing on `scope`.

    A role bears on a scope when it is held on it or on a parent of it
    (cluster roles bear on everything; database roles on the database's entities).
    """
    cluster = _cluster_of(session_or_cluster)
    held = held_roles(cluster, fqn)
    if scope is None or scope[0] == "cluster":
        return held
    db = scope[1].lower()
    out = []
    for s, role, holder in held:
        if s[0] == "cluster":
            out.append((s, role, holder))
        elif s[1].lower() != db:
            continue
        elif s[0] == "database" or scope[0] == "database" or (s[0] == scope[0] and s[2] == scope[2]):
            out.append((s, role, holder))
    return out


def _name_of(x: Any) -> str:
    return x if isinstance(x, str) else (x.get("Name") if isinstance(x, dict) else x.name)


def is_table_admin(session_or_cluster: Any, fqn: str, database: Any, table: Any) -> bool:
    """Table Admin of `table` (names or records): what a transactional update policy needs on its source."""
    return access(_cluster_of(session_or_cluster), fqn).table_admin(_name_of(database), _name_of(table))


def is_table_ingestor(session_or_cluster: Any, fqn: str, database: Any, table: Any) -> bool:
    return access(_cluster_of(session_or_cluster), fqn).table_ingestor(_name_of(database), _name_of(table))


def is_database_admin(session_or_cluster: Any, fqn: str, database: Any) -> bool:
    return access(_cluster_of(session_or_cluster), fqn).database_admin(_name_of(database))


def is_managed_identity(session_or_cluster: Any, fqn: str) -> bool:
    """True when `fqn` names a managed identity of the simulated tenant."""
    try:
        return parse_fqn(fqn, _cluster_of(session_or_cluster)).identity is not None
    except BadRequest:
        return False


def can_read_database(cluster: Cluster, fqn: str, database_name: str) -> bool:
    """Viewer-level access to the database (what a query, update policy or export needs to read it)."""
    return access(cluster, fqn).database_viewer(database_name)


def seed_default_principal(cluster: Cluster, fqn: str) -> None:
    """A new cluster: the default session principal holds AllDatabasesAdmin (design.md)."""
    if not any(getattr(a, "role", None) == ALL_DATABASES_ADMIN for a in cluster.principals):
        if not cluster.extras.get("security_seeded"):
            cluster.principals.append(RoleAssignment(ALL_DATABASES_ADMIN, parse_fqn(fqn).fqn,
                                                     "kshell default principal"))
    cluster.extras["security_seeded"] = True
