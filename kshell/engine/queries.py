"""Queries in a session: the Query handler and the cluster's QueryContext.

`SessionQueryContext` resolves the names a query uses against the simulated
cluster.  Other families extend it through hook lists rather than editing it:

- `DATABASE_READ_HOOKS`: `(ctx, database_name) -> None`, called once per
  database a query touches (the security family raises Forbidden there).
- `TABLE_READ_HOOKS`: `(ctx, database_name, table) -> TableSource`, run in
  order on every table the query reads; a hook may return a different source
  (row level security returns the RLS query's rows).
- `EXTERNAL_TABLE_READERS`: `(ctx, database_name, name) -> TableSource | None`
  for `external_table("E")` (the external-tables family).
- `TABLE_RESOLVERS`: `(ctx, database, name) -> TableSource | None` for names that
  are not tables but read like them (materialized views).

`scoped_tables` maps (database lower-case, table name) to a source that
replaces that table: update policies run their query over the new rows only.
`principal` runs the query as another principal (a managed identity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kshell.errors import DatabaseNotFound, EntityNotFound, NotSupported
from kshell.engine.session import Session, handler, load_hook_owners
from kshell.result import Result
from kshell.syntax.ast import Let, Query

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DATABASE_READ_HOOKS: list[Callable[["SessionQueryContext", str], None]] = []
TABLE_READ_HOOKS: list[Callable[["SessionQueryContext", str, Any], Any]] = []
EXTERNAL_TABLE_READERS: list[Callable[["SessionQueryContext", str, str], Any]] = []
# `(ctx, database, name) -> source | None`: entities read like tables when no table has
# the name (materialized views); the read hooks then run on them as on tables.
TABLE_RESOLVERS: list[Callable[["SessionQueryContext", Any, str], Any]] = []


class SessionQueryContext:
    """kshell.query.context.QueryContext over a Session's cluster."""

    def __init__(self, session: Session, *, database: str | None = None, principal: str | None = None,
                 scoped_tables: dict[tuple[str, str], Any] | None = None,
                 readable_databases: tuple[str, ...] = (), flow: Any = None):
        """`readable_databases`: databases this query may read without the read hooks.
        `flow`: the automated flow the query runs for (kshell.engine.permissions.Flow),
        which the read hooks apply their flow rules to."""
        self.session = session
        self.cluster = session.cluster
        db = session.get_database(database) if database is not None else session.database
        self.database_name: str = db.name
        self.principal: str = principal or session.principal
        self.scoped_tables = scoped_tables or {}
        self._checked: set[str] = {name.lower() for name in readable_databases}
        self.flow = flow

    # ------------------------------------------------------------ basics
    @property
    def current_database(self) -> str:
        return self.database_name

    def now(self) -> dt.datetime:
        return self.session.now()

    def database(self, name: str | None) -> Any:
        """The database named (context database for None), after the read hooks."""
        db = self.cluster.database(name if name is not None else self.database_name)
        if db is None:
            raise DatabaseNotFound(f"Failed to resolve database '{name}': database does not exist")
        key = db.name.lower()
        if key not in self._checked:
            load_hook_owners("read")
            for hook in list(DATABASE_READ_HOOKS):
                hook(self, db.name)
            self._checked.add(key)
        return db

    # ------------------------------------------------------------ names
    def resolve_table(self, name: str, database: str | None) -> Any:
        db = self.database(database)
        src = self.scoped_tables.get((db.name.lower(), name))
        if src is None:
            src = db.tables.get(name)
        if src is None and getattr(db, "materialized_views", None):
            load_hook_owners("resolve")
            src = next((s for s in (r(self, db, name) for r in TABLE_RESOLVERS) if s is not None), None)
        if src is None:
            return None
        load_hook_owners("read")
        for hook in list(TABLE_READ_HOOKS):
            src = hook(self, db.name, src)
        return src

    def table_exists(self, name: str, database: str | None) -> bool:
        """Whether a table of that name exists (no read hooks run)."""
        db = self.database(database)
        return (db.name.lower(), name) in self.scoped_tables or name in db.tables

    def resolve_function(self, name: str, database: str | None) -> Any:
        db = self.database(database)
        return db.functions.get(name)

    def resolve_external_table(self, name: str) -> Any:
        db = self.database(None)
        load_hook_owners("external_read")
        for reader in list(EXTERNAL_TABLE_READERS):
            src = reader(self, db.name, name)
            if src is not None:
                return src
        if name in getattr(db, "external_tables", {}):
            raise NotSupported(f"reading external table '{name}' is not simulated by kshell")
        raise EntityNotFound(f"External table '{name}' was not found in database '{db.name}'")

    def read_external_data(self, uris: list[str], columns: list[tuple[str, str]],
                           options: dict[str, Any]) -> list[list[Any]]:
        """`externaldata`: columnar rows read from the simulated storage with this query's
        principal's rights (kshell.engine.external_data)."""
        from kshell.engine import external_data

        self.database(None)  # the context database's read hooks run first
        return external_data.read(self, uris, columns, options)

    def read_inline_external_table(self, definition: str, uris: list[str]) -> Any:
        """`inline_external_table`: an external table defined in the query, read like a stored
        one (kshell.engine.external_data.read_inline); nothing is stored."""
        from kshell.engine import external_data

        return external_data.read_inline(self, definition, uris)

    def database_names(self) -> list[str]:
        """Every database of the cluster (find in (database('*').*), restrict)."""
        return [db.name for db in self.cluster.databases.values()]
    def storage_files(self, connection_string: str, usage: str = "ExternalDataRequest") -> list[Any]:
        """The files under a storage connection string, read with the caller's rights: the
        credential must allow reading (a managed identity also needs `usage` in the
        ManagedIdentity policy), through the one storage path resolver.  Each file is a
        kshell.query.context.StorageFile (the text is read when asked for)."""
        from kshell.engine import storage
        from kshell.query.context import StorageFile

        self.database(None)  # a query runs in a database the caller may read
        uri = storage.parse_uri(connection_string)
        storage.check_access(self.session, uri, need="read", usage=usage, database=self.database_name,
                             principal=self.principal)
        out = []
        for relative, path in storage.list_files(self.session, uri):
            stat = path.stat()
            name = "/".join(p for p in (uri.path, relative) if p)
            out.append(StorageFile(storage.uri_for(uri, name), relative or path.name,
                                   dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc).replace(tzinfo=None),
                                   stat.st_size, lambda path=path: storage.read_text(path)))
        return out

    def table_names(self, database: str | None) -> list[str]:
        """Table names of a database (union with wildcards)."""
        return list(self.database(database).tables)

    # ------------------------------------------------------------ principal
    def principal_details(self) -> dict[str, Any]:
        try:
            from kshell.engine import auth
        except ImportError:
            auth = None
        if auth is not None and hasattr(auth, "principal_details"):
            return auth.principal_details(self.session, self.principal)
        return _fallback_details(self.principal)

    def is_member_of(self, group_fqn: str) -> bool | None:
        try:
            from kshell.engine import auth
        except ImportError:
            auth = None
        if auth is not None and hasattr(auth, "is_member_of"):
            return auth.is_member_of(self.session, self.principal, group_fqn)
        return group_fqn.strip().lower() == self.principal.strip().lower()

    # ------------------------------------------------------------ helpers for hooks
    def run_query(self, text: str, database: str | None = None) -> Result:
        """Run query text in the same principal and scope (row level security queries)."""
        from kshell.query import run
        from kshell.syntax import parse_query

        ctx = SessionQueryContext(self.session, database=database or self.database_name,
                                  principal=self.principal, scoped_tables=self.scoped_tables,
                                  flow=self.flow)
        ctx._checked = self._checked
        return run(parse_query(text), ctx)


