"""Handlers of the table family (spec 1.4, 9 rows 58-60).

Every handler validates everything first and then applies, so a failing
command leaves the cluster unchanged.
"""

from __future__ import annotations

import json

from kshell.errors import BadRequest, Conflict, EntityNameInvalid, TableNotFound
from kshell.result import Result
from kshell.engine.cluster import Column, Database, Table, derived_id
from kshell.engine.session import Session, handler
from kshell.engine.values import clr_type, empty_column
from kshell.syntax.cmd_table import (
    AlterColumnDocstrings,
    AlterColumnType,
    AlterTable,
    AlterTableAttribute,
    ClearTableData,
    CreateTable,
    CreateTableBasedOn,
    CreateTables,
    DropColumns,
    DropTables,
    RenameColumns,
    RenameTables,
    ShowTable,
    ShowTableDataStatistics,
    ShowTableDetails,
    ShowTables,
    ShowTableSchema,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


# Result schemas (spec 9; the service's column names and types).
TABLE_SCHEMA_COLUMNS = [("TableName", "string"), ("Schema", "string"), ("DatabaseName", "string"),
                        ("Folder", "string"), ("DocString", "string")]
TABLES_COLUMNS = [("TableName", "string"), ("DatabaseName", "string"), ("Folder", "string"),
                  ("DocString", "string")]
DROP_TABLE_COLUMNS = [("TableName", "string"), ("DatabaseName", "string")]
TABLE_DETAILS_COLUMNS = [
    ("TableName", "string"), ("DatabaseName", "string"), ("Folder", "string"), ("DocString", "string"),
    ("TotalExtents", "long"), ("TotalExtentSize", "real"), ("TotalOriginalSize", "real"),
    ("TotalRowCount", "long"), ("HotExtents", "long"), ("HotExtentSize", "real"),
    ("HotOriginalSize", "real"), ("HotRowCount", "long"), ("AuthorizedPrincipals", "string"),
    ("RetentionPolicy", "string"), ("CachingPolicy", "string"), ("ShardingPolicy", "string"),
    ("MergePolicy", "string"), ("StreamingIngestionPolicy", "string"),
    ("IngestionBatchingPolicy", "string"), ("MinExtentsCreationTime", "datetime"),
    ("MaxExtentsCreationTime", "datetime"), ("RowOrderPolicy", "string"), ("TableId", "guid"),
]
SHOW_TABLE_COLUMNS = [
    ("AttributeName", "string"), ("AttributeType", "string"), ("ExtentSize", "long"),
    ("CompressionRatio", "real"), ("IndexSize", "long"), ("IndexSizePercent", "real"),
    ("OriginalSize", "long"), ("AttributeId", "guid"), ("SharedIndexSize", "long"),
    ("StorageEngineVersion", "string"),
]
# Names starting or ending with two underscores are reserved (spec 0.2).
MAX_NAME_LENGTH = 1024


# ------------------------------------------------------------------ helpers

def validate_name(name: str, kind: str = "table") -> None:
    if not name or len(name) > MAX_NAME_LENGTH:
        raise EntityNameInvalid(f"The {kind} name '{name}' is not valid: names have 1 to 1024 characters")
    if name.startswith("__") or name.endswith("__"):
        raise EntityNameInvalid(f"The {kind} name '{name}' is not valid: names starting or ending with "
                                "'__' are reserved")
    bad = [ch for ch in name if not (ch.isalnum() or ch in "_ .-")]
    if bad:
        raise EntityNameInvalid(f"The {kind} name '{name}' is not valid: character '{bad[0]}' is not allowed")


def resolve_database(session: Session, parts: list[str]) -> tuple[Database, str]:
    """`[T]` or `[Db, T]` -> (database, table name)."""
    if len(parts) == 1:
        return session.database, parts[0]
    if len(parts) == 2:
        return session.get_database(parts[0]), parts[1]
    raise BadRequest(f"'{'.'.join(parts)}': cross-cluster table names are not supported here")


def get_table(session: Session, parts: list[str]) -> tuple[Database, Table]:
    db, name = resolve_database(session, parts)
    table = db.tables.get(name)
    if table is None:
        raise TableNotFound(f"Table '{name}' was not found in database '{db.name}'")
    return db, table


def check_schema(columns: list[tuple[str, str]], table_name: str) -> None:
    seen: set[str] = set()
    for name, _ in columns:
        validate_name(name, "column")
        if name in seen:
            raise BadRequest(f"Column '{name}' appears more than once in the schema of table '{table_name}'")
        seen.add(name)


def text_property(properties: dict, name: str) -> str | None:
    """A string property (docstring, folder) by case-insensitive name, or None when absent."""
    for k, v in properties.items():
        if k.lower() == name:
            return "" if v is None else str(v)
    return None


def schema_json(table: Table) -> str:
    """The table schema the way `.show table T schema as json` prints it."""
    return json.dumps({
        "Name": table.name,
        "OrderedColumns": [_column_json(c) for c in table.columns],
    }, separators=(",", ":"))


def _column_json(c: Column) -> dict[str, str]:
    out = {"Name": c.name, "Type": clr_type(c.type), "CslType": c.type}
    if c.docstring:
        out["DocString"] = c.docstring
    return out


def csl_schema(table: Table) -> str:
    return ",".join(f"{csl_name(c.name)}:{c.type}" for c in table.columns)


def csl_name(name: str) -> str:
    """A name as a command may spell it: bare, or bracketed when it is not a plain
    identifier or is one of Kusto's words (`['where']`: Kusto refuses `where:string`)."""
    plain = name.replace("_", "a").isalnum() and not name[0].isdigit() and name.lower() not in _KEYWORDS
    return name if plain else f"['{name}']"


def _keywords() -> frozenset:
    # bracketing a few words too many is harmless; one too few makes a script Kusto refuses
    from kshell.syntax.vocabulary import NEGATABLE_OPERATORS, QUERY_OPERATORS, SCALAR_TYPES, STRING_OPERATORS

    return frozenset({*QUERY_OPERATORS, *SCALAR_TYPES, *STRING_OPERATORS, *NEGATABLE_OPERATORS,
                      "and", "or", "not", "by", "on", "in", "true", "false", "null", "let", "print",
                      "datatable", "with", "of", "to", "from", "step", "table", "database", "cluster",
                      "typeof", "materialize", "toscalar", "set", "alias", "restrict", "pattern"})


_KEYWORDS = _keywords()


def schema_row(db: Database, table: Table, schema: str | None = None) -> list[Any]:
    return [table.name, schema_json(table) if schema is None else schema, db.name, table.folder, table.docstring]


def schema_result(db: Database, table: Table) -> Result:
    return Result.of(TABLE_SCHEMA_COLUMNS, [schema_row(db, table)])


def tables_result(db: Database, tables: list[Table]) -> Result:
    return Result.of(TABLES_COLUMNS, [[t.name, db.name, t.folder, t.docstring] for t in tables])


def merged_columns(table: Table, columns: list[tuple[str, str]]) -> list[Column]:
    """Existing columns plus the new ones (`-merge` commands); types must agree."""
    existing = {c.name: c for c in table.columns}
    out = list(table.columns)
    for name, type_name in columns:
        old = existing.get(name)
        if old is None:
            out.append(Column(name, type_name))
        elif old.type != type_name:
            raise BadRequest(f"Column '{name}' of table '{table.name}' has type '{old.type}'; it cannot be "
                             f"merged with type '{type_name}' (use .alter column to change a type)")
    return out


def reshape(table: Table, columns: list[Column]) -> list[list[Any]]:
    """The table's data laid out for a new column list: kept columns keep their values,
    new columns are null, dropped columns go away."""
    rows = table.row_count
    by_name = {c.name: i for i, c in enumerate(table.columns)}
    out = []
    for c in columns:
        i = by_name.get(c.name)
        out.append(table.data[i] if i is not None else empty_column(c.type, rows))
    return out


def estimated_size(values: list[Any]) -> int:
    """A rough, deterministic byte size of one column (for the size columns of show commands)."""
    total = 0
    for v in values:
        if v is None:
            continue
        total += len(v) if isinstance(v, str) else len(json.dumps(v, default=str)) if isinstance(v, (dict, list)) \
            else 8
    return total


# ----------------------------------------------------------------- handlers

@handler(CreateTable)
def create_table(session: Session, node: CreateTable) -> Result:
    db, name = resolve_database(session, node.name)
    validate_name(name)
    check_schema(node.columns, name)
    folder = text_property(node.properties, "folder")
    docstring = text_property(node.properties, "docstring")
    existing = db.tables.get(name)
    if existing is not None:
        if not node.merge:
            # Same name: success without any change, even when the schema differs (spec 1.4).
            return schema_result(db, existing)
        columns = merged_columns(existing, node.columns)
        existing.data = reshape(existing, columns)
        existing.columns = columns
        _set_attributes(existing, folder, docstring)
        return schema_result(db, existing)
    check_name_free(db, name)
    table = Table(name, [Column(n, t) for n, t in node.columns], folder=folder or "",
                  docstring=docstring or "", created_by=session.principal)
    db.tables[name] = table
    return schema_result(db, table)


@handler(CreateTableBasedOn)
def create_table_based_on(session: Session, node: CreateTableBasedOn) -> Result:
    _, source = get_table(session, node.source)
    db, name = resolve_database(session, node.name)
    validate_name(name)
    existing = db.tables.get(name)
    if existing is not None:
        return schema_result(db, existing)
    check_name_free(db, name)
    folder = text_property(node.properties, "folder")
    docstring = text_property(node.properties, "docstring")
    table = Table(name, [Column(c.name, c.type, c.docstring) for c in source.columns],
                  folder=source.folder if folder is None else folder,
                  docstring=source.docstring if docstring is None else docstring,
                  created_by=session.principal)
    db.tables[name] = table
    return schema_result(db, table)


@handler(CreateTables)
def create_tables(session: Session, node: CreateTables) -> Result:
    folder = text_property(node.properties, "folder")
    docstring = text_property(node.properties, "docstring")
    plans: list[tuple[Database, str, list[tuple[str, str]]]] = []
    seen: set[tuple[str, str]] = set()
    for parts, columns in node.tables:
        db, name = resolve_database(session, parts)
        validate_name(name)
        check_schema(columns, name)
        if (db.name.lower(), name) in seen:
            raise BadRequest(f"Table '{name}' appears more than once in the command")
        seen.add((db.name.lower(), name))
        existing = db.tables.get(name)
        if existing is not None and node.merge:
            merged_columns(existing, columns)  # validates types
        elif existing is None:
            check_name_free(db, name)
        plans.append((db, name, columns))
    touched = []
    for db, name, columns in plans:
        existing = db.tables.get(name)
        if existing is None:
            existing = Table(name, [Column(n, t) for n, t in columns], folder=folder or "",
                             docstring=docstring or "", created_by=session.principal)
            db.tables[name] = existing
        elif node.merge:
            merged = merged_columns(existing, columns)
            existing.data = reshape(existing, merged)
            existing.columns = merged
        touched.append((db, existing))
    return Result.of(TABLES_COLUMNS, [[t.name, db.name, t.folder, t.docstring] for db, t in touched])


@handler(AlterTable)
def alter_table(session: Session, node: AlterTable) -> Result:
    db, table = get_table(session, node.name)
    check_schema(node.columns, table.name)
    folder = text_property(node.properties, "folder")
    docstring = text_property(node.properties, "docstring")
    if node.merge:
        columns = merged_columns(table, node.columns)
    else:
        existing = {c.name: c for c in table.columns}
        for name, type_name in node.columns:
            old = existing.get(name)
            if old is not None and old.type != type_name:
                raise BadRequest(f"Column '{name}' of table '{table.name}' has type '{old.type}'; "
                                 f".alter table cannot change it to '{type_name}' (use .alter column)")
        columns = [Column(n, t, existing[n].docstring if n in existing else "") for n, t in node.columns]
    table.data = reshape(table, columns)
    table.columns = columns
    _set_attributes(table, folder, docstring)
    return schema_result(db, table)


@handler(AlterTableAttribute)
def alter_table_attribute(session: Session, node: AlterTableAttribute) -> Result:
    db, table = get_table(session, node.name)
    setattr(table, node.attribute, node.value)
    return schema_result(db, table)


@handler(AlterColumnDocstrings)
def alter_column_docstrings(session: Session, node: AlterColumnDocstrings) -> Result:
    """`.alter` replaces every column's docstring (unlisted columns lose theirs);
    `.alter-merge` changes only the listed ones."""
    db, table = get_table(session, node.name)
    names = {c.name for c in table.columns}
    for col, _ in node.docstrings:
        if col not in names:
            raise BadRequest(f"Column '{col}' does not exist in table '{table.name}'")
    docs = dict(node.docstrings)
    table.columns = [Column(c.name, c.type, docs.get(c.name, c.docstring if node.merge else ""))
                     for c in table.columns]
    return schema_result(db, table)


@handler(AlterColumnType)
def alter_column_type(session: Session, node: AlterColumnType) -> Result:
    """Change a column's type.  As in the service, values ingested before the change
    are not converted: the column reads as null for existing rows."""
    db, table = get_table(session, node.column[:-1])
    i = _column_index(table, node.column[-1])
    if table.columns[i].type != node.type:
        columns = list(table.columns)
        columns[i] = Column(columns[i].name, node.type, columns[i].docstring)
        data = list(table.data)
        data[i] = empty_column(node.type, table.row_count)
        table.columns, table.data = columns, data
    return schema_result(db, table)


@handler(DropColumns)
def drop_columns(session: Session, node: DropColumns) -> Result:
    db, table = get_table(session, node.table)
    names = {c.name for c in table.columns}
    missing = [c for c in node.columns if c not in names]
    if missing and not node.ifexists:
        raise BadRequest(f"Column '{missing[0]}' does not exist in table '{table.name}'")
    keep = [c for c in table.columns if c.name not in set(node.columns)]
    if not keep:
        raise BadRequest(f"Dropping {', '.join(node.columns)} would leave table '{table.name}' without columns")
    table.data = reshape(table, keep)
    table.columns = keep
    return schema_result(db, table)


@handler(RenameColumns)
def rename_columns(session: Session, node: RenameColumns) -> Result:
    # All renames at once (so `a = T.b, b = T.a` swaps), validated before any is applied.
    plans: dict[int, tuple[Database, Table, dict[str, str]]] = {}
    for parts, new in node.renames:
        db, table = get_table(session, parts[:-1])
        _column_index(table, parts[-1])
        validate_name(new, "column")
        plans.setdefault(id(table), (db, table, {}))[2][parts[-1]] = new
    results = []
    for db, table, renames in plans.values():
        names = [renames.get(c.name, c.name) for c in table.columns]
        if len(set(names)) != len(names):
            raise BadRequest(f"Renaming would give table '{table.name}' two columns with the same name")
    for db, table, renames in plans.values():
        table.columns = [Column(renames.get(c.name, c.name), c.type, c.docstring) for c in table.columns]
        results.append(schema_row(db, table))
    return Result.of(TABLE_SCHEMA_COLUMNS, results)


def _column_index(table: Table, name: str) -> int:
    i = table.column_index(name)
    if i is None:
        raise BadRequest(f"Column '{name}' does not exist in table '{table.name}'")
    return i


@handler(DropTables)
def drop_tables(session: Session, node: DropTables) -> Result:
    targets: list[tuple[Database, str]] = []
    for parts in node.names:
        db, name = resolve_database(session, parts)
        if name not in db.tables:
            if node.ifexists:
                continue
            raise TableNotFound(f"Table '{name}' was not found in database '{db.name}'")
        targets.append((db, name))
    for db, name in targets:
        db.tables.pop(name, None)
    db = targets[0][0] if targets else resolve_database(session, node.names[0])[0]
    return Result.of(DROP_TABLE_COLUMNS, [[t.name, db.name] for t in db.tables.values()])


@handler(RenameTables)
def rename_tables(session: Session, node: RenameTables) -> Result:
    # All renames happen at once: `.rename tables A=B, B=A` swaps two tables.
    moves: list[tuple[Database, str, str]] = []
    for parts, new, ifexists in node.pairs:
        db, old = resolve_database(session, parts)
        if old not in db.tables:
            if ifexists:
                continue
            raise TableNotFound(f"Table '{old}' was not found in database '{db.name}'")
        validate_name(new)
        moves.append((db, old, new))
    for db in {id(m[0]): m[0] for m in moves}.values():
        olds = {old for d, old, _ in moves if d is db}
        news = [new for d, _, new in moves if d is db]
        if len(set(news)) != len(news):
            raise BadRequest("the same new table name is given twice")
        remaining = set(db.tables) - olds
        for new in news:
            if new in remaining:
                raise Conflict(f"Table '{new}' already exists in database '{db.name}'")
            check_name_free(db, new)
    taken = [(db, db.tables.pop(old), new) for db, old, new in moves]
    for db, table, new in taken:
        table.name = new
        db.tables[new] = table
    db = moves[0][0] if moves else session.database
    return tables_result(db, list(db.tables.values()))


@handler(ShowTables)
def show_tables(session: Session, node: ShowTables) -> Result:
    db = session.database
    if node.names:
        tables = [db.tables[n] for n in node.names if n in db.tables]
    else:
        tables = list(db.tables.values())
    if node.details:
        return Result.of(TABLE_DETAILS_COLUMNS, [_details_row(db, t) for t in tables])
    return tables_result(db, tables)


@handler(ShowTableDetails)
def show_table_details(session: Session, node: ShowTableDetails) -> Result:
    db, table = get_table(session, node.name)
    return Result.of(TABLE_DETAILS_COLUMNS, [_details_row(db, table)])


@handler(ShowTable)
def show_table(session: Session, node: ShowTable) -> Result:
    db, table = get_table(session, node.name)
    rows = []
    for i, c in enumerate(table.columns):
        original = estimated_size(table.data[i])
        extent_size = original // 2
        index = original // 10
        rows.append([c.name, clr_type(c.type), extent_size, round(original / extent_size, 3) if extent_size else 0.0,
                     index, round(100.0 * index / extent_size, 3) if extent_size else 0.0, original,
                     derived_id(session.cluster.name, "column", db.name.lower(), table.name, c.name), 0, "V3"])
    return Result.of(SHOW_TABLE_COLUMNS, rows)


DATA_STATISTICS_COLUMNS = [
    ("ColumnName", "string"), ("ColumnType", "string"), ("ColumnId", "guid"), ("OriginalSize", "long"),
    ("ExtentSize", "long"), ("CompressionRatio", "real"), ("DataCompressedSize", "long"),
    ("SharedIndexSize", "long"), ("IndexSize", "long"), ("IndexSizePercent", "real"),
    ("StorageEngineVersion", "string"), ("PresentRowCount", "long"), ("DeletedRowCount", "long"),
    ("SamplePercent", "real"), ("IncludeColdData", "bool"),
]


@handler(ShowTableDataStatistics)
def show_table_data_statistics(session: Session, node: ShowTableDataStatistics) -> Result:
    """Per-column size estimates; kshell always scans all the data (SamplePercent 100)."""
    db, table = get_table(session, node.name)
    rows = []
    for i, c in enumerate(table.columns):
        original = estimated_size(table.data[i])
        data_size = original // 2
        index = original // 10
        rows.append([c.name, c.type, derived_id(session.cluster.name, "column", db.name.lower(), table.name, c.name),
                     original, data_size + index, round(original / data_size, 3) if data_size else 0.0, data_size,
                     0, index, round(100.0 * index / original, 3) if original else 0.0, "V3", table.row_count, 0,
                     100.0, True])
    return Result.of(DATA_STATISTICS_COLUMNS, rows)


@handler(ShowTableSchema)
def show_table_schema(session: Session, node: ShowTableSchema) -> Result:
    db, table = get_table(session, node.name)
    schema = schema_json(table) if node.format == "json" else csl_schema(table)
    return Result.of(TABLE_SCHEMA_COLUMNS, [schema_row(db, table, schema)])


@handler(ClearTableData)
def clear_table_data(session: Session, node: ClearTableData) -> Result:
    _, table = get_table(session, node.name)
    table.data = [[] for _ in table.columns]
    table.extents = []
    return Result.of([("Status", "string")], [["Success"]])


# ------------------------------------------------------------------ private

def _set_attributes(table: Table, folder: str | None, docstring: str | None) -> None:
    if folder is not None:
        table.folder = folder
    if docstring is not None:
        table.docstring = docstring


def check_name_free(db: Database, name: str) -> None:
    """A new table's name may not be taken by an external table or a function."""
    if name in db.external_tables:
        raise BadRequest(f"'{name}' is already the name of an external table in database '{db.name}'")
    if name in db.functions:
        raise BadRequest(f"'{name}' is already the name of a function in database '{db.name}'")


def _details_row(db: Database, table: Table) -> list[Any]:
    original = float(sum(estimated_size(col) for col in table.data))
    extent_size = original / 2
    times = [e.ingestion_time for e in table.extents]
    principals = json.dumps([{"Role": getattr(p, "role", ""), "PrincipalFQN": getattr(p, "fqn", str(p))}
                             for p in table.principals]) if table.principals else "[]"
    from kshell.engine.policy_results import policy_json

    p = table.policies
    return [
        table.name, db.name, table.folder, table.docstring,
        len(table.extents), extent_size, original, table.row_count,
        len(table.extents), extent_size, original, table.row_count,
        principals, *(policy_json(p.get(k)) for k in ("retention", "caching", "sharding", "merge",
                                                       "streamingingestion", "ingestionbatching")),
        min(times) if times else None, max(times) if times else None, policy_json(p.get("roworder")),
        derived_id(db.name.lower(), "table", table.name),
    ]
