"""External tables (spec 6): definitions, show/drop, reading and writing their files.

The record is `ExternalTable` in `db.external_tables` (name -> record; the
security family reads its `principals` and `created_by`).  Storage external
tables read and write real files through kshell.engine.storage; SQL and delta
external tables are parsed and stored, and using them fails with NotSupported.

API other families call (continuous export):

- `get_external_table(db, name)` (EntityNotFound when missing);
- `uses_impersonation(ext)`, `managed_identity_of(ext)`;
- `write_artifacts(session, db, ext, result, principal=..., run_time=..., name_prefix="")`
  writes NEW files (partitioned as the table is) acting as `principal` and
  returns `Artifact(path, num_records, size_in_bytes)` per file, or raises
  Forbidden naming the missing link before writing anything.

Decisions (docs/storage.md): `.create` of an existing name is a Conflict; the
managed identity of a `;managed_identity=` connection string must be assigned
to the cluster at create time, its `ExternalTable` usage is checked at use
time (spec 6.6); `.create` returns the eight show columns, `.alter`,
`.create-or-alter` and `.drop` the six columns with `Schema` (spec 6.4).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import namedtuple  # (typing.NamedTuple would import typing)

from kshell.engine import external_partitions as parts
from kshell.engine import storage
from kshell.engine.cluster import Column, Database, Table, derived_id
from kshell.engine.session import handler
from kshell.engine.storage_formats import DELIMITERS, EXTENSIONS, check_readable, decode_rows, encode_rows
from kshell.engine.tables import validate_name
from kshell.engine.values import SUPPORTED_FORMATS, BINARY_FORMATS
from kshell.errors import BadRequest, Conflict, EntityNotFound, KustoError, NotSupported
from kshell.result import Result
from kshell.syntax.cmd_external_table import (
    CreateExternalTable, DropExternalTable, ExternalTableMappingCommand, PartitionSpec, PathFormatItem,
    ShowExternalTable, ShowExternalTables,
)
from kshell.syntax.records import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

MAX_EXTERNAL_TABLES = 1000
TABLE_TYPES = {"storage": "Blob", "sql": "Sql", "delta": "Delta"}
SHOW_COLUMNS = [("TableName", "string"), ("TableType", "string"), ("Folder", "string"), ("DocString", "string"),
                ("Properties", "string"), ("ConnectionStrings", "dynamic"), ("Partitions", "dynamic"),
                ("PathFormat", "string")]
SCHEMA_RESULT_COLUMNS = [("TableName", "string"), ("TableType", "string"), ("Folder", "string"),
                         ("DocString", "string"), ("Schema", "string"), ("Properties", "string")]
DETAILS_COLUMNS = [("TableName", "string"), ("QueryAccelerationPolicy", "string"),
                   ("QueryAccelerationState", "string")]
SHOW_SCHEMA_COLUMNS = [("TableName", "string"), ("Schema", "string"), ("DatabaseName", "string"),
                       ("Folder", "string"), ("DocString", "string")]
ARTIFACT_COLUMNS = [("Uri", "string"), ("Partition", "dynamic"), ("Size", "long")]
MAPPING_COLUMNS = [("Name", "string"), ("Kind", "string"), ("Mapping", "string")]

STORAGE_PROPERTIES = ("folder", "docstring", "compressed", "compressiontype", "includeheaders", "nameprefix",
                      "fileextension", "encoding", "sampleuris", "filespreview", "validatenotempty", "dryrun")
SQL_PROPERTIES = ("folder", "docstring", "sqldialect", "firetriggers", "createifnotexists", "primarykey")
INCLUDE_HEADERS = {"all": "All", "firstfile": "FirstFile", "none": "None"}
ENCODINGS = {"utf8nobom": "UTF8NoBOM", "utf8bom": "UTF8BOM"}
COMPRESSION_TYPES = ("gzip", "snappy", "lz4_raw", "brotli", "zstd")
SQL_DIALECTS = {"mssqlserver": "MsSqlServer", "sqlserver": "MsSqlServer", "mysql": "MySQL",
                "postgresql": "PostgreSQL", "cosmosdbsql": "CosmosDbSql"}
FORMAT_NAMES = {"csv": "Csv", "tsv": "Tsv", "tsve": "Tsve", "psv": "Psv", "scsv": "Scsv", "sohsv": "Sohsv",
                "json": "Json", "multijson": "MultiJson", "singlejson": "SingleJson", "txt": "Txt", "raw": "Raw",
                "parquet": "Parquet", "avro": "Avro", "apacheavro": "ApacheAvro", "orc": "Orc",
                "w3clogfile": "W3CLogFile", "azmonstream": "AzMonStream"}
FUNCTION_NAMES = {"bin": "Bin", "startofday": "StartOfDay", "startofweek": "StartOfWeek",
                  "startofmonth": "StartOfMonth", "startofyear": "StartOfYear"}


# ------------------------------------------------------------------ record
class ExternalTable(Record):
    name: str
    columns: list[Column]
    kind: str                                  # storage | sql | delta
    data_format: str                           # csv, json, ... ("" for sql)
    connection_strings: list[str]              # raw, secrets included (never printed)
    partitions: list[PartitionSpec] = field(default_factory=list)
    path_format: list[PathFormatItem] | None = None
    path_format_text: str = ""
    properties: dict = field(default_factory=dict)  # the with(...) properties, names as given
    folder: str = ""
    docstring: str = ""
    sql_table: str = ""
    mappings: dict = field(default_factory=dict)    # mapping name -> (kind, payload)
    policies: dict = field(default_factory=dict)
    principals: list = field(default_factory=list)
    created_by: str = ""

    def prop(self, name: str, default: Any = None) -> Any:
        return prop(self.properties, name, default)


class Artifact(namedtuple("Artifact", ("path", "num_records", "size_in_bytes"))):
    """An exported file: its https URI (no credentials), record count and size."""

    __slots__ = ()


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def prop(properties: dict, name: str, default: Any = None) -> Any:
    for k, v in properties.items():
        if k.lower() == name.lower():
            return v
    return default


def flag(properties: dict, name: str) -> bool:
    v = prop(properties, name, False)
    return v is True or (isinstance(v, str) and v.strip().lower() == "true")


# -------------------------------------------------------------------- API
def get_external_table(db: Database, name: str) -> ExternalTable:
    ext = db.external_tables.get(name)
    if ext is None:
        raise EntityNotFound(f"External table '{name}' was not found in database '{db.name}'")
    return ext


def uses_impersonation(ext: ExternalTable) -> bool:
    """True when a connection string acts as the caller (`;impersonate`, or SQL AAD integrated)."""
    for cs in ext.connection_strings:
        if ext.kind == "sql":
            if _sql_authentication(cs) == "active directory integrated":
                return True
        elif _credential(cs).kind == "impersonate":
            return True
    return False


def managed_identity_of(ext: ExternalTable) -> str | None:
    """The `;managed_identity=` value (SQL: the MI `User Id`, or `system`), or None."""
    for cs in ext.connection_strings:
        if ext.kind == "sql":
            if _sql_authentication(cs) == "active directory managed identity":
                return _sql_field(cs, "user id") or "system"
            continue
        cred = _credential(cs)
        if cred.kind == "managed_identity":
            return cred.value
    return None


def authenticates_with_managed_identity(kind: str, cs: str) -> bool:
    """Whether a connection string of an external table of `kind` authenticates with a
    managed identity, decided on the parsed credential (never on a substring): the
    permission table gates such tables behind AllDatabasesAdmin / Database Admin."""
    if str(kind or "storage").lower() == "sql":
        return _sql_authentication(cs) == "active directory managed identity"
    return _credential(cs).kind == "managed_identity"


def _credential(cs: str) -> storage.Credential:
    _, sep, suffix = storage.split_secret(cs)
    try:
        return storage.parse_credential(sep, suffix)
    except BadRequest:
        return storage.Credential("none")


def _sql_field(cs: str, key: str) -> str | None:
    for part in cs.split(";"):
        k, eq, v = part.partition("=")
        if eq and k.strip().lower() == key:
            return v.strip().strip('"').strip("'")
    return None


def _sql_authentication(cs: str) -> str:
    return " ".join((_sql_field(cs, "authentication") or "").lower().split())


def storage_uris(ext: ExternalTable) -> list[storage.StorageUri]:
    if ext.kind == "sql":
        raise NotSupported(f"external table '{ext.name}' is a SQL external table: reading and writing SQL "
                           "tables is not simulated by kshell")
    if ext.kind == "delta":
        raise NotSupported(f"external table '{ext.name}' is a delta external table: delta tables are not "
                           "simulated by kshell")
    return [storage.parse_uri(cs) for cs in ext.connection_strings]


def check_external_access(session: Any, db: Database, ext: ExternalTable, need: str,
                          principal: str | None = None) -> list[storage.StorageUri]:
    """Every connection string of `ext` allows `need` (spec 6.6: ExternalTable usage for MIs)."""
    uris = storage_uris(ext)
    for uri in uris:
        try:
            storage.check_access(session, uri, need=need, usage="ExternalTable", database=db.name,
                                 principal=principal)
        except KustoError as e:
            e.message = f"external table '{ext.name}': {e.message}"
            raise
    return uris


def write_artifacts(session: Any, db: Database, ext: ExternalTable, result: Result, *, principal: str,
                    run_time: dt.datetime, name_prefix: str = "") -> list[Artifact]:
    """Write `result` as new files of the external table, acting as `principal`."""
    fmt = ext.data_format
    storage_uris(ext)
    from kshell.engine.storage_formats import check_writable

    check_writable(fmt)
    if len(result.columns) != len(ext.columns):
        raise BadRequest(f"the query returns {len(result.columns)} columns but external table '{ext.name}' "
                         f"has {len(ext.columns)} ({schema_text(ext)})")
    uris = check_external_access(session, db, ext, "write", principal)
    names = [c.name for c in ext.columns]
    index = {c.name: i for i, c in enumerate(ext.columns)}
    groups: dict[str, tuple[dict, list[list[Any]]]] = {}
    for row in result.rows:
        values = {p.name: parts.partition_value(p, row[index[p.column]]) for p in ext.partitions
                  if p.column is not None}
        key = parts.render_path(ext.partitions, ext.path_format, values) if ext.partitions else ""
        groups.setdefault(key, (values, []))[1].append(row)
    headers = INCLUDE_HEADERS.get(str(ext.prop("includeHeaders", "None")).lower(), "None")
    compressed = flag(ext.properties, "compressed")
    prefix = str(ext.prop("namePrefix", "") or "")
    extension = file_extension(ext.prop("fileExtension", ""), fmt)
    if compressed and not extension.endswith(".gz"):
        extension += ".gz"
    # Every file is encoded and its path checked before the first is written, and the
    # files already written are removed if a later one fails: a failed export leaves
    # no artifacts behind.
    planned = []
    for n, (key, (_values, rows)) in enumerate(sorted(groups.items())):
        uri = uris[n % len(uris)]
        header = headers == "All" or (headers == "FirstFile" and n == 0)
        data = encode_rows(names, rows, fmt, header=header, compressed=compressed,
                           bom=str(ext.prop("encoding", "")).lower() == "utf8bom")
        relative = fresh_name(session, uri, run_time, lambda file_id: "/".join(
            p for p in (key, f"{prefix}{name_prefix}{file_id}{extension}") if p))
        planned.append((uri, relative, data, len(rows)))
    return write_all(session, planned)


def fresh_name(session: Any, uri: storage.StorageUri, run_time: dt.datetime, name: Callable[[str], str]) -> str:
    """A relative path `name(file_id)` no file has yet.  The path is checked now (no '.' / '..'
    segment, no link out of the storage directory); a name already taken -- by a file written
    before a crash, whose sequence number the state file never saw -- is skipped, so the next
    export does not fail with Conflict."""
    while True:
        relative = name(_file_id(session, run_time))
        if not storage.local_path(session, uri, relative).exists():
            return relative


def write_all(session: Any, planned: list[tuple[storage.StorageUri, str, bytes, int]]) -> list[Artifact]:
    """Write every planned file (each atomically), or none: the files already written are
    removed when a later one fails."""
    out: list[Artifact] = []
    written = []
    try:
        for uri, relative, data, count in planned:
            write_file(session, uri, relative, data)
            written.append(storage.local_path(session, uri, relative))
            out.append(Artifact(storage.uri_for(uri, "/".join(p for p in (uri.path, relative) if p)), count, len(data)))
    except KustoError:
        for path in written:
            try:
                path.unlink()
            except OSError:
                pass
        raise
    return out


def _file_id(session: Any, run_time: dt.datetime) -> str:
    extras = session.cluster.extras
    seq = extras.get("storage_file_seq", 0) + 1
    extras["storage_file_seq"] = seq
    return f"{seq}_{derived_id(session.cluster.name, 'artifact', run_time.isoformat(), str(seq)).hex}"


def file_extension(value: Any, fmt: str) -> str:
    """The fileExtension property (default: the format's), which names no folder."""
    text = str(value or "")
    if "/" in text or "\\" in text:
        raise BadRequest(f"fileExtension '{text}' must not contain a path separator")
    return text or EXTENSIONS.get(fmt, "." + fmt)


def write_file(session: Any, uri: storage.StorageUri, relative: str, data: bytes) -> None:
    path = storage.local_path(session, uri, relative)
    if path.exists():  # never overwrite: a new file per write (spec 5.4)
        raise Conflict(f"'{storage.uri_for(uri, uri.path + '/' + relative)}' already exists")
    try:
        storage.write_new_file(path, data)  # whole or not at all: no truncated blob after a failure
    except FileExistsError:
        raise Conflict(f"'{storage.uri_for(uri, uri.path + '/' + relative)}' already exists") from None
    except OSError as e:
        raise BadRequest(f"cannot write '{storage.uri_for(uri, uri.path + '/' + relative)}': {e.strerror or e}") from None
    # The blob was written at the simulated time: listings (#storage ls) show the same
    # LastModified on every run of a script, not the wall clock.
    try:
        stamp = session.now().timestamp()
        os.utime(path, (stamp, stamp))
    except (OSError, OverflowError, ValueError, AttributeError, TypeError):
        pass


# ------------------------------------------------------------------ reading
def read_rows(session: Any, db: Database, ext: ExternalTable, principal: str | None = None) -> Table:
    """The rows of a storage external table, as a columnar Table (virtual columns last)."""
    uris = storage_uris(ext)
    check_readable(ext.data_format)
    uris = check_external_access(session, db, ext, "read", principal)
    schema = [(c.name, c.type) for c in ext.columns]
    virtual = [p for p in ext.partitions if p.column is None]
    out_columns = list(ext.columns) + [Column(p.name, p.type) for p in virtual]
    data: list[list[Any]] = [[] for _ in out_columns]
    parser = parts.PathParser(ext.partitions, ext.path_format) if ext.partitions else None
    prefix = str(ext.prop("namePrefix", "") or "")
    extension = str(ext.prop("fileExtension", "") or "")
    headers = INCLUDE_HEADERS.get(str(ext.prop("includeHeaders", "None")).lower(), "None")
    mapping = None
    delimited = ext.data_format in DELIMITERS  # headers exist in delimited text only
    for uri in uris:
        seen_folders: set[str] = set()
        for relative, path in storage.list_files(session, uri):
            folder, _, base = relative.rpartition("/")
            if prefix and not base.startswith(prefix):
                continue
            if extension and not (base.endswith(extension) or base.endswith(extension + ".gz")):
                continue
            values: dict[str, Any] = {}
            if parser is not None:
                got = parser.parse(folder)
                if got is None:
                    continue
                values = got
            skip = delimited and (headers == "All" or (headers == "FirstFile" and folder not in seen_folders))
            seen_folders.add(folder)
            with storage.open_text(path) as text:
                cols = decode_rows(text, schema, ext.data_format, skip_first=skip, mapping=mapping)
            n = len(cols[0]) if cols else 0
            for i, col in enumerate(cols):
                data[i].extend(col)
            for j, p in enumerate(virtual):
                data[len(schema) + j].extend([values.get(p.name)] * n)
    return Table(ext.name, out_columns, data=data)


def _external_table_reader(ctx: Any, database_name: str, name: str) -> Any:
    db = ctx.cluster.database(database_name)
    if db is None or name not in db.external_tables:
        return None
    from kshell.engine.permissions import check_external_read

    check_external_read(ctx, db.name, name)
    return read_rows(ctx.session, db, db.external_tables[name], principal=ctx.principal)


def _register_reader() -> None:
    from kshell.engine import queries

    if _external_table_reader not in queries.EXTERNAL_TABLE_READERS:
        queries.EXTERNAL_TABLE_READERS.append(_external_table_reader)


_register_reader()


# ------------------------------------------------------------------ results
def masked_connection_strings(ext: ExternalTable) -> list[str]:
    if ext.kind == "sql":
        return [_mask_sql(cs) for cs in ext.connection_strings]
    return [storage.mask(cs) for cs in ext.connection_strings]


def _mask_sql(cs: str) -> str:
    out = []
    for part in cs.split(";"):
        k, eq, _v = part.partition("=")
        if eq and k.strip().lower() in ("password", "pwd"):
            out.append(f"{k}={storage.MASK}")
        else:
            out.append(part)
    return ";".join(out)


def properties_json(ext: ExternalTable) -> str:
    if ext.kind == "sql":
        dialect = SQL_DIALECTS.get(str(ext.prop("sqlDialect", "MsSqlServer")).lower(), "MsSqlServer")
        kind = "cosmosdbcollection" if dialect == "CosmosDbSql" else "sqltable"
        return _dumps({
            "TargetEntityKind": kind,
            "TargetEntityName": ext.sql_table,
            "TargetEntityConnectionString": masked_connection_strings(ext)[0] if ext.connection_strings else "",
            "FireTriggers": flag(ext.properties, "firetriggers"),
            "CreateIfNotExists": flag(ext.properties, "createifnotexists"),
            "PrimaryKey": ext.prop("primarykey"),
            "SqlDialect": dialect,
        })
    headers = INCLUDE_HEADERS.get(str(ext.prop("includeHeaders", "None")).lower(), "None")
    encoding = ext.prop("encoding")
    return _dumps({
        "Format": FORMAT_NAMES.get(ext.data_format, ext.data_format.capitalize()) if ext.data_format else "Parquet",
        "Compressed": flag(ext.properties, "compressed"),
        "CompressionType": ext.prop("compressionType"),
        "FileExtension": ext.prop("fileExtension"),
        "IncludeHeaders": headers,
        "Encoding": ENCODINGS.get(str(encoding).lower(), encoding) if encoding is not None else None,
        "NamePrefix": ext.prop("namePrefix"),
    })


def partitions_json(ext: ExternalTable) -> list[dict[str, Any]]:
    out = []
    for ordinal, p in enumerate(ext.partitions):
        entry: dict[str, Any] = {}
        if p.function == "hash":
            entry["Mod"] = p.modulo
        elif p.function:
            entry["Function"] = FUNCTION_NAMES[p.function]
            if p.function == "bin":
                entry["BinValue"] = _timespan_text(p.step)
        entry["Name"] = p.name
        if p.column is not None:
            entry["ColumnName"] = p.column
        else:
            entry["ColumnType"] = p.type
        entry["Ordinal"] = ordinal
        out.append(entry)
    return out


def _timespan_text(seconds: float) -> str:
    from kshell.render import format_timespan

    return format_timespan(dt.timedelta(seconds=seconds))


def path_format_text(ext: ExternalTable) -> str:
    if not ext.path_format:
        return ""
    out = []
    for item in ext.path_format:
        if not item.is_partition:
            out.append(json.dumps(item.text))
        elif item.pattern:
            out.append(f"datetime_pattern({json.dumps(item.pattern)},{item.text})")
        else:
            out.append(item.text)
    return " ".join(out)


def show_row(ext: ExternalTable) -> list[Any]:
    return [ext.name, TABLE_TYPES[ext.kind], ext.folder, ext.docstring, properties_json(ext),
            masked_connection_strings(ext), partitions_json(ext) if ext.kind != "sql" else [],
            path_format_text(ext)]


def schema_json(ext: ExternalTable) -> str:
    return _dumps([{"Name": c.name, "CslType": c.type} for c in ext.columns])


def schema_text(ext: ExternalTable) -> str:
    from kshell.engine.tables import csl_name

    return ", ".join(f"{csl_name(c.name)}:{c.type}" for c in ext.columns)


def schema_row(ext: ExternalTable) -> list[Any]:
    return [ext.name, TABLE_TYPES[ext.kind], ext.folder, ext.docstring, schema_json(ext), properties_json(ext)]


# ------------------------------------------------------------------ commands
@handler(CreateExternalTable)
def create_external_table(session: Any, node: CreateExternalTable) -> Result:
    db = session.database
    existing = db.external_tables.get(node.name)
    if node.mode == "create" and existing is not None:
        raise Conflict(f"External table '{node.name}' already exists in database '{db.name}' "
                       "(use .alter or .create-or-alter to change it)")
    if node.mode == "alter" and existing is None:
        raise EntityNotFound(f"External table '{node.name}' was not found in database '{db.name}'")
    ext = build(session, db, node, existing)
    if flag(node.properties, "dryRun"):
        return Result.of(SHOW_COLUMNS, [show_row(ext)])
    if flag(node.properties, "validateNotEmpty"):
        _validate_not_empty(session, db, ext)
    if existing is not None:
        ext.principals = existing.principals
        ext.created_by = existing.created_by
        ext.mappings = existing.mappings
        ext.policies = existing.policies
    else:
        ext.created_by = session.principal
    db.external_tables[node.name] = ext
    if existing is None and node.mode == "create":
        return Result.of(SHOW_COLUMNS, [show_row(ext)])
    return Result.of(SCHEMA_RESULT_COLUMNS, [schema_row(ext)])


def build(session: Any, db: Database, node: CreateExternalTable, existing: ExternalTable | None) -> ExternalTable:
    """Validate a definition completely and return the new record (nothing stored)."""
    validate_name(node.name, "external table")
    if node.name in db.tables:
        raise BadRequest(f"'{node.name}' is already the name of a table in database '{db.name}'; an external "
                         "table cannot have the name of a regular table")
    if existing is None and len(db.external_tables) >= MAX_EXTERNAL_TABLES:
        raise BadRequest(f"database '{db.name}' already has {MAX_EXTERNAL_TABLES} external tables (the limit)")
    kind = "storage" if node.kind in ("storage", "blob", "adl") else node.kind
    schema = node.schema
    if schema is None:
        if kind != "delta":
            raise BadRequest(f"a {kind} external table needs a schema: ( Column:type, ... )")
        schema = []
    names = [n for n, _ in schema]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise BadRequest(f"column '{dupes[0]}' appears twice in the schema")
    for n in names:
        validate_name(n, "column")
    columns = [Column(n, t) for n, t in schema]
    props = node.properties
    allowed = SQL_PROPERTIES if kind == "sql" else STORAGE_PROPERTIES
    for k in props:
        if k.lower() not in allowed:
            raise BadRequest(f"unknown property '{k}' for a {kind} external table (valid: "
                             + ", ".join(allowed) + ")")
    if not node.connection_strings:
        raise BadRequest("at least one connection string is required")
    if kind == "sql":
        _validate_sql(node, existing, columns)
    else:
        _validate_storage(session, node, kind, columns)
    return ExternalTable(
        name=node.name, columns=columns, kind=kind,
        data_format=node.data_format if kind != "sql" else "",
        connection_strings=list(node.connection_strings),
        partitions=list(node.partitions), path_format=node.path_format, path_format_text=node.path_format_text,
        properties=dict(props), folder=str(prop(props, "folder", "") or ""),
        docstring=str(prop(props, "docString", "") or ""), sql_table=node.sql_table,
    )


def _validate_storage(session: Any, node: CreateExternalTable, kind: str, columns: list[Column]) -> None:
    if node.sql_table:
        raise BadRequest("'table=' applies to SQL external tables only")
    if kind == "storage":
        if not node.data_format:
            raise BadRequest("a storage external table needs 'dataformat=' (csv, tsv, json, parquet, ...)")
        if node.data_format not in SUPPORTED_FORMATS + BINARY_FORMATS + ("apacheavro", "azmonstream"):
            raise BadRequest(f"unknown data format '{node.data_format}'")
    elif node.partitions or node.path_format:
        raise BadRequest("delta external tables take no partitions or pathformat")
    if kind == "delta" and len(node.connection_strings) != 1:
        raise BadRequest("a delta external table takes exactly one connection string")
    parts.validate(node.partitions, node.path_format, {c.name: c.type for c in columns})
    props = node.properties
    headers = prop(props, "includeHeaders")
    if headers is not None and str(headers).lower() not in INCLUDE_HEADERS:
        raise BadRequest(f"includeHeaders must be All, FirstFile or None, not '{headers}'")
    encoding = prop(props, "encoding")
    if encoding is not None and str(encoding).lower() not in ENCODINGS:
        raise BadRequest(f"encoding must be UTF8NoBOM or UTF8BOM, not '{encoding}'")
    ctype = prop(props, "compressionType")
    if ctype is not None:
        allowed = COMPRESSION_TYPES if node.data_format == "parquet" else ("gzip",)
        if str(ctype).lower() not in allowed:
            raise BadRequest(f"compressionType '{ctype}' is not valid for {node.data_format or kind} "
                             f"(valid: {', '.join(allowed)})")
    for cs in node.connection_strings:
        if cs.strip().lower().startswith("adl://"):
            raise BadRequest(f"'{storage.mask(cs)}': Azure Data Lake Storage Gen1 (adl://) connection strings "
                             "are not supported for external tables")
        try:
            uri = storage.parse_uri(cs)
        except NotSupported:
            continue  # S3 / OneLake: accepted here, not simulated at use time
        if uri.credential.kind == "managed_identity":
            _require_assigned(session, uri.credential.value)


def _require_assigned(session: Any, ref: str) -> None:
    """Spec 6.6 [DECIDE]: the identity must be assigned now; its usage is checked at use time."""
    from kshell.engine import azure

    identity = azure.find_by_object_id(session.cluster, ref)
    if identity is None:
        raise BadRequest(f"managed identity '{ref}' in the connection string does not exist in the simulated "
                         "tenant ('system' or an object id; #identity lists them)")
    if not identity.assigned:
        raise BadRequest(f"managed identity {identity.describe()} is not assigned to the cluster "
                         f"(#identity assign {identity.name})")


def _validate_sql(node: CreateExternalTable, existing: ExternalTable | None, columns: list[Column]) -> None:
    if node.partitions or node.path_format or node.data_format:
        raise BadRequest("SQL external tables take no partitions, pathformat or dataformat")
    if len(node.connection_strings) != 1:
        raise BadRequest("a SQL external table takes exactly one connection string")
    props = node.properties
    dialect = str(prop(props, "sqlDialect", "MsSqlServer"))
    if dialect.lower() not in SQL_DIALECTS:
        raise BadRequest(f"unknown sqlDialect '{dialect}' (MsSqlServer, MySQL, PostgreSQL, CosmosDbSql)")
    if not node.sql_table and SQL_DIALECTS[dialect.lower()] != "CosmosDbSql":
        raise BadRequest("a SQL external table needs 'table=' naming the SQL table")
    if flag(props, "createifnotexists") and not prop(props, "primarykey"):
        raise BadRequest("createifnotexists=true needs 'primarykey' to be provided")
    if flag(props, "createifnotexists") is False and prop(props, "primarykey") is not None:
        pk = str(prop(props, "primarykey"))
        if pk not in {c.name for c in columns}:
            raise BadRequest(f"primarykey '{pk}' is not a column of the schema")
    auth = _sql_authentication(node.connection_strings[0])
    if auth == "active directory managed identity" and SQL_DIALECTS[dialect.lower()] in ("MySQL", "PostgreSQL"):
        raise BadRequest(f"managed identity authentication is not supported for {SQL_DIALECTS[dialect.lower()]}")
    if existing is not None and existing.kind == "sql" and \
            [(c.name, c.type) for c in existing.columns] != [(c.name, c.type) for c in columns]:
        raise BadRequest("altering the schema of a SQL external table is not supported")


def _validate_not_empty(session: Any, db: Database, ext: ExternalTable) -> None:
    uris = check_external_access(session, db, ext, "read")
    if not any(storage.list_files(session, uri) for uri in uris):
        raise BadRequest(f"validateNotEmpty: no files found under the connection strings of '{ext.name}'")


@handler(DropExternalTable)
def drop_external_table(session: Any, node: DropExternalTable) -> Result:
    db = session.database
    ext = db.external_tables.get(node.name)
    if ext is None:
        if node.if_exists:
            return Result.of(SCHEMA_RESULT_COLUMNS, [])
        raise EntityNotFound(f"External table '{node.name}' was not found in database '{db.name}'")
    del db.external_tables[node.name]
    return Result.of(SCHEMA_RESULT_COLUMNS, [schema_row(ext)])


@handler(ShowExternalTables)
def show_external_tables(session: Any, node: ShowExternalTables) -> Result:
    db = session.database
    tables = sorted(db.external_tables.values(), key=lambda e: e.name)
    if node.details:
        return Result.of(DETAILS_COLUMNS, [_details_row(e) for e in tables])
    return Result.of(SHOW_COLUMNS, [show_row(e) for e in tables])


def _details_row(ext: ExternalTable) -> list[Any]:
    policy = ext.policies.get("query_acceleration")
    return [ext.name, _dumps(policy) if policy is not None else "null", "null"]


@handler(ShowExternalTable)
def show_external_table(session: Any, node: ShowExternalTable) -> Result:
    db = session.database
    ext = get_external_table(db, node.name)
    if node.what == "details":
        return Result.of(DETAILS_COLUMNS, [_details_row(ext)])
    if node.what == "schema-json":
        schema = {"Name": ext.name, "OrderedColumns": [
            {"Name": c.name, "Type": _clr(c.type), "CslType": c.type} for c in ext.columns]}
        return Result.of(SHOW_SCHEMA_COLUMNS, [[ext.name, _dumps(schema), db.name, ext.folder, ext.docstring]])
    if node.what == "schema-csl":
        return Result.of(SHOW_SCHEMA_COLUMNS, [[ext.name, schema_text(ext), db.name, ext.folder, ext.docstring]])
    if node.what == "artifacts":
        return _artifacts(session, db, ext, node.limit)
    return Result.of(SHOW_COLUMNS, [show_row(ext)])


def _clr(type_name: str) -> str:
    from kshell.engine.values import clr_type

    return clr_type(type_name)


def _artifacts(session: Any, db: Database, ext: ExternalTable, limit: int | None) -> Result:
    uris = check_external_access(session, db, ext, "read")
    parser = parts.PathParser(ext.partitions, ext.path_format) if ext.partitions else None
    rows = []
    for uri in uris:
        for relative, path in storage.list_files(session, uri):
            folder = relative.rpartition("/")[0]
            values = parser.parse(folder) if parser is not None else {}
            if values is None:
                continue
            partition = {k: (v.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(v, dt.datetime) else v)
                         for k, v in values.items()}
            rows.append([storage.uri_for(uri, "/".join(p for p in (uri.path, relative) if p)), partition,
                         path.stat().st_size])
    return Result.of(ARTIFACT_COLUMNS, rows[:limit] if limit is not None else rows)


@handler(ExternalTableMappingCommand)
def external_table_mapping(session: Any, node: ExternalTableMappingCommand) -> Result:
    db = session.database
    ext = get_external_table(db, node.name)
    kind = node.mapping_kind or ext.data_format or "json"
    if node.verb == "show":
        found = ext.mappings.get(node.mapping_name)
        if found is None:
            raise EntityNotFound(f"mapping '{node.mapping_name}' was not found on external table '{ext.name}'")
        return Result.of(MAPPING_COLUMNS, [[node.mapping_name, found[0], found[1]]])
    if node.verb == "drop":
        if node.mapping_name not in ext.mappings:
            raise EntityNotFound(f"mapping '{node.mapping_name}' was not found on external table '{ext.name}'")
        del ext.mappings[node.mapping_name]
        return Result.of(MAPPING_COLUMNS, [[n, k, m] for n, (k, m) in ext.mappings.items()])
    exists = node.mapping_name in ext.mappings
    if node.verb == "create" and exists:
        raise Conflict(f"mapping '{node.mapping_name}' already exists on external table '{ext.name}'")
    if node.verb == "alter" and not exists:
        raise EntityNotFound(f"mapping '{node.mapping_name}' was not found on external table '{ext.name}'")
    try:
        decoded = json.loads(node.payload or "")
    except ValueError as e:
        raise BadRequest(f"the mapping is not valid JSON: {e}") from None
    except RecursionError:
        raise BadRequest("the mapping is not valid JSON: nested too deeply") from None
    if not isinstance(decoded, list):
        raise BadRequest("a mapping is a JSON array of column mappings")
    ext.mappings[node.mapping_name] = (kind.capitalize(), json.dumps(decoded))
    return Result.of(MAPPING_COLUMNS, [[node.mapping_name, kind.capitalize(), json.dumps(decoded)]])


# ------------------------------------------------------ #identity explain
def _register_explain() -> None:
    try:
        from kshell.engine import external_table_explain  # noqa: F401
    except ImportError:  # pragma: no cover - optional
        pass


_register_explain()
