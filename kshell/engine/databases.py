"""Handlers of the database family.

`.create database X [volatile | persist (...)] [ifnotexists]` and `.drop
database X [ifexists]` are simulator conveniences: in Azure Data Explorer
databases are created and deleted through ARM (spec 1.3).  kshell keeps every
database in memory (or in the state file); `volatile` only changes what
`.show databases` reports in PersistentStorage.
"""

from __future__ import annotations

from kshell.errors import BadRequest, Conflict, DatabaseNotFound, KustoError
from kshell.result import Result
from kshell.engine.cluster import Database, derived_id
from kshell.engine.lazy_modules import lazy_module
from kshell.engine.session import Session, handler

TYPE_CHECKING = False
if TYPE_CHECKING:
    import json
    from typing import Any
else:  # `.show databases` needs neither JSON nor the table family (script start-up, issue 18)
    lazy_module(globals(), "json")
from kshell.syntax.cmd_database import (
    AlterDatabasePrettyName,
    CreateDatabase,
    DropDatabase,
    ShowDatabase,
    ShowDatabases,
    ShowDatabasesEntities,
    ShowDatabaseSchema,
    ShowDatabaseSchemaViolations,
)

SCHEMA_VERSION = "v1.0"

DATABASES_COLUMNS = [
    ("DatabaseName", "string"), ("PersistentStorage", "string"), ("Version", "string"),
    ("IsCurrent", "bool"), ("DatabaseAccessMode", "string"), ("PrettyName", "string"),
    ("ReservedSlot1", "bool"), ("DatabaseId", "guid"), ("InTransitionTo", "string"),
]
DATABASE_DETAILS_COLUMNS = [
    ("DatabaseName", "string"), ("PersistentStorage", "string"), ("Version", "string"),
    ("IsCurrent", "bool"), ("DatabaseAccessMode", "string"), ("PrettyName", "string"),
    ("AuthorizedPrincipals", "string"), ("RetentionPolicy", "string"), ("MergePolicy", "string"),
    ("ReservedSlot1", "string"), ("CachingPolicy", "string"), ("ShardingPolicy", "string"),
    ("StreamingIngestionPolicy", "string"), ("IngestionBatchingPolicy", "string"), ("TotalSize", "real"),
    ("DatabaseId", "guid"), ("InTransitionTo", "string"),
]
_IDENTITY_COLUMNS = DATABASES_COLUMNS[:6] + [("CurrentUserIsUnrestrictedViewer", "bool"), ("DatabaseId", "guid"),
                                              ("InTransitionTo", "string")]
_POLICIES_COLUMNS = DATABASES_COLUMNS[:6] + [
    ("DatabaseId", "guid"), ("AuthorizedPrincipals", "string"), ("RetentionPolicy", "string"),
    ("MergePolicy", "string"), ("CachingPolicy", "string"), ("ShardingPolicy", "string"),
    ("StreamingIngestionPolicy", "string"), ("IngestionBatchingPolicy", "string")]
_DATASTATS_COLUMNS = DATABASES_COLUMNS[:6] + [
    ("CurrentUseIsUnrestrictedViewer", "bool"), ("DatabaseId", "guid"), ("OriginalSize", "real"),
    ("ExtentSize", "real"), ("CompressedSize", "real"), ("IndexSize", "real"), ("RowCount", "long"),
    ("HotOriginalSize", "real"), ("HotExtentSize", "real"), ("HotCompressedSize", "real"),
    ("HotIndexSize", "real"), ("HotRowCount", "long")]
ENTITIES_COLUMNS = [("DatabaseName", "string"), ("EntityType", "string"), ("EntityName", "string"),
                    ("DocString", "string"), ("Folder", "string"), ("CslInputSchema", "string"),
                    ("Content", "string"), ("CslOutputSchema", "string"), ("Properties", "dynamic")]
CREATE_DATABASE_COLUMNS = [("DatabaseName", "string"), ("PersistentPath", "string"), ("Created", "string"),
                           ("StoresMetadata", "bool"), ("StoresData", "bool")]
PRETTY_NAME_COLUMNS = [("DatabaseName", "string"), ("PrettyName", "string")]
DATABASES_FLAVOR_COLUMNS = {"": DATABASES_COLUMNS, "details": DATABASE_DETAILS_COLUMNS,
                            "identity": _IDENTITY_COLUMNS, "policies": _POLICIES_COLUMNS,
                            "datastats": _DATASTATS_COLUMNS}
SCHEMA_COLUMNS = [
    ("DatabaseName", "string"), ("TableName", "string"), ("ColumnName", "string"), ("ColumnType", "string"),
    ("IsDefaultTable", "bool"), ("IsDefaultColumn", "bool"), ("PrettyName", "string"), ("Version", "string"),
    ("Folder", "string"), ("DocString", "string"),
]


