"""Permission checks: one declarative table from command kind to required role.

`check(session, node)` runs before every handler (kshell.engine.session).
The role a command needs comes from COMMAND_PERMISSIONS (keyed by the class
name of the command node, so this module need not import every family) or,
for the generic policy commands, from POLICY_PERMISSIONS (keyed by policy
kind, show/change and entity kind).  Each entry names a requirement of
REQUIREMENTS (the lattice of spec 3.2, evaluated by kshell.engine.auth.Access)
and says which securable it applies to.  Commands not in the table fall back
on their verb: `.show ...` needs metadata access to the context database,
anything else Database Admin on it.

Queries need viewer access to the context database here, and to every
database they read through the read hook kshell.engine.queries calls
(`check_database_read`, registered in DATABASE_READ_HOOKS).
"""

from __future__ import annotations

from kshell.engine import auth
from kshell.errors import Forbidden
from kshell.syntax.records import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# ------------------------------------------------------------ requirements

# Requirement name (also the text of refusals) -> predicate over (Access, scope).
REQUIREMENTS: dict[str, Callable[[auth.Access, tuple], bool]] = {
    "Anyone": lambda a, s: True,
    "AllDatabasesAdmin": lambda a, s: a.all_databases_admin(),
    "AllDatabasesMonitor": lambda a, s: a.all_databases_monitor(),
    "Database Admin": lambda a, s: a.database_admin(s[1]),
    "Database User": lambda a, s: a.database_user(s[1]),
    "Database Viewer": lambda a, s: a.database_viewer(s[1]),
    "Database User, Viewer or Monitor": lambda a, s: a.database_metadata(s[1]),
    "Database Admin or Monitor": lambda a, s: a.database_monitor(s[1]),
    "Database Ingestor": lambda a, s: a.database_ingestor(s[1]),
    "a role on the database": lambda a, s: a.any_access(s[1]),
    "Table Admin": lambda a, s: a.table_admin(s[1], s[2]),
    "Table Ingestor": lambda a, s: a.table_ingestor(s[1], s[2]),
    "Function Admin": lambda a, s: a.function_admin(s[1], s[2]),
    "External Table Admin": lambda a, s: a.external_table_admin(s[1], s[2]),
    "Materialized View Admin": lambda a, s: a.materialized_view_admin(s[1], s[2]),
    "its admin or Database Monitor": lambda a, s: (
        a.entity_admin(s[0], s[1], s[2]) or a.database_monitor(s[1])),
}

ENTITY_ADMIN = {
    "table": "Table Admin",
    "function": "Function Admin",
    "external table": "External Table Admin",
    "materialized-view": "Materialized View Admin",
}


# ----------------------------------------------------- securable resolvers
# A target turns a command node into the scopes (kshell.engine.auth) a requirement applies to.

def _cluster(session, node) -> list[tuple]:
    return [("cluster",)]


def _context_db(session, node) -> list[tuple]:
    return [("database", session.database.name)]


def _database(attr: str):
    def target(session, node) -> list[tuple]:
        value = getattr(node, attr, None)
        if isinstance(value, list):
            names = value or [None]
        else:
            names = [value]
        return [("database", session.get_database(n).name) for n in names]
    return target


def _entity(kind: str, attr: str, many: bool = False):
    """An entity named by a node attribute: "T", ["T"], ["Db", "T"] (or a list of those when many)."""
    def target(session, node) -> list[tuple]:
        value = getattr(node, attr, None)
        values = value if many else [value]
        return [_entity_scope(session, kind, v) for v in values]
    return target


def _entity_scope(session, kind: str, value: Any) -> tuple:
    parts = [value] if isinstance(value, str) else list(value or [])
    if not parts:
        return ("database", session.database.name)
    db = session.get_database(parts[0] if len(parts) >= 2 else None)
    return (kind, db.name, parts[-1])


def _renamed_tables(session, node) -> list[tuple]:
    return [_entity_scope(session, "table", old) for old, _new, _ifexists in node.pairs]


