"""Row level security policy (spec 3.8).

    .alter  table T policy row_level_security enable|disable [with (...)] "Query"
    .delete table T policy row_level_security
    .show   table T|* policy row_level_security

The policy is stored as `table.policies["row_level_security"] =
{"IsEnabled": bool, "Query": str}`.  When it is enabled, every read of T --
by anyone, admins included, directly, through `database("X").T`, or from a
function -- is replaced by the result of the RLS query run in T's database,
where the name T means the raw table (`rls_source` / the read hook below).

Enabling is refused (spec 3.8, 8.1 #13-#17) on external tables, on a table
with RestrictedViewAccess, on a table an update policy without a managed
identity reads, on a table a continuous export reads whose external table
does not use `impersonate`, and with a query that reads another RLS table or
another database.  Everything is validated before the policy changes.
"""

from __future__ import annotations

import json
from _thread import _local as thread_local  # threading.local itself; `threading` is not needed

from kshell.engine.session import Session, policy_handler
from kshell.errors import BadRequest, EntityNotFound, KustoError, NotSupported, TableNotFound
from kshell.result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

POLICY_KIND = "row_level_security"
POLICY_NAME = "RowLevelSecurityPolicy"
POLICY_COLUMNS = [("PolicyName", "string"), ("EntityName", "string"), ("Policy", "string"),
                  ("ChildEntities", "string"), ("EntityType", "string")]


# ------------------------------------------------------------------ state

def rls_policy(table: Any) -> dict | None:
    policies = getattr(table, "policies", None)
    return policies.get(POLICY_KIND) if isinstance(policies, dict) else None


def rls_enabled(table: Any) -> bool:
    """True when `table` has an enabled row level security policy."""
    policy = rls_policy(table)
    return bool(policy and policy.get("IsEnabled"))


def _get(d: dict, key: str, default: Any = None) -> Any:
    """A policy property, matched case-insensitively (policy JSON is lenient, spec 0.3)."""
    if not isinstance(d, dict):
        return default
    if key in d:
        return d[key]
    low = key.lower()
    for k, v in d.items():
        if isinstance(k, str) and k.lower() == low:
            return v
    return default


# -------------------------------------------------------------- handler

@policy_handler(POLICY_KIND)
def row_level_security_policy(session: Session, node: Any) -> Result:
    if node.entity_kind == "external table":
        raise BadRequest("Row Level Security policy cannot be configured on external tables")
    if node.entity_kind == "materialized-view":
        raise NotSupported("kshell does not simulate row level security on materialized views")
    if node.entity_kind != "table":
        raise BadRequest(f"Row Level Security policy is set on a table, not on a {node.entity_kind}")
    if node.entity == ["*"]:
        if node.verb != "show":
            raise BadRequest(f"'.{node.verb} table *' is not supported for row_level_security; name the table")
        db = session.database
        return _result([(db, t) for t in db.tables.values()])
    db, table = _resolve_table(session, node.entity)
    if node.verb == "show":
        return _result([(db, table)])
    if node.verb == "delete":
        table.policies.pop(POLICY_KIND, None)
        return _result([(db, table)])
    if node.verb == "alter-merge":
        raise BadRequest("row_level_security has no .alter-merge; use .alter table T policy row_level_security")
    enable = node.action == "enable"
    query = (node.payload or "").strip()
    if not query:
        raise BadRequest("the row level security query is empty")
    # The query must parse even when disabled; what it reads matters only once it runs.
    _validate_query(session, db, table, query, check_reads=enable)
    if enable:
        _validate_enable(session, db, table)
    table.policies[POLICY_KIND] = {"IsEnabled": enable, "Query": query}
    return _result([(db, table)])


def _resolve_table(session: Session, parts: list[str]) -> tuple[Any, Any]:
    db = session.get_database(parts[0] if len(parts) >= 2 else None)
    name = parts[-1]
    table = db.tables.get(name)
    if table is None:
        if name in db.external_tables:
            raise BadRequest("Row Level Security policy cannot be configured on external tables")
        raise TableNotFound(f"Table '{name}' was not found in database '{db.name}'")
    return db, table


