"""The generic policy handler: `.show|.alter|.alter-merge|.delete <entity> policy <kind>` for every
kind of kshell.engine.policies.kinds.KINDS, and `.show table T policies`.

Validate every target first, then store: a failing command changes nothing.
The result is the policy as stored, one row per entity (PolicyName,
EntityName, Policy, ChildEntities, EntityType); an unset policy shows `null`.
"""

from __future__ import annotations

from kshell.engine.policies import checks, shorthand
from kshell.engine.policies.kinds import DATABASE, KINDS, TABLE, PolicyKind, lookup
from kshell.engine.policies.schema import check_object
from kshell.engine.policies.targets import Target, targets
from kshell.engine.policy_results import POLICY_COLUMNS, policy_json
from kshell.engine.session import Session, handler, policy_handler
from kshell.errors import BadRequest, KustoSyntaxError
from kshell.result import Result
from kshell.syntax.cmd_policy_list import ShowEntityPolicies

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Levels a kind may be *shown* at beyond those it is set at (encoding: a database or
# table lists the policies of its columns).
SHOW_LEVELS = {"encoding": (DATABASE, TABLE)}


def _level(node: Any) -> str:
    return "table" if node.entity_kind == "tables" else node.entity_kind


def run_policy_command(session: Session, node: Any) -> Result:
    kind = lookup(node.kind)
    assert kind is not None
    level = _level(node)
    if node.verb == "show" and level in SHOW_LEVELS.get(kind.kind, ()):
        return _show_columns(session, node, kind)
    if level not in kind.levels:
        raise BadRequest(f"{kind.name} cannot be set on a {level}; it applies to: {', '.join(kind.levels)}")
    if node.entity == ["*"] and node.verb != "show":
        raise BadRequest(f"'.{node.verb} table *' is not supported for policy {kind.kind}; name the tables")
    found = targets(session, node)
    if node.verb == "show":
        if node.args_text.strip():
            raise KustoSyntaxError(f"unexpected text after 'policy {node.kind}': {node.args_text.strip()[:40]!r}")
        return result(kind, [(t, t.get(kind.kind)) for t in found])
    if node.verb == "delete":
        for t in found:
            t.delete(kind.kind)
        return result(kind, [(t, None) for t in found])
    if node.verb == "alter-merge" and not kind.merge:
        raise BadRequest(f"{kind.name} has no .alter-merge; use .alter")
    raw = read_payload(kind, node)
    planned = []
    for t in found:
        policy = build(kind, raw, t.get(kind.kind) if node.verb == "alter-merge" else None)
        check = checks.CHECKS.get(kind.kind)
        if check is not None:
            check(session, t, policy)
        planned.append((t, policy))
    for t, policy in planned:
        t.set(kind.kind, policy)
    return result(kind, planned)


def read_payload(kind: PolicyKind, node: Any) -> Any:
    """The payload as a raw JSON value, from the string literal or the kind's shorthand."""
    from kshell.engine.policy_json import parse_json

    if node.properties:
        raise KustoSyntaxError(f"'policy {kind.kind}' takes no 'with (...)' properties")
    if kind.shorthand == "request_classification":
        return shorthand.READERS[kind.shorthand](node)
    if node.payload is not None:
        if node.args_text.strip():
            raise KustoSyntaxError(f"unexpected text after the policy: {node.args_text.strip()[:40]!r}")
        if not kind.json:
            raise KustoSyntaxError(f"policy {kind.kind} is not given as JSON; see `.alter ... policy {kind.kind}` "
                                   f"in docs/policies.md")
        return parse_json(node.payload, kind.name)
    if kind.shorthand and node.args_text.strip():
        return shorthand.READERS[kind.shorthand](node)
    if kind.kind == "encoding":  # `.alter column T.C policy encoding` alone resets the profile
        return {}
    raise KustoSyntaxError(f"expected the policy after 'policy {kind.kind}'")


def build(kind: PolicyKind, raw: Any, existing: Any) -> Any:
    """The policy to store: validated, canonical; merged into `existing` for .alter-merge."""
    if kind.array:
        if isinstance(raw, dict):
            raw = [raw]
        if not isinstance(raw, list):
            raise BadRequest(f"{kind.name}: expected a JSON array of policy objects")
        items = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict):
                raise BadRequest(f"{kind.name}: element {i + 1} of the array is not an object")
            items.append(check_object(kind.name, kind.props, item, prefix=f"[{i}]." if len(raw) > 1 else ""))
        if existing:
            key = lambda e: tuple(str(e.get(k)).lower() for k in kind.key)  # noqa: E731
            new_keys = {key(e) for e in items}
            items = [e for e in existing if key(e) not in new_keys] + items
        return items
    if not isinstance(raw, dict):
        raise BadRequest(f"{kind.name}: expected a JSON object")
    if existing is None:
        return check_object(kind.name, kind.props, raw, fill=True)
    given = check_object(kind.name, kind.props, raw, fill=False)
    merged = dict(existing)
    for name, value in given.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **value}
        else:
            merged[name] = value
    return merged


def row(kind_name: str, target: Target, policy: Any) -> list[Any]:
    return [kind_name, target.entity, policy_json(policy), "", target.entity_type]


def result(kind: PolicyKind, entries: list[tuple[Target, Any]]) -> Result:
    return Result.of(POLICY_COLUMNS, [row(kind.name, t, p) for t, p in entries])


def _show_columns(session: Session, node: Any, kind: PolicyKind) -> Result:
    """`.show database D policy encoding` / `.show table T policy encoding`: the columns that have one."""
    from kshell.engine.policies.targets import column_target

    if _level(node) == DATABASE:
        db = session.get_database(node.entity[0] if node.entity else None)
        tables = list(db.tables.values())
    else:
        found = targets(session, node)
        db = found[0].db if found else session.database
        tables = [t.table for t in found]
    rows = []
    for table in tables:
        for column, policy in (table.policies.get(kind.kind) or {}).items():
            t = column_target(session, [db.name, table.name, column])
            rows.append(row(kind.name, t, policy))
    return Result.of(POLICY_COLUMNS, rows)


for _kind in KINDS.values():
    policy_handler(_kind.kind)(run_policy_command)
for _alias in ("row_order", "restrictedviewaccess"):
    policy_handler(_alias)(run_policy_command)
del _kind, _alias


# ------------------------------------------------------------ .show table T policies

TABLE_KIND_NAMES = (("update", "UpdatePolicy"), ("row_level_security", "RowLevelSecurityPolicy"))


@handler(ShowEntityPolicies)
def show_entity_policies(session: Session, node: ShowEntityPolicies) -> Result:
    from kshell.engine.policies.targets import Target, table_target, view_target

    if node.entity == ["*"]:
        if node.entity_kind != "table":
            raise BadRequest("'*' is only supported by '.show table * policies'")
        db = session.database
        found = [Target("table", t, f"[{db.name}].[{t.name}]", db=db, table=t) for t in db.tables.values()]
    elif node.entity_kind == "table":
        found = [table_target(session, node.entity)]
    else:
        found = [view_target(session, node.entity)]
    rows = []
    for t in found:
        level = t.level
        for kind in KINDS.values():
            if level in kind.levels:
                rows.append(row(kind.name, t, t.get(kind.kind)))
        if level == "table":
            for kind, name in TABLE_KIND_NAMES:
                rows.append(row(name, t, t.get(kind)))
    return Result.of(POLICY_COLUMNS, rows)
