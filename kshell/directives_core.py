"""The shell's own directives: #help, #quit/#exit, #format, #timing, #types, #echo, #db.

Each registers itself with kshell.directives; #help is generated from that
registry, so directives other families register appear in it too.
"""

from __future__ import annotations

from kshell.directives import DirectiveError, ShellState, all_directives, directive, target_of
from kshell.formats import FORMATS
from kshell.result import Result


@directive("help", "#help [NAME]",
           "List the client directives, or describe one, a command (#help .show), an operator "
           "(#help summarize) or a function (#help format_datetime).")
def help_directive(state: ShellState, args: str) -> Result | str:
    raw = args.strip()
    wanted = raw.lstrip("#").lower()
    rows = []
    for d in all_directives():
        if wanted and wanted != d.name and wanted not in d.aliases:
            continue
        name = "#" + d.name
        if d.aliases:
            name += " (" + ", ".join("#" + a for a in d.aliases) + ")"
        rows.append([name, d.usage, d.help])
    if wanted and not rows:
        if raw.startswith("#"):
            raise DirectiveError(f"unknown directive '#{wanted}'; type #help for the list")
        from kshell.help_topics import describe

        return describe(raw)
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


# Kusto.Cli's input modes.  Only the interactive prompt reads them (kshell.repl.keys);
# a script is always split into blocks by blank lines (docs/cli.md).
@directive("blockmode", "#blockmode",
           "At the prompt, Enter inserts a newline; Enter on an empty line (or Alt-Enter, F5) runs the block.")
def blockmode_directive(state: ShellState, args: str) -> str | None:
    return _input_mode(state, "block", args)


@directive("linemode", "#linemode",
           "At the prompt, Enter runs the request as soon as it is complete.")
def linemode_directive(state: ShellState, args: str) -> str | None:
    return _input_mode(state, "line", args)


def _input_mode(state: ShellState, mode: str, args: str) -> str | None:
    if args:
        raise DirectiveError(f"#{mode}mode takes no arguments")
    state.extras["input_mode"] = mode  # silently accepted in scripts, as Kusto.Cli scripts may hold it
    return None


# ---------------------------------------------------------------- results out

@directive("out", "#out [last] FILE [csv|tsv|json|jsonl|markdown|parquet]",
           "Write the next result (with 'last': the last one) to FILE; the format follows FILE's extension "
           "unless named (parquet needs pyarrow).")
def out_directive(state: ShellState, args: str) -> str | None:
    from kshell import outfiles

    words = args.split(None, 1)
    if words and words[0].lower() == "last":
        results = outfiles.last_results(state, "#out last")
        return outfiles.write_results(results, *outfiles.parse_target(words[1] if len(words) > 1 else ""))
    state.extras["out_pending"] = outfiles.parse_target(args)
    return None


@directive("clip", "#clip [csv|tsv|markdown|json]",
           "Copy the last result to the clipboard (tab-separated unless a format is named).")
def clip_directive(state: ShellState, args: str) -> str:
    from kshell import outfiles

    fmt = args.strip().lower() or "tsv"
    if fmt not in ("csv", "tsv", "markdown", "json", "jsonl"):
        raise DirectiveError(f"#clip: unknown format '{args.strip()}'; expected csv, tsv, markdown, json or jsonl")
    return outfiles.copy_to_clipboard(outfiles.last_results(state, "#clip"), fmt)


@directive("chart", "#chart FILE.html|FILE.txt|FILE.ansi",
           "Write the chart of the last result (a query ending with '| render ...') to a file.")
def chart_directive(state: ShellState, args: str) -> str:
    from kshell import outfiles
    from kshell.charts import ChartError, save

    path = _unquote(args.strip())
    if not path:
        raise DirectiveError("usage: #chart FILE.html|FILE.txt|FILE.ansi")
    try:
        return save(outfiles.last_results(state, "#chart"), path)
    except ChartError as e:
        raise DirectiveError(str(e)) from None