def _result(entries: list[tuple[Any, Any]]) -> Result:
    rows = []
    for db, table in entries:
        policy = rls_policy(table)
        text = "null" if policy is None else json.dumps(policy, separators=(",", ":"))
        rows.append([POLICY_NAME, f"[{db.name}].[{table.name}]", text, "", "Table"])
    return Result.of(POLICY_COLUMNS, rows)


# ----------------------------------------------------------- validations

def _validate_query(session: Session, db: Any, table: Any, query: str, check_reads: bool) -> None:
    """The RLS query parses, reads no other database and no other RLS table (spec 3.8)."""
    from kshell.syntax import parse_query

    try:
        ast = parse_query(query)
    except KustoError as e:
        raise BadRequest(f"the row level security query is not valid: {e.message}") from None
    if not check_reads:
        return
    refs = _references(session.cluster, db.name, ast)
    for other_db in sorted(refs.other_databases(db.name)):
        raise BadRequest(f"the row level security query of '{table.name}' cannot reference tables in "
                         f"another database ('{other_db}')")
    if refs.cross_cluster:
        raise BadRequest("the row level security query cannot reference other clusters")
    for db_key, name in sorted(refs.tables):
        other = session.cluster.database(db_key)
        t = other.tables.get(name) if other else None
        if t is not None and t is not table and rls_enabled(t):
            raise BadRequest(f"the row level security query of '{table.name}' cannot reference table "
                             f"'{name}', which has row level security enabled")


def _references(cluster: Any, db_name: str, ast: Any) -> Any:
    """What the query reaches (kshell.engine.references, which follows stored functions)."""
    try:
        from kshell.engine.references import collect_references
    except ImportError:  # that module belongs to the update-policy family; fall back on direct references
        return _direct_references(cluster, db_name, ast)
    return collect_references(cluster, db_name, ast)


class _DirectReferences:
    def __init__(self, home: str):
        self.tables: set[tuple[str, str]] = set()
        self.databases: set[str] = {home.lower()}
        self.cross_cluster: list[str] = []

    def other_databases(self, home: str) -> set[str]:
        return {d for d in self.databases if d != home.lower()}


def _direct_references(cluster: Any, db_name: str, ast: Any) -> _DirectReferences:
    """Tables named directly in the query (no function following): the fallback walker."""
    import dataclasses

    from kshell.syntax import ast as nodes

    refs = _DirectReferences(db_name)
    stack = [ast]
    while stack:
        n = stack.pop()
        if isinstance(n, (list, tuple)):
            stack.extend(n)
            continue
        if not dataclasses.is_dataclass(n) or isinstance(n, type):
            continue
        if isinstance(n, (nodes.TableRef, nodes.TableCall)):
            if getattr(n, "cluster", None):
                refs.cross_cluster.append(n.cluster)
            else:
                target = (n.database or db_name).lower()
                refs.databases.add(target)
                refs.tables.add((target, n.name))
        for f in dataclasses.fields(n):
            v = getattr(n, f.name, None)
            if isinstance(v, (list, tuple)) or dataclasses.is_dataclass(v):
                stack.append(v)
    return refs


def _validate_enable(session: Session, db: Any, table: Any) -> None:
    from kshell.engine.permissions import table_has_restricted_view_access

    if table_has_restricted_view_access(table):
        raise BadRequest(f"cannot enable row level security on table '{table.name}': "
                         "it has a restricted view access policy")
    for target, policy in update_policies_reading(session.cluster, db, table):
        if not _get(policy, "ManagedIdentity"):
            raise BadRequest(
                f"cannot enable row level security on table '{table.name}': the update policy of table "
                f"'{target.name}' reads it and has no ManagedIdentity (set one so the engine can tell "
                "which rows the policy may read)")
    for name, export, ext_name in continuous_exports_reading(session.cluster, db, table):
        if not _external_table_impersonates(db, ext_name):
            raise BadRequest(
                f"cannot enable row level security on table '{table.name}': continuous export '{name}' "
                f"reads it and its external table '{ext_name}' does not use impersonate authentication")