def _created_tables(session, node) -> list[tuple]:
    return [_entity_scope(session, "table", name) for name, _schema in node.tables]


def _securable(session, node) -> list[tuple]:
    """The securable of a security-family command (`securable_kind` + `securable`)."""
    kind = node.securable_kind
    if kind is None or kind == "cluster":
        return [("cluster",)]
    if kind == "database":
        return [("database", session.get_database(node.securable[0] if node.securable else None).name)]
    return [_entity_scope(session, kind, node.securable)]


def _show_databases_targets(session, node) -> list[tuple]:
    # `.show databases` (names only) is open to all; `.show databases (A, B) ...` names
    # databases whose metadata the caller must be able to see.  The unnamed flavours
    # (details, policies, datastats ...) list only visible databases (`visible_databases`).
    if node.names:
        return [("database", session.get_database(n).name) for n in node.names]
    return [("cluster",)]


def _show_extents_targets(session, node) -> list[tuple]:
    if node.scope == "cluster":
        return [("cluster",)]  # lists the extents of visible databases only
    if node.scope == "database":
        return [("database", session.get_database(node.database).name)]
    return [("database", session.database.name)]


def _metadata_or_anyone(session, node, scope) -> str:
    return "Anyone" if scope[0] == "cluster" else "Database User, Viewer or Monitor"


def _based_on_targets(session, node) -> list[tuple]:
    # the new table, and the database of the table whose schema is copied (reading its
    # schema is metadata access there)
    source = _entity_scope(session, "table", node.source)
    return [_entity_scope(session, "table", node.name), ("database", source[1])]


def _based_on_requirement(session, node, scope) -> str:
    if scope[0] == "database":
        return "Database User, Viewer or Monitor"
    return _create_table_requirement(session, node, scope)


def visible_databases(session: Any) -> list[Any]:
    """The databases whose metadata the session principal may see (Database User, Viewer or
    Monitor there, or a cluster role that includes it): what every `.show` that lists
    several databases returns.  Only the plain list of names (`.show databases`) is open to all."""
    ensure_seeded(session)
    acc = auth.access(session.cluster, session.principal)
    return [db for db in session.cluster.databases.values() if acc.database_metadata(db.name)]


# ------------------------------------------------- dynamic requirements

def _exists(session, scope: tuple) -> bool:
    return auth.lookup_securable(session.cluster, scope) is not None


def _create_table_requirement(session, node, scope) -> str:
    # `.create-merge` of an existing table changes it; `.create` of an existing one is a no-op.
    if getattr(node, "merge", False) and _exists(session, scope):
        return "Table Admin"
    return "Database User"


def _create_function_requirement(session, node, scope) -> str:
    if node.mode == "alter" or (node.mode == "create-or-alter" and _exists(session, scope)):
        return "Function Admin"
    return "Database User"


def _ingest_from_query_requirement(session, node, scope) -> str:
    # spec 9 #51: .append needs Table Ingestor; .set* creating the table Database User;
    # .set-or-replace of an existing table Table Admin.
    exists = _exists(session, scope)
    if exists:
        from kshell.engine.ingest_commands import schema_changing

        if schema_changing(node.properties or {}):
            return "Table Admin"  # extend_schema / recreate_schema alter the table (spec 7.3)
    if node.verb == "append" or (node.verb == "set-or-append" and exists):
        return "Table Ingestor"
    if node.verb == "set-or-replace" and exists:
        return "Table Admin"
    if node.verb == "set" and exists:
        return "Table Ingestor"
    return "Database User"


def _create_external_table_requirement(session, node, scope) -> str:
    # spec 6.1 / 9 #42-45: .create Database User; .alter (or create-or-alter of an existing
    # one) External Table Admin; create-or-alter with managed-identity auth: AllDatabasesAdmin
    # (storage) or Database Admin (SQL).
    # One rule for .create, .alter and .create-or-alter: a table whose connection strings
    # authenticate with a managed identity (the parsed credential decides) lets everyone who
    # may query it use that identity, so setting one up needs the MI setup's role.
    if _uses_managed_identity(node):
        return "Database Admin" if node.kind == "sql" else "AllDatabasesAdmin"
    if node.mode == "alter" or (node.mode == "create-or-alter" and _exists(session, scope)):
        return "External Table Admin"
    return "Database User"


