"""What a query reaches: tables, databases, external tables, other clusters.

Update policies and continuous exports must know, before they run, whether
their query (or any stored function it calls, transitively) crosses
databases, reads tables with row level security, or touches external data:
those are the cases that require a managed identity (spec 4.4, 5.2).
"""

from __future__ import annotations

from kshell.syntax import ast
from kshell.syntax.records import Record, field
from kshell.syntax.walk import walk

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class QueryReferences(Record):
    __slots__ = ("__dict__",)  # unslotted, as the dataclass it was

    tables: set[tuple[str, str]] = field(default_factory=set)   # (database lower-case, table name)
    databases: set[str] = field(default_factory=set)            # lower-case names, incl. the home database
    external_tables: set[tuple[str, str]] = field(default_factory=set)
    functions: set[tuple[str, str]] = field(default_factory=set)
    cross_cluster: list[str] = field(default_factory=list)     # cluster names reached
    qualified_tables: set[tuple[str, str]] = field(default_factory=set)  # written as database("X").T
    # References whose target is not known before the query runs: `database(expr)`,
    # `table(expr)` with a computed name, wildcard names (`union T*`, `database("*").T`).
    # A flow treats each as "may reach any table of any database" (docs/security.md).
    dynamic: list[str] = field(default_factory=list)

    def other_databases(self, home: str) -> set[str]:
        return {d for d in self.databases if d != home.lower()}


def collect_references(cluster: Any, home_database: str, query: ast.Query) -> QueryReferences:
    """All entities `query` reaches when run in `home_database`, following stored functions."""
    refs = QueryReferences()
    refs.databases.add(home_database.lower())
    seen_functions: set[tuple[str, str]] = set()
    _collect(cluster, home_database.lower(), query, refs, seen_functions, local_names=set())
    return refs


def _let_names(query: Any) -> set[str]:
    names = set()
    for st in getattr(query, "statements", []) or []:
        if isinstance(st, ast.Let):
            names.add(st.name)
    return names


def _collect(cluster, db_name: str, query: Any, refs: QueryReferences, seen: set, local_names: set) -> None:
    local_names = local_names | _let_names(query)
    for node in walk(query):
        if isinstance(node, ast.FunctionDef):
            local_names = local_names | {p.name for p in node.params}
        if isinstance(node, (ast.TableRef, ast.TableCall)):
            if "*" in node.name or "*" in (node.database or ""):
                where = f'database("{node.database}").' if node.database else ""
                refs.dynamic.append(f"{where}{node.name}")
            if getattr(node, "cluster", None):
                refs.cross_cluster.append(node.cluster)
                continue
            target_db = (node.database or db_name).lower()
            if node.database:
                refs.qualified_tables.add((target_db, node.name))
            elif node.name in local_names:
                continue
            refs.databases.add(target_db)
            _reach_name(cluster, target_db, node.name, refs, seen, local_names)
        elif isinstance(node, ast.ExternalTableRef):
            refs.external_tables.add((db_name, node.name))
        elif isinstance(node, ast.Call) and node.name in _NAMING_CALLS and not _literal_args(node):
            # database(strcat(...)), table(x): the name is computed when the query runs
            refs.dynamic.append(f"{node.name}(<computed name>)")
        elif isinstance(node, ast.Call) and node.name not in local_names:
            db = cluster.database(db_name)
            if db is not None and node.name in db.functions:
                _reach_function(cluster, db_name, node.name, refs, seen)


# Calls that name a database or table: with literal arguments the parser turns
# them into TableRef/TableCall; what remains a Call has a computed argument.
_NAMING_CALLS = frozenset({"database", "table", "cluster", "external_table", "materialized_view"})


def _literal_args(node: Any) -> bool:
    return all(isinstance(a, ast.Literal) for a in node.args or [])


def _reach_name(cluster, db_name: str, name: str, refs: QueryReferences, seen: set, local_names: set) -> None:
    db = cluster.database(db_name)
    if db is None:
        return
    if name in db.tables:
        refs.tables.add((db_name, name))
    elif name in db.functions:
        _reach_function(cluster, db_name, name, refs, seen)
    elif name in db.external_tables:
        refs.external_tables.add((db_name, name))


def _reach_function(cluster, db_name: str, name: str, refs: QueryReferences, seen: set) -> None:
    key = (db_name, name)
    if key in seen:
        return
    seen.add(key)
    refs.functions.add(key)
    fn = cluster.database(db_name).functions[name]
    body = parse_function(fn)
    if body is not None:
        _collect(cluster, db_name, body, refs, seen, local_names={p.name for p in body.params})


def parse_function(fn: Any) -> Any:
    """The parsed FunctionDef of a stored function (the query engine's cache); None if unparsable."""
    from kshell.errors import KustoError
    from kshell.query.evaluator import _parsed_function

    try:
        return _parsed_function(fn)
    except KustoError:
        return None
