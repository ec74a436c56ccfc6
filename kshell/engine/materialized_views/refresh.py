"""Keeping materialized views up to date.

After every ingestion batch has landed (ingest.AFTER_APPLY_HOOKS), each enabled
view over a table that received rows takes those rows into its own copy and
recomputes its query over the copy.  A view whose query fails records a
failure (`.show materialized-view V failures`) and keeps its last result; the
ingestion itself never fails because of a view (as in the service, where views
materialize in the background).  When the clock moves, a view's retention
removes old processed rows and the view is recomputed.
"""

from __future__ import annotations

import datetime as dt

from kshell.engine.cluster import Column, Extent, Table, name_uuid
from kshell.errors import Forbidden, KustoError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import uuid
    from typing import Any


def _id(*parts: str) -> uuid.UUID:
    """A deterministic id (uuid5, not derived_id: these texts carry the clock and seldom repeat)."""
    return name_uuid("/".join(parts))  # = uuid.uuid5(ID_NAMESPACE, ...), without hashlib


def run_view_query(session: Any, db: Any, view: Any, source: Any):
    """The view query's result over `source` (the processed rows), on the service's authority.
    A read the flow may not make fails the run (the flow's first refusal)."""
    from kshell.engine.queries import SessionQueryContext
    from kshell.query import run
    from kshell.syntax import parse_query

    body = view.query.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    from kshell.engine.permissions import Flow

    # A view materializes on the service's authority: a flow without an identity, which
    # the one read check confines to its own database's tables without RLS or restricted view.
    flow = Flow("materialized view", f"[{db.name}].[{view.name}]", db.name)
    ctx = SessionQueryContext(session, database=db.name,
                              scoped_tables={(db.name.lower(), view.source_table): source}, flow=flow)
    try:
        result = run(parse_query(body), ctx)
        flow.check_refusals()
    except KustoError as e:
        if flow.refusals:
            raise Forbidden(flow.refusals[0]) from None
        raise e
    return result


def materialize(session: Any, db: Any, view: Any) -> None:
    """Recompute the view from its processed rows; a failure is recorded, never raised."""
    now = session.now()
    view.last_run = now
    try:
        result = run_view_query(session, db, view, view.processed)
    except KustoError as e:
        view.last_run_result = "Failed"
        view.failures = (view.failures + [{
            "Timestamp": now, "FailureKind": "Transient" if e.kind == "Forbidden" else "Permanent",
            "Details": f"{e.kind}: {e.message}",
            "OperationId": _id("materialized-view", db.name, view.name, str(now))}])[-100:]
        return
    names = [c.name for c in view.columns]
    by_name = {name: i for i, name in enumerate(result.column_names)}
    view.data = [[row[by_name[n]] for row in result.rows] if n in by_name else [None] * len(result.rows)
                 for n in names]
    count = len(result.rows)
    view.extents = [Extent(_id("mv-extent", db.name, view.name, str(now)), 0, count, now)] if count else []
    times = [e.ingestion_time for e in view.processed.extents]
    view.materialized_to = max(times) if times else view.materialized_to
    view.last_run_result = "Completed"


def take_rows(view: Any, source: Any, columns_data: list[list[Any]], when: dt.datetime, extent_id) -> None:
    """Append source rows (in the source's current column order) to the view's copy."""
    processed = view.processed
    names = [c.name for c in source.columns]
    if [c.name for c in processed.columns] != names or [c.type for c in processed.columns] != \
            [c.type for c in source.columns]:
        _reshape(processed, source)
    first = processed.row_count
    for col, values in zip(processed.data, columns_data):
        col.extend(values)
    processed.extents.append(Extent(extent_id, first, len(columns_data[0]) if columns_data else 0, when))


def _reshape(processed: Table, source: Any) -> None:
    """The source's schema changed: keep the processed columns by name, new ones empty."""
    old = {c.name: i for i, c in enumerate(processed.columns)}
    rows = processed.row_count
    processed.data = [list(processed.data[old[c.name]]) if c.name in old else [None] * rows
                      for c in source.columns]
    processed.columns = [Column(c.name, c.type) for c in source.columns]


def new_processed(source: Any, backfill: bool, since: dt.datetime | None) -> Table:
    """The view's copy of its source: empty, or (backfill) the source's rows from `since` on."""
    from kshell.engine.extent_data import extent_rows

    processed = Table(f"__mv_source_{source.name}", [Column(c.name, c.type) for c in source.columns])
    if backfill:
        for e in source.extents:
            if since is not None and e.ingestion_time < since:
                continue
            take_rows_from(processed, extent_rows(source, e), e)
    return processed


def take_rows_from(processed: Table, columns: list[list[Any]], extent: Extent) -> None:
    first = processed.row_count
    for col, values in zip(processed.data, columns):
        col.extend(values)
    processed.extents.append(Extent(extent.extent_id, first, extent.row_count, extent.ingestion_time))


# ------------------------------------------------------------ hooks

def after_ingestion(batch: Any) -> None:
    """AFTER_APPLY_HOOKS entry: views over the tables that received rows take them in."""
    touched = []
    for append in batch.appends:
        db = append.database
        for view in db.materialized_views.values():
            if view.source_table != append.table.name or not view.is_enabled:
                continue
            if append.replace:
                view.processed = new_processed(append.table, False, None)
            for extent in append.extents:
                from kshell.engine.extent_data import extent_rows

                take_rows(view, append.table, extent_rows(append.table, extent), extent.ingestion_time,
                          extent.extent_id)
            if (db, view) not in touched:
                touched.append((db, view))
    for db, view in touched:
        materialize(batch.session, db, view)


def on_clock(session: Any, old_now: dt.datetime, new_now: dt.datetime):
    """CLOCK_HOOKS entry: a view's retention (its own policy, else its database's)."""
    from kshell.engine.policies.effects import soft_delete_period

    for db in session.cluster.databases.values():
        for view in db.materialized_views.values():
            period = soft_delete_period(db, view)
            if period is None:
                continue
            before = view.processed.row_count
            try:
                view.expire(new_now - period)
            except OverflowError:
                continue
            if view.processed.row_count != before:
                materialize(session, db, view)
    return None


def resolve_view(ctx: Any, db: Any, name: str) -> Any:
    """queries.TABLE_RESOLVERS entry: a materialized view read by name."""
    views = getattr(db, "materialized_views", None) or {}
    return views.get(name)


def register() -> None:
    from kshell.engine import ingest, queries
    from kshell.engine.clock_directives import CLOCK_HOOKS

    if after_ingestion not in ingest.AFTER_APPLY_HOOKS:
        ingest.AFTER_APPLY_HOOKS.append(after_ingestion)
    if on_clock not in CLOCK_HOOKS:
        CLOCK_HOOKS.append(on_clock)
    if resolve_view not in queries.TABLE_RESOLVERS:
        queries.TABLE_RESOLVERS.append(resolve_view)


register()
