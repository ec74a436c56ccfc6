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
from dataclasses import dataclass, field
from typing import Any, Callable

from kshell.errors import BadRequest, DatabaseNotFound, TableNotFound
from kshell.engine.cluster import Database, Extent, Table, derived_id

IngestionHook = Callable[["IngestionBatch", "Append"], None]

INGESTION_HOOKS: list[IngestionHook] = []


@dataclass(slots=True)
class Append:
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

    def add(self, database: Database | str, table: Table | str, columns_data: list[list[Any]], *,
            origin: str, properties: dict | None = None, replace: bool = False) -> Append:
        """Queue rows for a table (by object or name); they also run through the hooks."""
        db = database if isinstance(database, Database) else self.session.get_database(database)
        target = table if isinstance(table, Table) else _table(self.session, db.name, table)
        if len(columns_data) != len(target.columns):
            raise BadRequest(f"{len(columns_data)} columns given for table '{target.name}', "
                             f"which has {len(target.columns)} columns")
        lengths = {len(c) for c in columns_data}
        if len(lengths) > 1:
            raise BadRequest("columns of different lengths in one append")
        append = Append(db, target, columns_data, origin, dict(properties or {}), replace)
        self.appends.append(append)
        self._pending.append(append)
        return append

    def run_hooks(self) -> None:
        while self._pending:
            append = self._pending.popleft()
            for hook in list(INGESTION_HOOKS):
                hook(self, append)

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
            for col, values in zip(table.data, append.columns_data):
                col.extend(values)
            extent = Extent(next_extent_id(self.session, append.database.name, table.name), first,
                            append.row_count, self.session.now())
            tags = append.properties.get("tags")
            if isinstance(tags, list):
                extent.tags = [str(t) for t in tags]
            table.extents.append(extent)
            append.extents.append(extent)


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


def _table(session: Any, database: str, name: str) -> Table:
    db = session.cluster.database(database)
    if db is None:
        raise DatabaseNotFound(f"Database '{database}' was not found")
    table = db.tables.get(name)
    if table is None:
        raise TableNotFound(f"Table '{name}' was not found in database '{db.name}'")
    return table


# ============================================================ command handlers
# `.ingest inline` and `.set`/`.append`/`.set-or-append`/`.set-or-replace`.
# (`.ingest into table T (uri, ...)` is handled by the storage family.)

import uuid  # noqa: E402

from kshell.errors import KustoError  # noqa: E402
from kshell.result import Result  # noqa: E402
from kshell.engine.cluster import Column  # noqa: E402
from kshell.engine.session import handler  # noqa: E402
from kshell.engine.tables import estimated_size, validate_name  # noqa: E402
from kshell.engine.values import FormatError, column_of_values, read_columns  # noqa: E402
from kshell.syntax.cmd_ingest import IngestFromQuery, IngestInline  # noqa: E402
from kshell.engine import mappings  # noqa: E402,F401  (registers the ingestion-mapping handlers)

EXTENT_ID_COLUMNS = [("ExtentId", "guid")]
EXTENTS_COLUMNS = [("ExtentId", "guid"), ("OriginalSize", "long"), ("ExtentSize", "long"),
                   ("ColumnSize", "long"), ("IndexSize", "long"), ("RowCount", "long")]
OPERATION_COLUMNS = [("OperationId", "guid")]
ZERO_GUID = uuid.UUID(int=0)
NUMERIC_TYPES = ("int", "long", "real", "decimal")


def table_parts(session: Any, parts: list[str]) -> tuple[Any, str]:
    if len(parts) == 1:
        return session.database, parts[0]
    if len(parts) == 2:
        return session.get_database(parts[0]), parts[1]
    raise BadRequest(f"'{'.'.join(parts)}': cross-cluster table names are not supported")


def _prop(properties: dict, name: str, default: Any = None) -> Any:
    for k, v in properties.items():
        if k.lower() == name:
            return v
    return default


