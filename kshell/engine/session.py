"""The session: one simulated cluster, a current principal, database and clock.

`Session.execute(text)` parses one request, checks the permission its command
needs, runs the handler registered for the AST node type, and returns a list
of Results.  A handler that fails raises a KustoError and must leave the state
exactly as it was (validate first, then apply).

Command families register handlers with `@handler(NodeType)`; policy kinds
register with `@policy_handler("kind")` (see kshell.syntax.cmd_policy).
"""

from __future__ import annotations

import datetime as dt
import importlib
from _thread import RLock  # threading.RLock is this C lock; `threading` itself is not needed here

import kshell
from kshell.errors import DatabaseNotFound, KustoError, NotSupported
from kshell.gc_pause import end_startup
from kshell.result import Result
from kshell.engine.cluster import Cluster, Database, new_cluster

_KSHELL = vars(kshell)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Handler = Callable[["Session", Any], "Result | list[Result]"]

_HANDLERS: dict[type, Handler] = {}

# `(session, node) -> finisher | None`, called before every request's handler; the
# finisher gets the request's KustoError (or None) once it is done.  The request log
# and the journal (kshell.engine.operations) register here.
REQUEST_HOOKS: list[Callable[["Session", Any], "Callable[[KustoError | None], None] | None"]] = []
_POLICY_HANDLERS: dict[str, Handler] = {}

# Engine modules of the command families, imported once so that their handlers register.
FAMILY_MODULES = (
    "queries",
    "databases",
    "tables",
    "extents",
    "functions",
    "ingest",
    "managed_identity",
    "security",
    "row_level_security",
    "update_policy",
    "policies.commands",
    "policies.effects",
    "database_script",
    "materialized_views.commands",
    "materialized_views.refresh",
    "materialized_views.script",
    "operations",
    "extent_commands",
    "external_tables",
    "ingest_storage",
    "export",
    "continuous_export",
    "misc",
)