def persistent_storage(session: Session, db: Database) -> str:
    if not db.persistent:
        return ""
    return f"https://{session.cluster.name.lower()}storage.blob.core.windows.net/{db.name.lower()}"


def database_id(session: Session, db: Database):
    return derived_id(session.cluster.name, "database", db.name.lower())


def database_row(session: Session, db: Database) -> list[Any]:
    return _flavor_row(session, db, DATABASES_COLUMNS)


def databases_result(session: Session, dbs: list[Database]) -> Result:
    return Result.of(DATABASES_COLUMNS, [database_row(session, db) for db in dbs])


@handler(CreateDatabase)
def create_database(session: Session, node: CreateDatabase) -> Result:
    from kshell.engine.tables import validate_name

    validate_name(node.name, "database")
    existing = session.cluster.database(node.name)
    if existing is not None:
        if not node.ifnotexists:
            raise Conflict(f"Database '{existing.name}' already exists")
        return Result.of(CREATE_DATABASE_COLUMNS, [[existing.name, persistent_storage(session, existing),
                                                    "False", existing.persistent, existing.persistent]])
    db = session.cluster.add_database(Database(node.name, persistent=not node.volatile))
    path = node.persist[0] if node.persist else persistent_storage(session, db)
    return Result.of(CREATE_DATABASE_COLUMNS, [[db.name, path, "True", db.persistent, db.persistent]])


@handler(DropDatabase)
def drop_database(session: Session, node: DropDatabase) -> Result:
    db = session.cluster.database(node.name)
    if db is None:
        if not node.ifexists:
            raise DatabaseNotFound(f"Database '{node.name}' was not found")
    elif db.name.lower() == session.database_name.lower():
        raise BadRequest(f"Database '{db.name}' is the database in context; switch to another one "
                         "(#db NAME) before dropping it")
    else:
        del session.cluster.databases[db.name.lower()]
    return databases_result(session, list(session.cluster.databases.values()))


@handler(AlterDatabasePrettyName)
def alter_pretty_name(session: Session, node: AlterDatabasePrettyName) -> Result:
    db = session.get_database(node.name)
    db.pretty_name = node.pretty_name
    return Result.of(PRETTY_NAME_COLUMNS, [[db.name, db.pretty_name]])


@handler(ShowDatabases)
def show_databases(session: Session, node: ShowDatabases) -> Result:
    if node.names:
        dbs = [session.get_database(n) for n in node.names]
    elif node.flavor:
        dbs = _visible_databases(session)  # the flavours show metadata: only what the caller may see
    else:
        dbs = list(session.cluster.databases.values())
    columns = DATABASES_FLAVOR_COLUMNS[node.flavor]
    if node.flavor == "datastats":
        columns = [c for c in columns if c[0] != "CurrentUseIsUnrestrictedViewer"]
    return Result.of(columns, [_flavor_row(session, db, columns) for db in dbs])


def _visible_databases(session: Session) -> list[Database]:
    """Databases whose metadata the caller may see (the security family decides)."""
    from kshell.engine.permissions import visible_databases

    return visible_databases(session)


@handler(ShowDatabase)
def show_database(session: Session, node: ShowDatabase) -> Result:
    db = session.get_database(node.name)
    columns = DATABASES_FLAVOR_COLUMNS[node.flavor]
    return Result.of(columns, [_flavor_row(session, db, columns)])


def _flavor_row(session: Session, db: Database, columns: list[tuple[str, str]]) -> list[Any]:
    """One database's row for any of the `.show database(s) [flavor]` column sets."""
    original = 0.0
    if db.tables:
        from kshell.engine.tables import estimated_size

        original = float(sum(estimated_size(col) for t in db.tables.values() for col in t.data))
    rows = sum(t.row_count for t in db.tables.values())
    fields: dict[str, Any] = {
        "DatabaseName": db.name, "PersistentStorage": persistent_storage(session, db), "Version": SCHEMA_VERSION,
        "IsCurrent": db.name.lower() == session.database_name.lower(), "DatabaseAccessMode": "ReadWrite",
        "PrettyName": db.pretty_name, "ReservedSlot1": False, "DatabaseId": database_id(session, db),
        "InTransitionTo": "", "CurrentUserIsUnrestrictedViewer": False, "CurrentUseIsUnrestrictedViewer": False,
        "AuthorizedPrincipals": (json.dumps([getattr(p, "fqn", str(p)) for p in db.principals])
                                 if db.principals else "[]"),
        "TotalSize": original / 2, "OriginalSize": original, "ExtentSize": original / 2,
        "CompressedSize": original / 2, "IndexSize": original / 10, "RowCount": rows,
        "HotOriginalSize": original, "HotExtentSize": original / 2, "HotCompressedSize": original / 2,
        "HotIndexSize": original / 10, "HotRowCount": rows,
    }
    if any(name not in fields for name, _ in columns):  # a flavour with policy columns
        from kshell.engine.policies.script import database_policy_fields

        fields.update(database_policy_fields(db))
    row = []
    for name, type_name in columns:
        value = fields.get(name, "null")  # unset policies show as null
        if name == "ReservedSlot1" and type_name == "string":
            value = ""
        row.append(value)
    return row


