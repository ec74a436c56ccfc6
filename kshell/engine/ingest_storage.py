"""`.ingest [async] into table T (uri, ...) [with (...)]`: ingestion from storage (spec 7.1).

Each URI must name one file of the simulated storage (kshell.engine.storage).
Access: `;managed_identity=X` needs X allowed for `NativeIngestion` (cluster or
target database policy, spec 7.1 [DECIDE]) and Storage Blob Data Reader on the
account; `;impersonate` needs the reader role for the session principal; SAS
and keys are accepted.  Every file is read and converted before anything
lands; then all files go in one ingestion batch (one extent per file) so that
update policies fire and a failure anywhere leaves every table unchanged.
Failures are recorded in `.show ingestion failures` (OperationKind
DataIngestPull) and fail the command.
"""

from __future__ import annotations

import datetime as dt
import json

from kshell.engine import storage
from kshell.engine.cluster import derived_id
from kshell.engine.ingest import IngestionBatch, target_table
from kshell.engine.ingest_commands import _extent_tags, already_ingested, with_mapping
from kshell.engine.session import handler
from kshell.engine.storage_formats import decode_rows, format_of_path
from kshell.engine.tables import resolve_database
from kshell.errors import BadRequest, EntityNotFound, Forbidden, KustoError, NotSupported
from kshell.result import Result
from kshell.syntax.cmd_ingest import IngestFromStorage
from kshell.engine.guids import uuid_module
from kshell.engine.lazy_modules import lazy_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    import uuid
    from typing import Any
else:  # imported on the first GUID value, without `platform` (kshell.engine.guids)
    lazy_module(globals(), "uuid", uuid_module)

RESULT_COLUMNS = [("ExtentId", "guid"), ("ItemLoaded", "string"), ("Duration", "timespan"),
                  ("HasErrors", "bool"), ("OperationId", "guid")]
OPERATION_COLUMNS = [("OperationId", "guid")]
ZERO_GUID = uuid.UUID(int=0)
ORIGIN = "ingest-from-storage"


def _prop(properties: dict, name: str, default: Any = None) -> Any:
    for k, v in properties.items():
        if k.lower() == name.lower():
            return v
    return default


@handler(IngestFromStorage)
def ingest_from_storage(session: Any, node: IngestFromStorage) -> Result:
    db, name = resolve_database(session, node.table)
    table = target_table(session, db.name, name)
    operation_id = derived_id(session.cluster.name, "ingest-from-storage", db.name.lower(), name,
                              str(len(session.cluster.ingestion_failures)),
                              str(session.cluster.extras.get("extent_seq", 0)))
    props = _extent_tags(node.properties)
    if already_ingested(table, props):
        return Result.of(RESULT_COLUMNS, [[ZERO_GUID, "", dt.timedelta(0), False, operation_id]])
    properties = with_mapping(db, table, node.properties)
    schema = [(c.name, c.type) for c in table.columns]
    files: list[tuple[str, list[list[Any]]]] = []
    for raw in node.uris:
        try:
            files.append((storage.mask(raw), _read_one(session, db.name, raw, schema, properties)))
        except KustoError as e:
            _record(session, db.name, name, raw, e, node)
            raise
    batch = IngestionBatch(session)
    appends = [batch.add(db, table, cols, origin=ORIGIN, properties=props) for _, cols in files]
    try:
        batch.run_hooks()
    finally:
        _store_failures(session, batch.failures)
        batch.failures = []
    batch.apply()
    rows = []
    for (item, cols), append in zip(files, appends):
        duration = _duration(len(cols[0]) if cols else 0)
        ids = [e.extent_id for e in append.extents] or [ZERO_GUID]
        rows.extend([eid, item, duration, False, operation_id] for eid in ids)
    result = Result.of(RESULT_COLUMNS, rows)
    if node.is_async:
        from kshell.engine.operations import record_operation

        record_operation(session, "DataIngestPull", name, result, op_id=operation_id)
        return Result.of(OPERATION_COLUMNS, [[operation_id]])
    return result