def _flag(properties: dict, name: str) -> bool:
    v = _prop(properties, name, False)
    return v is True or (isinstance(v, str) and v.strip().lower() == "true")


def _extent_tags(properties: dict) -> dict:
    """Ingestion properties with `tags` decoded from its JSON-array string form."""
    props = dict(properties)
    tags = _prop(properties, "tags")
    if isinstance(tags, str):
        import json

        try:
            decoded = json.loads(tags)
        except ValueError:
            raise BadRequest("the 'tags' ingestion property must be a JSON array of strings") from None
        props["tags"] = decoded if isinstance(decoded, list) else [decoded]
    return props


def already_ingested(table: Table | None, properties: dict) -> bool:
    """`ingestIfNotExists='["t"]'`: true when an extent of the table is tagged `ingest-by:t`."""
    wanted = _prop(properties, "ingestifnotexists")
    if wanted is None or table is None:
        return False
    if isinstance(wanted, str):
        import json

        try:
            wanted = json.loads(wanted)
        except ValueError:
            raise BadRequest("the 'ingestIfNotExists' property must be a JSON array of strings") from None
    wanted = wanted if isinstance(wanted, list) else [wanted]
    tags = {f"ingest-by:{t}" for t in wanted}
    return any(tag in tags for e in table.extents for tag in e.tags)


def with_mapping(db: Any, table: Table, properties: dict) -> dict:
    """Ingestion properties with `ingestionMappingReference` resolved to the stored mapping."""
    from kshell.engine.mappings import mapping_for

    mapping = _prop(properties, "ingestionmapping")
    reference = _prop(properties, "ingestionmappingreference")
    if reference is None:
        return properties
    if mapping is not None:
        err = BadRequest("ingestionMapping and ingestionMappingReference cannot both be given")
        err.code = "BadRequest_DuplicateMapping"
        raise err
    props = {k: v for k, v in properties.items() if k.lower() != "ingestionmappingreference"}
    props["ingestionMapping"] = mapping_for(db, table, str(_prop(properties, "format", "csv")), str(reference))
    return props


@handler(IngestInline)
def ingest_inline(session: Any, node: IngestInline) -> Result:
    db, name = table_parts(session, node.table)
    table = _table(session, db.name, name)
    properties = with_mapping(db, table, node.properties)
    props = _extent_tags(node.properties)
    if already_ingested(table, props):
        return Result.of(EXTENT_ID_COLUMNS, [[ZERO_GUID]])
    try:
        columns_data = read_columns(node.data, [(c.name, c.type) for c in table.columns], properties)
    except FormatError as e:
        raise BadRequest(str(e)) from None
    extents = ingest_rows(session, db.name, name, columns_data, origin="ingest-inline", properties=props)
    return Result.of(EXTENT_ID_COLUMNS, [[e.extent_id] for e in extents] or [[ZERO_GUID]])