def _uses_managed_identity(node) -> bool:
    from kshell.engine.external_tables import authenticates_with_managed_identity

    return any(authenticates_with_managed_identity(node.kind, cs) for cs in node.connection_strings)


def _external_table_mapping_requirement(session, node, scope) -> str:
    return "Database User, Viewer or Monitor" if node.verb == "show" else "External Table Admin"


def _mapping_requirement(session, node, scope) -> str:
    # Creating, altering or dropping a mapping needs ingest rights on its entity; showing is metadata.
    if node.verb == "show":
        return "Database User, Viewer or Monitor"
    return "Table Ingestor" if scope[0] == "table" else "Database Ingestor"


def _mapping_target(session, node) -> list[tuple]:
    if node.entity_kind == "database":
        return [("database", session.get_database(node.entity[0] if node.entity else None).name)]
    return [_entity_scope(session, "table", node.entity)]


def _role_change_requirement(session, node, scope) -> str:
    if scope[0] == "cluster":
        return "AllDatabasesAdmin"   # simulator stand-in for ARM role assignment
    if scope[0] == "database":
        return "Database Admin"
    return ENTITY_ADMIN[scope[0]]


def _show_principals_requirement(session, node, scope) -> str:
    if scope[0] == "cluster":
        return "AllDatabasesMonitor"
    if scope[0] == "database":
        return "Database Admin or Monitor"
    return "its admin or Database Monitor"


def _show_principal_roles_requirement(session, node, scope) -> str:
    if node.principal is not None and not _is_self(session, node.principal):
        return "AllDatabasesMonitor"   # someone else's roles (spec 3.5 [DECIDE])
    return "Anyone" if scope[0] == "cluster" else "a role on the database"


def _clear_group_cache_requirement(session, node, scope) -> str:
    other = {k.lower(): v for k, v in node.properties.items()}.get("principal")
    if isinstance(other, str) and not _is_self(session, other):
        return "AllDatabasesMonitor"
    return "Anyone"


def _is_self(session, fqn: str) -> bool:
    try:
        return auth.parse_fqn(fqn, session.cluster).key == auth.parse_fqn(session.principal, session.cluster).key
    except Exception:  # a bad FQN is reported by the handler
        return False


# ------------------------------------------------------------- the table

