"""One-off exports: `.export ... to csv|tsv|json (uris) <| Q` and `.export ... to table X <| Q`.

To storage (spec 7.5): the query runs as the session principal; every
connection string must allow writing: a `;managed_identity=` one needs the
identity allowed for `ExportRequest` (cluster or context database policy) and
Storage Blob Data Contributor, `;impersonate` needs Contributor for the
session principal, keys and SAS (with write permission) are accepted.  All
checks pass before any file is written.  Files are new every time; rows are
spread over the connection strings and split at `sizeLimit`.

To an external table (spec 6.6 [DECIDE]): written through
kshell.engine.external_tables.write_artifacts, so an MI connection string
needs the `ExternalTable` usage, and the files follow the table's partitions.

Result: `Path, NumRecords, SizeInBytes` per file (`ExternalTableName` first
for `to table`); `async` returns an `OperationId` (the export has run).
"""

from __future__ import annotations

from kshell.engine import storage
from kshell.engine.cluster import derived_id
from kshell.engine.external_tables import (file_extension, fresh_name, get_external_table, prop, write_all,
                                          write_artifacts)
from kshell.engine.session import handler
from kshell.engine.storage_formats import check_writable, encode_rows
from kshell.errors import BadRequest
from kshell.result import Result
from kshell.syntax.cmd_export import ExportToStorage, ExportToTable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

STORAGE_COLUMNS = [("Path", "string"), ("NumRecords", "long"), ("SizeInBytes", "long")]
TABLE_COLUMNS = [("ExternalTableName", "string"), ("Path", "string"), ("NumRecords", "long"),
                 ("SizeInBytes", "long")]
OPERATION_COLUMNS = [("OperationId", "guid")]
EXPORT_PROPERTIES = ("sizelimit", "includeheaders", "fileextension", "nameprefix", "encoding", "compressiontype",
                     "distribution", "distributed", "persistdetails", "parquetrowgroupsize",
                     "usenativeparquetwriter", "distributionkind", "concurrency", "spread",
                     "query_fanout_nodes_percent", "query_fanout_threads_percent", "parquetdatetimeprecision")
TABLE_EXPORT_PROPERTIES = ("sizelimit", "distributed", "distribution", "distributionkind", "concurrency", "spread",
                           "parquetrowgroupsize", "persistdetails")
MIN_SIZE_LIMIT, MAX_SIZE_LIMIT, DEFAULT_SIZE_LIMIT = 100 * 2**20, 2**30, 100 * 2**20


def _check_properties(properties: dict, allowed: tuple[str, ...]) -> None:
    for k in properties:
        if k.lower() not in allowed:
            raise BadRequest(f"unknown export property '{k}'")
    size = prop(properties, "sizeLimit")
    if size is not None:
        if not isinstance(size, int) or isinstance(size, bool):
            raise BadRequest(f"sizeLimit must be a number of bytes, not {size!r}")
        if not MIN_SIZE_LIMIT <= size <= MAX_SIZE_LIMIT:
            raise BadRequest(f"sizeLimit {size} is outside the valid range 100 MB - 1 GB "
                             f"({MIN_SIZE_LIMIT}-{MAX_SIZE_LIMIT} bytes)")
    dist = prop(properties, "distribution")
    if dist is not None and str(dist).lower() not in ("single", "per_node", "per_shard"):
        raise BadRequest(f"distribution must be single, per_node or per_shard, not '{dist}'")


def run_export_query(session: Any, node: Any) -> Result:
    from kshell.engine.queries import SessionQueryContext
    from kshell.query import run
    from kshell.syntax import parse_query

    query = node.query_ast if node.query_ast is not None else parse_query(node.query)
    return run(query, SessionQueryContext(session))


def _operation(session: Any, kind: str, details: Result | None = None) -> Result:
    """An async export's answer: its operation id (its result is the operation's details)."""
    from kshell.engine.operations import record_operation

    seq = session.cluster.extras.get("storage_file_seq", 0)
    op = record_operation(session, "DataExport", kind, details,
                          op_id=derived_id(session.cluster.name, "operation", kind, str(seq)))
    return Result.of(OPERATION_COLUMNS, [[op]])


