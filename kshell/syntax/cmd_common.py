"""Small grammar helpers shared by the engine-core command families."""

from __future__ import annotations



from kshell.errors import KustoSyntaxError
from kshell.syntax.node import Command
from kshell.syntax.cursor import Cursor
from kshell.syntax.tokens import line_col

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any


def at_command_end(c: Cursor, k: int = 0) -> bool:
    """True at the end of the command: the end of the request, or a `|` / `;` that
    hands the command's result to a query (`.show tables | where ...`)."""
    t = c.peek(k)
    return t.kind == "EOF" or (t.kind == "OP" and t.text in ("|", ";"))


# ------------------------------------------------------- `.command | query`

# The name under which a query sees the command's result: `.show tables; $command_results | count`
# (`$` never appears in a table name, spec 0.2).
PIPE_SOURCE = "$command_results"


class PipedCommand(Command):
    """`.show tables | where ...`: the command's result, then a query over it."""

    command: Command
    query: Any  # kshell.syntax.ast.Query reading the table PIPE_SOURCE


def finish(c: Cursor, node: Command) -> Command:
    """Return `node`, or wrap it in a PipedCommand when `| query` or `; query` (a query
    over `$command_results`) follows; the query is consumed here."""
    if c.at_op(";") and c.peek(1).kind == "EOF":
        c.next()  # a trailing semicolon ends the command
        return node
    if not (c.at_op("|") or c.at_op(";")):
        return node
    t = c.peek()
    node.text = c.text
    if t.text == "|":
        query = parse_query_at(c.text, t.start, prefix=PIPE_SOURCE)
    else:
        query = parse_query_at(c.text, t.end)
    c.i = len(c.tokens)
    return PipedCommand(command=node, query=query)


def parse_query_at(text: str, start: int, prefix: str = "", allow_command: bool = False) -> Any:
    """Parse `prefix + text[start:]` as a query (or, with allow_command, a `.command`);
    syntax errors report positions in `text`."""
    from kshell.syntax import parse, parse_query

    try:
        if allow_command and text[start:].lstrip().startswith("."):
            return parse(text[start:])
        return parse_query(prefix + text[start:])
    except KustoSyntaxError as e:
        if e.line is not None:
            line, col = line_col(text, start)
            if e.line == 1:
                e.column = (e.column or 1) - len(prefix) + col - 1
            e.line = e.line + line - 1
        raise