# Command node class name -> (requirement name or function choosing one, target).
COMMAND_PERMISSIONS: dict[str, tuple[Any, Callable]] = {
    # queries (databases read are checked by the read hook)
    "Query": ("Database Viewer", _context_db),
    # databases (creating / dropping a database is an ARM operation in ADX)
    "CreateDatabase": ("AllDatabasesAdmin", _cluster),
    "DropDatabase": ("AllDatabasesAdmin", _cluster),
    "AlterDatabasePrettyName": ("Database Admin", _database("name")),
    "ShowDatabases": (_metadata_or_anyone, _show_databases_targets),
    "ShowDatabase": ("Database User, Viewer or Monitor", _database("name")),
    "ShowDatabaseSchema": ("Database User, Viewer or Monitor", _database("names")),
    "ShowDatabasesEntities": ("Database User, Viewer or Monitor", _database("names")),
    "ShowDatabaseSchemaViolations": ("Database User, Viewer or Monitor", _database("name")),
    # `.command | query`: the handler checks the inner command itself
    "PipedCommand": ("Anyone", _cluster),
    # tables
    "CreateTable": (_create_table_requirement, _entity("table", "name")),
    "CreateTables": (_create_table_requirement, _created_tables),
    "CreateTableBasedOn": (_based_on_requirement, _based_on_targets),
    "AlterTable": ("Table Admin", _entity("table", "name")),
    "AlterTableAttribute": ("Table Admin", _entity("table", "name")),
    "AlterColumnDocstrings": ("Table Admin", _entity("table", "name")),
    "DropTables": ("Table Admin", _entity("table", "names", many=True)),
    "RenameTables": ("Table Admin", _renamed_tables),
    "ClearTableData": ("Table Admin", _entity("table", "name")),
    "ExtentTagsCommand": ("Table Admin", _entity("table", "name")),
    "AlterColumnType": ("Table Admin", lambda session, node: [_entity_scope(session, "table", node.column[:-1])]),
    "DropColumns": ("Table Admin", _entity("table", "table")),
    "RenameColumns": ("Table Admin", lambda session, node: [
        _entity_scope(session, "table", column[:-1]) for column, _new in node.renames]),
    "ShowTables": ("Database User, Viewer or Monitor", _context_db),
    "ShowTable": ("Database User, Viewer or Monitor", _entity("table", "name")),
    "ShowTableDetails": ("Database User, Viewer or Monitor", _entity("table", "name")),
    "ShowTableSchema": ("Database User, Viewer or Monitor", _entity("table", "name")),
    "ShowTableDataStatistics": ("Database Viewer", _entity("table", "name")),  # reads the data
    "ShowTableExtents": ("Database User, Viewer or Monitor", _entity("table", "name")),
    "ShowExtents": (_metadata_or_anyone, _show_extents_targets),
    # functions
    "CreateFunction": (_create_function_requirement, _entity("function", "name")),
    "AlterFunctionAttribute": ("Function Admin", _entity("function", "name")),
    "DropFunctions": ("Function Admin", _entity("function", "names", many=True)),
    "ShowFunctions": ("Database User, Viewer or Monitor", _context_db),
    # ingestion
    "IngestInline": ("Table Ingestor", _entity("table", "table")),
    "IngestFromStorage": ("Table Ingestor", _entity("table", "table")),
    "IngestFromStorageQueued": ("Table Ingestor", _entity("table", "table")),
    "IngestFromQuery": (_ingest_from_query_requirement, _entity("table", "table")),
    "ShowIngestionFailures": ("Database Admin or Monitor", _context_db),
    "IngestionMappingCommand": (_mapping_requirement, _mapping_target),
    # security roles
    "RoleChange": (_role_change_requirement, _securable),
    "ShowPrincipals": (_show_principals_requirement, _securable),
    "ShowPrincipalRoles": (_show_principal_roles_requirement, _securable),
    "ClearGroupMembershipCache": (_clear_group_cache_requirement, _cluster),
    # cluster-level misc
    "ShowVersion": ("Anyone", _cluster),
    "ShowCluster": ("AllDatabasesMonitor", _cluster),
    "ShowClusterDetails": ("AllDatabasesMonitor", _cluster),
    "EnablePlugin": ("AllDatabasesAdmin", _cluster),
    "DisablePlugin": ("AllDatabasesAdmin", _cluster),
    # continuous export (spec 9 #34-41)
    "CreateOrAlterContinuousExport": ("Database Admin", _context_db),
    "DropContinuousExport": ("Database Admin", _context_db),
    "EnableContinuousExport": ("Database Admin", _context_db),
    "DisableContinuousExport": ("Database Admin", _context_db),
    "ShowContinuousExports": ("Database User, Viewer or Monitor", _context_db),
    "ShowContinuousExport": ("Database User, Viewer or Monitor", _context_db),
    "ShowContinuousExportArtifacts": ("Database Admin or Monitor", _context_db),
    "ShowContinuousExportFailures": ("Database Admin or Monitor", _context_db),
    # external tables (spec 9 #42-48)
    "ShowExternalTables": ("Database User, Viewer or Monitor", _context_db),
    "ShowExternalTable": ("Database User, Viewer or Monitor", _context_db),
    "DropExternalTable": ("External Table Admin", _entity("external table", "name")),
    "CreateExternalTable": (_create_external_table_requirement, _entity("external table", "name")),
    "ExternalTableMappingCommand": (_external_table_mapping_requirement, _entity("external table", "name")),
    "ShowExternalTableQueryAccelerationStatistics": ("Database User, Viewer or Monitor", _context_db),
    # materialized views: the creator becomes the view's admin (materialized-view-create.md)
    "CreateMaterializedView": (lambda session, node, scope: _view_requirement(session, node), _entity("materialized-view", "name")),
    "AlterMaterializedViewProperty": ("Materialized View Admin", _entity("materialized-view", "name")),
    "DropMaterializedView": ("Materialized View Admin", _entity("materialized-view", "name")),
    "RenameMaterializedView": ("Materialized View Admin", _entity("materialized-view", "name")),
    "SwitchMaterializedView": ("Materialized View Admin", _entity("materialized-view", "name")),
    "ShowMaterializedViews": ("Database User, Viewer or Monitor", _context_db),
    # extents and data lifecycle (extent_commands.py)
    "DropExtents": ("Table Admin", lambda s, n: _extent_tables(s, n, [n.table] if n.table else None)),
    "MoveExtents": ("Table Admin", lambda s, n: _extent_tables(
        s, n, [p for p in (n.source_table, n.target_table) if p])),
    "MergeExtents": ("Table Admin", _entity("table", "table")),
    "DeleteRecords": (lambda session, node, scope: "Database Admin" if node.kind == "purge" else "Table Admin",
                      lambda s, n: [_entity_scope(s, "table", [n.database, n.table[-1]] if n.database else n.table)]),
    "ShowViewExtents": ("Database User, Viewer or Monitor", _context_db),
    "ExtentTagsByQuery": ("Table Admin", lambda s, n: _extent_tables(s, n, None)),
    # operations, request log, journal: everyone, filtered to what the caller may see
    # (kshell.engine.operations); cancelling checks the operation's owner the same way
    "ShowOperations": ("Anyone", _cluster),
    "ShowRequests": ("Anyone", _cluster),
    "ShowJournal": ("Anyone", _cluster),
    "CancelOperation": ("Anyone", _cluster),
    # each command of the script is checked again as it runs
    "ExecuteDatabaseScript": ("Database Admin", _context_db),
    # every policy of an entity (kshell.engine.policies)
    "ShowEntityPolicies": ("Database User, Viewer or Monitor", _entity("table", "entity")),
    # exports (spec 7.5; export-data-to-storage / -to-an-external-table pages)
    "ExportToStorage": ("Database Viewer", _context_db),
    "ExportToTable": ("External Table Admin", _entity("external table", "name")),
    "ListBlobs": ("Database Ingestor", _context_db),  # the docs: Table Ingestor (on no table in particular)
    "ExportToSql": ("Database Viewer", _context_db),   # the query's reads are checked as it runs
}

