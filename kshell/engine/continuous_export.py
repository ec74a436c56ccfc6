"""Continuous export (spec §5): the commands, create-time validation and the records.

    .create-or-alter continuous-export N [over (T, ...)] to table E [with (...)] <| Query
    .show continuous-exports           .show continuous-export N [exported-artifacts | failures]
    .drop continuous-export N          .enable | .disable continuous-export N

State: `db.continuous_exports[name]` is a `ContinuousExport` record (plain
dataclasses, so the state file keeps them as they are).  Runs — on the
simulated clock and through `#export run N` — live in
kshell.engine.continuous_export_runs; this module decides what a valid export
is, and what the show commands print.

Create-time rules (everything validated before anything is stored):
- every property of §5.1, with its type and range; `intervalBetweenRuns` required;
- the external table exists, is a storage table of a supported format (or SQL);
- the query parses, reaches no other cluster and no external table, has at
  least one fact table, and its fact tables are tables of this database;
- the query's output schema equals the external table's (names, types, order);
- the managed-identity rules of §5.2: `managedIdentity` is required when the
  external table uses impersonation, when the query reads other databases
  (dimension tables) or tables with row level security (then the external
  table must impersonate too); a named identity must be assigned to the
  cluster and allowed for `AutomatedFlows` (cluster or this database's policy).
Run-time rights (Database Viewer on every database read, write access to the
storage) are checked by each run, which records a failure row when one is
missing.  Decisions are recorded in docs/continuous-export.md.
"""

from __future__ import annotations

import datetime as dt
import json

from kshell.engine.cluster import Database, derived_id
from kshell.engine.references import collect_references
from kshell.engine.session import Session, handler
from kshell.errors import BadRequest, EntityNotFound, KustoError, KustoSyntaxError, NotSupported
from kshell.result import Result
from kshell.syntax.cmd_continuous_export import (
    CreateOrAlterContinuousExport,
    DisableContinuousExport,
    DropContinuousExport,
    EnableContinuousExport,
    PropertyValue,
    ShowContinuousExport,
    ShowContinuousExportArtifacts,
    ShowContinuousExportFailures,
    ShowContinuousExports,
)
from kshell.syntax.records import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional

AUTOMATED_FLOWS = "AutomatedFlows"
MIN_INTERVAL = dt.timedelta(minutes=1)
SIZE_LIMIT_DEFAULT = 104_857_600          # 100 MB
SIZE_LIMIT_MAX = 1_073_741_824            # 1 GB
PARQUET_ROW_GROUP_DEFAULT = 100_000
DISTRIBUTIONS = ("single", "per_node", "per_shard")
DISTRIBUTION_KINDS = ("uniform", "default")
SUPPORTED_FORMATS = ("csv", "tsv", "json", "parquet")
HISTORY = dt.timedelta(days=14)           # artifacts and failures are kept 14 days (spec 5.3)

SHOW_COLUMNS = [
    ("Name", "string"), ("ExternalTableName", "string"), ("Query", "string"),
    ("ForcedLatency", "timespan"), ("IntervalBetweenRuns", "timespan"), ("CursorScopedTables", "string"),
    ("ExportProperties", "string"), ("LastRunTime", "datetime"), ("StartCursor", "string"),
    ("IsDisabled", "bool"), ("LastRunResult", "string"), ("ExportedTo", "datetime"), ("IsRunning", "bool"),
]
ARTIFACT_COLUMNS = [("Timestamp", "datetime"), ("ExternalTableName", "string"), ("Path", "string"),
                    ("NumRecords", "long"), ("SizeInBytes", "long")]
FAILURE_COLUMNS = [("Timestamp", "datetime"), ("OperationId", "string"), ("Name", "string"),
                   ("LastSuccessRun", "datetime"), ("FailureKind", "string"), ("Details", "string")]


# ------------------------------------------------------------------ records

class TableCursor(Record):
    """How far one fact table has been exported: rows [0, position) are done.

    `end_time` is the ingestion time of the extent ending at `position` (None at
    a table's start): when no extent ends there any more, the table's data was
    replaced (`.set-or-replace`, `.clear table data`) and every row now in it is new.
    """

    table: str
    position: int
    end_time: Optional[dt.datetime] = None


class ExportedArtifact(Record):
    timestamp: dt.datetime
    external_table: str
    path: str
    num_records: int
    size_in_bytes: int


