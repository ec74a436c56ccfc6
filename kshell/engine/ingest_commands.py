"""Handlers of the ingestion commands: `.ingest inline` and `.set`/`.append`/
`.set-or-append`/`.set-or-replace` from a query (spec 7.3, 9 rows 50-51).

Both land their rows through kshell.engine.ingest (the hooks see them).
`.ingest into table T (uri, ...)` is handled by the storage family.
"""

from __future__ import annotations

import json

from kshell.errors import BadRequest, KustoError, TableNotFound
from kshell.result import Result
from kshell.engine.cluster import Column, Extent, Table, derived_id
from kshell.engine.ingest import ingest_rows, replace_rows, target_table
from kshell.engine.mappings import mapping_for
from kshell.engine.session import handler
from kshell.engine.tables import check_name_free, estimated_size, resolve_database, validate_name
from kshell.engine.values import FormatError, column_of_values, empty_column, read_columns
from kshell.syntax.ast import Command
from kshell.syntax.cmd_ingest import IngestFromQuery, IngestInline
from kshell.engine.guids import uuid_module
from kshell.engine.lazy_modules import lazy_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    import uuid
    from typing import Any
else:  # imported on the first GUID value, without `platform` (kshell.engine.guids)
    lazy_module(globals(), "uuid", uuid_module)

EXTENT_ID_COLUMNS = [("ExtentId", "guid")]
EXTENTS_COLUMNS = [("ExtentId", "guid"), ("OriginalSize", "long"), ("ExtentSize", "long"),
                   ("ColumnSize", "long"), ("IndexSize", "long"), ("RowCount", "long")]
OPERATION_COLUMNS = [("OperationId", "guid")]
ZERO_GUID = uuid.UUID(int=0)
NUMERIC_TYPES = ("int", "long", "real", "decimal")


def _prop(properties: dict, name: str, default: Any = None) -> Any:
    for k, v in properties.items():
        if k.lower() == name:
            return v
    return default


def schema_changing(properties: dict) -> bool:
    """`extend_schema` / `recreate_schema`: the ingestion alters the table's schema, which
    needs Table Admin of an existing table (spec 7.3; kshell.engine.permissions)."""
    return _flag(properties, "extend_schema") or _flag(properties, "recreate_schema")


def _flag(properties: dict, name: str) -> bool:
    v = _prop(properties, name, False)
    return v is True or (isinstance(v, str) and v.strip().lower() == "true")


def _extent_tags(properties: dict) -> dict:
    """Ingestion properties with `tags` decoded from its JSON-array string form."""
    props = dict(properties)
    tags = _prop(properties, "tags")
    if isinstance(tags, str):
        try:
            decoded = json.loads(tags)
        except (ValueError, RecursionError):
            raise BadRequest("the 'tags' ingestion property must be a JSON array of strings") from None
        props["tags"] = decoded if isinstance(decoded, list) else [decoded]
    return props


def already_ingested(table: Table | None, properties: dict) -> bool:
    """`ingestIfNotExists='["t"]'`: true when an extent of the table is tagged `ingest-by:t`."""
    wanted = _prop(properties, "ingestifnotexists")
    if wanted is None or table is None:
        return False
    if isinstance(wanted, str):
        try:
            wanted = json.loads(wanted)
        except (ValueError, RecursionError):
            raise BadRequest("the 'ingestIfNotExists' property must be a JSON array of strings") from None
    wanted = wanted if isinstance(wanted, list) else [wanted]
    tags = {f"ingest-by:{t}" for t in wanted}
    return any(tag in tags for e in table.extents for tag in e.tags)


def with_mapping(db: Any, table: Table, properties: dict) -> dict:
    """Ingestion properties with `ingestionMappingReference` resolved to the stored mapping."""
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
    db, name = resolve_database(session, node.table)
    table = target_table(session, db.name, name)
    properties = with_mapping(db, table, node.properties)
    props = _extent_tags(node.properties)
    if already_ingested(table, props):
        return Result.of(EXTENT_ID_COLUMNS, [[ZERO_GUID]])
    try:
        columns_data = read_columns(node.data, [(c.name, c.type) for c in table.columns], properties)
    except FormatError as e:
        raise BadRequest(str(e)) from None
    origin = "streaming" if node.streaming else "ingest-inline"  # streaming: gated by its policy
    extents = ingest_rows(session, db.name, name, columns_data, origin=origin, properties=props)
    return Result.of(EXTENT_ID_COLUMNS, [[e.extent_id] for e in extents] or [[ZERO_GUID]])


@handler(IngestFromQuery)
def ingest_from_query(session: Any, node: IngestFromQuery) -> Result:
    db, name = resolve_database(session, node.table)
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
    columns_data = [_typed_column(result, i, c.type) for i, c in zip(plan.source_index, plan.columns)]
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
    result = Result.of(EXTENTS_COLUMNS, [_extent_row(target, e) for e in extents])
    if node.is_async:
        from kshell.engine.operations import record_operation

        op = record_operation(session, "TableSetOrAppend", name, result, op_id=derived_id(
            session.cluster.name, "operation", node.verb, db.name.lower(), name,
            str(session.cluster.extras.get("extent_seq", 0))))
        return Result.of(OPERATION_COLUMNS, [[op]])
    return result


class QueryOutput:
    """A query's result kept columnar (no row materialization for large `.set*` commands)."""

    def __init__(self, columns: list[tuple[str, str]], data: list[list[Any]], rows: int):
        self.columns = [Column(n, t) for n, t in columns]
        self.data = data
        self.rows = rows


def run_query(session: Any, node: IngestFromQuery) -> QueryOutput:
    from kshell.engine.queries import SessionQueryContext
    from kshell.query import evaluate
    from kshell.syntax import parse_query

    query = node.query_ast if node.query_ast is not None else parse_query(node.query)
    if isinstance(query, Command):  # `<| .show ...`: the command's result is the data
        from kshell.engine.misc import run_nested

        result = run_nested(session, query)
        data = [list(col) for col in zip(*result.rows)] if result.rows else [[] for _ in result.columns]
        return QueryOutput([(c.name, c.type) for c in result.columns], data, len(result.rows))
    tab = evaluate(query, SessionQueryContext(session))
    keep = tab.visible()
    return QueryOutput([tab.columns[i] for i in keep], [tab.data[i] for i in keep], tab.rows)


def _typed_column(result: QueryOutput, index: int | None, type_name: str) -> list[Any]:
    """Query column `index` as values of `type_name` (a column the query lacks is null)."""
    if index is None:
        return empty_column(type_name, result.rows)
    values = result.data[index] if result.rows else []
    if result.columns[index].type == type_name:
        return values  # already typed; never mutated (it may be a stored table's own list)
    return column_of_values(values, type_name)


class _Plan:
    """How query columns map onto the target table's columns (by position)."""

    def __init__(self, columns: list[Column], source_index: list[int | None]):
        self.columns = columns
        self.source_index = source_index

    def reshape(self, table: Table) -> list[list[Any]]:
        rows = table.row_count
        old = {c.name: i for i, c in enumerate(table.columns)}
        return [table.data[old[c.name]] if c.name in old else empty_column(c.type, rows) for c in self.columns]


def _conform(table: Table, result: QueryOutput, node: IngestFromQuery, db: Any) -> _Plan:
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