def _extent_tables(session, node, names) -> list[tuple]:
    """The tables an extents command names; without names (`all tables`, `<| query`), every
    table of the context database."""
    if names:
        return [_entity_scope(session, "table", n) for n in names]
    db = session.database
    return [("table", db.name, t) for t in db.tables] or [("database", db.name)]


def _view_requirement(session, node) -> str:
    """Creating a view needs Database Admin; changing an existing one, its admin."""
    db = session.get_database(node.name[0] if len(node.name) == 2 else None)
    return "Materialized View Admin" if node.name[-1] in db.materialized_views else "Database Admin"


# Generic policy commands: (policy kind or "*", "show" | "change", entity kind or "*") -> requirement.
# The most specific entry wins (kind before "*", entity kind before "*").
POLICY_PERMISSIONS: dict[tuple[str, str, str], str] = {
    # ManagedIdentity policy (spec 2.7): changes need AllDatabasesAdmin even on a database.
    ("managed_identity", "change", "*"): "AllDatabasesAdmin",
    ("managed_identity", "show", "cluster"): "AllDatabasesMonitor",
    ("managed_identity", "show", "database"): "Database User, Viewer or Monitor",
    # restricted_view_access decides who reads the table: Database Admin (its page)
    ("restricted_view_access", "change", "*"): "Database Admin",
    # every other policy
    ("*", "show", "cluster"): "AllDatabasesMonitor",
    ("*", "change", "cluster"): "AllDatabasesAdmin",
    ("*", "show", "*"): "Database User, Viewer or Monitor",
    ("*", "change", "database"): "Database Admin",
    ("*", "change", "table"): "Table Admin",
    ("*", "change", "tables"): "Table Admin",
    ("*", "change", "column"): "Table Admin",
    ("*", "change", "external table"): "External Table Admin",
    ("*", "change", "materialized-view"): "Materialized View Admin",
}


