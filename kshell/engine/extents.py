"""Extents: `.show ... extents` and extent tags (`.alter[-merge]|.drop table T extent tags`).

One extent per ingestion (kshell.engine.cluster.Extent): its id, first row, row
count, ingestion time and tags.  Changing an extent's tags replaces it with a
new extent id, as the service does.
"""

from __future__ import annotations

from kshell.errors import BadRequest
from kshell.result import Result
from kshell.engine.cluster import Database, Extent, Table
from kshell.engine.session import Session, handler
from kshell.engine.tables import estimated_size, get_table
from kshell.syntax.cmd_table import ExtentTagsCommand, ShowExtents, ShowTableExtents

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


EXTENTS_COLUMNS = [
    ("ExtentId", "guid"), ("DatabaseName", "string"), ("TableName", "string"), ("MaxCreatedOn", "datetime"),
    ("OriginalSize", "real"), ("ExtentSize", "real"), ("CompressedSize", "real"), ("IndexSize", "real"),
    ("Blocks", "long"), ("Segments", "long"), ("ExtentContainerId", "string"), ("RowCount", "long"),
    ("MinCreatedOn", "datetime"), ("Tags", "string"), ("Kind", "string"), ("DeletedRowCount", "long"),
]


@handler(ShowTableExtents)
def show_table_extents(session: Session, node: ShowTableExtents) -> Result:
    db, table = get_table(session, node.name)
    return _extents_result(session, [(db, table)], node.extent_ids, node.tag_filters)


@handler(ShowExtents)
def show_extents(session: Session, node: ShowExtents) -> Result:
    if node.scope == "cluster":
        from kshell.engine.permissions import visible_databases

        # only the databases whose metadata the caller may see
        pairs = [(db, t) for db in visible_databases(session) for t in db.tables.values()]
    elif node.scope == "database":
        db = session.get_database(node.database)
        pairs = [(db, t) for t in db.tables.values()]
    else:
        pairs = [get_table(session, [name]) for name in node.tables]
    return _extents_result(session, pairs, node.extent_ids, node.tag_filters)


def _tag_matches(tags: list[str], op: str, value: str) -> bool:
    """Kusto's extent-tag predicates: `has` = equal to a tag, `contains` = substring of a tag
    (both case-insensitive); `!` negates."""
    v = value.lower()
    if op.endswith("has"):
        found = any(t.lower() == v for t in tags)
    else:
        found = any(v in t.lower() for t in tags)
    return not found if op.startswith("!") else found


def _extents_result(session: Session, pairs: list[tuple[Database, Table]], ids: list[str],
                    filters: list[tuple[str, str]]) -> Result:
    wanted = {i.strip().lower() for i in ids}
    rows = []
    for db, table in pairs:
        for e in table.extents:
            if wanted and str(e.extent_id) not in wanted:
                continue
            if not all(_tag_matches(e.tags, op, value) for op, value in filters):
                continue
            lo, hi = e.first_row, e.first_row + e.row_count
            original = float(sum(estimated_size(col[lo:hi]) for col in table.data))
            rows.append([e.extent_id, db.name, table.name, e.ingestion_time, original, original / 2,
                         original / 2, original / 10, 1, 1, "", e.row_count, e.ingestion_time,
                         "\r\n".join(e.tags), "StorageV3", 0])
    return Result.of(EXTENTS_COLUMNS, rows)


EXTENT_TAGS_COLUMNS = [("OriginalExtentId", "string"), ("ResultExtentId", "string"),
                       ("ResultExtentTags", "string"), ("Details", "string")]


@handler(ExtentTagsCommand)
def extent_tags(session: Session, node: ExtentTagsCommand) -> Result:
    """Change the tags of the table's extents (within the optional creation-time range).
    As in the service, a changed extent is replaced by a new one with a new id."""
    from kshell.engine.ingest import next_extent_id

    db, table = get_table(session, node.name)
    lo = _time_property(node.properties, "extentcreatedonfrom")
    hi = _time_property(node.properties, "extentcreatedonto")
    chosen = _selected_extent_ids(session, node.source) if node.source is not None else None
    plans = []
    for i, e in enumerate(table.extents):
        if (lo is not None and e.ingestion_time < lo) or (hi is not None and e.ingestion_time > hi):
            continue
        if chosen is not None and str(e.extent_id) not in chosen:
            continue
        if node.action == "set":
            new_tags = list(dict.fromkeys(node.tags))
        elif node.action == "merge":
            new_tags = list(dict.fromkeys(e.tags + node.tags))
        elif node.tags:
            drop = set(node.tags)
            new_tags = [t for t in e.tags if t not in drop]
        else:
            new_tags = []
        if new_tags != e.tags:
            plans.append((i, new_tags))
    rows = []
    for i, new_tags in plans:
        old = table.extents[i]
        new = Extent(next_extent_id(session, db.name, table.name), old.first_row, old.row_count,
                     old.ingestion_time, new_tags)
        table.extents[i] = new
        rows.append([str(old.extent_id), str(new.extent_id), "\r\n".join(new_tags), ""])
    return Result.of(EXTENT_TAGS_COLUMNS, rows)


def _selected_extent_ids(session: Session, source: Any) -> set[str]:
    """The ExtentId column of the `<| query or .command` result (ids as lower-case text)."""
    from kshell.engine.misc import run_nested

    result = run_nested(session, source)
    if "ExtentId" not in result.column_names:
        raise BadRequest("the query after '<|' must return an ExtentId column")
    return {str(v).lower() for v in result.column("ExtentId") if v is not None}


def _time_property(properties: dict, name: str):
    from kshell.engine.values import to_datetime

    raw = next((v for k, v in properties.items() if k.lower() == name), None)
    if raw is None:
        return None
    text = str(raw).strip()
    if text.lower().startswith("datetime(") and text.endswith(")"):
        text = text[len("datetime("):-1]
    value = to_datetime(text)
    if value is None:
        raise BadRequest(f"property '{name}' is not a datetime: {raw}")
    return value