class ExportFailure(Record):
    timestamp: dt.datetime
    operation_id: str
    name: str
    last_success_run: Optional[dt.datetime]
    failure_kind: str   # Failure | PartialFailure
    details: str


class ContinuousExport(Record):
    name: str
    external_table: str
    query: str                                  # the query text as given
    fact_tables: list[str]                      # tables of this database scoped by the cursor
    explicit_over: bool                         # `over (...)` was given
    interval: dt.timedelta
    forced_latency: Optional[dt.timedelta] = None
    size_limit: int = SIZE_LIMIT_DEFAULT
    distributed: bool = True
    distribution: Optional[str] = None
    distribution_kind: Optional[str] = None
    parquet_row_group_size: Optional[int] = None
    managed_identity: Optional[str] = None      # "system" or an object id, as the user named it
    is_disabled: bool = False
    created_by: str = ""                        # the principal that created / last altered it
    created_at: Optional[dt.datetime] = None
    start_cursor: str = ""
    cursors: dict[str, TableCursor] = field(default_factory=dict)   # fact table name -> cursor
    last_run_time: Optional[dt.datetime] = None
    last_run_result: Optional[str] = None       # Completed | Failed
    last_success_run: Optional[dt.datetime] = None
    exported_to: Optional[dt.datetime] = None
    failing_since: Optional[dt.datetime] = None  # first failed run since the last success
    run_count: int = 0
    artifacts: list[ExportedArtifact] = field(default_factory=list)
    failures: list[ExportFailure] = field(default_factory=list)

    def next_due(self) -> dt.datetime:
        """When the next scheduled run is due: one interval after the last run (or the creation)."""
        return shift(self.last_run_time or self.created_at, self.interval)

    def cutoff(self, run_time: dt.datetime) -> dt.datetime:
        """The latest ingestion time a run at `run_time` exports (forcedLatency before it)."""
        return shift(run_time, -self.forced_latency) if self.forced_latency else run_time


_UTC = dt.timezone.utc
NEVER = dt.datetime.max.replace(tzinfo=_UTC)
ALWAYS = dt.datetime.min.replace(tzinfo=_UTC)


def shift(t: dt.datetime, span: dt.timedelta) -> dt.datetime:
    """t + span, clamped to the calendar (an interval of 10000 days never comes due)."""
    try:
        return t + span
    except OverflowError:
        return NEVER if span > dt.timedelta(0) else ALWAYS


# ------------------------------------------------------------ properties

def _timespan(name: str, pv: PropertyValue) -> dt.timedelta:
    from kshell.engine.clock_directives import parse_timespan

    if isinstance(pv.value, bool) or isinstance(pv.value, (int, float)):
        raise BadRequest(f"continuous export property '{name}' must be a timespan (e.g. 1h), got {pv.raw}")
    try:
        return parse_timespan(str(pv.value))
    except (ValueError, OverflowError):
        raise BadRequest(f"continuous export property '{name}' must be a timespan (e.g. 1h), got {pv.raw}") from None


def _long(name: str, pv: PropertyValue) -> int:
    value = pv.value
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"continuous export property '{name}' must be a whole number, got {pv.raw}")
    return value


def _bool(name: str, pv: PropertyValue) -> bool:
    value = pv.value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise BadRequest(f"continuous export property '{name}' must be true or false, got {pv.raw}")
    return value


def _text(name: str, pv: PropertyValue) -> str:
    if not isinstance(pv.value, str) or not pv.value.strip():
        raise BadRequest(f"continuous export property '{name}' must be a string, got {pv.raw}")
    return pv.value.strip()


# Property name (lower-case) -> (canonical name, converter).
PROPERTIES = {
    "intervalbetweenruns": ("intervalBetweenRuns", _timespan),
    "forcedlatency": ("forcedLatency", _timespan),
    "sizelimit": ("sizeLimit", _long),
    "distributed": ("distributed", _bool),
    "distribution": ("distribution", _text),
    "distributionkind": ("distributionKind", _text),
    "parquetrowgroupsize": ("parquetRowGroupSize", _long),
    "isdisabled": ("isDisabled", _bool),
    "managedidentity": ("managedIdentity", _text),
}


