"""`.execute database script [with (ContinueOnErrors=..., ThrowOnErrors=...)] <| commands`.

Only the head is Kusto text here (kshell.syntax.inline_data tokenizes it
alone); the script after `<|` is kept as written and split into commands when
it runs (kshell.engine.database_script).
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor


class ExecuteDatabaseScript(Command):
    properties: dict = field(default_factory=dict)
    script: str = ""
    script_pos: int = 0      # offset of the script in the request text


@command_rule
def execute_database_script(c: Cursor) -> ExecuteDatabaseScript | None:
    if not c.accept_words("execute", "database", "script"):
        return None
    props = c.with_properties()
    if not c.at_op("<|"):
        raise c.error("expected '<|' and the commands of the script")
    script, pos = c.text_after_pipe_arrow()
    return ExecuteDatabaseScript(properties=props, script=script, script_pos=pos)