# Lazy loading (script start-up): the module that registers the handler of each
# command node type and policy kind.  Data: a family that adds a handler adds a
# line (tests/test_startup.py checks these against what the families register).
# A node type not listed loads every family.
HANDLER_INDEX: dict[str, str] = {
    'AlterColumnDocstrings': 'tables',
    'AlterColumnType': 'tables',
    'AlterDatabasePrettyName': 'databases',
    'AlterFunctionAttribute': 'functions',
    'AlterMaterializedViewProperty': 'materialized_views.commands',
    'AlterTable': 'tables',
    'AlterTableAttribute': 'tables',
    'CancelOperation': 'operations',
    'ClearGroupMembershipCache': 'security',
    'ClearTableData': 'tables',
    'CreateDatabase': 'databases',
    'CreateExternalTable': 'external_tables',
    'CreateFunction': 'functions',
    'CreateMaterializedView': 'materialized_views.commands',
    'CreateOrAlterContinuousExport': 'continuous_export',
    'CreateTable': 'tables',
    'CreateTableBasedOn': 'tables',
    'CreateTables': 'tables',
    'DeleteRecords': 'extent_commands',
    'DisableContinuousExport': 'continuous_export',
    'DropColumns': 'tables',
    'DropContinuousExport': 'continuous_export',
    'DropDatabase': 'databases',
    'DropExtents': 'extent_commands',
    'DropExternalTable': 'external_tables',
    'DropFunctions': 'functions',
    'DropMaterializedView': 'materialized_views.commands',
    'DropTables': 'tables',
    'EnableContinuousExport': 'continuous_export',
    'ExecuteDatabaseScript': 'database_script',
    'ExportToStorage': 'export',
    'ExportToTable': 'export',
    'ExtentTagsByQuery': 'extent_commands',
    'ExtentTagsCommand': 'extents',
    'ExternalTableMappingCommand': 'external_tables',
    'IngestFromQuery': 'ingest_commands',
    'IngestFromStorage': 'ingest_storage',
    'IngestInline': 'ingest_commands',
    'IngestionMappingCommand': 'mappings',
    'ListBlobs': 'ingest_storage',
    'MergeExtents': 'extent_commands',
    'MoveExtents': 'extent_commands',
    'PipedCommand': 'misc',
    'Query': 'queries',
    'RenameColumns': 'tables',
    'RenameMaterializedView': 'materialized_views.commands',
    'RenameTables': 'tables',
    'RoleChange': 'security',
    'ShowCluster': 'misc',
    'ShowContinuousExport': 'continuous_export',
    'ShowContinuousExportArtifacts': 'continuous_export',
    'ShowContinuousExportFailures': 'continuous_export',
    'ShowContinuousExports': 'continuous_export',
    'ShowDatabase': 'databases',
    'ShowDatabaseSchema': 'databases',
    'ShowDatabaseSchemaViolations': 'databases',
    'ShowDatabases': 'databases',
    'ShowDatabasesEntities': 'databases',
    'ShowEntityPolicies': 'policies.commands',
    'ShowExtents': 'extents',
    'ShowExternalTable': 'external_tables',
    'ShowExternalTables': 'external_tables',
    'ShowFunctions': 'functions',
    'ShowIngestionFailures': 'ingestion_failures',
    'ShowJournal': 'operations',
    'ShowMaterializedViews': 'materialized_views.commands',
    'ShowOperations': 'operations',
    'ShowPrincipalRoles': 'security',
    'ShowPrincipals': 'security',
    'ShowRequests': 'operations',
    'ShowTable': 'tables',
    'ShowTableDataStatistics': 'tables',
    'ShowTableDetails': 'tables',
    'ShowTableExtents': 'extents',
    'ShowTableSchema': 'tables',
    'ShowTables': 'tables',
    'ShowVersion': 'misc',
    'ShowViewExtents': 'extent_commands',
    'SwitchMaterializedView': 'materialized_views.commands',
}
POLICY_INDEX: dict[str, str] = {
    'auto_delete': 'policies.commands',
    'caching': 'policies.commands',
    'callout': 'policies.commands',
    'capacity': 'policies.commands',
    'encoding': 'policies.commands',
    'extent_tags_retention': 'policies.commands',
    'ingestionbatching': 'policies.commands',
    'ingestiontime': 'policies.commands',
    'managed_identity': 'managed_identity',
    'merge': 'policies.commands',
    'partitioning': 'policies.commands',
    'query_acceleration': 'policies.commands',
    'query_weak_consistency': 'policies.commands',
    'request_classification': 'policies.commands',
    'restricted_view_access': 'policies.commands',
    'restrictedviewaccess': 'policies.commands',
    'retention': 'policies.commands',
    'row_level_security': 'row_level_security',
    'row_order': 'policies.commands',
    'roworder': 'policies.commands',
    'sandbox': 'policies.commands',
    'sharding': 'policies.commands',
    'streamingingestion': 'policies.commands',
    'update': 'update_policy',
}
# Families that register hooks when imported, by kind of hook.  A hook list is run
# only after load_hook_owners(kind) (the place that runs it calls it): that imports
# the owners and puts the list in HOOK_ORDER, the order the hooks have when every
# family is loaded, so a lazily loaded session behaves exactly like an eager one.
# A family that adds a hook at import adds its name here and the hook to HOOK_ORDER
# (tests/test_startup.py checks both).
HOOK_OWNERS: dict[str, tuple[str, ...]] = {
    "ingestion": ("update_policy", "policies.effects"),  # ingest.INGESTION_HOOKS
    "after_apply": ("policies.effects", "materialized_views.refresh"),  # ingest.AFTER_APPLY_HOOKS
    "read": ("security", "row_level_security", "policies.effects"),  # queries.DATABASE_READ_HOOKS, TABLE_READ_HOOKS
    "resolve": ("materialized_views.refresh",),       # queries.TABLE_RESOLVERS (when views exist)
    "external_read": ("external_tables",),             # queries.EXTERNAL_TABLE_READERS
    "clock": ("continuous_export", "policies.effects", "materialized_views.refresh"),  # CLOCK_HOOKS
    "request": ("operations",),                        # REQUEST_HOOKS (the request log, journal)
    "schema": ("materialized_views.script",),          # databases.SCRIPT_SECTIONS / VIEW_SCHEMA
    "explain": FAMILY_MODULES,                         # identity_directives.EXPLAIN_SUBJECTS
}
HOOK_LISTS: dict[str, tuple[str, ...]] = {
    "request": ("kshell.engine.session:REQUEST_HOOKS",),
    "ingestion": ("kshell.engine.ingest:INGESTION_HOOKS",),
    "after_apply": ("kshell.engine.ingest:AFTER_APPLY_HOOKS",),
    "read": ("kshell.engine.queries:DATABASE_READ_HOOKS", "kshell.engine.queries:TABLE_READ_HOOKS"),
    "external_read": ("kshell.engine.queries:EXTERNAL_TABLE_READERS",),
    "clock": ("kshell.engine.clock_directives:CLOCK_HOOKS",),
    "resolve": ("kshell.engine.queries:TABLE_RESOLVERS",),
    "schema": ("kshell.engine.databases:VIEW_SCHEMA", "kshell.engine.databases:SCRIPT_SECTIONS"),
}
HOOK_ORDER: dict[str, tuple[str, ...]] = {
    "kshell.engine.session:REQUEST_HOOKS": ("kshell.engine.operations:on_request",),
    "kshell.engine.ingest:INGESTION_HOOKS": ("kshell.engine.policies.effects:gate_streaming",
                                             "kshell.engine.update_policy:run_update_policies"),
    "kshell.engine.ingest:AFTER_APPLY_HOOKS": ("kshell.engine.policies.effects:drop_soft_deleted",
                                               "kshell.engine.materialized_views.refresh:after_ingestion"),
    "kshell.engine.queries:DATABASE_READ_HOOKS": ("kshell.engine.permissions:check_database_read",),
    "kshell.engine.queries:TABLE_READ_HOOKS": ("kshell.engine.permissions:check_table_read",
                                               "kshell.engine.row_level_security:apply_row_level_security",
                                               "kshell.engine.policies.effects:hide_ingestion_time"),
    "kshell.engine.queries:EXTERNAL_TABLE_READERS": ("kshell.engine.external_tables:_external_table_reader",),
    "kshell.engine.clock_directives:CLOCK_HOOKS": ("kshell.engine.policies.effects:on_clock",
                                                   "kshell.engine.materialized_views.refresh:on_clock",
                                                   "kshell.engine.continuous_export_runs:run_due_exports"),
    "kshell.engine.queries:TABLE_RESOLVERS": ("kshell.engine.materialized_views.refresh:resolve_view",),
    "kshell.engine.databases:VIEW_SCHEMA": ("kshell.engine.materialized_views.script:schema_object",),
    "kshell.engine.databases:SCRIPT_SECTIONS": ("kshell.engine.materialized_views.script:script_section",),
}


