"""Continuous-export runs on the simulated clock (spec 5.4).

A run of export X at time R:
1. scopes each fact table to the extents past X's cursor that were ingested
   at or before R - forcedLatency (extents are appended in time order, so those
   form one contiguous block of rows); dimension tables are read whole;
2. runs the query as the job identity: `aadapp=<objectId>` of its
   managedIdentity (which must still be assigned and allowed AutomatedFlows),
   else the principal that created the export;
3. writes the rows through the external-tables family's `write_artifacts`, as
   that same principal (storage roles, `ExternalTable` usage of an MI
   connection string are checked there);
4. on success records the artifacts and moves the cursors to the end of the
   exported block; on a failure records a failure row and leaves the cursors
   where they were, so the next successful run exports the missed rows:
   every row is in exactly one *listed* artifact.

Reading rights: with a managed identity, the query engine's read hook checks
Database Viewer of the identity on every database the query reads, the
export's own database included (spec 5.2: "all databases the export uses,
incl. the database holding the external table").  This differs on purpose
from update policies, whose home database is exempt.  Without a managed
identity the export is confined to its own database (5.2 requires an identity
for anything else) and runs on the service's authority there, like an update
policy without an identity (the read hook recognises a flow over scoped real
tables).  See docs/continuous-export.md.

Scheduling: a run is due `intervalBetweenRuns` after the previous run (or the
creation).  When the clock moves from A to B, every enabled export runs at
each of its due times in (A, B], all exports together in time order (ties:
LastRunTime ascending, then name).  A due run with nothing new to export
completes without running anything, so a long clock jump costs one step per
run that has rows to export (and per failing run).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left

from kshell.engine.cluster import Column, Database
from kshell.engine.continuous_export import shift
from kshell.errors import KustoError
from kshell.result import Result
from kshell.syntax.records import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FAILURE = "Failure"
PARTIAL_FAILURE = "PartialFailure"
COMPLETED = "Completed"
FAILED = "Failed"
AUTO_DISABLE_AFTER = dt.timedelta(days=7)   # spec 5.4: a permanent failure for over 7 days disables it
# Safety net against a runaway loop (each export runs at most this many times per clock move).
MAX_RUNS_PER_MOVE = 200_000

RUN_COLUMNS = [("Name", "string"), ("Database", "string"), ("RunTime", "datetime"), ("Result", "string"),
               ("NumRecords", "long"), ("Artifacts", "long"), ("Details", "string")]


class _NewRows(Record):
    """A fact table scoped to the rows past the cursor (fits kshell.query.context.TableSource)."""

    __slots__ = ("__dict__",)  # as the dataclass it was: the query engine may note things on a source

    name: str
    columns: list[Column]
    data: list[list[Any]]
    extents: list[Any]
    policies: dict = field(default_factory=dict)


class RunOutcome(Record):
    export: Any
    database: str
    run_time: dt.datetime
    result: str                  # Completed | Failed
    num_records: int = 0
    artifacts: int = 0
    details: str = ""

    def row(self) -> list[Any]:
        return [self.export.name, self.database, self.run_time, self.result, self.num_records,
                self.artifacts, self.details]


# ------------------------------------------------------------- new rows

def _pending(db: Database, record: Any, table_name: str, cutoff: dt.datetime | None):
    """(start row, end row, last extent) of the rows of `table_name` to export, for ingestion cutoff.

    A table's extents are in row order (each ingestion appends one), so the
    extents past the cursor are found by bisection and the block ends at the
    first extent ingested after the cutoff.  None when the table is gone.
    """
    from kshell.engine.continuous_export import TableCursor

    table = db.tables.get(table_name)
    if table is None:
        return None
    cursor = record.cursors.get(table_name) or TableCursor(table_name, 0, None)
    extents = table.extents
    start = cursor.position
    i = bisect_left(extents, start, key=_first_row)
    if start:
        before = extents[i - 1] if i > 0 else None
        if (before is None or before.first_row + before.row_count != start
                or before.ingestion_time != cursor.end_time):
            start, i = 0, 0  # the table's data was replaced since: every row in it is new
    end, last = start, None
    for e in extents[i:]:
        if e.first_row != end or (cutoff is not None and e.ingestion_time > cutoff):
            break
        end, last = e.first_row + e.row_count, e
    return start, end, last


def _first_row(extent: Any) -> int:
    return extent.first_row


def _scoped(table: Any, start: int, end: int) -> _NewRows:
    from kshell.engine.cluster import Extent

    extents = [Extent(e.extent_id, e.first_row - start, e.row_count, e.ingestion_time, list(e.tags))
               for e in table.extents if start <= e.first_row < end]
    return _NewRows(table.name, table.columns, [col[start:end] for col in table.data], extents)


def has_pending(db: Database, record: Any, run_time: dt.datetime) -> bool:
    cutoff = record.cutoff(run_time)
    for name in record.fact_tables:
        got = _pending(db, record, name, cutoff)
        if got is not None and got[1] > got[0]:
            return True
    return False


def next_eligible_time(db: Database, record: Any) -> dt.datetime | None:
    """The earliest time at which a pending extent becomes exportable (None: nothing pending)."""
    latency = record.forced_latency or dt.timedelta(0)
    best = None
    for name in record.fact_tables:
        got = _pending(db, record, name, None)
        if got is None or got[1] <= got[0]:
            continue
        table = db.tables[name]
        first = table.extents[bisect_left(table.extents, got[0], key=_first_row)]
        t = shift(first.ingestion_time, latency)
        best = t if best is None or t < best else best
    return best


# ------------------------------------------------------------------ a run

def job_principal(session: Any, record: Any) -> str:
    """Who a run acts as: its managed identity (`aadapp=<objectId>`), else its creator."""
    if record.managed_identity:
        from kshell.engine.azure import find_identity

        identity = find_identity(session.cluster, record.managed_identity)
        object_id = identity.object_id if identity is not None else record.managed_identity
        return f"aadapp={object_id}"
    return record.created_by or session.principal


def run_export(session: Any, db: Database, record: Any, run_time: dt.datetime) -> RunOutcome:
    """One run of `record` at simulated time `run_time` (the clock is set to it meanwhile)."""
    cluster = session.cluster
    saved = cluster.now
    cluster.now = run_time
    try:
        return _run(session, db, record, run_time)
    finally:
        cluster.now = saved


def _run(session: Any, db: Database, record: Any, run_time: dt.datetime) -> RunOutcome:
    from kshell.engine import continuous_export as ce

    record.run_count += 1
    cutoff = record.cutoff(run_time)
    plan = {}
    for name in record.fact_tables:
        got = _pending(db, record, name, cutoff)
        if got is not None:
            plan[name] = got
    pending = sum(end - start for start, end, _ in plan.values())
    outcome = RunOutcome(record, db.name, run_time, COMPLETED)
    written: list[Any] = []
    try:
        if pending == 0 and all(name in db.tables for name in record.fact_tables):
            pass  # nothing new: the run completes without querying or writing anything
        else:
            written = _export_rows(session, db, record, run_time, plan)
    except KustoError as e:
        partial = list(getattr(e, "artifacts", None) or getattr(e, "written", None) or [])
        _record_failure(session, db, record, run_time, e, partial)
        outcome.result = FAILED
        outcome.details = f"{e.kind}: {e.message}"
        return outcome
    for a in written:
        record.artifacts.append(ce.ExportedArtifact(run_time, record.external_table, a.path,
                                                    int(a.num_records), int(a.size_in_bytes)))
    for name, (start, end, last) in plan.items():
        if last is not None:
            record.cursors[name] = ce.TableCursor(name, end, last.ingestion_time)
        elif start == 0 and record.cursors.get(name) and record.cursors[name].position:
            record.cursors[name] = ce.TableCursor(name, 0, None)  # replaced by an empty table
    record.last_run_time = run_time
    record.last_run_result = COMPLETED
    record.last_success_run = run_time
    record.exported_to = cutoff
    record.failing_since = None
    _prune(record, run_time)
    outcome.num_records = sum(int(a.num_records) for a in written)
    outcome.artifacts = len(written)
    return outcome


def _export_rows(session: Any, db: Database, record: Any, run_time: dt.datetime, plan: dict) -> list[Any]:
    from kshell.engine import continuous_export as ce
    from kshell.engine.permissions import Flow
    from kshell.engine.queries import SessionQueryContext
    from kshell.errors import EntityNotFound
    from kshell.query import run

    for name in record.fact_tables:
        if name not in db.tables:
            raise EntityNotFound(f"fact table '{name}' was not found in database '{db.name}'")
    ext = ce.get_external_table(db, record.external_table)
    if record.managed_identity:
        decision = ce.identity_decision(session, record.managed_identity, db)
        if not decision.allowed:
            raise _RunError("Forbidden", decision.reason)
    principal = job_principal(session, record)
    query = ce.parse_export_query(record.query)
    scoped = {(db.name.lower(), name): _scoped(db.tables[name], start, end)
              for name, (start, end, _last) in plan.items()}
    # The read check applies the flow rules: without an identity the export reads only
    # its own database's tables without RLS / restricted view access; with one, every
    # database (its own included) needs the identity's Database Viewer (spec 5.2).
    flow = Flow("continuous export", f"'{record.name}'", db.name,
                identity=principal if record.managed_identity else None)
    ctx = SessionQueryContext(session, database=db.name, principal=principal, scoped_tables=scoped, flow=flow)
    try:
        result = run(query, ctx)
    except KustoError:
        flow.check_refusals()  # report the refused read, not what the query made of it
        raise
    flow.check_refusals()
    mismatch = ce.schema_mismatch([(c.name, c.type) for c in result.columns], ce.external_columns(ext))
    if mismatch:
        raise _RunError("BadRequest", f"the query's output schema does not match external table "
                                      f"'{ext.name}': {mismatch}")
    if not result.rows:
        return []
    api = ce.external_tables_api()
    return list(api.write_artifacts(session, db, ext, result, principal=principal, run_time=run_time,
                                    name_prefix=f"{record.name}_{record.run_count:06d}_"))


class _RunError(KustoError):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _record_failure(session: Any, db: Database, record: Any, run_time: dt.datetime, error: KustoError,
                    partial: list[Any]) -> None:
    from kshell.engine import continuous_export as ce

    kind = PARTIAL_FAILURE if partial else FAILURE
    details = f"{error.kind}: {error.message}"
    if partial:
        details += f" ({len(partial)} artifact(s) were written before the failure and are not listed)"
    if record.failing_since is None:
        record.failing_since = run_time
    elif run_time - record.failing_since > AUTO_DISABLE_AFTER:
        record.is_disabled = True
        details += ("; the export has failed for more than 7 days and was disabled "
                    f"(.enable continuous-export {record.name} after fixing the cause)")
    record.failures.append(ce.ExportFailure(run_time, ce.operation_id(session.cluster, db, record), record.name,
                                            record.last_success_run, kind, details))
    record.last_run_time = run_time
    record.last_run_result = FAILED
    _prune(record, run_time)


def _prune(record: Any, now: dt.datetime) -> None:
    from kshell.engine.continuous_export import HISTORY

    since = now - HISTORY
    if record.artifacts and record.artifacts[0].timestamp < since:
        record.artifacts = [a for a in record.artifacts if a.timestamp >= since]
    if record.failures and record.failures[0].timestamp < since:
        record.failures = [f for f in record.failures if f.timestamp >= since]


# ------------------------------------------------------------ scheduling

def _next_run_time(db: Database, record: Any, old_now: dt.datetime, new_now: dt.datetime) -> dt.datetime | None:
    """The time of the export's next run within (old_now, new_now], skipping runs with nothing to do.

    Skipped due runs are empty runs: they would complete without exporting, so
    only LastRunTime would change; the caller records the last one skipped.
    """
    due = record.next_due()
    if due <= old_now:
        # Overdue (re-enabled after its due time passed): it runs at the first scheduler pass.
        due = old_now
    if due > new_now:
        return None
    return due


def _skip_empty_runs(db: Database, record: Any, due: dt.datetime, new_now: dt.datetime) -> dt.datetime:
    """The first due time >= `due` at which the run has something to do (or the last due <= new_now)."""
    if record.fact_tables and not all(name in db.tables for name in record.fact_tables):
        return due  # the run will fail: keep it
    if has_pending(db, record, due):
        return due
    eligible = next_eligible_time(db, record)
    interval = record.interval
    last_due = shift(due, ((new_now - due) // interval) * interval)
    if eligible is None or eligible > last_due:
        return last_due
    steps = -(-(eligible - due) // interval)  # ceil
    return shift(due, steps * interval)


def run_due_exports(session: Any, old_now: dt.datetime, new_now: dt.datetime) -> list[Result] | None:
    """CLOCK_HOOKS entry: run every enabled export that falls due in (old_now, new_now], in order."""
    if new_now <= old_now:
        return None
    outcomes: list[RunOutcome] = []
    counts: dict[int, int] = {}
    while True:
        best = None
        for db in session.cluster.databases.values():
            for record in (db.continuous_exports or {}).values():
                if record.is_disabled or counts.get(id(record), 0) >= MAX_RUNS_PER_MOVE:
                    continue
                due = _next_run_time(db, record, old_now, new_now)
                if due is None:
                    continue
                key = (due, record.last_run_time or dt.datetime.min.replace(tzinfo=dt.timezone.utc),
                       db.name.lower(), record.name)
                if best is None or key < best[0]:
                    best = (key, db, record)
        if best is None:
            break
        (due, *_), db, record = best
        counts[id(record)] = counts.get(id(record), 0) + 1
        run_time = _skip_empty_runs(db, record, due, new_now)
        outcome = run_export(session, db, record, run_time)
        if outcome.num_records or outcome.result != COMPLETED:
            outcomes.append(outcome)
    if not outcomes:
        return None
    return [Result.of(RUN_COLUMNS, [o.row() for o in outcomes])]


def _register_clock_hook() -> None:
    from kshell.engine.clock_directives import CLOCK_HOOKS

    if run_due_exports not in CLOCK_HOOKS:
        CLOCK_HOOKS.append(run_due_exports)


_register_clock_hook()