def _policy_requirement(node) -> str:
    verb = "show" if node.verb == "show" else "change"
    for key in ((node.kind, verb, node.entity_kind), (node.kind, verb, "*"),
                ("*", verb, node.entity_kind), ("*", verb, "*")):
        if key in POLICY_PERMISSIONS:
            return POLICY_PERMISSIONS[key]
    return "Database Admin"


def _policy_targets(session, node) -> list[tuple]:
    kind = node.entity_kind
    if kind == "cluster":
        return [("cluster",)]
    if kind == "database":
        return [("database", session.get_database(node.entity[0] if node.entity else None).name)]
    if kind == "tables":
        return [_entity_scope(session, "table", parts) for parts in node.entities]
    if kind == "table" and node.entity == ["*"]:
        db = session.database
        if node.verb == "show":
            return [("database", db.name)]
        return [("table", db.name, t) for t in db.tables] or [("database", db.name)]
    if kind == "column":  # [T, C] or [Db, T, C]
        return [_entity_scope(session, "table", node.entity[:-1])]
    return [_entity_scope(session, kind, node.entity)]


# ------------------------------------------------------------------ check

def check(session: Any, node: Any) -> None:
    """Raise kshell.errors.Forbidden when the session principal may not run `node`."""
    ensure_seeded(session)
    requirement, targets = requirement_and_targets(session, node)
    if auth.ALL_DATABASES_ADMIN in auth.cluster_roles(session.cluster, session.principal):
        return  # AllDatabasesAdmin satisfies every requirement of the table
    acc = auth.access(session.cluster, session.principal)
    for scope in targets:
        need = requirement(session, node, scope) if callable(requirement) else requirement
        if not _allowed(acc, need, scope):
            raise Forbidden(refusal(session.principal, operation(node), scope, need))


def requirement_and_targets(session: Any, node: Any) -> tuple[Any, list[tuple]]:
    """What running `node` requires, and the scopes it applies to (the securables the
    command reads or changes: ("cluster",), ("database", Db) or (kind, Db, Name))."""
    name = type(node).__name__
    if name == "PolicyCommand":
        return _policy_requirement(node), _policy_targets(session, node)
    if name in COMMAND_PERMISSIONS:
        requirement, target = COMMAND_PERMISSIONS[name]
        return requirement, target(session, node)
    requirement = "Database User, Viewer or Monitor" if _verb(node) == "show" else "Database Admin"
    return requirement, _context_db(session, node)


def _allowed(acc: auth.Access, need: str, scope: tuple) -> bool:
    if scope[0] == "cluster" and need not in ("Anyone", "AllDatabasesAdmin", "AllDatabasesMonitor"):
        return acc.all_databases_admin()
    if scope[0] == "database" and need in ENTITY_ADMIN.values():
        return acc.database_admin(scope[1])
    return REQUIREMENTS[need](acc, scope)


def refusal(principal: str, op: str, scope: tuple, need: str) -> str:
    return (f"Principal '{principal}' is not authorized to perform operation '{op}' "
            f"on '{entity_label(scope)}' (requires {need})")


def entity_label(scope: tuple) -> str:
    if scope[0] == "cluster":
        return "cluster"
    return ".".join(scope[1:])


def _verb(node: Any) -> str:
    text = (getattr(node, "text", "") or "").lstrip()
    if text.startswith("."):
        return text[1:].split(None, 1)[0].lower() if len(text) > 1 else ""
    return ""


