"""Command rules for the table family (see kshell.syntax.commands).

    .create table T (c:type, ...) [with (docstring=..., folder=...)]
    .create-merge table T (c:type, ...) [with (...)]
    .create tables A (..), B (..) [with (...)]      .create-merge tables ...
    .alter table T (c:type, ...) [with (...)]       .alter-merge table T (...) [with (...)]
    .alter table T docstring "..."                  .alter table T folder "..."
    .alter[-merge] table T column-docstrings (c:"doc", ...)
    .drop table T [ifexists]                        .drop tables (A, B) [ifexists]
    .rename table A to B                            .rename tables A=B [ifexists], ...
    .show tables [(A, B)] [details]
    .show table T | .show table T details | .show table T schema as (json|csl) | .show table T cslschema
    .clear table T data

Table names may be database-qualified (`Db.T`).  `... policy <kind>`
commands belong to cmd_policy; principals, mappings, extents ... to other
families: these rules decline (and note what they expected) when the words
after the table name are not theirs.
"""

from __future__ import annotations

from kshell.syntax.records import field
from kshell.syntax.node import Command
from kshell.syntax.commands import command_rule
from kshell.syntax.cmd_common import at_command_end, finish, parse_query_at
from kshell.syntax.cursor import Cursor, paren_list

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any, Optional

Schema = list[tuple[str, str]]


class CreateTable(Command):
    name: list[str]              # [T] or [Db, T]
    columns: Schema
    properties: dict = field(default_factory=dict)
    merge: bool = False          # .create-merge


class CreateTableBasedOn(Command):
    """`.create table T based-on Other [with (...)]`."""

    name: list[str]
    source: list[str]
    properties: dict = field(default_factory=dict)


class CreateTables(Command):
    tables: list[tuple[list[str], Schema]]
    properties: dict = field(default_factory=dict)
    merge: bool = False


class AlterTable(Command):
    name: list[str]
    columns: Schema
    properties: dict = field(default_factory=dict)
    merge: bool = False          # .alter-merge


class AlterTableAttribute(Command):
    """`.alter table T docstring "..."` / `.alter table T folder "..."`."""

    name: list[str]
    attribute: str               # docstring | folder
    value: str


class AlterColumnDocstrings(Command):
    name: list[str]
    docstrings: list[tuple[str, str]]
    merge: bool = False


class DropTables(Command):
    names: list[list[str]]
    ifexists: bool = False
    plural: bool = False         # `.drop tables (A, B)`


class RenameTables(Command):
    pairs: list[tuple[list[str], str, bool]]  # (old name, new name, ifexists)


class ShowTables(Command):
    names: list[str] = field(default_factory=list)
    details: bool = False


class ShowTable(Command):
    """`.show table T` (column-level statistics)."""

    name: list[str]


TAG_OPERATORS = ("has", "contains", "!has", "!contains")


class ShowTableExtents(Command):
    """`.show table T extents [(ids)] [hot] [where tags has 'x' ...]`."""

    name: list[str]
    extent_ids: list[str] = field(default_factory=list)
    tag_filters: list[tuple[str, str]] = field(default_factory=list)


class ShowExtents(Command):
    """`.show tables (A, B) extents ...`, `.show database [D] extents ...`, `.show cluster extents ...`."""

    scope: str                       # tables | database | cluster
    tables: list[str] = field(default_factory=list)
    database: Optional[str] = None
    extent_ids: list[str] = field(default_factory=list)
    tag_filters: list[tuple[str, str]] = field(default_factory=list)


class ExtentTagsCommand(Command):
    """`.alter[-merge] table T extent tags ('a', ...)`, `.drop table T extent tags [('a', ...)]`
    [with (extentCreatedOnFrom=..., extentCreatedOnTo=...)]."""

    action: str                      # set | merge | drop
    name: list[str]
    tags: list[str] = field(default_factory=list)   # drop with no tags: drop them all
    properties: dict = field(default_factory=dict)
    source: Any = None               # `<| query or .command` whose ExtentId column selects the extents


