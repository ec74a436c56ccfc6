"""Directives of the interactive shell: `#pager on|off`."""

from __future__ import annotations

from kshell.directives import DirectiveError, ShellState, directive


@directive("pager", "#pager [on|off]",
           "Page results taller than the screen through $PAGER (default: less -SRXF).")
def pager_directive(state: ShellState, args: str) -> str | None:
    word = args.strip().lower()
    if not word:
        return f"pager: {'on' if state.pager else 'off'}"
    if word not in ("on", "off"):
        raise DirectiveError(f"expected 'on' or 'off' after #pager, got '{args.strip()}'")
    state.pager = word == "on"
    return None
