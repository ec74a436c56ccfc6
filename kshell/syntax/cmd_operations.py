"""Operations, the request log and the journal:

    .show operations [OperationId | (OperationId, ...)]
    .show operation OperationId details
    .show commands | queries | commands-and-queries | running queries
    .show journal | .show database [D] journal | .show cluster journal
    .cancel operation OperationId [with (reason = "...")]
    .cancel query "ClientRequestId"
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor
from kshell.syntax.tokens import EOF, STRING

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Optional


class ShowOperations(Command):
    ids: list[str] = field(default_factory=list)
    details: bool = False


class ShowRequests(Command):
    what: str = "commands"       # commands | queries | commands-and-queries | running queries


class ShowJournal(Command):
    scope: str = "database"      # database | cluster
    database: Optional[str] = None


class CancelOperation(Command):
    kind: str = "operation"      # operation | query
    id: str = ""
    reason: str = ""


def _id(c: Cursor, what: str) -> str:
    """An operation id as written: a guid (several tokens), a quoted string, or a guid(...) literal."""
    t = c.peek()
    if t.kind == STRING:
        return c.string()
    if t.kind == EOF or any(t.is_op(o) for o in ("|", ";", ",", ")")):
        raise c.error(f"expected {what}")
    start = t.start
    end = t.end
    c.next()
    while not c.at_end and not c.at_op("|", ";", ",", ")") and not c.at_word("details", "with") \
            and c.peek().start == end:
        end = c.next().end
    text = c.text[start:end]
    if text.lower().startswith("guid(") and text.endswith(")"):
        text = text[5:-1]
    return text.strip()


@command_rule
def show_operations(c: Cursor) -> Command | None:
    if not c.accept_word("show"):
        return None
    if c.accept_word("operations"):
        ids: list[str] = []
        if c.accept_op("("):
            while True:
                ids.append(_id(c, "an operation id"))
                if c.accept_op(")"):
                    break
                c.expect_op(",", "between operation ids")
        elif not c.at_end and not c.at_op("|", ";"):
            ids.append(_id(c, "an operation id"))
        return ShowOperations(ids=ids)
    if c.accept_word("operation"):
        op = _id(c, "an operation id")
        c.expect_word("details", context="after the operation id")
        return ShowOperations(ids=[op], details=True)
    if c.accept_words("running", "queries"):
        return ShowRequests(what="running queries")
    word = c.accept_word("commands", "queries", "commands-and-queries")
    if word is not None:
        return ShowRequests(what=word)
    if c.accept_word("journal"):
        return ShowJournal(scope="database")
    if c.accept_words("cluster", "journal"):
        return ShowJournal(scope="cluster")
    if c.accept_word("database"):
        name = None
        if not c.at_word("journal"):
            if not c.at_name():
                return None
            name = c.name("a database name")
        if not c.accept_word("journal"):
            return None
        return ShowJournal(scope="database", database=name)
    return None


@command_rule
def cancel(c: Cursor) -> Command | None:
    if not c.accept_word("cancel"):
        return None
    kind = c.accept_word("operation", "query")
    if kind is None:
        return None
    op = _id(c, f"the {kind} id")
    props = c.with_properties()
    reason = next((str(v) for k, v in props.items() if k.lower() == "reason"), "")
    return CancelOperation(kind=kind, id=op, reason=reason)