class AlterColumnType(Command):
    """`.alter column [Db.]T.C type = T2`."""

    column: list[str]            # [T, C] or [Db, T, C]
    type: str


class DropColumns(Command):
    """`.drop column [Db.]T.C [ifexists]` / `.drop table T columns (C, ...)`."""

    table: list[str]
    columns: list[str]
    ifexists: bool = False


class RenameColumns(Command):
    """`.rename column [Db.]T.C to D` / `.rename columns D = [Db.]T.C, ...`."""

    renames: list[tuple[list[str], str]]   # (table-qualified column, new name)


class ShowTableDataStatistics(Command):
    name: list[str]
    properties: dict = field(default_factory=dict)


class ShowTableDetails(Command):
    name: list[str]


class ShowTableSchema(Command):
    name: list[str]
    format: str = "json"         # json | csl
    properties: dict = field(default_factory=dict)


class ClearTableData(Command):
    name: list[str]


@command_rule
def create_tables(c: Cursor) -> Command | None:
    verb = c.accept_word("create", "create-merge")
    if verb is None:
        return None
    merge = verb == "create-merge"
    if c.accept_word("tables"):
        tables = []
        while True:
            name = c.dotted_name("a table name")
            tables.append((name, c.schema()))
            if not c.accept_op(","):
                break
        return CreateTables(tables=tables, properties=c.with_properties(), merge=merge)
    if not c.accept_word("table"):
        return None
    start = c.i
    name = c.dotted_name("a table name")
    if not merge and _accept_hyphenated(c, "based", "on"):
        other = c.dotted_name("the name of the table to copy the schema from")
        return CreateTableBasedOn(name=name, source=other, properties=c.with_properties())
    if not c.at_op("("):
        # `.create table T ingestion csv mapping ...` and friends
        c.note_expected("expected '(' and the table schema after the table name")
        c.i = start
        return None
    columns = c.schema()
    return CreateTable(name=name, columns=columns, properties=c.with_properties(), merge=merge)


@command_rule
def alter_table(c: Cursor) -> Command | None:
    verb = c.accept_word("alter", "alter-merge")
    if verb is None or not c.accept_word("table"):
        return None
    merge = verb == "alter-merge"
    name = c.dotted_name("a table name")
    if c.at_op("("):
        columns = c.schema()
        return AlterTable(name=name, columns=columns, properties=c.with_properties(), merge=merge)
    if not merge and c.at_word("docstring", "folder") and c.peek(1).kind == "STRING":
        attribute = c.next().text.lower()
        return AlterTableAttribute(name=name, attribute=attribute, value=c.string())
    if c.accept_words("extent", "tags"):
        return _extents_source(c, ExtentTagsCommand(action="merge" if merge else "set", name=name,
                                                    tags=_tag_list(c), properties=c.with_properties()))
    if _accept_hyphenated(c, "column", "docstrings"):
        c.expect_op("(", "after 'column-docstrings'")
        docs = []
        while True:
            col = c.name("a column name")
            c.expect_op(":", "after the column name")
            docs.append((col, c.string("the column docstring")))
            if c.accept_op(")"):
                break
            c.expect_op(",", "between columns")
        return AlterColumnDocstrings(name=name, docstrings=docs, merge=merge)
    c.note_expected("expected '(' and the table schema, 'docstring', 'folder' or 'policy' after the table name")
    return None


@command_rule
def alter_column_type(c: Cursor) -> Command | None:
    if not c.accept_words("alter", "column"):
        return None
    parts = c.dotted_name("a table-qualified column name (T.C)")
    if not c.at_word("type"):
        c.note_expected("expected 'type' or 'policy' after the column name")
        return None  # `.alter column T.C policy ...` belongs to the policy family
    c.next()
    c.expect_op("=", "after 'type'")
    if len(parts) < 2:
        raise c.error("expected a table-qualified column name (T.C)")
    return AlterColumnType(column=parts, type=c.type_name())


