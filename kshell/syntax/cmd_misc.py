"""Miscellaneous commands: `.show version`, `.show cluster [details]`,
`.show ingestion failures`, `.enable|.disable plugin`, and a catch-all for the
other ADX commands kshell does not simulate.

The catch-all (`OtherCommand`) lets `--check` and the corpus read real ADX
scripts: a command whose leading words match one of OTHER_COMMAND_HEADS is
accepted, its remaining text skipped with brackets balanced, and any query it
embeds (after `<|`, or a `{ ... }` body) parsed, so errors inside still show.
The engine answers OtherCommand with NotSupported.

These rules are tried last (commands.FAMILY_MODULES).  The heads are narrow on
purpose: each names a command no other family owns, so a malformed command of
another family still gets that family's error instead of being swallowed here.
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor
from kshell.syntax.tokens import EOF, NAME, OP

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Optional


class ShowVersion(Command):
    pass


class ShowCluster(Command):
    pass


class ShowClusterDetails(Command):
    pass


class ShowIngestionFailures(Command):
    """`.show ingestion failures [with (OperationId = 'guid')]`."""

    operation_id: Optional[str] = None
    properties: dict = field(default_factory=dict)


class EnablePlugin(Command):
    name: str = ""


class DisablePlugin(Command):
    name: str = ""


class OtherCommand(Command):
    """An ADX command outside kshell's simulated families, accepted for syntax only.

    `words` are its leading words as matched (lower-case keywords, names as written)."""

    words: list[str] = field(default_factory=list)
    # Offset just after the leading words: the dispatcher prefers another family's
    # error raised beyond this point (that family understood more of the command).
    head_end: int = 0


@command_rule
def show_misc(c: Cursor) -> Command | None:
    if not c.accept_word("show"):
        return None
    if c.accept_word("version"):
        return ShowVersion()
    if c.at_word("cluster") and (c.peek(1).kind == EOF or c.peek(1).is_op("|")):
        c.next()
        return ShowCluster()
    if c.at_words("cluster", "details") and (c.peek(2).kind == EOF or c.peek(2).is_op("|")):
        c.i += 2
        return ShowClusterDetails()
    if c.accept_words("ingestion", "failures"):
        props = c.with_properties()
        op_id = next((str(v) for k, v in props.items() if k.lower() == "operationid"), None)
        return ShowIngestionFailures(operation_id=op_id, properties=props)
    return None


@command_rule
def plugin_switch(c: Cursor) -> Command | None:
    verb = c.accept_word("enable", "disable")
    if verb is None or not c.accept_word("plugin"):
        return None
    name = c.name("a plugin name")
    return EnablePlugin(name=name) if verb == "enable" else DisablePlugin(name=name)


# ---------------------------------------------------------------- catch-all

# Leading words of the ADX commands accepted as OtherCommand.  Items: a keyword;
# `a|b` alternatives; `[a|b]` an optional keyword; `<name>` a name (dotted,
# quoted, or `*`); `!word` the next word must not be `word` (nothing consumed).
# What follows the head is skipped (brackets balanced, embedded queries parsed).
OTHER_COMMAND_HEADS = (
    # extents, journal, operations, queries, diagnostics
    "show table <name> extents|extent|data|columns|column|operations|usage|corrupted|rowstores|rowstore",
    "show tables <name> extents",
    "show tables extents",
    "show database <name> extents|journal|datastats|cache|statistics|cslschema|operations",
    "show database extents|journal|datastats|cache|statistics",
    "show databases entities|datastats|identity|operations|cache",
    "show cluster extents|journal|databases|principals|operations|monitoring|capacity|diagnostics|storage",
    "show extents|extent|journal|operations|operation|commands|queries|commands-and-queries",
    "show running queries",
    "show capacity|diagnostics|plugins|memory|cache|callstacks|requests|basicauth|rowstores|rowstore",
    "show data operations",
    "show schema",
    "show streamingingestion failures|statistics",
    "show ingestion mappings",
    "show request_support|query_results|request-support",
    "show principal access",
    "show stored_query_results|stored_query_result",
    "show entity_groups|entity_group|workload_groups|workload_group",
    "show graph_models|graph_model|graph_snapshots|graph_snapshot",
    "show follower databases|database",
    "show materialized-views",
    "show materialized-view <name> details|extents|failures|statistics|schema|cslschema|diagnostics|principals",
    "show materialized-view <name>",
    "show function <name> principals",
    "drop extents|extent|extent-tags",
    "drop-pretend extents",
    "move|replace|attach [async] extents",
    "alter|alter-merge [async] extent tags",
    "alter|alter-merge extent-tags",
    "merge|rebuild [async] <name> extents",
    "merge [async] extents",
    "show table <name> extent tags",
    "drop|drop-pretend table <name> extent|extents",
    # materialized views
    "create|create-or-alter [async] [ifnotexists] materialized-view",
    "alter|alter-merge materialized-view",
    "drop|enable|disable|rename|clear|purge materialized-view <name>",
    "delete materialized-view <name> records",
    # data management
    "update [async] table",
    "execute database script",
    "execute cluster script",
    "purge table|materialized-view",
    "purge-cleanup",
    "delete table <name> records",
    "undo drop table",
    "clear database cache",
    "clear cluster cache !groupmembership",
    "clear cache",
    "clear table <name> cache",
    "cancel operation|query",
    "set|append|drop stored_query_result|stored_query_results",
    # columns
    "drop column|columns",
    "alter column|columns",
    "alter-merge column|columns",
    "rename column|columns",
    "drop table <name> columns",
    "alter table <name> column-docstrings|column-type",
    "alter-merge table <name> column-docstrings",
    # followers, workload groups, entity groups, graph models
    "alter|add|drop|delete follower database|databases",
    "create-or-alter|alter|alter-merge|drop workload_group",
    "create|create-or-alter|alter|alter-merge|drop entity_group",
    "create|create-or-alter|alter|drop graph_model",
    "make [async] graph_snapshot",
    "drop graph_snapshot|graph_snapshots",
    "create graph snapshot",
    # database-level odds and ends
    "alter database <name> persist|caching",
    "detach database",
    "attach database",
)


def _compile(head: str) -> list[tuple[str, frozenset[str]]]:
    items = []
    for item in head.split():
        if item.startswith("[") and item.endswith("]"):
            items.append(("opt", frozenset(item[1:-1].split("|"))))
        elif item.startswith("!"):
            items.append(("not", frozenset({item[1:]})))
        elif item == "<name>":
            items.append((item, frozenset()))
        else:
            items.append(("word", frozenset(item.split("|"))))
    return items


_HEADS = [_compile(h) for h in OTHER_COMMAND_HEADS]
# Index by first word for speed.
_BY_FIRST: dict[str, list[list[tuple[str, frozenset[str]]]]] = {}
for _h in _HEADS:
    for _w in _h[0][1]:
        _BY_FIRST.setdefault(_w, []).append(_h)


def _match(c: Cursor, head) -> list[str] | None:
    words: list[str] = []
    for kind, options in head:
        t = c.peek()
        if kind == "word":
            if t.kind != NAME or t.text.lower() not in options:
                return None
            words.append(t.text.lower())
            c.next()
        elif kind == "opt":
            if t.kind == NAME and t.text.lower() in options:
                words.append(t.text.lower())
                c.next()
        elif kind == "not":
            if t.kind == NAME and t.text.lower() in options:
                return None
        elif kind == "<name>":
            if c.at_op("*"):
                c.next()
                words.append("*")
            elif c.at_name():
                words.append(".".join(c.dotted_name()))
            else:
                return None
    return words


@command_rule
def other_command(c: Cursor) -> OtherCommand | None:
    t = c.peek()
    heads = _BY_FIRST.get(t.text.lower()) if t.kind == NAME else None
    if not heads:
        return None
    start = c.i
    for head in heads:
        c.i = start
        words = _match(c, head)
        if words is not None:
            head_end = c.peek(-1).end
            skip_command_rest(c)
            return OtherCommand(words=words, head_end=head_end)
    c.i = start
    return None


def skip_command_rest(c: Cursor) -> None:
    """Skip to the end of the command or a top-level `|` (query operators on its result).

    A `{ ... }` body and the query after `<|` are parsed, so their syntax errors
    are reported; after `<|` a command script (`.create ...`) is skipped."""
    from kshell.syntax.query import parse_body, parse_operators, parse_query_tokens
    from kshell.syntax.query_ops import operator_words

    while not c.at_end:
        t = c.peek()
        if t.kind == OP:
            if t.text == "|":
                return
            if t.text == "<|":
                c.next()
                if c.at_op(".") or c.at_end:
                    c.rest_text()
                elif c.at_op("{"):
                    parse_body(c)  # `.replace extents ... <| { query }`
                    continue
                elif c.at_word(*operator_words()) and not c.peek(1).is_op("|"):
                    # `.purge table T records <| where Id == 1`: operators without a source
                    parse_operators(c, leading_pipe=False)
                else:
                    parse_query_tokens(c)
                return
            if t.text == "{":
                parse_body(c)
                continue
            if t.text in ("(", "["):
                c.balanced_text()
                continue
            if t.text in (")", "]", "}"):
                raise c.error(f"unbalanced '{t.text}'", t)
        c.next()