def parse_properties(raw: dict[str, PropertyValue]) -> dict[str, Any]:
    """Validated property values keyed by canonical name (spec 5.1); raises BadRequest."""
    out: dict[str, Any] = {}
    for name, pv in raw.items():
        spec = PROPERTIES.get(name.lower())
        if spec is None:
            raise BadRequest(f"unknown continuous export property '{name}'; supported properties: "
                             + ", ".join(p for p, _ in PROPERTIES.values()))
        canonical, convert = spec
        out[canonical] = convert(canonical, pv)
    interval = out.get("intervalBetweenRuns")
    if interval is None:
        raise BadRequest("continuous export property 'intervalBetweenRuns' is required "
                         "(e.g. with (intervalBetweenRuns=1h))")
    if interval < MIN_INTERVAL:
        raise BadRequest(f"continuous export property 'intervalBetweenRuns' must be at least 1 minute, "
                         f"got {_span_text(interval)}")
    latency = out.get("forcedLatency")
    if latency is not None and latency < dt.timedelta(0):
        raise BadRequest(f"continuous export property 'forcedLatency' may not be negative, got {_span_text(latency)}")
    size = out.get("sizeLimit")
    if size is not None and not SIZE_LIMIT_DEFAULT <= size <= SIZE_LIMIT_MAX:
        raise BadRequest(f"continuous export property 'sizeLimit' must be between {SIZE_LIMIT_DEFAULT} (100 MB) "
                         f"and {SIZE_LIMIT_MAX} (1 GB) bytes, got {size}")
    distribution = out.get("distribution")
    if distribution is not None:
        if distribution.lower() not in DISTRIBUTIONS:
            raise BadRequest(f"continuous export property 'distribution' must be one of "
                             f"{', '.join(DISTRIBUTIONS)}, got '{distribution}'")
        out["distribution"] = distribution = distribution.lower()
        if out.get("distributed") is False and distribution != "single":
            raise BadRequest(f"continuous export properties conflict: distributed=false means single "
                             f"distribution, but distribution='{distribution}'")
    kind = out.get("distributionKind")
    if kind is not None:
        if kind.lower() not in DISTRIBUTION_KINDS:
            raise BadRequest(f"continuous export property 'distributionKind' must be uniform or default, got '{kind}'")
        out["distributionKind"] = kind.lower()
    rows = out.get("parquetRowGroupSize")
    if rows is not None and rows <= 0:
        raise BadRequest(f"continuous export property 'parquetRowGroupSize' must be positive, got {rows}")
    identity = out.get("managedIdentity")
    if identity is not None and identity.lower() == "system":
        out["managedIdentity"] = "system"
    return out


