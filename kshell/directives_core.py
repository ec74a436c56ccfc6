"""The shell's own directives: #help, #quit/#exit, #format, #timing, #types, #echo, #db.

Each registers itself with kshell.directives; #help is generated from that
registry, so directives other families register appear in it too.
"""

from __future__ import annotations

from kshell.directives import DirectiveError, ShellState, all_directives, directive, target_of
from kshell.formats import FORMATS
from kshell.result import Result


@directive("help", "#help [NAME]", "List the client directives, or describe one.")
def help_directive(state: ShellState, args: str) -> Result:
    wanted = args.strip().lstrip("#").lower()
    rows = []
    for d in all_directives():
        if wanted and wanted != d.name and wanted not in d.aliases:
            continue
        name = "#" + d.name
        if d.aliases:
            name += " (" + ", ".join("#" + a for a in d.aliases) + ")"
        rows.append([name, d.usage, d.help])
    if wanted and not rows:
        raise DirectiveError(f"unknown directive '#{wanted}'; type #help for the list")
    return Result.of([("Directive", "string"), ("Usage", "string"), ("Description", "string")], rows)


@directive("quit", "#quit", "Leave kshell (the rest of a script is not run).", aliases=("exit",))
def quit_directive(state: ShellState, args: str) -> None:
    if args:
        raise DirectiveError("#quit takes no arguments")
    state.quit = True


@directive("format", "#format [table|csv|tsv|json|markdown|vertical]", "Show or set the output format.")
def format_directive(state: ShellState, args: str) -> str | None:
    name = args.strip().lower()
    if not name:
        return f"format: {state.format}"
    if name not in FORMATS:
        raise DirectiveError(f"unknown format '{args.strip()}'; expected one of: {', '.join(FORMATS)}")
    state.format = name
    return None


def _switch(state: ShellState, attr: str, label: str, args: str) -> str | None:
    word = args.strip().lower()
    if not word:
        return f"{label}: {'on' if getattr(state, attr) else 'off'}"
    if word not in ("on", "off"):
        raise DirectiveError(f"expected 'on' or 'off' after #{label}, got '{args.strip()}'")
    setattr(state, attr, word == "on")
    return None


@directive("timing", "#timing [on|off]", "Show the row count and elapsed time after each request.")
def timing_directive(state: ShellState, args: str) -> str | None:
    return _switch(state, "timing", "timing", args)


@directive("types", "#types [on|off]", "Show column types in result headers (name:type).")
def types_directive(state: ShellState, args: str) -> str | None:
    return _switch(state, "types", "types", args)


@directive("echo", "#echo [on|off]", "Print each request before its result.")
def echo_directive(state: ShellState, args: str) -> str | None:
    return _switch(state, "echo", "echo", args)


@directive("db", "#db [NAME]", "Show or switch the context database.", aliases=("dbcontext",))
def db_directive(state: ShellState, args: str) -> Result | None:
    name = _unquote(args.strip())
    target = target_of(state)
    if not name:
        return Result.of([("DatabaseName", "string")], [[target.database_name]])
    target.use_database(name)  # raises DatabaseNotFound for an unknown name
    return None


def _unquote(name: str) -> str:
    """Accept NAME, 'NAME', "NAME" and ['NAME'] (Kusto's ways of writing a name)."""
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1].strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "'\"":
        name = name[1:-1]
    return name