def operation(node: Any) -> str:
    """How a refusal names the operation: the command's leading keywords (`.drop table`), or `query`."""
    if type(node).__name__ == "Query":
        return "query"
    if type(node).__name__ == "PolicyCommand":
        return f".{node.verb} {node.entity_kind} policy {node.kind}"
    if type(node).__name__ == "RoleChange":
        return f".{node.action} {node.securable_kind} {node.role}"
    if type(node).__name__ == "ShowPrincipals":
        return f".show {node.securable_kind} principals"
    if type(node).__name__ == "ShowPrincipalRoles":
        return f".show {node.securable_kind + ' ' if node.securable_kind else ''}principal roles"
    text = (getattr(node, "text", "") or "").strip()
    words = text.split()
    if not words:
        return type(node).__name__
    out = [words[0]]
    for w in words[1:3]:
        if w.lower() in _OPERATION_WORDS:
            out.append(w.lower())
        else:
            break
    return " ".join(out)


_OPERATION_WORDS = frozenset({
    "table", "tables", "function", "functions", "database", "databases", "cluster", "external",
    "materialized-view", "into", "inline", "async", "async", "ifnotexists", "continuous-export",
    "continuous-exports", "principal", "principals", "ingestion", "column", "columns", "to", "export",
})


# ------------------------------------------------------------ read hooks
#
# The one read check.  Every table a query reads passes through it (the query
# context calls `check_database_read` once per database and `check_table_read`
# for every table), whoever runs the query: the session principal, a flow's
# managed identity, or a flow without one.  Flows say who they are with a
# `Flow` on the query context.

class Flow(Record, frozen=True):
    """An automated flow a query runs for (update policy, continuous export).

    `identity`: `aadapp=<objectId>` of its managed identity, or None.  Without
    one the flow runs on the service's authority, never with the rights of the
    principal who triggered it: it may read only tables of its own database
    (`home`) that have neither row level security nor restricted view access.
    With one, every read is checked against the identity's roles, except that
    an update policy reads its own database without a role (`home_exempt`,
    docs/update-policy.md).
    """

    kind: str                 # "update policy" | "continuous export" (for messages)
    name: str                 # e.g. "[Db].[Target]" or the export's name
    home: str                 # the flow's database
    identity: str | None = None
    home_exempt: bool = False
    # Every refusal of a read during the run.  A refused read fails the flow even where
    # the query would carry on without it (`union isfuzzy=true` skips legs it cannot read).
    refusals: list = field(default_factory=list, compare=False)

    def check_refusals(self) -> None:
        """Raise the first refused read of the run (the flow then copies nothing)."""
        if self.refusals:
            raise Forbidden(self.refusals[0])


def flow_refusal(flow: Flow, what: str) -> str:
    if flow.identity is None:
        text = (f"{flow.kind} {flow.name} is not authorized to read {what}: a flow without a managed "
                f"identity may read only tables of its own database '{flow.home}' that have neither "
                "row level security nor restricted view access")
    else:
        text = (f"Principal '{flow.identity}' is not authorized to read {what}; "
                f"{flow.kind} {flow.name} runs as this managed identity")
    flow.refusals.append(text)
    return text


def table_has_restricted_view_access(table: Any) -> bool:
    """The table's restricted_view_access policy is on (a bool, or an object whose IsEnabled
    is true or absent): only principals with UnrestrictedViewer may read it (spec 3.2)."""
    policies = getattr(table, "policies", None)
    value = policies.get("restricted_view_access") if isinstance(policies, dict) else None
    if isinstance(value, dict):
        return bool({str(k).lower(): v for k, v in value.items()}.get("isenabled", True))
    return value is True