@handler(ShowDatabasesEntities)
def show_databases_entities(session: Session, node: ShowDatabasesEntities) -> Result:
    from kshell.engine.tables import csl_schema

    dbs = [session.get_database(n) for n in node.names] if node.names else _visible_databases(session)
    rows = []
    for db in dbs:
        for t in db.tables.values():
            rows.append([db.name, "Table", t.name, t.docstring, t.folder, "", "", csl_schema(t), {}])
        for name, ext in db.external_tables.items():
            rows.append([db.name, "ExternalTable", name, getattr(ext, "docstring", ""), getattr(ext, "folder", ""),
                         "", "", "", {}])
        for f in db.functions.values():
            rows.append([db.name, "Function", f.name, f.docstring, f.folder, f.parameters, f.body, "",
                         {"IsView": f.view}])
        for v in db.materialized_views.values():
            schema = ",".join(f"{c.name}:{c.type}" for c in v.columns)
            rows.append([db.name, "MaterializedView", v.name, v.docstring, v.folder, "", v.query, schema,
                         {"SourceTable": v.source_table, "IsEnabled": v.is_enabled}])
    return Result.of(ENTITIES_COLUMNS, rows)


@handler(ShowDatabaseSchemaViolations)
def show_schema_violations(session: Session, node: ShowDatabaseSchemaViolations) -> Result:
    session.get_database(node.name)
    # Every entity kshell stores was validated when it was created: there are no violations to report.
    return Result.of([("EntityKind", "string"), ("EntityName", "string"), ("Property", "string"),
                      ("Reason", "string")], [])


@handler(ShowDatabaseSchema)
def show_database_schema(session: Session, node: ShowDatabaseSchema) -> Result:
    if node.all_databases:
        dbs = _visible_databases(session)
    elif node.names:
        dbs = [session.get_database(n) for n in node.names]
    else:
        dbs = [session.database]
    if node.format == "json":
        doc = {"Databases": {db.name: schema_object(db) for db in dbs}}
        return Result.of([("DatabaseSchema", "string")], [[json.dumps(doc, separators=(",", ":"))]])
    if node.format == "cslschema":
        from kshell.engine.tables import TABLE_SCHEMA_COLUMNS, csl_schema, schema_row

        return Result.of(TABLE_SCHEMA_COLUMNS, [schema_row(db, t, csl_schema(t)) for db in dbs
                                                for t in db.tables.values()])
    if node.format == "csl":
        return Result.of([("DatabaseSchemaScript", "string")],
                         [[line] for db in dbs for line in csl_script(db)])
    from kshell.engine.values import clr_type

    rows: list[list[Any]] = []
    for db in dbs:
        rows.append([db.name, "", "", "", False, False, db.pretty_name, SCHEMA_VERSION, "", ""])
        for t in db.tables.values():
            rows.append([db.name, t.name, "", "", False, False, "", SCHEMA_VERSION, t.folder, t.docstring])
            for c in t.columns:
                rows.append([db.name, t.name, c.name, clr_type(c.type), False, False, "", SCHEMA_VERSION,
                             "", ""])
    return Result.of(SCHEMA_COLUMNS, rows)


def schema_object(db: Database) -> dict[str, Any]:
    """One database in the JSON shape of `.show database X schema as json`."""
    from kshell.engine.policies.script import policies_object
    from kshell.engine.tables import schema_json

    tables = {}
    for t in db.tables.values():
        obj = json.loads(schema_json(t))
        obj["Folder"] = t.folder or None
        obj["DocString"] = t.docstring or None
        obj["Policies"] = policies_object(t)
        tables[t.name] = obj
    functions = {
        f.name: {"Name": f.name, "InputParameters": input_parameters(f.parameters), "Body": f.body,
                 "Folder": f.folder or None,
                 "DocString": f.docstring or None, "FunctionKind": "ViewFunction" if f.view else "Unknown",
                 "OutputColumns": [], "Parameters": f.parameters}
        for f in db.functions.values()
    }
    return {
        "Name": db.name, "Tables": tables, "ExternalTables": {}, "MaterializedViews": view_objects(db),
        "Policies": policies_object(db),
        "Functions": functions, "EntityGroups": {}, "MajorVersion": 1, "MinorVersion": 0,
        "DatabaseAccessMode": "ReadWrite",
    }