def load_hook_owners(kind: str) -> None:
    """Import the families that register hooks of `kind`, and order those hook lists
    as they are with every family loaded (before running one of them)."""
    ready = _READY.get(kind)
    if ready is not None:
        for hooks, n in ready:
            if len(hooks) != n:
                break
        else:
            return  # done before, and no hook came or went since (runs before every request)
    if not _loaded:
        for mod in HOOK_OWNERS.get(kind, FAMILY_MODULES):
            _import_family(mod)
    lists = []
    for name in HOOK_LISTS.get(kind, ()):
        module, _, attr = name.partition(":")
        hooks = getattr(importlib.import_module(module), attr)
        order = HOOK_ORDER.get(name, ())
        if len(hooks) > 1:
            rank = {h: i for i, h in enumerate(order)}
            hooks.sort(key=lambda h: rank.get(f"{getattr(h, '__module__', '')}:{getattr(h, '__qualname__', '')}", len(rank)))
        lists.append(hooks)
    _READY[kind] = [(hooks, len(hooks)) for hooks in lists]


# kind -> its hook lists and their lengths when load_hook_owners last ordered them
_READY: dict[str, list] = {}


def _import_family(mod: str) -> None:
    with _load_lock:
        try:
            importlib.import_module(f"kshell.engine.{mod}")
        except ModuleNotFoundError as e:  # a family not built yet
            if e.name != f"kshell.engine.{mod}":
                raise


def handler(node_type: type) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[node_type] = fn
        return fn

    return register


def policy_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _POLICY_HANDLERS[kind] = fn
        return fn

    return register


_loaded = False
_load_lock = RLock()


