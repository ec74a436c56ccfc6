"""Command rules for one-off exports (spec 7.5, 5.4).

    .export [async] [compressed] to csv|tsv|json|parquet ( ConnectionString [, ...] )
        [with ( Property = Value [, ...] )] <| Query
    .export [async] to table ExternalTableName [with ( Property = Value [, ...] )] <| Query
    .export [async] to sql SqlTableName SqlConnectionString [with (...)] <| Query   (parsed only)
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.cmd_common import parse_query_at
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any

EXPORT_FORMATS = ("csv", "tsv", "json", "parquet")


class ExportToStorage(Command):
    data_format: str
    uris: list[str]
    properties: dict = field(default_factory=dict)
    is_async: bool = False
    compressed: bool = False
    query: str = ""
    query_pos: int = 0
    query_ast: Any = None


class ExportToTable(Command):
    name: str
    properties: dict = field(default_factory=dict)
    is_async: bool = False
    query: str = ""
    query_pos: int = 0
    query_ast: Any = None


class ExportToSql(Command):
    """Parsed for completeness; running it is not simulated (no handler)."""

    table: str
    connection_string: str
    properties: dict = field(default_factory=dict)
    is_async: bool = False
    query: str = ""
    query_pos: int = 0
    query_ast: Any = None


@command_rule
def export_command(c: Cursor) -> Command | None:
    if not c.accept_word("export"):
        return None
    is_async = bool(c.accept_word("async"))
    compressed = bool(c.accept_word("compressed"))
    c.expect_word("to", context="after '.export [async] [compressed]'")
    if c.accept_word("table"):
        if compressed:
            raise c.error("'compressed' does not apply to '.export to table' (set it on the external table)")
        name = c.name("an external table name")
        node: Command = ExportToTable(name=name, properties=c.with_properties(), is_async=is_async)
    else:
        fmt = c.accept_word(*EXPORT_FORMATS, "sql")
        if fmt is None:
            raise c.error("expected csv, tsv, json, parquet, sql or 'table' after '.export to'")
        if fmt == "sql":
            table = c.name("a SQL table name")
            cs = c.string("a SQL connection string literal")
            node = ExportToSql(table=table, connection_string=cs, properties=c.with_properties(), is_async=is_async)
            return _query(c, node)
        c.expect_op("(", "to open the storage connection strings")
        uris = []
        while True:
            uris.append(c.string("a storage connection string literal"))
            if c.accept_op(")"):
                break
            c.expect_op(",", "between connection strings")
        node = ExportToStorage(data_format=fmt, uris=uris, properties=c.with_properties(), is_async=is_async,
                               compressed=compressed)
    return _query(c, node)


def _query(c: Cursor, node: Any) -> Command:
    arrow = c.expect_op("<|", "before the export query")
    text = c.text[arrow.end:]
    offset = arrow.end + (len(text) - len(text.lstrip()))
    c.i = len(c.tokens)
    node.query = c.text[offset:].strip()
    node.query_pos = offset
    if not node.query:
        raise c.error("expected a query after '<|'")
    node.query_ast = parse_query_at(c.text, offset)
    return node
