"""Handlers of the security-role commands (spec 3.3 - 3.5).

`.add|.drop|.set <securable> <role> (...)` change the `principals` list of the
securable (RoleAssignment records, kshell.engine.auth) and return its
`.show ... principals` result unless `skip-results`.  Everything is
validated before anything changes.  Who may run what is decided by
kshell.engine.permissions, not here.
"""

from __future__ import annotations

import operator

from kshell.engine import auth
from kshell.engine.auth import RoleAssignment, parse_fqn
from kshell.engine.cluster import derived_id
from kshell.engine.session import Session, handler
from kshell.errors import BadRequest, EntityNotFound, TableNotFound
from kshell.result import Result
from kshell.syntax.cmd_security import (
    ClearGroupMembershipCache,
    RoleChange,
    ShowPrincipalRoles,
    ShowPrincipals,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PRINCIPALS_COLUMNS = [
    ("Role", "string"),
    ("PrincipalType", "string"),
    ("PrincipalDisplayName", "string"),
    ("PrincipalObjectId", "string"),
    ("PrincipalFQN", "string"),
    ("Notes", "string"),
    ("RoleAssignmentIdentifier", "string"),
]

PRINCIPAL_ROLES_COLUMNS = [
    ("Scope", "string"),
    ("DisplayName", "string"),
    ("AADObjectID", "string"),
    ("Role", "string"),
]

# How the Role column names each kind of securable (spec 3.4).
KIND_DISPLAY = {
    "database": "Database",
    "table": "Table",
    "function": "Function",
    "external table": "External Table",
    "materialized-view": "Materialized View",
}
# How the Scope column of `.show principal roles` names it.
SCOPE_DISPLAY = {
    "cluster": "Cluster",
    "database": "Database",
    "table": "Table",
    "function": "Function",
    "external table": "ExternalTable",
    "materialized-view": "MaterializedView",
}


# ------------------------------------------------------------ resolving

def resolve_securable(session: Session, kind: str, name: list[str]) -> tuple[tuple, Any]:
    """(scope tuple, entity) of a securable named in a command; raises when it does not exist."""
    cluster = session.cluster
    if kind == "cluster":
        return ("cluster",), cluster
    if kind == "database":
        if len(name) > 1:
            raise BadRequest(f"'{'.'.join(name)}' is not a database name")
        db = session.get_database(name[0] if name else None)
        return ("database", db.name), db
    if len(name) > 2:
        raise BadRequest(f"'{'.'.join(name)}' is not a valid {kind} name")
    db = session.get_database(name[0] if len(name) == 2 else None)
    entity_name = name[-1]
    entity = auth.entities_of_kind(db, kind).get(entity_name)
    if entity is None:
        if kind == "table":
            raise TableNotFound(f"Table '{entity_name}' was not found in database '{db.name}'")
        raise EntityNotFound(f"{KIND_DISPLAY[kind]} '{entity_name}' was not found in database '{db.name}'")
    return (kind, db.name, entity_name), entity


# -------------------------------------------------------------- results

def _role_label(scope: tuple, role: str) -> str:
    if scope[0] == "cluster":
        return role
    return f"{KIND_DISPLAY[scope[0]]} {scope[-1]} {role}"


def _principal_row(session: Session, scope: tuple, role: str, fqn: str, notes: str,
                   rows: dict[tuple, dict[tuple, tuple[str, ...]]] | None = None) -> tuple[str, ...]:
    cluster = session.cluster
    if rows is None:
        rows = _row_cache(cluster)
    of_scope = rows.get(scope)
    if of_scope is None:
        of_scope = rows[scope] = {}
    cache_key = (role, fqn, notes)
    row = of_scope.get(cache_key)
    if row is None:
        p = parse_fqn(fqn, cluster)
        assignment_id = derived_id("role-assignment", *scope, role, *p.key)
        _ROW_CACHE[4] += 1
        row = of_scope[cache_key] = (
            _role_label(scope, role),
            auth.principal_type(p),
            auth.display_name(p),
            p.object_id,
            auth.canonical_fqn(cluster, p),
            notes,
            str(assignment_id),
        )
    return row


# Principal rows are listed again on every role change and `.show ... principals`
# (each `.add` returns all the principals of its securable).  A row depends only
# on its scope, role, FQN and notes, the cluster name (tenant) and the
# tenant's identity records (an `aadapp=` GUID may name one); those records are
# only ever added, so the cache is valid while the identity dict is the same
# object with the same size.  One cache: the current cluster's; rows by scope, then
# by (role, FQN, notes), which _rows_of takes from the assignments in C (attrgetter).
_ROW_CACHE: list[Any] = [None, None, -1, {}, 0]  # cluster name, identity dict, its size, rows, how many


def _row_cache(cluster: Any) -> dict[tuple, dict[tuple, tuple[str, ...]]]:
    ids = auth._azure.identities(cluster) if auth._azure is not None else None
    c = _ROW_CACHE
    size = len(ids) if ids is not None else -1
    if c[0] != cluster.name or c[1] is not ids or c[2] != size or c[4] > 100_000:
        c[:] = [cluster.name, ids, size, {}, 0]
    return c[3]


_ASSIGNMENT_KEY = operator.attrgetter("role", "fqn", "notes")


def _rows_of(session: Session, scope: tuple, entity: Any, roles: tuple[str, ...] | None = None) -> list[list[str]]:
    cache = _row_cache(session.cluster)
    assignments = auth.assignments_of(entity)
    if roles is not None:
        assignments = [a for a in assignments if a.role in roles]
    # Rows come from the cache (C-level lookups); only the rows not seen before are made.
    keys = list(map(_ASSIGNMENT_KEY, assignments))
    of_scope = cache.get(scope)
    found = list(map(of_scope.get, keys)) if of_scope is not None else [None] * len(keys)
    if None in found:
        found = [row if row is not None else _principal_row(session, scope, *key, cache)
                 for row, key in zip(found, keys)]
    rows = list(map(list, found))
    creator = auth.creator_of(entity) if scope[0] not in ("cluster", "database") else ""
    if creator and (roles is None or "Admin" in roles):
        rows.append(list(_principal_row(session, scope, "Admin", creator, "", cache)))
    return rows


def principals_result(session: Session, scope: tuple, entity: Any) -> Result:
    """`.show <securable> principals`: its own assignments plus the inherited ones that can affect it.

    Database: the cluster roles, then the database roles.  Table, function,
    external table, materialized view: AllDatabasesAdmin, Database Admin, then
    the entity's own roles (kshell decision, docs/security.md).
    """
    cluster = session.cluster
    rows: list[list[str]] = []
    if scope[0] == "database":
        rows += _rows_of(session, ("cluster",), cluster)
    elif scope[0] != "cluster":
        rows += _rows_of(session, ("cluster",), cluster, (auth.ALL_DATABASES_ADMIN,))
        db = cluster.database(scope[1])
        rows += _rows_of(session, ("database", db.name), db, ("Admin",))
    rows += _rows_of(session, scope, entity)
    return Result.of(PRINCIPALS_COLUMNS, rows)


# ------------------------------------------------------------- handlers

@handler(ShowPrincipals)
def show_principals(session: Session, node: ShowPrincipals) -> Result:
    scope, entity = resolve_securable(session, node.securable_kind, node.securable)
    if node.role is not None:  # `.show cluster alldatabasesadmins`
        return Result.of(PRINCIPALS_COLUMNS, _rows_of(session, scope, entity, (auth.ROLE_NAMES[node.role],)))
    return principals_result(session, scope, entity)


@handler(RoleChange)
def change_roles(session: Session, node: RoleChange) -> Result | None:
    cluster = session.cluster
    scope, entity = resolve_securable(session, node.securable_kind, node.securable)
    role = auth.ROLE_NAMES[node.role]
    # Validate every principal before changing anything.
    wanted: list[auth.Principal] = []
    seen = set()
    for text in node.principals:
        p = parse_fqn(text, cluster)
        if p.key not in seen:  # duplicates collapse (spec 3.3)
            seen.add(p.key)
            wanted.append(p)
    current = auth.mutable_assignments_of(entity)
    keep = [a for a in current if a.role != role]
    mine = [a for a in current if a.role == role]
    key = auth.key_function(cluster)  # one per request: assignments are compared by principal key
    creator = auth.creator_of(entity) if role == "Admin" and scope[0] not in ("cluster", "database") else ""
    if creator and not any(key(a.fqn) == key(creator) for a in mine):
        # The creator is an implicit admin; make it an explicit assignment so it can be dropped or replaced.
        mine.append(RoleAssignment("Admin", creator, ""))

    if node.action == "add":
        new = list(mine)
        # The first assignment of each principal: built from the last to the first, so
        # that the first one of a key is the one left.
        by_key: dict[Any, RoleAssignment] = dict(zip(auth.keys_of(cluster, [a.fqn for a in reversed(new)]),
                                                     reversed(new)))
        for p in wanted:
            existing = by_key.get(p.key)
            if existing is None:
                by_key[p.key] = assignment = RoleAssignment(role, p.fqn, node.notes or "")
                new.append(assignment)
            elif node.notes is not None:
                existing.notes = node.notes  # safe: validation is over, this is the apply step
    elif node.action == "drop":
        new = [a for a in mine if key(a.fqn) not in seen]
    else:  # set
        new = [] if node.none else [RoleAssignment(role, p.fqn, node.notes or "") for p in wanted]

    if scope[0] == "cluster" and role == auth.ALL_DATABASES_ADMIN and not new:
        raise BadRequest("this would leave the cluster without any AllDatabasesAdmin; "
                         "kshell refuses it (no one could manage the cluster any more)")

    # Apply.
    current[:] = keep + new
    if creator:
        auth.clear_creator(entity)
    if node.skip_results:
        return None
    return principals_result(session, scope, entity)


@handler(ShowPrincipalRoles)
def show_principal_roles(session: Session, node: ShowPrincipalRoles) -> Result:
    cluster = session.cluster
    fqn = session.principal
    if node.principal is not None:
        fqn = parse_fqn(node.principal, cluster).fqn
    if node.securable_kind is None:
        scope = ("cluster",)
    else:
        scope, _entity = resolve_securable(session, node.securable_kind, node.securable)
    rows = []
    for s, role, holder in auth.roles_of(cluster, fqn, scope):
        p = parse_fqn(holder, cluster)
        rows.append([_scope_label(s), auth.display_name(p), p.object_id, role])
    return Result.of(PRINCIPAL_ROLES_COLUMNS, rows)


def _scope_label(scope: tuple) -> str:
    if scope[0] == "cluster":
        return "Cluster"
    if scope[0] == "database":
        return f"Database:{scope[1]}"
    return f"{SCOPE_DISPLAY[scope[0]]}:{scope[1]}.{scope[2]}"


@handler(ClearGroupMembershipCache)
def clear_group_membership(session: Session, node: ClearGroupMembershipCache) -> Result:
    """kshell keeps no membership cache (`#group` changes apply at once); validate and succeed."""
    props = {k.lower(): v for k, v in node.properties.items()}
    unknown = set(props) - {"group", "principal"}
    if unknown:
        raise BadRequest(f"unknown property '{sorted(unknown)[0]}' (expected group, principal)")
    if "group" not in props:
        raise BadRequest("'.clear cluster cache groupmembership' needs with (group='aadgroup=...')")
    for k in ("group", "principal"):
        if k in props:
            if not isinstance(props[k], str):
                raise BadRequest(f"{k} must be a principal FQN string")
            parse_fqn(props[k], session.cluster)
    return Result.of([("Status", "string")], [["Group membership cache cleared"]])


# The query engine calls these on every read (viewer check, row level security).
from kshell.engine.permissions import register_read_hooks  # noqa: E402

register_read_hooks()
