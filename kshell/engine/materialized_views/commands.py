"""The materialized-view commands (syntax: kshell.syntax.cmd_materialized_view)."""

from __future__ import annotations

import datetime as dt

from kshell.engine.cluster import Column
from kshell.engine.materialized_views.model import SUPPORTED_AGGREGATES, MaterializedView
from kshell.engine.materialized_views.refresh import materialize, new_processed
from kshell.engine.session import Session, handler
from kshell.errors import BadRequest, Conflict, EntityNotFound, KustoError, TableNotFound
from kshell.result import Result
from kshell.syntax.cmd_materialized_view import (
    AlterMaterializedViewProperty,
    CreateMaterializedView,
    DropMaterializedView,
    RenameMaterializedView,
    ShowMaterializedViews,
    SwitchMaterializedView,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SHOW_COLUMNS = [
    ("Name", "string"), ("SourceTable", "string"), ("Query", "string"), ("MaterializedTo", "datetime"),
    ("LastRun", "datetime"), ("LastRunResult", "string"), ("IsHealthy", "bool"), ("IsEnabled", "bool"),
    ("Folder", "string"), ("DocString", "string"), ("AutoUpdateSchema", "bool"),
    ("EffectiveDateTime", "datetime"), ("Lookback", "timespan"),
]
DETAILS_COLUMNS = [
    ("MaterializedViewName", "string"), ("DatabaseName", "string"), ("Folder", "string"), ("DocString", "string"),
    ("TotalExtents", "long"), ("TotalExtentSize", "real"), ("TotalOriginalSize", "real"), ("TotalRowCount", "long"),
    ("HotExtents", "long"), ("HotExtentSize", "real"), ("HotOriginalSize", "real"), ("HotRowCount", "long"),
    ("AuthorizedPrincipals", "string"), ("RetentionPolicy", "string"), ("CachingPolicy", "string"),
    ("ShardingPolicy", "string"), ("MergePolicy", "string"), ("MinExtentsCreationTime", "datetime"),
    ("MaxExtentsCreationTime", "datetime"),
]
FAILURE_COLUMNS = [("Name", "string"), ("FailureKind", "string"), ("Timestamp", "datetime"),
                   ("OperationId", "guid"), ("Details", "string")]
KNOWN_PROPERTIES = ("backfill", "effectivedatetime", "updateextentscreationtime", "autoupdateschema",
                    "dimensiontables", "folder", "docstring", "lookback", "lookback_column")


# ------------------------------------------------------------ helpers

def get_view(session: Session, parts: list[str]) -> tuple[Any, MaterializedView]:
    db = session.get_database(parts[0] if len(parts) == 2 else None)
    view = db.materialized_views.get(parts[-1])
    if view is None:
        raise EntityNotFound(f"Materialized view '{parts[-1]}' was not found in database '{db.name}'")
    return db, view


def healthy(session: Session, view: MaterializedView) -> bool:
    """Healthy: enabled, last run completed, and materialized within the last hour (or nothing to do)."""
    if not view.is_enabled or view.last_run_result != "Completed":
        return False
    if not view.processed.extents:
        return True
    return view.materialized_to is not None and view.materialized_to > session.now() - dt.timedelta(hours=1)


def show_row(session: Session, view: MaterializedView) -> list[Any]:
    lookback = None
    if view.lookback:
        from kshell.engine.policies.schema import parse_timespan

        lookback = parse_timespan(view.lookback)
    return [view.name, view.source_table, view.query, view.materialized_to, view.last_run, view.last_run_result,
            healthy(session, view), view.is_enabled, view.folder, view.docstring, view.auto_update_schema,
            view.effective_datetime, lookback]


def show_result(session: Session, views: list[MaterializedView]) -> Result:
    return Result.of(SHOW_COLUMNS, [show_row(session, v) for v in views])


def _prop(props: dict, name: str, default: Any = None) -> Any:
    return next((v for k, v in props.items() if k.lower() == name), default)


def _bool_prop(props: dict, name: str) -> bool:
    raw = _prop(props, name, False)
    if isinstance(raw, str):
        if raw.lower() not in ("true", "false"):
            raise BadRequest(f"property '{name}' must be true or false, got '{raw}'")
        return raw.lower() == "true"
    return bool(raw)


def _query_shape(node: CreateMaterializedView) -> None:
    """The view query is `Source | ... | summarize aggregates by keys` with supported aggregates."""
    from kshell.syntax import ast

    q = node.query_ast
    body = getattr(q, "body", None)
    ops = getattr(body, "operators", None) or []
    if q is None or getattr(q, "statements", None):
        raise BadRequest("the materialized view query must be a single tabular expression (no let statements)")
    if not ops or not isinstance(ops[-1], ast.Summarize):
        raise BadRequest("the materialized view query must end with a summarize operator")
    summarize = ops[-1]
    if not summarize.aggregates:
        raise BadRequest("the materialized view's summarize must have at least one aggregation")
    for agg in summarize.aggregates:
        expr = agg.expr
        fname = getattr(expr, "name", None) if isinstance(expr, ast.Call) else None
        if fname is None or fname.lower() not in SUPPORTED_AGGREGATES:
            shown = fname or type(expr).__name__
            raise BadRequest(f"aggregation '{shown}' is not supported in a materialized view (supported: "
                             f"{', '.join(sorted(SUPPORTED_AGGREGATES))})")
    source = getattr(body, "source", None)
    if not isinstance(source, ast.TableRef) or source.name != node.source[-1]:
        raise BadRequest(f"the materialized view query must start with its source table '{node.source[-1]}'")


def _schema(session: Session, db: Any, node: CreateMaterializedView, source: Any) -> list[Column]:
    from kshell.engine.materialized_views.refresh import run_view_query

    probe = MaterializedView(node.name[-1], source.name, node.query, [], new_processed(source, False, None))
    try:
        result = run_view_query(session, db, probe, probe.processed)
    except KustoError as e:
        raise BadRequest(f"the materialized view query is not valid: {e.message}") from None
    return [Column(c.name, c.type) for c in result.columns]


# ------------------------------------------------------------ commands

@handler(CreateMaterializedView)
def create_view(session: Session, node: CreateMaterializedView) -> Result:
    from kshell.engine.tables import validate_name

    db = session.get_database(node.name[0] if len(node.name) == 2 else None)
    name = node.name[-1]
    validate_name(name, "materialized view")
    for key in node.properties:
        if key.lower() not in KNOWN_PROPERTIES:
            raise BadRequest(f"unknown materialized view property '{key}'")
    existing = db.materialized_views.get(name)
    if node.mode == "create" and existing is not None:
        if node.ifnotexists:
            return show_result(session, [existing])
        raise Conflict(f"Materialized view '{name}' already exists in database '{db.name}'")
    if node.mode == "alter" and existing is None:
        raise EntityNotFound(f"Materialized view '{name}' was not found in database '{db.name}'")
    if name in db.tables or name in db.functions or name in db.external_tables:
        raise Conflict(f"'{name}' is already the name of a table or function in database '{db.name}'")
    source_db = session.get_database(node.source[0] if len(node.source) == 2 else db.name)
    if source_db is not db:
        raise BadRequest("a materialized view's source table must be in the view's database")
    source = db.tables.get(node.source[-1])
    if source is None:
        raise TableNotFound(f"Table '{node.source[-1]}' was not found in database '{db.name}'")
    _query_shape(node)
    columns = _schema(session, db, node, source)
    backfill = _bool_prop(node.properties, "backfill")
    if backfill and existing is not None:
        raise BadRequest("backfill applies only when the materialized view is created")
    if backfill and node.mode == "create" and not node.is_async:
        raise BadRequest("creating a materialized view with backfill must be async: "
                         "'.create async materialized-view with (backfill=true) ...'")
    since = None
    raw_since = _prop(node.properties, "effectivedatetime")
    if raw_since is not None:
        from kshell.engine.policies.schema import parse_datetime

        since = parse_datetime(str(raw_since))
        if since is None:
            raise BadRequest(f"property 'effectiveDateTime' is not a datetime: {raw_since}")
    if existing is not None:
        # alter: the new query is computed over the rows the view has already taken in
        existing.query = node.query
        existing.columns = columns
        existing.data = [[] for _ in columns]
        _apply_common(existing, node.properties)
        materialize(session, db, existing)
        return _created(session, node, existing)
    view = MaterializedView(name, source.name, node.query, columns, new_processed(source, backfill, since),
                            effective_datetime=since, created_by=session.principal)
    _apply_common(view, node.properties)
    db.materialized_views[name] = view
    materialize(session, db, view)
    return _created(session, node, view)


def _apply_common(view: MaterializedView, props: dict) -> None:
    for key, attr in (("folder", "folder"), ("docstring", "docstring")):
        value = _prop(props, key)
        if value is not None:
            setattr(view, attr, str(value))
    if _prop(props, "autoupdateschema") is not None:
        view.auto_update_schema = _bool_prop(props, "autoupdateschema")
    lookback = _prop(props, "lookback")
    if lookback is not None:
        from kshell.engine.policies.schema import format_timespan, parse_timespan

        span = parse_timespan(str(lookback))
        if span is None:
            raise BadRequest(f"property 'lookback' is not a timespan: {lookback}")
        view.lookback = format_timespan(span)


def _created(session: Session, node: CreateMaterializedView, view: MaterializedView) -> Result:
    if node.is_async:
        from kshell.engine.operations import record_operation

        op = record_operation(session, "MaterializedViewCreate", view.name, show_result(session, [view]))
        return Result.of([("OperationId", "guid")], [[op]])
    return show_result(session, [view])


@handler(AlterMaterializedViewProperty)
def alter_view_property(session: Session, node: AlterMaterializedViewProperty) -> Result:
    _, view = get_view(session, node.name)
    if node.prop == "autoupdateschema":
        view.auto_update_schema = bool(node.value)
    else:
        setattr(view, node.prop, node.value)
    return show_result(session, [view])


@handler(DropMaterializedView)
def drop_view(session: Session, node: DropMaterializedView) -> Result:
    db = session.get_database(node.name[0] if len(node.name) == 2 else None)
    if node.name[-1] not in db.materialized_views:
        if node.ifexists:
            return show_result(session, list(db.materialized_views.values()))
        raise EntityNotFound(f"Materialized view '{node.name[-1]}' was not found in database '{db.name}'")
    del db.materialized_views[node.name[-1]]
    return show_result(session, list(db.materialized_views.values()))


@handler(RenameMaterializedView)
def rename_view(session: Session, node: RenameMaterializedView) -> Result:
    from kshell.engine.tables import validate_name

    db, view = get_view(session, node.name)
    validate_name(node.new_name, "materialized view")
    new = node.new_name
    if new in db.materialized_views or new in db.tables or new in db.functions:
        raise Conflict(f"'{new}' is already the name of an entity in database '{db.name}'")
    del db.materialized_views[view.name]
    view.name = new
    db.materialized_views[new] = view
    return show_result(session, [view])


@handler(SwitchMaterializedView)
def switch_view(session: Session, node: SwitchMaterializedView) -> Result:
    db, view = get_view(session, node.name)
    if node.enable and not view.is_enabled:
        # re-enabled: it catches up on what the source received meanwhile
        source = db.tables.get(view.source_table)
        if source is not None:
            seen = {str(e.extent_id) for e in view.processed.extents} | {str(i) for i in view.paused_at}
            from kshell.engine.extent_data import extent_rows
            from kshell.engine.materialized_views.refresh import take_rows

            for e in source.extents:
                if str(e.extent_id) not in seen:
                    take_rows(view, source, extent_rows(source, e), e.ingestion_time, e.extent_id)
        view.is_enabled = True
        view.paused_at = []
        materialize(session, db, view)
    elif not node.enable and view.is_enabled:
        source = db.tables.get(view.source_table)
        view.paused_at = [str(e.extent_id) for e in source.extents] if source is not None else []
        view.is_enabled = False
    return show_result(session, [view])


@handler(ShowMaterializedViews)
def show_views(session: Session, node: ShowMaterializedViews) -> Result:
    from kshell.engine.policy_results import policy_json

    if node.name is None:
        db = session.database
        views = sorted(db.materialized_views.values(), key=lambda v: v.name)
    else:
        db, view = get_view(session, node.name)
        views = [view]
    if node.what == "failures":
        return Result.of(FAILURE_COLUMNS, [[v.name, f["FailureKind"], f["Timestamp"], f["OperationId"], f["Details"]]
                                           for v in views for f in v.failures])
    if node.what == "details":
        rows = []
        for v in views:
            from kshell.engine.tables import estimated_size

            size = float(sum(estimated_size(col) for col in v.data))
            times = [e.ingestion_time for e in v.extents]
            p = v.policies
            rows.append([v.name, db.name, v.folder, v.docstring, len(v.extents), size / 2, size, v.row_count,
                         len(v.extents), size / 2, size, v.row_count, "[]",
                         *(policy_json(p.get(k)) for k in ("retention", "caching", "sharding", "merge")),
                         min(times) if times else None, max(times) if times else None])
        return Result.of(DETAILS_COLUMNS, rows)
    if node.what in ("cslschema", "schema-json"):
        from kshell.engine.tables import TABLE_SCHEMA_COLUMNS

        rows = []
        for v in views:
            if node.what == "cslschema":
                schema = ",".join(f"{c.name}:{c.type}" for c in v.columns)
            else:
                schema = view_schema_json(v)
            rows.append([v.name, schema, db.name, v.folder, v.docstring])
        return Result.of(TABLE_SCHEMA_COLUMNS, rows)
    return show_result(session, views)


def view_schema_json(view: MaterializedView) -> str:
    import json

    from kshell.engine.values import clr_type

    return json.dumps({"Name": view.name, "OrderedColumns": [
        {"Name": c.name, "Type": clr_type(c.type), "CslType": c.type} for c in view.columns]},
        separators=(",", ":"))
