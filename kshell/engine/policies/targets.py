"""Where a policy command's policy lives: the entities a PolicyCommand names.

A Target reads, writes and deletes one policy kind on one entity (cluster,
database, table, materialized view, column, external table) and knows how the
service names that entity in the policy result (EntityName, EntityType).
Column policies (encoding) are kept on their table, keyed by column name.
"""

from __future__ import annotations

from kshell.errors import BadRequest, EntityNotFound, TableNotFound
from kshell.syntax.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

LEVEL_TYPES = {"cluster": "Cluster", "database": "Database", "table": "Table",
               "materialized-view": "MaterializedView", "column": "Column", "external table": "ExternalTable"}


class Target(Record):
    level: str                 # cluster | database | table | materialized-view | column | external table
    holder: Any                # the object whose `policies` dict holds the policy
    entity: str                # EntityName as shown
    db: Any = None
    table: Any = None          # the table (also for column targets)
    column: str | None = None
    view: Any = None

    @property
    def entity_type(self) -> str:
        return LEVEL_TYPES[self.level]

    def get(self, kind: str) -> Any:
        if self.column is not None:
            return (self.holder.policies.get(kind) or {}).get(self.column)
        return self.holder.policies.get(kind)

    def set(self, kind: str, policy: Any) -> None:
        if self.column is not None:
            per_column = dict(self.holder.policies.get(kind) or {})
            per_column[self.column] = policy
            self.holder.policies[kind] = per_column
        else:
            self.holder.policies[kind] = policy

    def delete(self, kind: str) -> None:
        if self.column is not None:
            per_column = dict(self.holder.policies.get(kind) or {})
            per_column.pop(self.column, None)
            if per_column:
                self.holder.policies[kind] = per_column
            else:
                self.holder.policies.pop(kind, None)
        else:
            self.holder.policies.pop(kind, None)


def _db_and_name(session: Any, parts: list[str], what: str) -> tuple[Any, str]:
    if len(parts) > 2 or not parts:
        raise BadRequest(f"invalid {what} name '{'.'.join(parts)}'")
    db = session.get_database(parts[0] if len(parts) == 2 else None)
    return db, parts[-1]


def table_target(session: Any, parts: list[str]) -> Target:
    db, name = _db_and_name(session, parts, "table")
    table = db.tables.get(name)
    if table is None:
        raise TableNotFound(f"Table '{name}' was not found in database '{db.name}'")
    return Target("table", table, f"[{db.name}].[{table.name}]", db=db, table=table)


def view_target(session: Any, parts: list[str]) -> Target:
    db, name = _db_and_name(session, parts, "materialized view")
    view = db.materialized_views.get(name)
    if view is None:
        raise EntityNotFound(f"Materialized view '{name}' was not found in database '{db.name}'")
    return Target("materialized-view", view, f"[{db.name}].[{view.name}]", db=db, view=view)


def column_target(session: Any, parts: list[str]) -> Target:
    if len(parts) < 2:
        raise BadRequest(f"expected Table.Column, got '{'.'.join(parts)}'")
    t = table_target(session, parts[:-1])
    column = parts[-1]
    if t.table.column_index(column) is None:
        raise EntityNotFound(f"Column '{column}' was not found in table '{t.table.name}'")
    return Target("column", t.table, f"{t.entity}.[{column}]", db=t.db, table=t.table, column=column)


def external_target(session: Any, parts: list[str]) -> Target:
    db, name = _db_and_name(session, parts, "external table")
    ext = db.external_tables.get(name)
    if ext is None:
        raise EntityNotFound(f"External table '{name}' was not found in database '{db.name}'")
    return Target("external table", ext, f"[{db.name}].[{ext.name}]", db=db)


def database_target(db: Any) -> Target:
    return Target("database", db, f"[{db.name}]", db=db)


def targets(session: Any, node: Any) -> list[Target]:
    """Every entity the command names (`table *` = every table of the context database)."""
    kind = node.entity_kind
    if kind == "cluster":
        return [Target("cluster", session.cluster, "")]
    if kind == "database":
        return [database_target(session.get_database(node.entity[0] if node.entity else None))]
    if kind == "tables":
        return [table_target(session, parts) for parts in node.entities]
    if kind == "table":
        if node.entity == ["*"]:
            db = session.database
            return [Target("table", t, f"[{db.name}].[{t.name}]", db=db, table=t) for t in db.tables.values()]
        return [table_target(session, node.entity)]
    if kind == "materialized-view":
        return [view_target(session, node.entity)]
    if kind == "column":
        return [column_target(session, node.entity)]
    if kind == "external table":
        return [external_target(session, node.entity)]
    raise BadRequest(f"policies cannot be set on a {kind}")
