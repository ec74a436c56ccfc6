"""Words typed alone at the prompt that are not KQL: help, ?, exit, quit.

pgcli and Kusto.Cli users type them by reflex; answering "Failed to resolve
table or column expression named 'help'" would be unhelpful.  Only the
interactive shell reads them: in a script they stay KQL (use #help, #quit).
"""

from __future__ import annotations

from typing import Any

HELP = """\
kshell: a Kusto shell over a simulated cluster.

Writing requests (block mode, the default; #linemode switches to line mode)
  Enter            new line: write a query one operator per line
  Enter on an empty line, Alt-Enter, F5 (or Ctrl-Enter where the terminal sends it)
                   run the block
  a one-line .command or #directive runs on Enter
  Tab              complete (tables, columns, functions with their signatures, commands)
  Ctrl-R           search the history        Ctrl-C  cancel the input or a running request
  Ctrl-D, exit, quit, #quit                   leave

Help
  #help            the client directives (#out FILE, #chart FILE, #format, #timing, ...)
  #help NAME       one directive, command (#help .show), operator (#help summarize)
                   or function (#help format_datetime)
"""


def handle(state: Any, text: str, out) -> bool:
    """Answer `text` when it is a prompt word; False when it is a request."""
    word = text.strip().lower()
    if word in ("help", "?"):
        out.write(HELP)
        out.flush()
        return True
    if word in ("exit", "quit"):
        state.quit = True
        return True
    return False
