"""The ingestion pipeline: "rows appended to table T", the one extension point.

Every command that lands rows in a table (`.ingest inline`, `.set`/`.append`/
`.set-or-append`/`.set-or-replace`, ingestion from storage, data connections)
calls `ingest_rows` (or `replace_rows`).  The rows travel in an
`IngestionBatch`; before anything is applied, every function in
`INGESTION_HOOKS` sees every append of the batch, breadth-first, and may add
more appends (update policies cascade this way) or record non-fatal failures.
A hook that raises a KustoError aborts the whole batch: nothing lands
anywhere.  Then all appends are applied together.

Hook signature: `hook(batch: IngestionBatch, append: Append) -> None`.
`append.database` / `append.table` are the target Database and Table objects,
`append.columns_data` the new rows (columnar, typed), `append.chain` the tables
the data already flowed through.  `batch.add(db, table, columns_data,
origin=..., properties=..., replace=...)` cascades (names or objects);
`batch.failures` collects non-fatal failure records (dicts completed by
kshell.engine.ingestion_failures.record_failure), stored once the hooks ran.
"""

from __future__ import annotations

from collections import deque

from kshell.errors import BadRequest, DatabaseNotFound, TableNotFound
from kshell.engine.cluster import Database, Extent, Table, derived_id
from kshell.engine.session import load_hook_owners
from kshell.columns import extended
from kshell.syntax.records import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    IngestionHook = Callable[["IngestionBatch", "Append"], None]

INGESTION_HOOKS: list[IngestionHook] = []
# Called with the batch after all its appends landed (nothing may fail here): policies
# that act on landed data (retention with a zero soft-delete period, materialized views).
AFTER_APPLY_HOOKS: list[Callable[["IngestionBatch"], None]] = []


class Append(Record):
    """Rows for one table: columnar, already converted to the table's column types."""

    database: Database             # the target database
    table: Table                   # the target table
    columns_data: list[list[Any]]
    origin: str                    # e.g. "ingest-inline", "set-or-append", "UpdatePolicy"
    properties: dict = field(default_factory=dict)
    replace: bool = False          # replace the table's data instead of appending (.set-or-replace)
    chain: tuple = ()              # tables this data already flowed through (hooks use it to cut cycles)
    extents: list[Extent] = field(default_factory=list)  # filled when the batch is applied

    @property
    def row_count(self) -> int:
        return len(self.columns_data[0]) if self.columns_data else 0