@command_rule
def drop_tables(c: Cursor) -> Command | None:
    if not c.accept_word("drop"):
        return None
    if c.accept_word("tables"):
        c.expect_op("(", "after 'tables'")
        names = []
        while True:
            names.append(c.dotted_name("a table name"))
            if c.accept_op(")"):
                break
            c.expect_op(",", "between table names")
        return DropTables(names=names, ifexists=bool(c.accept_word("ifexists")), plural=True)
    if c.accept_words("extent", "tags", "from", "table"):
        name = c.dotted_name("a table name")
        return _extents_source(c, ExtentTagsCommand(action="drop", name=name, tags=_tag_list(c),
                                                    properties=c.with_properties()))
    if c.accept_word("column"):
        parts = c.dotted_name("a table-qualified column name (T.C)")
        if len(parts) < 2:
            raise c.error("expected a table-qualified column name (T.C)")
        return DropColumns(table=parts[:-1], columns=[parts[-1]], ifexists=bool(c.accept_word("ifexists")))
    if not c.accept_word("table"):
        return None
    name = c.dotted_name("a table name")
    if c.accept_word("columns"):
        c.expect_op("(", "after 'columns'")
        cols = []
        while True:
            cols.append(c.name("a column name"))
            if c.accept_op(")"):
                break
            c.expect_op(",", "between column names")
        return DropColumns(table=name, columns=cols)
    if c.accept_words("extent", "tags"):
        tags = _tag_list(c) if c.at_op("(") else []
        return _extents_source(c, ExtentTagsCommand(action="drop", name=name, tags=tags,
                                                    properties=c.with_properties()))
    ifexists = bool(c.accept_word("ifexists"))
    if not at_command_end(c):
        c.note_expected("expected 'ifexists' or the end of the command after the table name")
        return None
    return DropTables(names=[name], ifexists=ifexists)


@command_rule
def rename_tables(c: Cursor) -> Command | None:
    if not c.accept_word("rename"):
        return None
    if c.accept_word("column"):
        parts = c.dotted_name("a table-qualified column name (T.C)")
        if len(parts) < 2:
            raise c.error("expected a table-qualified column name (T.C)")
        c.expect_word("to", context="after the column name")
        return RenameColumns(renames=[(parts, c.name("the new column name"))])
    if c.accept_word("columns"):
        renames = []
        while True:
            new = c.name("the new column name")
            c.expect_op("=", "after the new column name")
            parts = c.dotted_name("a table-qualified column name (T.C)")
            if len(parts) < 2:
                raise c.error("expected a table-qualified column name (T.C)")
            renames.append((parts, new))
            if not c.accept_op(","):
                return RenameColumns(renames=renames)
    if c.accept_word("table"):
        old = c.dotted_name("a table name")
        c.expect_word("to", context="after the table name")
        return RenameTables(pairs=[(old, c.name("the new table name"), False)])
    if not c.accept_word("tables"):
        return None
    pairs = []
    while True:
        new = c.name("the new table name")
        c.expect_op("=", "after the new table name")
        old = c.dotted_name("the existing table name")
        pairs.append((old, new, bool(c.accept_word("ifexists"))))
        if not c.accept_op(","):
            return RenameTables(pairs=pairs)