def view_objects(db: Database) -> dict[str, Any]:
    """Materialized views in the JSON schema (their family registers VIEW_SCHEMA)."""
    if db.materialized_views:
        from kshell.engine.session import load_hook_owners

        load_hook_owners("schema")
    return {name: VIEW_SCHEMA[0](db, v) for name, v in db.materialized_views.items()} if VIEW_SCHEMA else {}


# [fn(db, view) -> dict], set by the materialized-views family.
VIEW_SCHEMA: list = []


def input_parameters(text: str) -> list[dict[str, Any]]:
    """A function's parameter list in the JSON schema shape (scalar: Name/Type/CslType,
    tabular: Name/Columns)."""
    try:
        from kshell.syntax.cursor import Cursor
        from kshell.syntax.query import parse_params

        params = parse_params(Cursor(text))
    except (ImportError, KustoError):  # stored text that no longer parses: show no parameters
        return []
    from kshell.engine.values import clr_type

    out = []
    for p in params:
        if p.type == "table":
            out.append({"Name": p.name, "Columns": [{"Name": c.name, "Type": clr_type(c.type), "CslType": c.type}
                                                    for c in (p.schema or [])]})
        else:
            out.append({"Name": p.name, "Type": clr_type(p.type), "CslType": p.type})
    return out


def csl_script(db: Database) -> list[str]:
    """The commands that recreate a database: its policies, tables (with their mappings and
    policies), functions, materialized views, then update and row level security policies
    (which may call the functions)."""
    from kshell.engine.policies import script as policy_script
    from kshell.engine.session import load_hook_owners

    load_hook_owners("schema")  # the families that add sections (materialized views)
    lines = policy_script.database_policy_lines(db, _name(db.name))
    lines += _mapping_lines(db, f"database {_name(db.name)}")
    for t in db.tables.values():
        lines += table_script(t)
    for f in db.functions.values():
        lines.append(function_script(f))
    for extra in SCRIPT_SECTIONS:
        lines += extra(db)
    for t in db.tables.values():
        lines += policy_script.table_flow_lines(t, _name(t.name))
    return lines


def table_script(t) -> list[str]:
    """The commands that recreate one table: schema, column docstrings, mappings, policies
    (update and row level security policies excepted: see csl_script)."""
    from kshell.engine.policies import script as policy_script
    from kshell.engine.tables import csl_schema

    props = _with_clause(folder=t.folder, docstring=t.docstring)
    schema = csl_schema(t).replace(",", ", ")
    lines = [f".create-merge table {_name(t.name)} ({schema}){props}"]
    docs = [f'{_name(c.name)}:"{_escape(c.docstring)}"' for c in t.columns if c.docstring]
    if docs:
        lines.append(f".alter-merge table {_name(t.name)} column-docstrings ({', '.join(docs)})")
    lines += _mapping_lines(t, f"table {_name(t.name)}")
    lines += policy_script.table_policy_lines(t, _name(t.name), _name)
    return lines


def function_script(f) -> str:
    props = _with_clause(folder=f.folder, docstring=f.docstring,
                         skipvalidation="true" if f.skipvalidation else "",
                         view="true" if f.view else "")
    return f".create-or-alter function{props} {_name(f.name)}{f.parameters} {f.body}"


# Other families' parts of the csl script, each `(db) -> lines`, written after the
# functions (materialized views register here).
SCRIPT_SECTIONS: list = []


def _mapping_lines(entity, target: str) -> list[str]:
    from kshell.engine.mappings import STORE_KEY

    lines = []
    for key, record in (entity.policies.get(STORE_KEY) or {}).items():
        kind = key.split(":", 1)[0]
        mapping = record["Mapping"]
        literal = "@'" + mapping + "'" if "'" not in mapping else json.dumps(mapping)
        lines.append(f'.create-or-alter {target} ingestion {kind} mapping "{_escape(record["Name"])}" {literal}')
    return lines


def _with_clause(**props: str) -> str:
    given = [(k, v) for k, v in props.items() if v]
    if not given:
        return ""
    return " with (" + ", ".join(f'{k} = "{_escape(v)}"' for k, v in given) + ")"


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _name(name: str) -> str:
    from kshell.engine.tables import csl_name

    return csl_name(name)