@handler(IngestFromQuery)
def ingest_from_query(session: Any, node: IngestFromQuery) -> Result:
    db, name = table_parts(session, node.table)
    validate_name(name)
    result = run_query(session, node)
    for col in result.columns:
        if "$" in col.name:
            raise BadRequest(f"Column name '{col.name}' is not allowed in a table (it contains '$'); "
                             "rename it with project-rename")
    existing = db.tables.get(name)
    if node.verb == "set" and existing is not None:
        raise BadRequest(f"Table '{name}' already exists in database '{db.name}' (.set creates a new table; "
                         "use .set-or-append or .set-or-replace)")
    if node.verb == "append" and existing is None:
        raise TableNotFound(f"Table '{name}' was not found in database '{db.name}'")
    props = _extent_tags(node.properties)
    if already_ingested(existing, props):
        return Result.of(EXTENTS_COLUMNS, [])
    created = None
    if existing is None:
        from kshell.engine.tables import check_name_free

        check_name_free(db, name)
        names = [c.name for c in result.columns]
        if len(set(names)) != len(names):
            raise BadRequest("the query returns two columns with the same name")
        created = Table(name, [Column(c.name, c.type) for c in result.columns],
                        folder=str(_prop(node.properties, "folder", "") or ""),
                        docstring=str(_prop(node.properties, "docstring", "") or ""),
                        created_by=session.principal)
        target = created
    else:
        target = existing
    plan = _conform(target, result, node, db)
    columns_data = [column_of_values([r[i] for r in result.rows], c.type) if i is not None
                    else [None] * len(result.rows)
                    for i, c in zip(plan.source_index, plan.columns)]
    old_columns, old_data = target.columns, target.data
    if created is not None:
        db.tables[name] = created
    elif plan.columns is not target.columns:
        target.data = plan.reshape(target)
        target.columns = plan.columns
    try:
        run = replace_rows if node.verb == "set-or-replace" else ingest_rows
        extents = run(session, db.name, name, columns_data, origin=node.verb, properties=props)
    except KustoError:
        if created is not None:
            db.tables.pop(name, None)
        else:
            target.columns, target.data = old_columns, old_data
        raise
    if node.is_async:
        return Result.of(OPERATION_COLUMNS, [[derived_id(session.cluster.name, "operation", node.verb,
                                                         db.name.lower(), name,
                                                         str(session.cluster.extras.get("extent_seq", 0)))]])
    return Result.of(EXTENTS_COLUMNS, [_extent_row(target, e) for e in extents])


def run_query(session: Any, node: IngestFromQuery) -> Result:
    from kshell.engine.queries import SessionQueryContext
    from kshell.query import run
    from kshell.syntax import parse_query

    query = node.query_ast if node.query_ast is not None else parse_query(node.query)
    return run(query, SessionQueryContext(session))


class _Plan:
    """How query columns map onto the target table's columns (by position)."""

    def __init__(self, columns: list[Column], source_index: list[int | None]):
        self.columns = columns
        self.source_index = source_index

    def reshape(self, table: Table) -> list[list[Any]]:
        rows = table.row_count
        old = {c.name: i for i, c in enumerate(table.columns)}
        return [table.data[old[c.name]] if c.name in old else [None] * rows for c in self.columns]


def _conform(table: Table, result: Result, node: IngestFromQuery, db: Any) -> _Plan:
    """Match the query's columns to the table by position and type (spec 7.3)."""
    qcols = result.columns
    if node.verb == "set-or-replace" and _flag(node.properties, "recreate_schema"):
        return _Plan([Column(c.name, c.type) for c in qcols], list(range(len(qcols))))
    tcols = list(table.columns)
    if len(qcols) > len(tcols):
        if not _flag(node.properties, "extend_schema"):
            raise BadRequest(f"The query returns {len(qcols)} columns but table '{table.name}' has "
                             f"{len(tcols)} (use with (extend_schema=true) to add columns)")
        taken = {c.name for c in tcols}
        for c in qcols[len(tcols):]:
            if c.name in taken:
                raise BadRequest(f"extend_schema: column '{c.name}' already exists in table '{table.name}'")
        tcols = tcols + [Column(c.name, c.type) for c in qcols[len(tcols):]]
    for i, (qc, tc) in enumerate(zip(qcols, tcols)):
        if qc.type != tc.type and not (qc.type in NUMERIC_TYPES and tc.type in NUMERIC_TYPES):
            raise BadRequest(f"Query column {i + 1} ('{qc.name}') has type '{qc.type}' but column "
                             f"'{tc.name}' of table '{table.name}' has type '{tc.type}'")
    index = [i if i < len(qcols) else None for i in range(len(tcols))]
    return _Plan(tcols if len(tcols) != len(table.columns) else table.columns, index)


def _extent_row(table: Table, extent: Extent) -> list[Any]:
    lo, hi = extent.first_row, extent.first_row + extent.row_count
    original = sum(estimated_size(col[lo:hi]) for col in table.data)
    return [extent.extent_id, original, original // 2, original // 2 - original // 10, original // 10,
            extent.row_count]