def _duration(rows: int) -> dt.timedelta:
    """A deterministic stand-in for the load time (the same script prints the same result)."""
    return dt.timedelta(milliseconds=10 + rows // 1000)


def _read_one(session: Any, database: str, raw: str, schema: list[tuple[str, str]],
              properties: dict) -> list[list[Any]]:
    uri = storage.parse_uri(raw)
    storage.check_access(session, uri, need="read", usage="NativeIngestion", database=database)
    path = storage.local_path(session, uri)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        err = EntityNotFound(f"'{storage.mask(raw)}' {what} (.ingest into reads one file per connection string)")
        err.code = "Download_SourceNotFound"
        raise err
    fmt = str(_prop(properties, "format", "") or "").lower() or format_of_path(uri.path)
    skip = _prop(properties, "ignoreFirstRecord", False)
    skip = skip is True or (isinstance(skip, str) and skip.strip().lower() == "true")
    with storage.open_text(path) as text:
        return decode_rows(text, schema, fmt, skip_first=skip, mapping=_prop(properties, "ingestionMapping"))


def _record(session: Any, database: str, table: str, raw: str, error: KustoError, node: Any) -> None:
    from kshell.engine.ingestion_failures import record_failure

    code = getattr(error, "code", "") or ""
    if isinstance(error, Forbidden) and code in ("", "Forbidden"):
        code = "Download_Forbidden"
    if isinstance(error, NotSupported) or (isinstance(error, BadRequest) and code == "General_BadRequest"):
        code = "BadRequest_InvalidBlob" if isinstance(error, BadRequest) else "BadRequest_NotSupported"
    record_failure(session.cluster, {
        "Database": database,
        "Table": table,
        "IngestionSourcePath": storage.mask(raw),
        "Details": f"{error.kind}: {error.message}",
        "FailureKind": "Permanent",
        "OperationKind": "DataIngestPull",
        "ErrorCode": code,
        "Principal": session.principal,
        "User": session.principal,
        "IngestionProperties": json.dumps({k: v for k, v in node.properties.items()}, default=str),
        "NumberOfSources": len(node.uris),
    })


def _store_failures(session: Any, failures: list[Any]) -> None:
    from kshell.engine.ingestion_failures import record_failure

    for failure in failures:
        if isinstance(failure, dict):
            record_failure(session.cluster, failure)
        else:
            session.cluster.ingestion_failures.append(failure)


# ------------------------------------------------------------ .list blobs
LIST_BLOBS_COLUMNS = [("BlobUri", "string"), ("SizeInBytes", "long"), ("CapturedVariables", "dynamic")]
LIST_BLOBS_LIMIT = 1000  # on its own the command returns at most 1,000 blobs (docs)


def _register_list_blobs() -> None:
    from kshell.engine.external_partitions import PathParser
    from kshell.syntax.cmd_external_table import PartitionSpec
    from kshell.syntax.cmd_storage import ListBlobs

    @handler(ListBlobs)
    def list_blobs(session: Any, node: ListBlobs) -> Result:
        """Blobs under one connection string (spec 7.2: the source of queued ingestion).

        Access as for ingestion (`NativeIngestion` usage and reader role for a
        managed identity); impersonation is refused, as the docs say (queued
        ingestion runs without a user context).
        """
        if len(node.uris) != 1:
            raise BadRequest(".list blobs supports exactly one storage connection string")
        uri = storage.parse_uri(node.uris[0])
        if uri.credential.kind == "impersonate":
            raise BadRequest(".list blobs does not support impersonation (queued ingestion has no user context); "
                             "use ;managed_identity=..., a SAS token or an account key")
        storage.check_access(session, uri, need="read", usage="NativeIngestion", database=session.database.name)
        parser = None
        if node.path_format:
            specs = [PartitionSpec(i.text, "datetime" if i.pattern else "string")
                     for i in node.path_format if i.is_partition]
            parser = PathParser(specs, node.path_format)
        limit = min(node.max_files if node.max_files is not None else LIST_BLOBS_LIMIT, LIST_BLOBS_LIMIT)
        rows = []
        for relative, path in storage.list_files(session, uri):
            if len(rows) >= limit:
                break
            full = "/".join(p for p in (uri.path, relative) if p)
            if node.suffix and not full.endswith(node.suffix):
                continue
            captured: dict[str, Any] = {}
            if parser is not None:
                got = parser.parse(full.rpartition("/")[0])
                if got is None:
                    continue
                captured = {k: (v.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(v, dt.datetime) else v)
                            for k, v in got.items()}
            rows.append([storage.uri_for(uri, full), path.stat().st_size, captured])
        return Result.of(LIST_BLOBS_COLUMNS, rows)


_register_list_blobs()
