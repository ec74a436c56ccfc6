"""The base classes of every parsed node: `Node` (queries: kshell.syntax.ast) and
`Command` (management commands: the cmd_*.py families).

A module of its own so that parsing a command does not load the ~60 query node
classes of kshell.syntax.ast (a tenth of script start-up, issue 18); ast
re-exports both names.
"""

from __future__ import annotations

from kshell.syntax.records import Record, field


class Node(Record):
    pos: int = field(default=0, kw_only=True)


class Command(Node):
    """Base of management-command nodes (one subclass per command, per family module)."""

    text: str = field(default="", kw_only=True)  # the full command text, for error messages