@command_rule
def show_tables(c: Cursor) -> Command | None:
    if not c.accept_word("show"):
        return None
    if c.accept_word("tables"):
        names: list[str] = []
        if c.accept_op("("):
            while True:
                names.append(c.name("a table name"))
                if c.accept_op(")"):
                    break
                c.expect_op(",", "between table names")
        if c.at_word("extents"):
            return _extents_tail(c, ShowExtents(scope="tables", tables=names))
        details = bool(c.accept_word("details"))
        if not at_command_end(c):
            c.note_expected("expected 'details' or the end of the command")
            return None
        return finish(c, ShowTables(names=names, details=details))
    if not c.accept_word("table") or c.at_op("*"):
        return None
    name = c.dotted_name("a table name")
    if at_command_end(c):
        return finish(c, ShowTable(name=name))
    if c.at_word("details") and at_command_end(c, 1):
        c.next()
        return finish(c, ShowTableDetails(name=name))
    if c.at_word("extents"):
        return _extents_tail(c, ShowTableExtents(name=name))
    if c.accept_words("data", "statistics"):
        return finish(c, ShowTableDataStatistics(name=name, properties=c.with_properties()))
    if c.at_word("cslschema"):
        c.next()
        return ShowTableSchema(name=name, format="csl")
    if c.at_word("schema") and c.peek(1).is_word("as"):
        c.i += 2
        fmt = c.expect_word("json", "csl", "cslschema", context="after 'schema as'")
        return ShowTableSchema(name=name, format="json" if fmt == "json" else "csl",
                               properties=c.with_properties())
    c.note_expected("expected 'details', 'schema as json', 'cslschema', 'policy' or the end of the command")
    return None


@command_rule
def show_extents(c: Cursor) -> Command | None:
    """`.show database [D] extents ...` and `.show cluster extents ...`."""
    if not c.accept_word("show"):
        return None
    if c.accept_word("cluster"):
        return _extents_tail(c, ShowExtents(scope="cluster")) if c.at_word("extents") else None
    if not c.accept_word("database"):
        return None
    database = None if c.at_word("extents") else (c.name("a database name") if c.at_name() else None)
    if not c.at_word("extents"):
        return None
    return _extents_tail(c, ShowExtents(scope="database", database=database))


def _extents_tail(c: Cursor, node: Command) -> Command:
    """`extents [(id, ...)] [hot] [where tags (has|contains|!has|!contains) 'x' [and tags ...]]`."""
    c.expect_word("extents")
    if c.accept_op("("):
        while True:
            t = c.next()
            if t.kind in ("STRING", "RAW"):
                node.extent_ids.append(t.value if t.kind == "STRING" else t.value[1])
            else:
                # a bare guid is several tokens: take the source text up to ',' or ')'
                start = t.start
                while not (c.at_op(",") or c.at_op(")") or c.at_end):
                    c.next()
                node.extent_ids.append(c.text[start:c.peek(-1).end])
            if c.accept_op(")"):
                break
            c.expect_op(",", "between extent ids")
    c.accept_word("hot")
    if c.accept_word("where"):
        while True:
            c.expect_word("tags", context="after 'where'")
            op = c.peek()
            if not (op.kind in ("NAME", "OP") and op.text.lower() in TAG_OPERATORS):
                raise c.error("expected has, contains, !has or !contains after 'tags'")
            c.next()
            node.tag_filters.append((op.text.lower(), c.string("a tag as a string literal")))
            if not c.accept_word("and"):
                break
    return finish(c, node)


@command_rule
def clear_table(c: Cursor) -> Command | None:
    if not c.accept_words("clear", "table"):
        return None
    name = c.dotted_name("a table name")
    if not c.at_word("data"):
        c.note_expected("expected 'data' after the table name")
        return None
    c.next()
    return ClearTableData(name=name)


def _extents_source(c: Cursor, node: ExtentTagsCommand) -> ExtentTagsCommand:
    if c.at_op("<|"):
        arrow = c.next()
        node.source = parse_query_at(c.text, arrow.end, allow_command=True)
        c.i = len(c.tokens)
    return node


def _tag_list(c: Cursor) -> list[str]:
    return paren_list(c, _tag, "to open the list of tags", "between tags")


def _tag(c: Cursor) -> str:
    return c.next().value if c.at_string() else c.string("a tag as a string literal")


def _accept_hyphenated(c: Cursor, first: str, second: str) -> bool:
    """`first-second` as one word, or as the tokens `first` `-` `second` (e.g. column-docstrings)."""
    if c.accept_word(f"{first}-{second}"):
        return True
    t0, t1, t2 = c.peek(), c.peek(1), c.peek(2)
    if t0.is_word(first) and t1.is_op("-") and t2.is_word(second) and t0.end == t1.start and t1.end == t2.start:
        c.i += 3
        return True
    return False