def check_database_read(ctx: Any, database_name: str) -> None:
    """DATABASE_READ_HOOKS entry: a query reads `database_name`, which needs viewer access.

    `ctx` is the query's context (kshell.engine.queries.SessionQueryContext): its
    principal is the session's, or the managed identity a flow runs as.
    """
    cluster = ctx.cluster
    db = cluster.database(database_name)
    if db is None:
        return  # the query engine reports the unknown database
    flow = getattr(ctx, "flow", None)
    if flow is not None:
        home = db.name.lower() == flow.home.lower()
        if flow.identity is None:
            if not home:
                raise Forbidden(flow_refusal(flow, f"database '{db.name}'"))
            return
        if home and flow.home_exempt:
            return
    principal = flow.identity if flow is not None else ctx.principal
    ensure_seeded(ctx.session)
    if auth.cluster_roles(cluster, principal) & {auth.ALL_DATABASES_ADMIN, auth.ALL_DATABASES_VIEWER}:
        return
    if not auth.access(cluster, principal).database_viewer(db.name):
        if flow is not None:
            raise Forbidden(flow_refusal(flow, f"database '{db.name}' (it needs Database Viewer there: "
                                               f".add database {db.name} viewers ('{principal}'))"))
        raise Forbidden(refusal(principal, "query", ("database", db.name), "Database Viewer"))


def check_table_read(ctx: Any, database_name: str, src: Any) -> Any:
    """TABLE_READ_HOOKS entry (runs before row level security): may this table be read at all?

    A flow without a managed identity may not read tables with row level
    security or restricted view access; anyone else needs UnrestrictedViewer
    for a table with restricted view access.
    """
    db = ctx.cluster.database(database_name)
    table = db.tables.get(getattr(src, "name", None)) if db is not None else None
    if table is None:
        return src  # a synthetic source (`.command | query`): nothing stored to protect
    flow = getattr(ctx, "flow", None)
    label = f"table '{db.name}.{table.name}'"
    if flow is not None and flow.identity is None:
        from kshell.engine.row_level_security import rls_enabled

        if rls_enabled(table):
            raise Forbidden(flow_refusal(flow, f"{label}, which has row level security"))
        if table_has_restricted_view_access(table):
            raise Forbidden(flow_refusal(flow, f"{label}, which has restricted view access"))
        return src
    if table_has_restricted_view_access(table):
        principal = flow.identity if flow is not None else ctx.principal
        if not auth.access(ctx.cluster, principal).unrestricted_viewer(db.name):
            if flow is not None:
                raise Forbidden(flow_refusal(flow, f"{label}, which has restricted view access "
                                                   "(it needs UnrestrictedViewer)"))
            raise Forbidden(refusal(principal, "query", ("table", db.name, table.name),
                                    "UnrestrictedViewer (the table has restricted view access)"))
    return src


def check_external_read(ctx: Any, database_name: str, name: str) -> None:
    """External tables read by a flow without a managed identity: never (service authority
    does not extend to storage)."""
    flow = getattr(ctx, "flow", None)
    if flow is not None and flow.identity is None:
        raise Forbidden(flow_refusal(flow, f"external table '{database_name}.{name}'"))


def register_read_hooks() -> None:
    """Put the read checks into the query engine's hook lists (once; safe before it exists)."""
    try:
        from kshell.engine import queries
    except ImportError:  # the query engine is optional for command-only use
        return
    if check_database_read not in queries.DATABASE_READ_HOOKS:
        queries.DATABASE_READ_HOOKS.append(check_database_read)
    from kshell.engine.row_level_security import apply_row_level_security

    # the access check first: row level security must never run for a read that is refused
    if check_table_read not in queries.TABLE_READ_HOOKS:
        queries.TABLE_READ_HOOKS.insert(0, check_table_read)
    if apply_row_level_security not in queries.TABLE_READ_HOOKS:
        queries.TABLE_READ_HOOKS.append(apply_row_level_security)


def ensure_seeded(session: Any) -> None:
    """A new cluster gives the default session principal AllDatabasesAdmin (design.md)."""
    cluster = session.cluster
    if not cluster.extras.get("security_seeded"):
        from kshell.engine.session import DEFAULT_PRINCIPAL

        auth.seed_default_principal(cluster, DEFAULT_PRINCIPAL)
