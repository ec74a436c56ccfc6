"""`.drop extents`, `.move extents`, `.merge`/`.rebuild`, `.delete table T records`,
`.purge table T records` and `.show materialized-view V extents` (syntax:
kshell.syntax.cmd_extents).  Rows leave or move with their extents through
kshell.engine.extent_data; everything is checked before anything changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from kshell.engine.cluster import Extent, derived_id
from kshell.engine.extent_data import extent_rows, keep_rows, remove_extents
from kshell.engine.session import Session, handler
from kshell.engine.tables import estimated_size, get_table
from kshell.errors import BadRequest, EntityNotFound, KustoError
from kshell.result import Result
from kshell.syntax.cmd_extents import (
    DeleteRecords,
    DropExtents,
    ExtentTagsByQuery,
    MergeExtents,
    MoveExtents,
    ShowViewExtents,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DROP_COLUMNS = [("ExtentId", "guid"), ("TableName", "string"), ("CreatedOn", "datetime")]
MOVE_COLUMNS = [("OriginalExtentId", "string"), ("ResultExtentId", "string"), ("Details", "string")]
MERGE_COLUMNS = [("OriginalExtentId", "string"), ("ResultExtentId", "string"), ("Duration", "timespan")]
DELETE_COLUMNS = [("TableName", "string"), ("DatabaseName", "string"), ("ExtentId", "guid"),
                  ("RecordsMatchPredicate", "long")]
PURGE_COLUMNS = [("OperationId", "guid"), ("DatabaseName", "string"), ("TableName", "string"),
                 ("ScheduledTime", "datetime"), ("Duration", "timespan"), ("LastUpdatedOn", "datetime"),
                 ("EngineOperationId", "string"), ("State", "string"), ("StateDetails", "string"),
                 ("EngineStartTime", "datetime"), ("EngineDuration", "timespan"), ("Retries", "long"),
                 ("ClientRequestId", "string"), ("Principal", "string")]
PURGE_PLAN_COLUMNS = [("NumRecordsToPurge", "long"), ("EstimatedPurgeExecutionTime", "timespan"),
                      ("VerificationToken", "string")]

_UNITS = {"mb": 1 << 20, "gb": 1 << 30, "bytes": 1}


def _ids_of(session: Session, source: Any) -> set[str]:
    from kshell.engine.misc import run_nested

    result = run_nested(session, source)
    if "ExtentId" not in result.column_names:
        raise BadRequest("the query after '<|' must return an ExtentId column")
    return {str(v).lower() for v in result.column("ExtentId") if v is not None}


# ------------------------------------------------------------ .drop extents

@handler(DropExtents)
def drop_extents(session: Session, node: DropExtents) -> Result:
    db = session.database
    if node.table is not None:
        pairs = [get_table(session, node.table)]
    else:
        pairs = [(db, t) for t in db.tables.values()]
    wanted = {i.strip().lower() for i in node.ids} if node.ids else None
    if node.source is not None:
        wanted = _ids_of(session, node.source)
    now = session.now()
    plan: list[tuple[Any, Any, Extent]] = []
    for tdb, table in pairs:
        for e in table.extents:
            if wanted is not None and str(e.extent_id).lower() not in wanted:
                continue
            if node.older is not None:
                n, unit = node.older
                age = dt.timedelta(days=n) if unit == "days" else dt.timedelta(hours=n)
                if e.ingestion_time > now - age:
                    continue
            if node.trim is not None:
                what, n, unit = node.trim
                size = sum(estimated_size(col) for col in extent_rows(table, e))
                if what == "extentsize":
                    size /= 2
                if size >= n * _UNITS[unit]:
                    continue  # trim by: drops the extents *smaller* than the size
            plan.append((tdb, table, e))
    if wanted is not None and node.ids and not node.source:
        found = {str(e.extent_id).lower() for _, _, e in plan}
        missing = sorted(wanted - found)
        if missing:
            raise EntityNotFound(f"Extent '{missing[0]}' was not found")
    if node.limit is not None:
        plan = plan[:node.limit]
    if not node.pretend:
        dropped = {id(e) for _, _, e in plan}
        for table in {id(t): t for _, t, _ in plan}.values():
            remove_extents(table, lambda e: id(e) in dropped)
    return Result.of(DROP_COLUMNS, [[e.extent_id, t.name, e.ingestion_time] for _, t, e in plan])


# ------------------------------------------------------------ .move extents

@handler(MoveExtents)
def move_extents(session: Session, node: MoveExtents) -> Result:
    from kshell.engine.ingest import next_extent_id

    tdb, target = get_table(session, node.target_table)
    if node.source is not None:
        wanted = _ids_of(session, node.source)
        sources = [(d, t) for d in session.cluster.databases.values() for t in d.tables.values()
                   if t is not target and any(str(e.extent_id).lower() in wanted for e in t.extents)]
    else:
        sdb, table = get_table(session, node.source_table)
        if table is target:
            raise BadRequest("the source and destination tables of .move extents must differ")
        sources = [(sdb, table)]
        wanted = None if node.all else {i.strip().lower() for i in node.ids}
    plan = []
    for sdb, table in sources:
        if [(c.name, c.type) for c in table.columns] != [(c.name, c.type) for c in target.columns]:
            raise BadRequest(f"cannot move extents from '{table.name}' to '{target.name}': the tables' "
                             "schemas differ")
        for e in table.extents:
            if wanted is None or str(e.extent_id).lower() in wanted:
                plan.append((table, e, extent_rows(table, e)))
    if wanted is not None and node.source is None:
        missing = sorted(wanted - {str(e.extent_id).lower() for _, e, _ in plan})
        if missing:
            raise EntityNotFound(f"Extent '{missing[0]}' was not found in table '{sources[0][1].name}'")
    rows = []
    for table, e, columns in plan:
        remove_extents(table, lambda x, e=e: x is e)
        first = target.row_count
        for col, values in zip(target.data, columns):
            col.extend(values)
        new = Extent(next_extent_id(session, tdb.name, target.name), first, e.row_count, e.ingestion_time,
                     list(e.tags))
        target.extents.append(new)
        rows.append([str(e.extent_id), str(new.extent_id), ""])
    result = Result.of(MOVE_COLUMNS, rows)
    if node.is_async:
        from kshell.engine.operations import record_operation

        return Result.of([("OperationId", "guid")], [[record_operation(session, "ExtentsMove", target.name, result)]])
    return result


# ------------------------------------------------------------ .merge / .rebuild

@handler(MergeExtents)
def merge_extents(session: Session, node: MergeExtents) -> Result:
    """kshell keeps one extent per ingestion and never merges: the command checks its
    arguments and reports each extent as its own result, taking no time."""
    _, table = get_table(session, node.table)
    for key in node.properties:
        if key.lower() != "rebuild":
            raise BadRequest(f"unknown property '{key}' (expected rebuild)")
    known = {str(e.extent_id).lower() for e in table.extents}
    for i in node.ids:
        if i.strip().lower() not in known:
            raise EntityNotFound(f"Extent '{i.strip()}' was not found in table '{table.name}'")
    ids = [i.strip().lower() for i in node.ids]
    result = Result.of(MERGE_COLUMNS, [[i, i, dt.timedelta(0)] for i in ids])
    if node.is_async:
        from kshell.engine.operations import record_operation

        return Result.of([("OperationId", "guid")],
                         [[record_operation(session, "ExtentsMerge", table.name, result)]])
    return result


# ------------------------------------------------------------ .delete / .purge records

def _matching_rows(session: Session, db: Any, table: Any, query_text: str, purge: bool) -> list[bool]:
    """One flag per row of `table`: does the predicate return it?"""
    from kshell.engine.cluster import Column, Table
    from kshell.engine.queries import SessionQueryContext
    from kshell.query import run
    from kshell.syntax import ast, parse_query

    if purge:
        text = f"{_quote_name(table.name)} | {query_text}"
    else:
        text = query_text
    try:
        query = parse_query(text)
    except KustoError as e:
        raise BadRequest(f"the predicate is not a valid query: {e.message}") from None
    body = query.body
    if query.statements or not isinstance(body, ast.Pipeline) or not isinstance(body.source, ast.TableRef) \
            or body.source.name != table.name or body.source.database is not None:
        raise BadRequest(f"the predicate must be a query over '{table.name}' (e.g. '{table.name} | where ...')")
    if not any(isinstance(op, ast.Where) for op in body.operators):
        raise BadRequest("the predicate must have at least one 'where' operator")
    operators = []
    for op in body.operators:
        if isinstance(op, (ast.Where, ast.Extend)):
            operators.append(op)
        elif isinstance(op, ast.Project):
            # `project` keeps every row: only its computed columns matter to later filters
            items = [a for a in op.items if a.name is not None]
            if items:
                operators.append(ast.Extend(items=items, pos=op.pos))
        else:
            raise BadRequest("the predicate may only use the 'where', 'extend' and 'project' operators")
    row_col = "__kshell_row"
    copy = Table(table.name, [Column(c.name, c.type) for c in table.columns] + [Column(row_col, "long")],
                 data=[list(col) for col in table.data] + [list(range(table.row_count))],
                 extents=table.extents)
    pipeline = ast.Pipeline(source=body.source, operators=operators + [ast.Project(items=[ast.Assignment(
        name=None, expr=ast.Name(name=row_col, pos=0), pos=0)], pos=0)], pos=body.pos)
    ctx = SessionQueryContext(session, database=db.name, scoped_tables={(db.name.lower(), table.name): copy})
    result = run(ast.Query(statements=[], body=pipeline, text=text, pos=0), ctx)
    keep = [True] * table.row_count
    for (row,) in result.rows:
        keep[row] = False
    return keep


def _quote_name(name: str) -> str:
    from kshell.engine.tables import csl_name

    return csl_name(name)


def _flag(props: dict, name: str) -> bool:
    raw = next((v for k, v in props.items() if k.lower() == name), False)
    return str(raw).lower() == "true" if not isinstance(raw, bool) else raw


@handler(DeleteRecords)
def delete_records(session: Session, node: DeleteRecords) -> Result:
    if node.kind == "purge":
        return _purge(session, node)
    for key in node.properties:
        if key.lower() != "whatif":
            raise BadRequest(f"unknown property '{key}' (expected whatif)")
    db, table = get_table(session, node.table)
    keep = _matching_rows(session, db, table, node.predicate, purge=False)
    rows = []
    for e in table.extents:
        hits = keep[e.first_row:e.first_row + e.row_count].count(False)
        if hits:
            rows.append([table.name, db.name, e.extent_id, hits])
    if not _flag(node.properties, "whatif"):
        keep_rows(table, keep)
    result = Result.of(DELETE_COLUMNS, rows)
    if node.is_async:
        from kshell.engine.operations import record_operation

        return Result.of([("OperationId", "guid")], [[record_operation(session, "TableDeleteRecords", table.name, result)]])
    return result


def _purge(session: Session, node: DeleteRecords) -> Result:
    """Purge (simulated): the two steps of the docs -- without `noregrets`, the first call
    returns the number of records and a verification token; the second, with that token,
    purges.  Purged rows are gone at once (the service takes days to clean storage)."""
    for key in node.properties:
        if key.lower() not in ("noregrets", "verificationtoken"):
            raise BadRequest(f"unknown property '{key}' (expected noregrets or verificationtoken)")
    db = session.get_database(node.database)
    db, table = get_table(session, [db.name, node.table[-1]])
    keep = _matching_rows(session, db, table, node.predicate, purge=True)
    count = keep.count(False)
    token = hashlib.sha256(f"{db.name}\0{table.name}\0{node.predicate}\0{count}".encode()).hexdigest()[:40]
    given = next((str(v) for k, v in node.properties.items() if k.lower() == "verificationtoken"), None)
    if not _flag(node.properties, "noregrets") and given is None:
        return Result.of(PURGE_PLAN_COLUMNS, [[count, dt.timedelta(seconds=count // 1000 + 1), token]])
    if given is not None and given.strip().lstrip("hH").strip("'\"") != token:
        raise BadRequest("the verification token does not match this purge (run the command without it first)")
    keep_rows(table, keep)
    now = session.now()
    op = derived_id("purge", db.name, table.name, str(now), token)
    return Result.of(PURGE_COLUMNS, [[op, db.name, table.name, now, dt.timedelta(0), now, str(op), "Completed",
                                      f"{count} records purged", now, dt.timedelta(0), 0, "", session.principal]])


# ------------------------------------------------------------ .show materialized-view V extents

@handler(ShowViewExtents)
def show_view_extents(session: Session, node: ShowViewExtents) -> Result:
    from kshell.engine.extents import EXTENTS_COLUMNS
    from kshell.engine.materialized_views.commands import get_view

    db, view = get_view(session, node.name)
    rows = []
    for e in view.extents:
        lo, hi = e.first_row, e.first_row + e.row_count
        original = float(sum(estimated_size(col[lo:hi]) for col in view.data))
        rows.append([e.extent_id, db.name, view.name, e.ingestion_time, original, original / 2, original / 2,
                     original / 10, 1, 1, "", e.row_count, e.ingestion_time, "\r\n".join(e.tags), "StorageV3", 0])
    return Result.of(EXTENTS_COLUMNS, rows)


# ------------------------------------------------------------ extent tags by query

@handler(ExtentTagsByQuery)
def extent_tags_by_query(session: Session, node: ExtentTagsByQuery) -> Result:
    """The table family's extent-tags change, on every table of the context database holding
    one of the extents the query returns."""
    from kshell.engine.extents import EXTENT_TAGS_COLUMNS, extent_tags
    from kshell.syntax.cmd_table import ExtentTagsCommand

    wanted = _ids_of(session, node.source)
    db = session.database
    rows = []
    for table in list(db.tables.values()):
        if any(str(e.extent_id).lower() in wanted for e in table.extents):
            sub = ExtentTagsCommand(action=node.action, name=[db.name, table.name], tags=list(node.tags),
                                    source=node.source)
            rows.extend(extent_tags(session, sub).rows)
    result = Result.of(EXTENT_TAGS_COLUMNS, rows)
    if node.is_async:
        from kshell.engine.operations import record_operation

        return Result.of([("OperationId", "guid")], [[record_operation(session, "ExtentsAlterTags", "", result)]])
    return result
