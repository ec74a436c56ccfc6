"""Command rules for the database family (see kshell.syntax.commands).

    .create database X [persist (path, ...) | volatile] [ifnotexists]
    .drop database X [ifexists]
    .alter database X prettyname 'Name'      .drop database X prettyname
    .show databases [(A, B)] [schema [as json | as csl script] [with (...)]]
    .show database [X]
    .show database [X] schema [if_later_than "v"] [as json | as csl script] [with (...)]
    .show database [X] details

Anything else after `database X` (principals, extents, policies, mappings ...)
belongs to another family: the rules decline and note what they expected.
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.commands import command_rule
from kshell.syntax.cmd_common import at_command_end, finish
from kshell.syntax.cursor import Cursor

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Optional

# Words that follow `.show database` directly when the database name is omitted.
# (Some belong to other families, e.g. `.show database extents`, `.show database principals`.)
_SHOW_DATABASE_SUFFIXES = ("schema", "details", "identity", "policies", "datastats", "extents", "journal",
                           "principals", "principal", "cache", "operations", "statistics", "cslschema",
                           "ingestion", "policy", "metadata")
FLAVORS = ("details", "identity", "policies", "datastats")


class CreateDatabase(Command):
    name: str
    volatile: bool = False
    persist: list[str] = field(default_factory=list)
    ifnotexists: bool = False


class DropDatabase(Command):
    name: str
    ifexists: bool = False


class AlterDatabasePrettyName(Command):
    name: str
    pretty_name: str  # "" for `.drop database X prettyname`


class ShowDatabases(Command):
    names: list[str] = field(default_factory=list)  # empty: all databases
    flavor: str = ""                                # "" | details | identity | policies | datastats


class ShowDatabase(Command):
    name: Optional[str] = None  # None: the context database
    flavor: str = ""            # "" | details | identity | policies | datastats


class ShowDatabasesEntities(Command):
    names: list[str] = field(default_factory=list)
    properties: dict = field(default_factory=dict)


class ShowDatabaseSchemaViolations(Command):
    name: Optional[str] = None


class ShowDatabaseSchema(Command):
    names: list[str] = field(default_factory=list)  # [] = context database
    all_databases: bool = False                     # `.show databases schema`
    format: str = "table"                           # table | json | csl | cslschema
    if_later_than: Optional[str] = None
    properties: dict = field(default_factory=dict)


@command_rule
def create_or_drop_database(c: Cursor) -> Command | None:
    verb = c.accept_word("create", "drop", "alter")
    if verb is None or not c.accept_word("database"):
        return None
    start = c.i
    name = c.name("a database name")
    if verb == "alter":
        if c.accept_word("prettyname"):
            return AlterDatabasePrettyName(name=name, pretty_name=c.string("the pretty name"))
        c.note_expected("expected 'prettyname' after the database name")
        return None
    if verb == "drop":
        if c.accept_word("prettyname"):
            return AlterDatabasePrettyName(name=name, pretty_name="")
        ifexists = bool(c.accept_word("ifexists"))
        if not at_command_end(c):
            # `.drop database X ingestion csv mapping ...`, principals ... (other families)
            c.note_expected("expected 'ifexists' or the end of the command after the database name")
            c.i = start
            return None
        return DropDatabase(name=name, ifexists=ifexists)
    if not (at_command_end(c) or c.at_word("persist", "volatile", "ifnotexists")):
        # `.create database X ingestion csv mapping ...` belongs to the ingestion family
        c.note_expected("expected 'persist (...)', 'volatile', 'ifnotexists' or the end of the command")
        return None
    node = CreateDatabase(name=name)
    if c.accept_word("persist"):
        c.expect_op("(", "after 'persist'")
        while True:
            node.persist.append(c.string("a storage path"))
            if c.accept_op(")"):
                break
            c.expect_op(",", "between storage paths")
    elif c.accept_word("volatile"):
        node.volatile = True
    node.ifnotexists = bool(c.accept_word("ifnotexists"))
    if not at_command_end(c):
        raise c.error("expected 'persist (...)', 'volatile', 'ifnotexists' or the end of the command")
    return node


@command_rule
def show_database(c: Cursor) -> Command | None:
    if not c.accept_word("show"):
        return None
    if c.accept_word("databases"):
        names: list[str] = []
        if c.accept_op("("):
            while True:
                names.append(c.name("a database name"))
                if c.accept_op(")"):
                    break
                c.expect_op(",", "between database names")
        if at_command_end(c):
            return finish(c, ShowDatabases(names=names))
        if c.at_word(*FLAVORS) and at_command_end(c, 1):
            return finish(c, ShowDatabases(names=names, flavor=c.next().text.lower()))
        if c.accept_word("entities"):
            return finish(c, ShowDatabasesEntities(names=names, properties=c.with_properties()))
        if c.at_word("schema"):
            return _schema_tail(c, ShowDatabaseSchema(names=names, all_databases=not names))
        c.note_expected("expected 'schema', 'details', 'entities' or the end of the command")
        return None
    if not c.accept_word("database"):
        return None
    name = None
    if not at_command_end(c) and not c.at_word(*_SHOW_DATABASE_SUFFIXES):
        if not c.at_name():
            return None
        name = c.name("a database name")
    if at_command_end(c):
        return finish(c, ShowDatabase(name=name))
    if c.at_word(*FLAVORS) and at_command_end(c, 1):
        return finish(c, ShowDatabase(name=name, flavor=c.next().text.lower()))
    if c.at_word("cslschema") and at_command_end(c, 1):
        c.next()
        return finish(c, ShowDatabaseSchema(names=[name] if name else [], format="cslschema"))
    if c.at_words("schema", "violations") and at_command_end(c, 2):
        c.i += 2
        return finish(c, ShowDatabaseSchemaViolations(name=name))
    if c.at_word("schema"):
        return _schema_tail(c, ShowDatabaseSchema(names=[name] if name else []))
    c.note_expected("expected 'schema', 'details' or the end of the command")
    return None


def _schema_tail(c: Cursor, node: ShowDatabaseSchema) -> ShowDatabaseSchema:
    c.expect_word("schema")
    if c.accept_word("if_later_than"):
        node.if_later_than = c.string("a version string")
    if c.accept_word("as"):
        fmt = c.expect_word("json", "csl", context="after 'as'")
        if fmt == "csl":
            c.expect_word("script", context="after 'as csl'")
        node.format = fmt
    node.properties = c.with_properties()
    return finish(c, node)
