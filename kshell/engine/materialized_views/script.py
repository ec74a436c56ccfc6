"""Materialized views in `.show database schema as csl script` and `as json`."""

from __future__ import annotations

from kshell.engine import databases

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def view_lines(view: Any) -> list[str]:
    """The command that recreates a view (without backfill), then its policies."""
    from kshell.engine.policies.script import view_policy_lines

    props = {"folder": view.folder, "docstring": view.docstring}
    given = [f'{k} = "{databases._escape(v)}"' for k, v in props.items() if v]
    if view.auto_update_schema:
        given.append("autoUpdateSchema = true")
    if view.lookback:
        given.append(f"lookback = time({view.lookback})")
    with_clause = f" with ({', '.join(given)})" if given else ""
    name = databases._name(view.name)
    lines = [f".create-or-alter materialized-view{with_clause} {name} on table "
             f"{databases._name(view.source_table)} {view.query}"]
    return lines + view_policy_lines(view, name)


def script_section(db: Any) -> list[str]:
    lines: list[str] = []
    for view in db.materialized_views.values():
        lines += view_lines(view)
        if not view.is_enabled:
            lines.append(f".disable materialized-view {databases._name(view.name)}")
    return lines


def schema_object(db: Any, view: Any) -> dict[str, Any]:
    from kshell.engine.values import clr_type
    from kshell.engine.policies.script import policies_object

    return {"Name": view.name, "SourceTable": view.source_table, "Query": view.query,
            "Folder": view.folder or None, "DocString": view.docstring or None,
            "AutoUpdateSchema": view.auto_update_schema, "IsEnabled": view.is_enabled,
            "OrderedColumns": [{"Name": c.name, "Type": clr_type(c.type), "CslType": c.type} for c in view.columns],
            "Policies": policies_object(view)}


if script_section not in databases.SCRIPT_SECTIONS:
    databases.SCRIPT_SECTIONS.append(script_section)
if not databases.VIEW_SCHEMA:
    databases.VIEW_SCHEMA.append(schema_object)