def _load_families() -> None:
    """Import every family module once (thread-safe: the REPL may preload them
    in the background while its first prompt waits for input)."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        for mod in FAMILY_MODULES:
            try:
                importlib.import_module(f"kshell.engine.{mod}")
            except ModuleNotFoundError as e:  # a family not built yet
                if e.name != f"kshell.engine.{mod}":
                    raise
        _loaded = True


def load_families() -> None:
    """Make every handler available (what Session() does unless told to defer it)."""
    _load_families()


def utc_now_seconds() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class Session:
    """One user's session over one cluster."""

    def __init__(self, cluster: Cluster | None = None, *, now: dt.datetime | None = None,
                 defer_families: bool = False):
        # The interactive shell and script mode defer the family imports (a few
        # hundred milliseconds): `run` then loads the family a request needs
        # (HANDLER_INDEX), hook lists load their owners (HOOK_OWNERS).
        if not defer_families:
            _load_families()
        self.cluster = cluster or new_cluster()
        if self.cluster.now is None:
            self.cluster.now = now or utc_now_seconds()
        self.database_name: str = next(iter(self.cluster.databases.values())).name
        # The session principal (FQN).  The security family decides its roles;
        # the default principal holds AllDatabasesAdmin (design.md).
        self.principal: str = DEFAULT_PRINCIPAL
        # Called after every successful request that may have changed state
        # (the state file hooks in here).
        self.after_commit: list[Callable[["Session"], None]] = []
        # Called when a request fails, to undo partial work (the state file hooks in here).
        self.after_rollback: list[Callable[["Session"], None]] = []

    # ------------------------------------------------------------- clock
    def now(self) -> dt.datetime:
        return self.cluster.now

    # ------------------------------------------------------------ lookup
    @property
    def database(self) -> Database:
        db = self.cluster.database(self.database_name)
        if db is None:
            raise DatabaseNotFound(f"database '{self.database_name}' does not exist")
        return db

    def get_database(self, name: str | None) -> Database:
        """The named database (case-insensitive), or the context database when name is None."""
        if name is None:
            return self.database
        db = self.cluster.database(name)
        if db is None:
            raise DatabaseNotFound(f"Database '{name}' was not found")
        return db

    def use_database(self, name: str) -> None:
        self.database_name = self.get_database(name).name

    # ----------------------------------------------------------- running
    def execute(self, text: str) -> list[Result]:
        # (`import a.b as m`, not `from a import b`: a from-import of a package runs
        # importlib's Python-level _handle_fromlist on every request)
        import kshell.syntax as syntax

        try:
            return self.run(syntax.parse(text))
        finally:
            if "_STARTUP_GC" in _KSHELL:  # the first request ends the program's start-up
                end_startup()

    def run(self, node: Any) -> list[Result]:
        fn = self._handler_for(node)
        import kshell.engine.permissions as permissions

        load_hook_owners("request")
        finishers = []
        for hook in list(REQUEST_HOOKS):
            finish = hook(self, node)
            if finish is not None:
                finishers.append(finish)
        try:
            permissions.check(self, node)
            out = fn(self, node)
        except KustoError as e:
            for finish in finishers:
                finish(e)
            for hook in self.after_rollback:
                hook(self)
            raise
        except MemoryError:
            # a size no limit of kshell.query.limits foresaw: still a Kusto error, not the end
            # of the program (the rest of a script runs, the state file keeps being written)
            from kshell.query.limits import LOW_MEMORY, LimitExceeded

            error = LimitExceeded("the request ran out of memory", LOW_MEMORY)
            for finish in finishers:
                finish(error)
            for hook in self.after_rollback:
                hook(self)
            raise error from None
        for finish in finishers:
            finish(None)
        for hook in self.after_commit:
            hook(self)
        if out is None:
            return []
        return out if isinstance(out, list) else [out]

    def _handler_for(self, node: Any) -> Handler:
        kind = getattr(node, "kind", None) if type(node).__name__ == "PolicyCommand" else None
        if kind is not None:
            fn = _POLICY_HANDLERS.get(kind)
            if fn is None and not _loaded:
                mod = POLICY_INDEX.get(kind)
                if mod is not None:
                    _import_family(mod)
                    fn = _POLICY_HANDLERS.get(kind)
                if fn is None:
                    _load_families()
                    fn = _POLICY_HANDLERS.get(kind)
            if fn is None:
                raise NotSupported(f"policy '{kind}' is not simulated by kshell")
            return fn
        fn = _HANDLERS.get(type(node))
        if fn is None and not _loaded:
            mod = HANDLER_INDEX.get(type(node).__name__)
            if mod is not None:
                _import_family(mod)
                fn = _HANDLERS.get(type(node))
            if fn is None:
                _load_families()
                fn = _HANDLERS.get(type(node))
        if fn is None:
            raise NotSupported(f"'{_describe(node)}' is not simulated by kshell")
        return fn


DEFAULT_PRINCIPAL = "aaduser=kshell-admin@kshell.local"


def _describe(node: Any) -> str:
    text = getattr(node, "text", "") or ""
    if text:
        first = text.strip().splitlines()[0]
        return " ".join(first.split()[:3])
    return type(node).__name__
