"""Policies in the database schema: the commands of `.show database schema as csl script`
that set them again, and the `Policies` objects of `as json`.

Each command is written so that running it stores the same policy (the
replay tests check script -> fresh cluster -> same script).  JSON kinds are
written as `.alter <entity> policy <kind> '<json>'`; kinds without a JSON form
in their shorthand (`ingestiontime true`, `roworder (a asc)`, `encoding
type = 'x'`, `caching hotdata = .. hotindex = ..`).
"""

from __future__ import annotations

import json

from kshell.engine.policies.kinds import DATABASE_POLICY_COLUMNS, KINDS, PolicyKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Kinds with their own modules, written after the table-driven ones (in this order).
_OTHER_TABLE_KINDS = ("update", "row_level_security")


def _quote(text: str) -> str:
    """A Kusto string literal holding `text` (verbatim @'...' when it has no quote)."""
    if "'" not in text:
        return "@'" + text + "'"
    return json.dumps(text)


def _dumps(policy: Any) -> str:
    return json.dumps(policy, separators=(",", ":"))


def _argument(kind: PolicyKind, policy: Any) -> str:
    if kind.kind in ("ingestiontime", "restricted_view_access"):
        return "true" if policy.get("IsEnabled") else "false"
    if kind.kind == "roworder":
        return "(" + ", ".join(policy.get("RowOrder") or []) + ")"
    if kind.kind == "encoding":
        return f"type = '{policy.get('EncodingPolicyType') or 'Null'}'"
    if kind.kind == "caching":
        parts = []
        data = (policy.get("DataHotSpan") or {}).get("Value")
        index = (policy.get("IndexHotSpan") or {}).get("Value")
        if data:
            parts.append(f"hotdata = {data}")
        if index:
            parts.append(f"hotindex = {index}")
        for w in policy.get("HotWindows") or []:
            parts.append(f"hot_window = datetime({w['MinValue']}) .. datetime({w['MaxValue']})")
        return ", ".join(parts)
    if kind.kind == "request_classification":
        props = _quote(_dumps(policy.get("ClassificationProperties") or {}))
        body = policy.get("ClassificationFunction") or ""
        return props + (f" <|\n{body}" if body else "")
    return _quote(_dumps(policy))


def policy_command(kind: PolicyKind, entity: str, policy: Any) -> str:
    return f".alter {entity} policy {kind.kind} {_argument(kind, policy)}"


def database_policy_lines(db: Any, name: str) -> list[str]:
    """The database's own policies (`name` is the database name as the script writes it)."""
    lines = []
    identities = db.policies.get("managed_identity")
    if identities:
        entries = [{"ObjectId": "system" if e.get("IsSystem") else e.get("ObjectId"),
                    "AllowedUsages": e.get("AllowedUsages")} for e in identities]
        lines.append(f".alter database {name} policy managed_identity {_quote(_dumps(entries))}")
    for kind in KINDS.values():
        policy = db.policies.get(kind.kind)
        if policy is not None:
            lines.append(policy_command(kind, f"database {name}", policy))
    return lines


def table_policy_lines(table: Any, name: str, column_name) -> list[str]:
    """The table's policies, then its columns' (`column_name(c)` quotes a column name)."""
    lines = []
    for kind in KINDS.values():
        policy = table.policies.get(kind.kind)
        if policy is None:
            continue
        if kind.kind == "encoding":
            for column, p in policy.items():
                lines.append(policy_command(kind, f"column {name}.{column_name(column)}", p))
        else:
            lines.append(policy_command(kind, f"table {name}", policy))
    return lines


def table_flow_lines(table: Any, name: str) -> list[str]:
    """Update and row level security policies: written after the functions they may call."""
    lines = []
    update = table.policies.get("update")
    if update is not None:
        lines.append(f".alter table {name} policy update {_quote(json.dumps(update, separators=(',', ':')))}")
    rls = table.policies.get("row_level_security")
    if rls is not None:
        action = "enable" if rls.get("IsEnabled") else "disable"
        lines.append(f".alter table {name} policy row_level_security {action} {json.dumps(rls.get('Query', ''))}")
    return lines


def view_policy_lines(view: Any, name: str) -> list[str]:
    lines = []
    for kind in KINDS.values():
        policy = view.policies.get(kind.kind)
        if policy is not None:
            lines.append(policy_command(kind, f"materialized-view {name}", policy))
    return lines


def policies_object(holder: Any) -> dict[str, Any]:
    """`Policies` of an entity in the JSON schema: PolicyName -> policy (set ones only)."""
    out = {}
    for kind in KINDS.values():
        policy = holder.policies.get(kind.kind)
        if policy is not None:
            out[kind.name] = policy
    for kind, name in (("update", "UpdatePolicy"), ("row_level_security", "RowLevelSecurityPolicy")):
        policy = holder.policies.get(kind)
        if policy is not None:
            out[name] = policy
    return out


def database_policy_fields(db: Any) -> dict[str, str]:
    """The policy columns of `.show database D policies` (JSON text, `null` when unset)."""
    from kshell.engine.policy_results import policy_json

    return {column: policy_json(db.policies.get(kind)) for column, kind in DATABASE_POLICY_COLUMNS.items()}