class IngestionBatch:
    """The appends of one ingestion request, applied all together or not at all."""

    def __init__(self, session: Any):
        self.session = session
        self.principal: str = session.principal   # who ingests (hooks may run as someone else)
        self.appends: list[Append] = []
        self.failures: list[Any] = []      # non-fatal failure records, stored after the hooks ran
        self._pending: deque[Append] = deque()
        # (database lower, table) -> the append whose hooks first fed that table (None for
        # the batch's own rows): a table receives the batch's data from one append only,
        # so update-policy cascades stay linear however the tables feed each other.
        self.fed_by: dict[tuple[str, str], Any] = {}

    def add(self, database: Database | str, table: Table | str, columns_data: list[list[Any]], *,
            origin: str, properties: dict | None = None, replace: bool = False,
            parent: "Append | None" = None) -> Append:
        """Queue rows for a table (by object or name); they also run through the hooks.
        `parent`: the append whose hook derived these rows (an update policy's source)."""
        db = database if isinstance(database, Database) else self.session.get_database(database)
        target = table if isinstance(table, Table) else target_table(self.session, db.name, table)
        if len(columns_data) != len(target.columns):
            raise BadRequest(f"{len(columns_data)} columns given for table '{target.name}', "
                             f"which has {len(target.columns)} columns")
        lengths = {len(c) for c in columns_data}
        if len(lengths) > 1:
            raise BadRequest("columns of different lengths in one append")
        append = Append(db, target, columns_data, origin, dict(properties or {}), replace)
        self.fed_by.setdefault((db.name.lower(), target.name), parent)
        self.appends.append(append)
        self._pending.append(append)
        return append

    def may_feed(self, append: Append, database: Database, table: Table) -> bool:
        """Whether rows derived from `append` may still go to `table`: a table receives a
        batch's data at most once (from the first append that fed it, spec 4.1)."""
        key = (database.name.lower(), table.name)
        return key not in self.fed_by or self.fed_by[key] is append

    def run_hooks(self) -> None:
        while self._pending:
            append = self._pending.popleft()
            load_hook_owners("ingestion")
            for hook in list(INGESTION_HOOKS):
                hook(self, append)
        self._check_replacements()

    def _check_replacements(self) -> None:
        """Replacing a table's data (`.set-or-replace`, also when an update policy carries the
        replace to a derived table, spec 4.6) needs Table Admin on it: no route lets the
        ingesting principal wipe a table it has no rights on."""
        from kshell.engine import auth
        from kshell.errors import Forbidden

        for append in self.appends:
            if append.replace and not auth.is_table_admin(self.session, self.principal, append.database,
                                                          append.table):
                raise Forbidden(
                    f"Principal '{self.principal}' is not authorized to replace the data of table "
                    f"'{append.database.name}.{append.table.name}' (requires Table Admin; the "
                    f"replace reaches it through an update policy of that table)")

    def apply(self) -> None:
        """Land every append (nothing here can fail: all was validated before)."""
        for append in self.appends:
            table = append.table
            if append.replace:
                table.data = [[] for _ in table.columns]
                table.extents = []
            if append.row_count == 0:
                continue
            first = len(table.data[0]) if table.data else 0
            table.data = [extended(col, values, c.type)
                          for col, values, c in zip(table.data, append.columns_data, table.columns)]
            extent = Extent(next_extent_id(self.session, append.database.name, table.name), first,
                            append.row_count, self.session.now())
            tags = append.properties.get("tags")
            if isinstance(tags, list):
                extent.tags = [str(t) for t in tags]
            table.extents.append(extent)
            append.extents.append(extent)
        load_hook_owners("after_apply")
        for hook in list(AFTER_APPLY_HOOKS):
            hook(self)


def ingest_rows(session: Any, database: str | None, table: str, columns_data: list[list[Any]], *,
                origin: str, properties: dict | None = None) -> list[Extent]:
    """Append rows to a table through the hooks; returns the extents of these rows."""
    return _run(session, database, table, columns_data, origin, properties, replace=False)


def replace_rows(session: Any, database: str | None, table: str, columns_data: list[list[Any]], *,
                 origin: str, properties: dict | None = None) -> list[Extent]:
    """Replace a table's rows (`.set-or-replace`); the new rows still run through the hooks."""
    return _run(session, database, table, columns_data, origin, properties, replace=True)


def _run(session, database, table, columns_data, origin, properties, replace) -> list[Extent]:
    db = session.get_database(database)
    batch = IngestionBatch(session)
    first = batch.add(db, table, columns_data, origin=origin, properties=properties, replace=replace)
    try:
        batch.run_hooks()
    finally:
        # Failure records are a log, not table state: keep them even when the batch aborts.
        _store_failures(session, batch.failures)
        batch.failures = []
    batch.apply()
    return first.extents


def _store_failures(session: Any, failures: list[Any]) -> None:
    try:
        from kshell.engine.ingestion_failures import record_failure
    except ImportError:
        session.cluster.ingestion_failures.extend(failures)
        return
    for failure in failures:
        if isinstance(failure, dict):
            record_failure(session.cluster, failure)
        else:
            session.cluster.ingestion_failures.append(failure)


def next_extent_id(session: Any, database: str, table: str):
    """A deterministic extent id: derived from a cluster-wide sequence number."""
    extras = session.cluster.extras
    seq = extras.get("extent_seq", 0) + 1
    extras["extent_seq"] = seq
    return derived_id(session.cluster.name, "extent", database.lower(), table, str(seq))


def target_table(session: Any, database: str, name: str) -> Table:
    db = session.cluster.database(database)
    if db is None:
        raise DatabaseNotFound(f"Database '{database}' was not found")
    table = db.tables.get(name)
    if table is None:
        raise TableNotFound(f"Table '{name}' was not found in database '{db.name}'")
    return table


# The ingestion commands (`.ingest inline`, `.set*`/`.append`) and the ingestion
# mappings register their handlers from their own modules.
from kshell.engine import ingest_commands, mappings  # noqa: E402,F401