@handler(ExportToStorage)
def export_to_storage(session: Any, node: ExportToStorage) -> Result:
    _check_properties(node.properties, EXPORT_PROPERTIES)
    fmt = node.data_format
    check_writable(fmt)
    headers = str(prop(node.properties, "includeHeaders", "none")).lower()
    if headers not in ("all", "firstfile", "none"):
        raise BadRequest(f"includeHeaders must be all, firstFile or none, not '{headers}'")
    encoding = str(prop(node.properties, "encoding", "UTF8NoBOM")).lower()
    if encoding not in ("utf8nobom", "utf8bom"):
        raise BadRequest(f"encoding must be UTF8NoBOM or UTF8BOM, not '{encoding}'")
    bom = encoding == "utf8bom"
    ctype = prop(node.properties, "compressionType")
    if ctype is not None and str(ctype).lower() != "gzip":
        raise BadRequest(f"compressionType '{ctype}' is not valid for {fmt} (gzip)")
    uris = [storage.parse_uri(raw) for raw in node.uris]
    db = session.database
    for uri in uris:
        storage.check_access(session, uri, need="write", usage="ExportRequest", database=db.name)
    result = run_export_query(session, node)
    names = [c.name for c in result.columns]
    compressed = node.compressed
    prefix = str(prop(node.properties, "namePrefix", "") or "")
    extension = file_extension(prop(node.properties, "fileExtension", ""), fmt)
    if compressed and not extension.endswith(".gz"):
        extension += ".gz"
    single = (str(prop(node.properties, "distribution", "")).lower() == "single"
              or prop(node.properties, "distributed") is False)
    targets = uris[:1] if single else uris
    limit = prop(node.properties, "sizeLimit", DEFAULT_SIZE_LIMIT)
    planned = []
    for i, uri in enumerate(targets):
        share = result.rows[i::len(targets)]  # spread rows over the connection strings
        for chunk in _chunks(names, share, fmt, limit):
            header = headers == "all" or (headers == "firstfile" and not planned)
            data = encode_rows(names, chunk, fmt, header=header, compressed=compressed, bom=bom)
            relative = fresh_name(session, uri, session.now(), lambda file_id: f"{prefix}{file_id}{extension}")
            planned.append((uri, relative, data, len(chunk)))
    # all files or none (each written whole): a failed export leaves nothing behind
    rows_out = [[a.path, a.num_records, a.size_in_bytes] for a in write_all(session, planned)]
    result = Result.of(STORAGE_COLUMNS, rows_out)
    if node.is_async:
        return _operation(session, "export", result)
    return result


def _chunks(names: list[str], rows: list[list[Any]], fmt: str, limit: int) -> list[list[list[Any]]]:
    """Rows cut so that no file exceeds `limit` bytes before compression (at least one row each)."""
    if not rows:
        return []
    out, current, size = [], [], 0
    for row in rows:
        n = len(encode_rows(names, [row], fmt))
        if current and size + n > limit:
            out.append(current)
            current, size = [], 0
        current.append(row)
        size += n
    out.append(current)
    return out


@handler(ExportToTable)
def export_to_table(session: Any, node: ExportToTable) -> Result:
    _check_properties(node.properties, TABLE_EXPORT_PROPERTIES)
    db = session.database
    ext = get_external_table(db, node.name)
    result = run_export_query(session, node)
    _check_schema(ext, result)
    artifacts = write_artifacts(session, db, ext, result, principal=session.principal, run_time=session.now())
    out = Result.of(TABLE_COLUMNS, [[ext.name, a.path, a.num_records, a.size_in_bytes] for a in artifacts])
    if node.is_async:
        return _operation(session, "export-to-table", out)
    return out


NUMERIC = ("int", "long", "real", "decimal")


def _check_schema(ext: Any, result: Result) -> None:
    """The query's columns must match the external table's, by position and type (spec 5.5)."""
    if len(result.columns) != len(ext.columns):
        raise BadRequest(f"the query returns {len(result.columns)} columns but external table '{ext.name}' has "
                         f"{len(ext.columns)}: the output schema must match the external table schema")
    for i, (qc, tc) in enumerate(zip(result.columns, ext.columns)):
        if qc.type != tc.type and not (qc.type in NUMERIC and tc.type in NUMERIC):
            raise BadRequest(f"query column {i + 1} ('{qc.name}') has type {qc.type} but column '{tc.name}' of "
                             f"external table '{ext.name}' has type {tc.type}")

