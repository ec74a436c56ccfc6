"""Materialized views:

    .create [async] [ifnotexists] materialized-view [with (...)] V on table T { query }
    .create-or-alter materialized-view [with (...)] V on table T { query }
    .alter materialized-view [with (...)] V on table T { query }
    .alter materialized-view V docstring "text" | folder "path" | autoUpdateSchema true|false
    .drop materialized-view V [ifexists]
    .rename materialized-view V to W
    .enable | .disable materialized-view V
    .show materialized-views [details]
    .show materialized-view V [details | failures | cslschema | schema as json]

(`.show|.alter|.delete materialized-view V policy X` is the policy family's.)
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any, Optional

WORD = "materialized-view"


class CreateMaterializedView(Command):
    mode: str = "create"          # create | create-or-alter | alter
    name: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    query: str = ""               # the body text, braces included
    query_ast: Any = None
    query_pos: int = 0
    properties: dict = field(default_factory=dict)
    is_async: bool = False
    ifnotexists: bool = False


class AlterMaterializedViewProperty(Command):
    name: list[str] = field(default_factory=list)
    prop: str = ""                # docstring | folder | autoupdateschema
    value: Any = None


class DropMaterializedView(Command):
    name: list[str] = field(default_factory=list)
    ifexists: bool = False


class RenameMaterializedView(Command):
    name: list[str] = field(default_factory=list)
    new_name: str = ""


class SwitchMaterializedView(Command):
    name: list[str] = field(default_factory=list)
    enable: bool = True


class ShowMaterializedViews(Command):
    name: Optional[list[str]] = None   # None: every view of the context database
    what: str = ""                      # "" | details | failures | cslschema | schema-json


@command_rule
def materialized_view_command(c: Cursor) -> Command | None:
    verb = c.accept_word("create", "create-or-alter", "alter", "drop", "rename", "enable", "disable")
    if verb is None:
        return None
    is_async = verb == "create" and c.accept_word("async") is not None
    ifnotexists = verb == "create" and c.accept_word("ifnotexists") is not None
    if not c.accept_word(WORD):
        return None
    if verb in ("create", "create-or-alter", "alter"):
        props = c.with_properties()
        name = c.dotted_name("a materialized view name")
        if verb == "alter" and not props and c.at_word("docstring", "folder", "autoupdateschema"):
            prop = c.next().text.lower()
            if prop == "autoupdateschema":
                value: Any = c.expect_word("true", "false", context="after 'autoUpdateSchema'").lower() == "true"
            else:
                value = c.string(f"the {prop} as a string literal")
            return AlterMaterializedViewProperty(name=name, prop=prop, value=value)
        if c.at_word("policy"):
            return None  # `.alter materialized-view V policy ...`: the policy family
        c.expect_word("on", context="after the materialized view name")
        c.expect_word("table", context="after 'on'")
        source = c.dotted_name("the source table name")
        if not c.at_op("{"):
            raise c.error("expected '{' to open the materialized view query")
        from kshell.syntax.query import parse_body

        pos = c.peek().start
        ast = parse_body(c)
        text = c.text[pos:c.peek(-1).end]
        return CreateMaterializedView(mode=verb, name=name, source=source, query=text, query_ast=ast,
                                      query_pos=pos, properties=props, is_async=is_async,
                                      ifnotexists=ifnotexists)
    name = c.dotted_name("a materialized view name")
    if verb == "drop":
        return DropMaterializedView(name=name, ifexists=c.accept_word("ifexists") is not None)
    if verb == "rename":
        c.expect_word("to", context="after the materialized view name")
        return RenameMaterializedView(name=name, new_name=c.name("the new name"))
    return SwitchMaterializedView(name=name, enable=verb == "enable")


@command_rule
def show_materialized_views(c: Cursor) -> Command | None:
    if not c.accept_word("show"):
        return None
    if c.accept_word("materialized-views"):
        return ShowMaterializedViews(what="details" if c.accept_word("details") else "")
    if not c.accept_word(WORD):
        return None
    name = c.dotted_name("a materialized view name")
    if c.at_word("policy", "policies", "principals", "extents", "principal"):
        return None  # other families
    if c.accept_words("schema", "as", "json"):
        return ShowMaterializedViews(name=name, what="schema-json")
    what = c.accept_word("details", "failures", "cslschema") or ""
    return ShowMaterializedViews(name=name, what=what)
