"""Extents and data lifecycle:

    .drop extent ID [from T]
    .drop extents (ID, ...) [from T]
    .drop extents [older N days|hours] from T | all tables [trim by extentsize|datasize N MB|GB] [limit N]
    .drop extents <| query-or-command returning ExtentId
    .drop-pretend extents ...                      (the same forms; nothing is dropped)
    .move [async] extents all | (ID, ...) from table A to table B
    .move [async] extents to table B <| query-or-command returning ExtentId
    .merge | .rebuild [async] T [(ID, ...)] [with (rebuild = true)]   (no-ops with results)
    .delete [async] table T records [with (whatif = true)] <| T | where ...
    .purge table T records [in database D] [with (noregrets = true | verificationtoken = h'...')] <| where ...
    .show materialized-view V extents
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor, paren_list
from kshell.syntax.tokens import EOF, STRING

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any, Optional


class DropExtents(Command):
    pretend: bool = False
    ids: list[str] = field(default_factory=list)
    table: Optional[list[str]] = None      # None: `all tables` or not given
    all_tables: bool = False
    older: Optional[tuple[float, str]] = None   # (N, days|hours)
    trim: Optional[tuple[str, float, str]] = None  # (extentsize|datasize, N, unit)
    limit: Optional[int] = None
    source: Any = None                     # the parsed `<| ...` request
    source_text: str = ""


class MoveExtents(Command):
    ids: list[str] = field(default_factory=list)
    all: bool = False
    source_table: Optional[list[str]] = None
    target_table: list[str] = field(default_factory=list)
    source: Any = None
    is_async: bool = False


class MergeExtents(Command):
    verb: str = "merge"
    table: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    properties: dict = field(default_factory=dict)
    is_async: bool = False


class DeleteRecords(Command):
    kind: str = "delete"                   # delete | purge
    table: list[str] = field(default_factory=list)
    database: Optional[str] = None
    properties: dict = field(default_factory=dict)
    predicate: str = ""
    predicate_pos: int = 0
    is_async: bool = False


class ShowViewExtents(Command):
    name: list[str] = field(default_factory=list)


def extent_id(c: Cursor) -> str:
    """A guid as written (several tokens) or in quotes."""
    t = c.peek()
    if t.kind == STRING:
        return c.string()
    if t.kind == EOF:
        raise c.error("expected an extent id")
    start, end = t.start, t.end
    c.next()
    while not c.at_end and c.peek().start == end and not c.at_op(",", ")"):
        end = c.next().end
    return c.text[start:end]


def _ids(c: Cursor) -> list[str]:
    return paren_list(c, extent_id, "to open the extent id list", "between extent ids")


def _source(c: Cursor) -> Any:
    """The `<| query or .command` after a command (parsed as its own request)."""
    from kshell.syntax import parse

    text, _pos = c.text_after_pipe_arrow()
    if not text:
        raise c.error("expected a query or a command after '<|'")
    return parse(text)


def _number(c: Cursor, what: str) -> float:
    t = c.next()
    try:
        return float(t.text)
    except ValueError:
        raise c.error(f"expected {what}", t) from None


@command_rule
def drop_extents(c: Cursor) -> Command | None:
    verb = c.accept_word("drop", "drop-pretend")
    if verb is None:
        return None
    word = c.accept_word("extent", "extents")
    if word is None or (word == "extent" and c.at_word("tags")):
        return None  # `.drop extent tags ...`: extent_tags_by_query / the table family
    node = DropExtents(pretend=verb == "drop-pretend")
    if word == "extent":
        node.ids = [extent_id(c)]
    elif c.at_op("("):
        node.ids = _ids(c)
    elif c.at_op("<|"):
        node.source = _source(c)
        return node
    else:
        if c.accept_word("older"):
            n = _number(c, "a number after 'older'")
            unit = c.expect_word("days", "hours", context="after the age")
            node.older = (n, unit.lower())
    if c.accept_word("from"):
        if c.accept_words("all", "tables"):
            node.all_tables = True
        else:
            node.table = c.dotted_name("a table name")
    elif not node.ids:
        raise c.error("expected 'from' and a table (or 'all tables')")
    if c.accept_words("trim", "by"):
        what = c.expect_word("extentsize", "datasize", context="after 'trim by'").lower()
        n = _number(c, "a size")
        unit = c.expect_word("mb", "gb", "bytes", context="after the size").lower()
        node.trim = (what, n, unit)
    if c.accept_word("limit"):
        node.limit = int(_number(c, "a number after 'limit'"))
    return node


@command_rule
def move_extents(c: Cursor) -> Command | None:
    if not c.accept_word("move"):
        return None
    is_async = c.accept_word("async") is not None
    if not c.accept_word("extents"):
        return None
    node = MoveExtents(is_async=is_async)
    if c.accept_word("to"):
        c.expect_word("table", context="after 'to'")
        node.target_table = c.dotted_name("the destination table")
        node.source = _source(c)
        return node
    if c.accept_word("all"):
        node.all = True
    else:
        node.ids = _ids(c)
    c.expect_word("from", context="after the extents")
    c.expect_word("table", context="after 'from'")
    node.source_table = c.dotted_name("the source table")
    c.expect_word("to", context="after the source table")
    c.expect_word("table", context="after 'to'")
    node.target_table = c.dotted_name("the destination table")
    return node


@command_rule
def merge_extents(c: Cursor) -> Command | None:
    verb = c.accept_word("merge", "rebuild")
    if verb is None:
        return None
    is_async = c.accept_word("async") is not None
    if not c.at_name() or c.at_word("extents"):
        return None
    node = MergeExtents(verb=verb, table=c.dotted_name("a table name"), is_async=is_async)
    c.accept_word("extents")
    if c.at_op("("):
        node.ids = _ids(c)
    node.properties = c.with_properties()
    return node


@command_rule
def delete_records(c: Cursor) -> Command | None:
    kind = c.accept_word("delete", "purge")
    if kind is None:
        return None
    is_async = kind == "delete" and c.accept_word("async") is not None
    if not c.accept_word("table"):
        return None
    table = c.dotted_name("a table name")
    if not c.accept_word("records"):
        return None
    node = DeleteRecords(kind=kind, table=table, is_async=is_async)
    if kind == "purge" and c.accept_words("in", "database"):
        node.database = c.name("a database name")
    node.properties = c.with_properties()
    if not c.at_op("<|"):
        raise c.error("expected '<|' and the predicate")
    node.predicate, node.predicate_pos = c.text_after_pipe_arrow()
    if not node.predicate:
        raise c.error("expected the predicate after '<|'")
    return node


class ExtentTagsByQuery(Command):
    """`.alter|.alter-merge [async] extent tags ('a', ...) <| query`,
    `.drop [async] extent tags [('a', ...)] <| query`: the query's ExtentId column picks the extents."""

    action: str = "set"          # set | merge | drop
    tags: list[str] = field(default_factory=list)
    source: Any = None
    is_async: bool = False


@command_rule
def extent_tags_by_query(c: Cursor) -> Command | None:
    verb = c.accept_word("alter", "alter-merge", "drop")
    if verb is None:
        return None
    is_async = c.accept_word("async") is not None
    if not c.accept_words("extent", "tags"):
        return None
    tags: list[str] = []
    if c.accept_op("("):
        while not c.accept_op(")"):
            tags.append(c.string("a tag as a string literal"))
            if not c.at_op(")"):
                c.expect_op(",", "between tags")
    elif verb != "drop":
        raise c.error("expected the tags as ('tag', ...)")
    if not c.at_op("<|"):
        return None  # `.drop extent tags from table T ...`: the table family
    action = {"alter": "set", "alter-merge": "merge", "drop": "drop"}[verb]
    return ExtentTagsByQuery(action=action, tags=tags, source=_source(c), is_async=is_async)


@command_rule
def show_view_extents(c: Cursor) -> Command | None:
    if not c.accept_words("show", "materialized-view"):
        return None
    name = c.dotted_name("a materialized view name")
    if not c.accept_word("extents"):
        return None
    return ShowViewExtents(name=name)