def _span_text(span: dt.timedelta | None) -> str:
    if span is None:
        return ""
    total = int(span.total_seconds())
    days, rest = divmod(total, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return (f"{days}." if days else "") + f"{h:02d}:{m:02d}:{s:02d}"


# --------------------------------------------------------- external tables

def external_tables_api():
    """kshell.engine.external_tables (the storage family), or NotSupported while it is absent."""
    try:
        from kshell.engine import external_tables
    except ImportError:
        raise NotSupported("external tables are not simulated by this kshell build") from None
    return external_tables


def get_external_table(db: Database, name: str) -> Any:
    return external_tables_api().get_external_table(db, name)


def external_columns(ext: Any) -> list[tuple[str, str]]:
    out = []
    for c in ext.columns:
        if isinstance(c, (tuple, list)):
            out.append((str(c[0]), str(c[1])))
        else:
            out.append((c.name, c.type))
    return out


def uses_impersonation(ext: Any) -> bool:
    return bool(external_tables_api().uses_impersonation(ext))


def schema_mismatch(schema: list[tuple[str, str]], want: list[tuple[str, str]]) -> str | None:
    """Why a query's output schema differs from the external table's (count, names, types), or None."""
    if len(schema) != len(want):
        return f"the query returns {len(schema)} columns, the external table has {len(want)}"
    for i, ((qn, qt), (tn, tt)) in enumerate(zip(schema, want)):
        if qn != tn or qt != tt:
            return f"column {i + 1} is {qn}:{qt} in the query but {tn}:{tt} in the external table"
    return None


# ------------------------------------------------------------ validation

class QueryShape(Record):
    """What the export's query reaches, as create-time validation found it."""

    fact_tables: list[str]
    dimension_tables: list[tuple[str, str]]   # (database, table)
    other_databases: list[str]                # database names (display casing)
    rls_tables: list[str]                     # "Db.T" with row level security enabled
    dynamic: list[str] = field(default_factory=list)  # computed / wildcard names: may reach anything


def parse_export_query(text: str):
    from kshell.syntax import parse_query

    try:
        return parse_query(text)
    except KustoSyntaxError as e:
        raise BadRequest(f"continuous export: the query does not parse: {e.message}") from None


def query_shape(session: Session, db: Database, query: Any, over: list[list[str]] | None) -> QueryShape:
    """The fact/dimension split of `query` in `db` (spec 5.1, 5.5); raises BadRequest."""
    cluster = session.cluster
    refs = collect_references(cluster, db.name, query)
    if refs.cross_cluster:
        raise BadRequest(f"continuous export: the query may not reference other clusters "
                         f"(cluster('{refs.cross_cluster[0]}'))")
    if refs.external_tables:
        name = sorted(refs.external_tables)[0][1]
        raise BadRequest(f"continuous export: the query may not read external table '{name}'")
    home = db.name.lower()
    local = sorted(t for d, t in refs.tables if d == home)
    if over is None:
        foreign = sorted(f"{_db_name(cluster, d)}.{t}" for d, t in refs.tables if d != home)
        if foreign:
            raise BadRequest("continuous export: fact tables must be in the export's database; the query reads "
                             f"{', '.join(foreign)}: list the local fact tables in 'over (...)' so that "
                             "other databases are read as dimension tables")
        facts = local
    else:
        facts = []
        for parts in over:
            if len(parts) > 2:
                raise BadRequest(f"continuous export: invalid fact table name '{'.'.join(parts)}'")
            if len(parts) == 2 and parts[0].lower() != home:
                raise BadRequest(f"continuous export: fact table '{'.'.join(parts)}' is not in database "
                                 f"'{db.name}'; fact tables must be local (other databases only as dimension tables)")
            name = parts[-1]
            if name not in db.tables:
                from kshell.errors import TableNotFound

                raise TableNotFound(f"Table '{name}' was not found in database '{db.name}'")
            if (home, name) not in refs.tables:
                raise BadRequest(f"continuous export: fact table '{name}' listed in 'over' is not read by the query")
            if name not in facts:
                facts.append(name)
    if not facts:
        raise BadRequest("continuous export: the query must read at least one fact table of database "
                         f"'{db.name}' (exports of dimension tables only are not supported)")
    restricted = sorted(f"{_db_name(cluster, d)}.{t}" for d, t in refs.tables if _restricted(cluster, d, t))
    if restricted:
        raise BadRequest(f"continuous export: the query reads tables with a restricted view access policy "
                         f"({', '.join(restricted)}), which continuous export does not support")
    dims = sorted((d, t) for d, t in refs.tables if not (d == home and t in facts))
    others = sorted(_db_name(cluster, d) for d in refs.other_databases(db.name))
    rls = sorted(f"{_db_name(cluster, d)}.{t}" for d, t in refs.tables if _rls_enabled(cluster, d, t))
    return QueryShape(facts, dims, others, rls, list(refs.dynamic))


def _db_name(cluster: Any, key: str) -> str:
    db = cluster.database(key)
    return db.name if db is not None else key


def _rls_enabled(cluster: Any, db_name: str, table_name: str) -> bool:
    from kshell.engine.row_level_security import rls_enabled

    db = cluster.database(db_name)
    table = db.tables.get(table_name) if db is not None else None
    return table is not None and rls_enabled(table)


def _restricted(cluster: Any, db_name: str, table_name: str) -> bool:
    from kshell.engine.permissions import table_has_restricted_view_access

    db = cluster.database(db_name)
    table = db.tables.get(table_name) if db is not None else None
    return table is not None and table_has_restricted_view_access(table)


def identity_requirements(shape: QueryShape, impersonates: bool) -> list[str]:
    """Why a managed identity is required (spec 5.2), as phrases; empty when it is not."""
    reasons = []
    if impersonates:
        reasons.append("its external table uses impersonation authentication")
    if shape.other_databases:
        reasons.append(f"its query reads other databases ({', '.join(shape.other_databases)})")
    if shape.rls_tables:
        reasons.append(f"its query reads tables with row level security ({', '.join(shape.rls_tables)})")
    if shape.dynamic:
        reasons.append(f"its query names what it reads by computed or wildcard names "
                       f"({', '.join(shape.dynamic)}), which may reach any table of any database")
    return reasons


def identity_decision(session: Session, identity: str, db: Database):
    from kshell.engine.managed_identity import identity_allowed

    return identity_allowed(session.cluster, identity, AUTOMATED_FLOWS, db.name)


def check_identity(session: Session, db: Database, identity: str | None, shape: QueryShape,
                   impersonates: bool, ext_name: str) -> None:
    """The managed-identity rules of spec 5.2 at create time; raises BadRequest naming the missing link."""
    reasons = identity_requirements(shape, impersonates)
    if shape.rls_tables and not impersonates:
        raise BadRequest(f"continuous export: the query reads tables with row level security "
                         f"({', '.join(shape.rls_tables)}), which requires the external table '{ext_name}' "
                         "to use impersonation authentication and a managedIdentity")
    if identity is None:
        if reasons:
            raise BadRequest("continuous export: a 'managedIdentity' property is required because "
                             + " and ".join(reasons) + " (e.g. with (managedIdentity='system', ...))")
        return
    decision = identity_decision(session, identity, db)
    if not decision.allowed:
        raise BadRequest(f"continuous export: managed identity '{identity}' cannot run this export: "
                         f"{decision.reason}")


def _check_schema(session: Session, db: Database, query: Any, ext: Any) -> None:
    from kshell.engine.queries import SessionQueryContext
    from kshell.query import output_schema

    try:
        schema = output_schema(query, SessionQueryContext(session, database=db.name))
    except KustoError as e:
        if e.kind == "Forbidden":
            raise
        raise BadRequest(f"continuous export: the query is not valid in database '{db.name}': {e.message}") from None
    mismatch = schema_mismatch(schema, external_columns(ext))
    if mismatch:
        raise BadRequest(f"continuous export: the query's output schema does not match external table "
                         f"'{ext.name}': {mismatch}")


def _check_external_table(ext: Any) -> None:
    kind = str(getattr(ext, "kind", "storage") or "storage").lower()
    if kind in ("storage", "blob", "adl", "delta"):
        fmt = str(getattr(ext, "data_format", "") or "").lower()
        if fmt and fmt not in SUPPORTED_FORMATS:
            raise BadRequest(f"continuous export: external table '{ext.name}' has data format '{fmt}'; "
                             f"continuous export writes only {', '.join(f.upper() for f in SUPPORTED_FORMATS)}")


# --------------------------------------------------------------- commands

def database_cursor(session: Session) -> str:
    """The database cursor now: the cluster-wide count of extents created so far (monotonic)."""
    return str(session.cluster.extras.get("extent_seq", 0))


def initial_cursor(db: Database, table_name: str) -> TableCursor:
    """A cursor at the current end of a table: what was ingested before is not exported (spec 5.4)."""
    table = db.tables[table_name]
    end = table.extents[-1].ingestion_time if table.extents else None
    return TableCursor(table_name, table.row_count, end)


@handler(CreateOrAlterContinuousExport)
def create_or_alter(session: Session, node: CreateOrAlterContinuousExport) -> Result:
    from kshell.engine.tables import validate_name

    db = session.database
    validate_name(node.name, "continuous export")
    if node.duplicates:
        raise BadRequest(f"continuous export property '{node.duplicates[0]}' is given more than once")
    props = parse_properties(node.properties)
    ext = get_external_table(db, node.external_table)
    _check_external_table(ext)
    query = node.query if node.query is not None else parse_export_query(node.query_text)
    shape = query_shape(session, db, query, node.over)
    impersonates = uses_impersonation(ext)
    identity = props.get("managedIdentity")
    check_identity(session, db, identity, shape, impersonates, ext.name)
    _check_schema(session, db, query, ext)

    # Everything is valid: build the record, keeping the old one's run state.
    old = db.continuous_exports.get(node.name)
    now = session.now()
    record = ContinuousExport(
        name=node.name, external_table=ext.name, query=node.query_text, fact_tables=shape.fact_tables,
        explicit_over=node.over is not None, interval=props["intervalBetweenRuns"],
        forced_latency=props.get("forcedLatency"), size_limit=props.get("sizeLimit", SIZE_LIMIT_DEFAULT),
        distributed=props.get("distributed", props.get("distribution", "per_node") != "single"),
        distribution=props.get("distribution"), distribution_kind=props.get("distributionKind"),
        parquet_row_group_size=props.get("parquetRowGroupSize"), managed_identity=identity,
        is_disabled=props.get("isDisabled", old.is_disabled if old else False),
        created_by=session.principal, created_at=old.created_at if old else now,
        start_cursor=old.start_cursor if old else database_cursor(session),
    )
    if old is not None:
        # Altering keeps the run state; a fact table new to the export starts at its current end
        # (spec 5.1 [DECIDE]: keep the cursor unless the fact tables changed).
        for attr in ("last_run_time", "last_run_result", "last_success_run", "exported_to", "failing_since",
                     "run_count", "artifacts", "failures"):
            setattr(record, attr, getattr(old, attr))
    for name in shape.fact_tables:
        kept = old.cursors.get(name) if old is not None else None
        record.cursors[name] = kept if kept is not None else initial_cursor(db, name)
    db.continuous_exports[node.name] = record
    return show_result(session, [record])


def get_export(db: Database, name: str) -> ContinuousExport:
    record = db.continuous_exports.get(name)
    if record is None:
        raise EntityNotFound(f"Continuous export '{name}' was not found in database '{db.name}'")
    return record


@handler(ShowContinuousExports)
def show_exports(session: Session, node: ShowContinuousExports) -> Result:
    db = session.database
    return show_result(session, list(db.continuous_exports.values()))


@handler(ShowContinuousExport)
def show_export(session: Session, node: ShowContinuousExport) -> Result:
    return show_result(session, [get_export(session.database, node.name)])


@handler(ShowContinuousExportArtifacts)
def show_artifacts(session: Session, node: ShowContinuousExportArtifacts) -> Result:
    record = get_export(session.database, node.name)
    since = session.now() - HISTORY
    rows = [[a.timestamp, a.external_table, a.path, a.num_records, a.size_in_bytes]
            for a in record.artifacts if a.timestamp >= since]
    return Result.of(ARTIFACT_COLUMNS, rows)


@handler(ShowContinuousExportFailures)
def show_failures(session: Session, node: ShowContinuousExportFailures) -> Result:
    record = get_export(session.database, node.name)
    since = session.now() - HISTORY
    rows = [[f.timestamp, f.operation_id, f.name, f.last_success_run, f.failure_kind, f.details]
            for f in record.failures if f.timestamp >= since]
    return Result.of(FAILURE_COLUMNS, rows)


@handler(DropContinuousExport)
def drop_export(session: Session, node: DropContinuousExport) -> Result:
    db = session.database
    get_export(db, node.name)
    del db.continuous_exports[node.name]
    return show_result(session, list(db.continuous_exports.values()))


@handler(EnableContinuousExport)
def enable_export(session: Session, node: EnableContinuousExport) -> Result:
    record = get_export(session.database, node.name)
    if record.is_disabled:
        record.is_disabled = False
        # A long-disabled export is due at once; it resumes from its cursor (a catch-up run).
        record.failing_since = None
    return show_result(session, [record])


@handler(DisableContinuousExport)
def disable_export(session: Session, node: DisableContinuousExport) -> Result:
    record = get_export(session.database, node.name)
    record.is_disabled = True
    return show_result(session, [record])


# ---------------------------------------------------------------- results

def export_properties(record: ContinuousExport) -> str:
    """The ExportProperties JSON (PascalCase keys, spec 5.3 [DECIDE])."""
    props: dict[str, Any] = {"SizeLimit": record.size_limit, "Distributed": record.distributed}
    if record.distribution is not None:
        props["Distribution"] = record.distribution
    if record.distribution_kind is not None:
        props["DistributionKind"] = record.distribution_kind
    if record.parquet_row_group_size is not None:
        props["ParquetRowGroupSize"] = record.parquet_row_group_size
    if record.managed_identity is not None:
        props["ManagedIdentity"] = record.managed_identity
    return json.dumps(props)


def cursor_scoped_tables(db_name: str, record: ContinuousExport) -> str:
    return json.dumps([f"['{db_name}'].['{t}']" for t in record.fact_tables])


def show_row(db_name: str, record: ContinuousExport) -> list[Any]:
    return [
        record.name, record.external_table, record.query, record.forced_latency, record.interval,
        cursor_scoped_tables(db_name, record), export_properties(record), record.last_run_time,
        record.start_cursor, record.is_disabled, record.last_run_result, record.exported_to, False,
    ]


def show_result(session: Session, records: list[ContinuousExport]) -> Result:
    db = session.database
    return Result.of(SHOW_COLUMNS, [show_row(db.name, r) for r in records])


def operation_id(cluster: Any, db: Database, record: ContinuousExport) -> str:
    return str(derived_id(cluster.name, "continuous-export", db.name.lower(), record.name, str(record.run_count)))


# The runs (clock hook, `#export run`, `#identity explain continuous-export`) register on import.
from kshell.engine import continuous_export_runs  # noqa: E402,F401
from kshell.engine import continuous_export_explain  # noqa: E402,F401
