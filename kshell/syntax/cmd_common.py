"""Small grammar helpers shared by the engine-core command families."""

from __future__ import annotations

from kshell.syntax.cursor import Cursor


def at_command_end(c: Cursor, k: int = 0) -> bool:
    """True at the end of the command: the end of the request, or a `|` that pipes
    the command's result into a query (`.show tables | where ...`)."""
    t = c.peek(k)
    return t.kind == "EOF" or (t.kind == "OP" and t.text == "|")
