"""Generic policy commands: `.show|.alter|.alter-merge|.delete <entity> policy <kind> ...`.

One rule for every policy kind; the engine dispatches on `kind`.  Kinds whose
argument is a JSON payload (managed_identity, update) must be given exactly
one string literal (spec 0.3: any literal form, adjacent literals joined);
row_level_security takes `enable|disable "query"`; other kinds keep their
argument text as written.
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Optional

PAYLOAD_KINDS = ("managed_identity", "update")

# Entities that hold a ManagedIdentity policy (spec 2.4).
MI_ENTITY_KINDS = ("cluster", "database")

ENTITY_KINDS = ("cluster", "database", "table", "tables", "external", "materialized-view", "column")


class PolicyCommand(Command):
    verb: str                     # show | alter | alter-merge | delete
    entity_kind: str              # cluster | database | table | tables | external table | materialized-view | column
    entity: list[str]             # name parts: [] (cluster / context db), ["Db"], ["T"], ["Db", "T"], ["*"]
    kind: str                     # policy kind as typed, lower-case (managed_identity, update, ...)
    payload: Optional[str] = None  # the decoded string literal (JSON text, or RLS query)
    payload_pos: int = 0
    action: Optional[str] = None   # enable | disable (row_level_security)
    properties: dict = field(default_factory=dict)
    args_text: str = ""           # other kinds: the argument text as written
    entities: list[list[str]] = field(default_factory=list)  # `tables (A, B)`


@command_rule
def policy_command(c: Cursor) -> PolicyCommand | None:
    verb = c.accept_word("show", "alter", "alter-merge", "delete")
    if verb is None or not c.at_word(*ENTITY_KINDS):
        return None
    start = c.i
    kind_word = c.next().text.lower()
    entity: list[str] = []
    entities: list[list[str]] = []
    if kind_word == "external":
        if not c.accept_word("table"):
            return None
        kind_word = "external table"
        entity = c.dotted_name("an external table name")
    elif kind_word == "database":
        if not c.at_word("policy") and c.at_name():
            entity = [c.name("a database name")]
    elif kind_word == "table":
        if c.accept_op("*"):
            entity = ["*"]
        else:
            entity = c.dotted_name("a table name")
    elif kind_word == "tables":
        if not c.at_op("("):
            return None
        c.expect_op("(")
        while True:
            entities.append(c.dotted_name("a table name"))
            if c.accept_op(")"):
                break
            c.expect_op(",", "between table names")
    elif kind_word in ("materialized-view", "column"):
        entity = c.dotted_name("a name")
    if not c.at_word("policy"):
        # `.show table T` and friends belong to other families.
        c.note_expected(f"expected 'policy' after the {kind_word} name")
        c.i = start
        return None
    c.next()
    kind_tok = c.peek()
    kind = c.name("a policy kind").lower()
    if kind == "managed_identity":
        # Only the cluster and databases hold a ManagedIdentity policy, and
        # `.delete database policy managed_identity` needs the name (as in
        # Microsoft's parser; show/alter/alter-merge may omit it).
        if kind_word not in MI_ENTITY_KINDS:
            raise c.error(f"policy managed_identity is set on the cluster or a database, not on a {kind_word}",
                          kind_tok)
        if verb == "delete" and kind_word == "database" and not entity:
            raise c.error("expected a database name after '.delete database'", c.tokens[start + 1])
    node = PolicyCommand(verb=verb, entity_kind=kind_word, entity=entity, kind=kind,
                         entities=entities, pos=kind_tok.start)
    if verb in ("show", "delete"):
        # `.show ... policy X | project ...` pipes the result into a query (the parser's
        # generic command pipe takes it from here)
        if verb == "show" and not c.at_end and not c.at_op("|", ";"):
            node.args_text = c.rest_text()
        return node
    if kind in PAYLOAD_KINDS:
        if not c.at_string():
            raise c.error(f"expected the policy as a string literal after 'policy {kind}'")
        node.payload_pos = c.peek().start
        node.payload = c.string()
        node.properties = c.with_properties()
    elif kind == "row_level_security":
        node.action = c.expect_word("enable", "disable", context="after 'policy row_level_security'")
        node.properties = c.with_properties()  # [P]: optional `with (...)` before the query
        node.payload_pos = c.peek().start
        node.payload = c.string("the row level security query as a string literal")
    else:
        if c.at_string():
            node.payload_pos = c.peek().start
            node.payload = c.string()
            node.properties = c.with_properties()
        node.args_text = c.rest_text()
    return node