def _fallback_details(fqn: str) -> dict[str, Any]:
    kind, _, rest = fqn.partition("=")
    ident, _, tenant = rest.partition(";")
    return {
        "UserPrincipalName": ident if kind.lower() in ("aaduser", "msauser") else "",
        "IdentityProvider": "https://sts.windows.net",
        "Authority": tenant,
        "Mfa": "False",
        "Type": {"aaduser": "AadUser", "aadapp": "AadApplication", "aadgroup": "AadGroup",
                 "msauser": "MsaUser"}.get(kind.lower(), kind),
        "DisplayName": ident,
        "ObjectId": "",
        "FQN": fqn,
    }


@handler(Query)
def run_query(session: Session, node: Query) -> Result | list[Result]:
    """A query; a batch (`T1 | count; T2 | take 1`) gives one result per expression, and a
    query ending with fork or facet (or a plugin returning several tables) one per table it
    makes.  A batch expression that names its outputs for the later ones
    (`graph-to-table ... as N, as E`) gives no result of its own."""
    from kshell.query import run_all
    from kshell.query.graph import batch_outputs

    results = []
    statements = list(node.statements)
    for expr in [node.body, *node.batch]:
        named = batch_outputs(expr) if node.batch else None
        if named is not None:
            statements += [Let(name, value, pos=getattr(expr, "pos", node.pos)) for name, value in named]
            continue
        part = node if not node.batch else Query(statements, expr, text=node.text, pos=getattr(expr, "pos", node.pos))
        tables = [truncate(r, statements) for r in run_all(part, SessionQueryContext(session))]
        tables[-1].visualization = visualization(expr)
        results += tables
    return results[0] if len(results) == 1 else results


def visualization(body: Any) -> dict[str, Any] | None:
    """`{"chart": ..., property: value}` of a `| render ...` ending the query (the client draws it)."""
    ops = getattr(body, "operators", None)
    if not ops or type(ops[-1]).__name__ != "Render":
        return None
    return {**{k.lower(): v for k, v in ops[-1].properties.items()}, "chart": ops[-1].chart}


# The service's result truncation (query limits): at most 500,000 records reach the
# client unless the request says `set notruncation;` (or sets truncationmaxrecords).
TRUNCATION_MAX_RECORDS = 500_000


def truncate(result: Result, statements: list) -> Result:
    """Cut `result` to the request's record limit, with the service's warning."""
    limit: int | None = TRUNCATION_MAX_RECORDS
    for st in statements:
        name = getattr(st, "name", "")
        if not isinstance(name, str) or type(st).__name__ != "SetOption":
            continue
        if name.lower() == "notruncation" and st.value in (None, True, 1, "true"):
            limit = None
        elif name.lower() == "truncationmaxrecords" and isinstance(st.value, int) and st.value >= 0:
            limit = st.value
    if limit is None or len(result.rows) <= limit:
        return result
    del result.rows[limit:]
    result.warnings.append(
        f"Query result set has exceeded the internal record count limit {limit} "
        "(E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits); the result was truncated. "
        "Use 'set notruncation;' to get every record.")
    return result
