"""`.show table T policies`, `.show table * policies`, `.show materialized-view V policies`:
every policy of an entity, one row per kind (unset ones show `null`).

(`.show database D policies` is the databases family's flavor with one column per policy.)
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor


class ShowEntityPolicies(Command):
    entity_kind: str = "table"                               # table | materialized-view
    entity: list[str] = field(default_factory=list)          # ["T"], ["Db", "T"], ["*"]


@command_rule
def show_entity_policies(c: Cursor) -> ShowEntityPolicies | None:
    if not c.accept_word("show"):
        return None
    kind = c.accept_word("table", "materialized-view")
    if kind is None:
        return None
    if c.accept_op("*"):
        entity = ["*"]
    elif c.at_name():
        entity = c.dotted_name("a name")
    else:
        return None
    if not c.accept_word("policies"):
        return None
    return ShowEntityPolicies(entity_kind=kind, entity=entity)
