"""Ingestion mappings: `.create|.create-or-alter|.alter|.alter-merge|.show|.drop
(table T | database D) ingestion KIND mapping ...`, and how ingestion finds one
by `ingestionMappingReference`.

A mapping is stored on its table (or database) under `policies["ingestion_mappings"]`,
keyed `"<kind>:<name>"`, so it follows the table through renames and goes away
with it.
"""

from __future__ import annotations

import json

from kshell.errors import BadRequest, Conflict, EntityNotFound
from kshell.result import Result
from kshell.engine.session import Session, handler
from kshell.syntax.cmd_ingest import IngestionMappingCommand

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

STORE_KEY = "ingestion_mappings"
KIND_NAMES = {"csv": "Csv", "json": "Json", "avro": "Avro", "apacheavro": "ApacheAvro", "parquet": "Parquet",
              "orc": "Orc", "w3clogfile": "W3CLogFile", "sstream": "SStream"}
TABLE_MAPPING_COLUMNS = [("Name", "string"), ("Kind", "string"), ("Mapping", "string"),
                         ("LastUpdatedOn", "datetime"), ("Database", "string"), ("Table", "string")]
DATABASE_MAPPING_COLUMNS = TABLE_MAPPING_COLUMNS[:5]
# Which mapping kind serves which data format.
FORMAT_MAPPING_KIND = {"csv": "csv", "tsv": "csv", "tsve": "csv", "psv": "csv", "scsv": "csv", "sohsv": "csv",
                       "txt": "csv", "raw": "csv", "json": "json", "multijson": "json", "singlejson": "json",
                       "avro": "avro", "apacheavro": "apacheavro", "parquet": "parquet", "orc": "orc",
                       "w3clogfile": "w3clogfile"}


def _owner(session: Session, node: IngestionMappingCommand) -> tuple[Any, Any]:
    """(database, table or None) the mapping belongs to."""
    if node.entity_kind == "database":
        return session.get_database(node.entity[0]), None
    from kshell.engine.tables import get_table

    return get_table(session, node.entity)


def _store(entity: Any) -> dict[str, dict]:
    return entity.policies.get(STORE_KEY) or {}


def _rows(db: Any, table: Any, records: list[dict]) -> Result:
    if table is None:
        return Result.of(DATABASE_MAPPING_COLUMNS, [[r["Name"], r["Kind"], r["Mapping"], r["LastUpdatedOn"], db.name]
                                                    for r in records])
    return Result.of(TABLE_MAPPING_COLUMNS, [[r["Name"], r["Kind"], r["Mapping"], r["LastUpdatedOn"], db.name,
                                              table.name] for r in records])


def _parse_mapping(text: str, table: Any) -> list[dict]:
    try:
        value = json.loads(text)
    except ValueError as e:
        raise BadRequest(f"The ingestion mapping is not valid JSON: {e}") from None
    except RecursionError:
        raise BadRequest("The ingestion mapping is not valid JSON: nested too deeply") from None
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise BadRequest("The ingestion mapping must be a JSON array of column mappings")
    for m in value:
        column = next((v for k, v in m.items() if k.lower() in ("column", "name")), None)
        if not isinstance(column, str) or not column:
            raise BadRequest("Every column mapping needs a 'column' (or 'Name')")
        if table is not None and table.column_index(column) is None:
            raise BadRequest(f"The ingestion mapping names column '{column}', which table '{table.name}' "
                             "does not have")
    return value


def _column_of(m: dict) -> str:
    return next(v for k, v in m.items() if k.lower() in ("column", "name"))


@handler(IngestionMappingCommand)
def ingestion_mapping(session: Session, node: IngestionMappingCommand) -> Result:
    db, table = _owner(session, node)
    entity = table if table is not None else db
    store = _store(entity)
    if node.verb == "show":
        records = [r for r in store.values()
                   if (node.kind is None or r["Kind"] == KIND_NAMES[node.kind])
                   and (node.name is None or r["Name"] == node.name)]
        if node.name is not None and not records:
            raise EntityNotFound(f"Ingestion mapping '{node.name}' ({node.kind}) was not found")
        return _rows(db, table, records)
    key = f"{node.kind}:{node.name}"
    existing = store.get(key)
    if node.verb == "drop":
        if existing is None:
            raise EntityNotFound(f"Ingestion mapping '{node.name}' ({node.kind}) was not found")
        remaining = {k: v for k, v in store.items() if k != key}
        entity.policies[STORE_KEY] = remaining
        return _rows(db, table, [r for r in remaining.values() if r["Kind"] == existing["Kind"]])
    if node.verb == "create" and existing is not None:
        raise Conflict(f"Ingestion mapping '{node.name}' ({node.kind}) already exists")
    if node.verb in ("alter", "alter-merge") and existing is None:
        raise EntityNotFound(f"Ingestion mapping '{node.name}' ({node.kind}) was not found")
    columns = _parse_mapping(node.mapping or "", table)
    if node.verb == "alter-merge":
        merged = {_column_of(m): m for m in json.loads(existing["Mapping"])}
        merged.update({_column_of(m): m for m in columns})
        columns = list(merged.values())
    record = {"Name": node.name, "Kind": KIND_NAMES[node.kind],
              "Mapping": json.dumps(columns, separators=(",", ":")), "LastUpdatedOn": session.now()}
    entity.policies[STORE_KEY] = {**store, key: record}
    return _rows(db, table, [record])


def mapping_for(db: Any, table: Any, data_format: str, name: str) -> str:
    """The mapping JSON text named by `ingestionMappingReference` (table first, then database)."""
    kind = FORMAT_MAPPING_KIND.get(data_format.lower(), data_format.lower())
    key = f"{kind}:{name}"
    for entity in (table, db):
        record = _store(entity).get(key)
        if record is not None:
            return record["Mapping"]
    err = BadRequest(f"Ingestion mapping reference '{name}' ({kind}) was not found for table '{table.name}'")
    err.code = "BadRequest_MappingReferenceWasNotFound"
    raise err
