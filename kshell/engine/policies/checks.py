"""Checks a policy's properties cannot express alone: they need the entity.

`CHECKS[kind](session, target, policy)` raises BadRequest naming the property;
it runs for every target before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable

from kshell.errors import BadRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _column_type(target: Any, name: str, policy: str, path: str) -> str:
    table = target.table if target.table is not None else None
    columns = table.columns if table is not None else getattr(target.view, "columns", [])
    for c in columns:
        if c.name == name:
            return c.type
    entity = table.name if table is not None else target.view.name
    raise BadRequest(f"{policy}: property '{path}' names column '{name}', which '{entity}' does not have")


def partitioning(session: Any, target: Any, policy: dict) -> None:
    keys = policy.get("PartitionKeys") or []
    kinds = [k["Kind"] for k in keys]
    if kinds.count("Hash") > 1 or kinds.count("UniformRange") > 1:
        raise BadRequest("PartitioningPolicy: property 'PartitionKeys' may hold at most one Hash key and "
                         "one UniformRange key")
    for i, key in enumerate(keys):
        path = f"PartitionKeys[{i}].ColumnName"
        ctype = _column_type(target, key["ColumnName"], "PartitioningPolicy", path)
        props = key.get("Properties") or {}
        if key["Kind"] == "Hash":
            if ctype not in ("string", "guid"):
                raise BadRequest(f"PartitioningPolicy: property '{path}': a Hash partition key must be a string "
                                 f"or guid column, '{key['ColumnName']}' is {ctype}")
            for name in ("Function", "MaxPartitionCount"):
                if props.get(name) is None:
                    raise BadRequest(f"PartitioningPolicy: property 'PartitionKeys[{i}].Properties.{name}' "
                                     f"is required for a Hash key")
        else:
            if ctype != "datetime":
                raise BadRequest(f"PartitioningPolicy: property '{path}': a UniformRange partition key must be a "
                                 f"datetime column, '{key['ColumnName']}' is {ctype}")
            for name in ("Reference", "RangeSize"):
                if props.get(name) is None:
                    raise BadRequest(f"PartitioningPolicy: property 'PartitionKeys[{i}].Properties.{name}' "
                                     f"is required for a UniformRange key")


def roworder(session: Any, target: Any, policy: dict) -> None:
    for i, key in enumerate(policy.get("RowOrder") or []):
        _column_type(target, key.rsplit(" ", 1)[0], "RowOrderPolicy", f"RowOrder[{i}]")


def encoding(session: Any, target: Any, policy: dict) -> None:
    kind = policy.get("EncodingPolicyType")
    ctype = _column_type(target, target.column, "EncodingPolicy", "EncodingPolicyType")
    if kind and kind.startswith("BigObject") and ctype not in ("string", "dynamic"):
        raise BadRequest(f"EncodingPolicy: property 'EncodingPolicyType': {kind} applies to string or dynamic "
                         f"columns, '{target.column}' is {ctype}")
    if kind == "Vector16" and ctype != "dynamic":
        raise BadRequest(f"EncodingPolicy: property 'EncodingPolicyType': Vector16 applies to dynamic columns, "
                         f"'{target.column}' is {ctype}")


def merge(session: Any, target: Any, policy: dict) -> None:
    lookback = policy.get("Lookback") or {}
    if lookback.get("Kind") == "Custom" and not lookback.get("CustomPeriod"):
        raise BadRequest("MergePolicy: property 'Lookback.CustomPeriod' is required when 'Lookback.Kind' is Custom")


def retention(session: Any, target: Any, policy: dict) -> None:
    """The update-policy rule of the docs: a source table whose rows are deleted at once
    (SoftDeletePeriod 0) may only feed transactional update policies."""
    if target.table is None or policy.get("SoftDeletePeriod") not in ("00:00:00",):
        return
    for other in target.db.tables.values():
        for up in other.policies.get("update") or []:
            if up.get("IsEnabled") and up.get("Source") == target.table.name and not up.get("IsTransactional"):
                raise BadRequest(f"RetentionPolicy: property 'SoftDeletePeriod' may be 0 on '{target.table.name}' "
                                 f"only when every update policy reading it is transactional (see '{other.name}')")


def query_acceleration(session: Any, target: Any, policy: dict) -> None:
    column = policy.get("HotDateTimeColumn")
    if column:
        ext = target.holder
        if not any(c.name == column for c in getattr(ext, "columns", [])):
            raise BadRequest(f"QueryAccelerationPolicy: property 'HotDateTimeColumn' names column '{column}', "
                             f"which '{ext.name}' does not have")


def auto_delete(session: Any, target: Any, policy: dict) -> None:
    """ExpiryDate must be later than the current (simulated) time (auto-delete-policy.md)."""
    from kshell.engine.policies.schema import format_datetime, parse_datetime

    expiry = parse_datetime(policy.get("ExpiryDate"))
    if expiry is not None and expiry <= session.now():
        raise BadRequest(f"AutoDeletePolicy: property 'ExpiryDate' must be later than the current time "
                         f"({format_datetime(session.now())}), got {policy['ExpiryDate']}")


CHECKS: dict[str, Callable[[Any, Any, Any], None]] = {
    "auto_delete": auto_delete,
    "partitioning": partitioning, "roworder": roworder, "encoding": encoding, "merge": merge,
    "retention": retention, "query_acceleration": query_acceleration,
}