def update_policies_reading(cluster: Any, db: Any, table: Any) -> list[tuple[Any, dict]]:
    """(target table, policy object) for every update policy whose Source or Query reads `table`."""
    from kshell.syntax import parse_query

    out = []
    for other_db in cluster.databases.values():
        for target in other_db.tables.values():
            policies = target.policies.get("update") or []
            if isinstance(policies, dict):
                policies = [policies]
            for policy in policies:
                if not isinstance(policy, dict):
                    continue
                source = str(_get(policy, "Source", "") or "")
                reads = False
                # A wildcard source does not block enabling RLS: whoever can create a table
                # (a Database User) could otherwise stop an admin from protecting theirs.
                # The read check refuses an identity-less flow over an RLS table at run
                # time instead (docs/security.md, flows).
                if other_db is db and not _get(policy, "SourceIsWildCard"):
                    reads = source == table.name
                if not reads:
                    reads = _query_reads(cluster, other_db.name, str(_get(policy, "Query", "") or ""),
                                         db, table, parse_query)
                if reads:
                    out.append((target, policy))
    return out


def _query_reads(cluster, home: str, text: str, db: Any, table: Any, parse_query) -> bool:
    if not text.strip():
        return False
    try:
        ast = parse_query(text)
    except KustoError:
        return False
    refs = _references(cluster, home, ast)
    return (db.name.lower(), table.name) in refs.tables


def continuous_exports_reading(cluster: Any, db: Any, table: Any) -> list[tuple[str, Any, str]]:
    """(export name, export record, external table name) for continuous exports reading `table`."""
    from kshell.syntax import parse_query

    out = []
    for name, export in (db.continuous_exports or {}).items():
        query = _field(export, "query", "Query")
        ext_name = _field(export, "external_table", "ExternalTableName", "external_table_name")
        if query and _query_reads(cluster, db.name, str(query), db, table, parse_query):
            out.append((name, export, str(ext_name or "")))
    return out


def _field(record: Any, *names: str) -> Any:
    for n in names:
        if isinstance(record, dict):
            v = _get(record, n)
        else:
            v = getattr(record, n, None)
        if v is not None:
            return v
    return None


def _external_table_impersonates(db: Any, ext_name: str) -> bool:
    ext = db.external_tables.get(ext_name)
    if ext is None:
        return False
    strings = _field(ext, "connection_strings", "ConnectionStrings") or []
    if isinstance(strings, str):
        strings = [strings]
    return any(";impersonate" in str(s).lower() for s in strings)


# ------------------------------------------------------------- reading

# Tables whose RLS query is being evaluated right now (per thread): inside it,
# the table's own name means the raw table, which stops the recursion.
_evaluating = thread_local()


def _active() -> set:
    s = getattr(_evaluating, "tables", None)
    if s is None:
        s = _evaluating.tables = set()
    return s


def apply_row_level_security(ctx: Any, db_name: str, src: Any) -> Any:
    """TABLE_READ_HOOKS entry: a read of a table with enabled RLS returns the RLS query's rows.

    The RLS query runs in the table's database as the same principal; while it
    runs, a read of the same table returns what was about to be read (the raw
    table, or the rows an update policy scoped it to), which ends the recursion.
    """
    db = ctx.cluster.database(db_name)
    table = db.tables.get(getattr(src, "name", None)) if db is not None else None
    if table is None or not rls_enabled(table):
        return src
    key = (db.name.lower(), table.name)
    active = _active()
    if key in active:
        return src
    active.add(key)
    try:
        result = ctx.run_query(rls_policy(table)["Query"], db.name)
    except KustoError as e:
        if e.kind == "Forbidden":
            raise
        raise BadRequest(f"the row level security query of table '{table.name}' failed: {e.message}") from None
    finally:
        active.discard(key)
    return _as_table(table.name, result)


class _RlsRows:
    """A table-shaped view of the RLS query's result (fits kshell.query.context.TableSource)."""

    __slots__ = ("name", "columns", "data", "extents", "policies")

    def __init__(self, name: str, result: Result):
        from kshell.engine.cluster import Column

        self.name = name
        self.columns = [Column(c.name, c.type) for c in result.columns]
        self.data = [[row[i] for row in result.rows] for i in range(len(result.columns))]
        self.extents = []
        self.policies = {}


def _as_table(name: str, result: Any) -> Any:
    if isinstance(result, list):
        result = result[0]
    return _RlsRows(name, result)
