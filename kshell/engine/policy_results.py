"""The generic policy result (spec 0.4): PolicyName, EntityName, Policy, ChildEntities, EntityType."""

from __future__ import annotations

import json

from kshell.result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

POLICY_COLUMNS = [
    ("PolicyName", "string"),
    ("EntityName", "string"),
    ("Policy", "string"),
    ("ChildEntities", "string"),
    ("EntityType", "string"),
]


def policy_json(policy: Any) -> str:
    """The Policy column: the JSON text, or the literal `null` when no policy is set."""
    if policy is None:
        return "null"
    return json.dumps(policy, indent=None, separators=(", ", ": "), default=str)


def policy_result(policy_name: str, entries: list[tuple[Any, Any, Any]], entity_type: str = "Table") -> Result:
    """One row per (database, table, policy); table None means the database itself."""
    rows = []
    for db, table, policy in entries:
        entity = f"[{db.name}]" if table is None else f"[{db.name}].[{table.name}]"
        rows.append([policy_name, entity, policy_json(policy), "", entity_type])
    return Result.of(POLICY_COLUMNS, rows)
