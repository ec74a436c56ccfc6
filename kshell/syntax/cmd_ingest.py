"""Command rules for the ingest family (see kshell.syntax.commands).

    .ingest inline into table T [with (...)] <| data
    .ingest inline into table T [with (...)] [ data ]
    .ingest [async] into table T (uri, ...) [with (...)]      (also a single uri without parentheses)
    (.set | .append | .set-or-append | .set-or-replace) [async] [Db.]T [with (...)] <| query

Inline data is not Kusto text (spec 7.3: CSV by default; quotes, `//` and
whitespace mean what the data format says): kshell.syntax.inline_data lets the
parser tokenize only the command head of an `.ingest inline` request.
"""

from __future__ import annotations

import textwrap
from kshell.syntax.records import field

from kshell.errors import KustoSyntaxError
from kshell.syntax.node import Command
from kshell.syntax.cmd_common import parse_query_at
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor
from kshell.syntax.tokens import NAME, line_col

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any, Optional

QUERY_VERBS = ("set", "append", "set-or-append", "set-or-replace")


class IngestInline(Command):
    table: list[str]             # [T] or [Db, T]
    data: str
    properties: dict = field(default_factory=dict)
    data_pos: int = 0
    # set by the REST streaming endpoint (never by the parser): the rows arrive by streaming
    # ingestion, which the streamingingestion policy gates (kshell.engine.policies.effects)
    streaming: bool = False


class IngestFromStorage(Command):
    """`.ingest [async] into table T (uri, ...)`; executed by the storage family."""

    table: list[str]
    uris: list[str]
    properties: dict = field(default_factory=dict)
    is_async: bool = False
    uri_positions: list[int] = field(default_factory=list)


class IngestFromQuery(Command):
    verb: str                    # set | append | set-or-append | set-or-replace
    table: list[str]
    query: str                   # the query text after `<|`
    properties: dict = field(default_factory=dict)
    is_async: bool = False
    query_pos: int = 0
    query_ast: Any = None        # the parsed query (kshell.syntax.ast.Query) or command (a Command node)


@command_rule
def ingest(c: Cursor) -> Command | None:
    if not c.accept_word("ingest"):
        return None
    if c.accept_word("inline"):
        c.expect_word("into", context="after '.ingest inline'")
        c.expect_word("table", context="after '.ingest inline into'")
        table = c.dotted_name("a table name")
        properties = c.with_properties()
        if c.at_op("<|"):
            arrow = c.next()
            data, pos = _data_after(c.text, arrow.end)
            c.i = len(c.tokens)
        else:
            data, pos = _bracketed_data(c)
        return IngestInline(table=table, data=data, properties=properties, data_pos=pos)
    is_async = bool(c.accept_word("async"))
    if not c.accept_word("into"):
        if is_async:
            raise c.error("expected 'into' after '.ingest async'")
        return None  # .ingest-from-storage-queued and others
    c.expect_word("table", context="after '.ingest into'")
    table = c.dotted_name("a table name")
    uris: list[str] = []
    positions: list[int] = []
    if c.accept_op("("):
        while True:
            positions.append(c.pos)
            uris.append(c.string("a storage connection string"))
            if c.accept_op(")"):
                break
            c.expect_op(",", "between storage connection strings")
    else:
        positions.append(c.pos)
        uris.append(c.string("a storage connection string or '('"))
    return IngestFromStorage(table=table, uris=uris, properties=c.with_properties(),
                             is_async=is_async, uri_positions=positions)


@command_rule
def ingest_from_query(c: Cursor) -> Command | None:
    verb = c.accept_word(*QUERY_VERBS)
    if verb is None:
        return None
    if c.at_word("stored_query_result") and c.peek(1).kind == NAME:
        return None  # `.set stored_query_result N <| ...` (misc family)
    is_async = bool(c.at_word("async") and (c.peek(1).kind == NAME or c.peek(1).is_op("[")))
    if is_async:
        c.next()
    table = c.dotted_name("a table name")
    properties = c.with_properties()
    if not c.at_op("<|"):
        # `.set database X admins (...)` and other families' `.set` commands
        c.note_expected("expected '<|' and a query after the table name")
        return None
    arrow = c.next()
    query, pos = _data_after(c.text, arrow.end, dedent=False)
    c.i = len(c.tokens)
    return IngestFromQuery(verb=verb, table=table, query=query, properties=properties,
                           is_async=is_async, query_pos=pos, query_ast=_parse_query(c.text, query, pos))


def _parse_query(text: str, query: str, pos: int) -> Any:
    """Parse the query (or `.command`, spec 7.3 QueryOrCommand) now, so a syntax error
    reports its place in the whole request."""
    if not query:
        raise KustoSyntaxError("expected a query after '<|'", **_lc(text, pos))
    return parse_query_at(text, pos, allow_command=True)


def _lc(text: str, pos: int) -> dict:
    line, col = line_col(text, pos)
    return {"line": line, "column": col}


def _data_after(text: str, start: int, dedent: bool = True) -> tuple[str, int]:
    """The text after `<|`: from the next line when the arrow ends its line."""
    rest = text[start:]
    head = rest[: len(rest) - len(rest.lstrip(" \t"))]
    pos = start + len(head)
    if rest[len(head):len(head) + 2] == "\r\n":
        pos += 2
    elif rest[len(head):len(head) + 1] == "\n":
        pos += 1
    data = text[pos:].rstrip()
    if dedent and data[:1] in (" ", "\t"):
        # Indented data blocks (as in the docs) mean the unindented records.
        data = textwrap.dedent(data)
    return data, pos


def _bracketed_data(c: Cursor) -> tuple[str, int]:
    """The `[ data ]` form: one record per bracketed line, or one bracket around all."""
    end = c.peek(-1).end if c.i > 0 else 0
    if not c.at_end:
        raise c.error("expected '<|' or '[' and the data to ingest")
    rest = c.text[end:]
    pos = end + len(rest) - len(rest.lstrip())
    data = rest.strip()
    if not data.startswith("[") or not data.endswith("]"):
        raise c.error("expected '<|' or '[' and the data to ingest")
    lines = [ln.strip() for ln in data.splitlines() if ln.strip()]
    if all(ln.startswith("[") and ln.endswith("]") for ln in lines):
        return "\n".join(ln[1:-1] for ln in lines), pos
    return textwrap.dedent(data[1:-1]).strip("\n"), pos + 1


# --------------------------------------------------------- ingestion mappings
#   (.create | .create-or-alter | .alter | .alter-merge) (table T | database D) ingestion KIND mapping "N" 'json' [with (...)]
#   .show (table T | database D) ingestion [KIND] mappings      .show ... ingestion KIND mapping "N"
#   .drop (table T | database D) ingestion KIND mapping "N"

MAPPING_KINDS = ("csv", "json", "avro", "apacheavro", "parquet", "orc", "w3clogfile", "sstream")
MAPPING_VERBS = ("create", "create-or-alter", "alter", "alter-merge", "show", "drop")


class IngestionMappingCommand(Command):
    verb: str                     # create | create-or-alter | alter | alter-merge | show | drop
    entity_kind: str              # table | database
    entity: list[str]             # [T], [Db, T] or [D]
    kind: Optional[str] = None    # csv, json, ... (None: `.show ... ingestion mappings`)
    name: Optional[str] = None    # mapping name (None: show all)
    mapping: Optional[str] = None  # the mapping JSON text
    properties: dict = field(default_factory=dict)


@command_rule
def ingestion_mapping(c: Cursor) -> Command | None:
    verb = c.accept_word(*MAPPING_VERBS)
    if verb is None:
        return None
    entity_kind = c.accept_word("table", "database")
    if entity_kind is None or not c.at_name():
        return None
    entity = c.dotted_name("a name") if entity_kind == "table" else [c.name("a database name")]
    if not c.accept_word("ingestion"):
        return None
    node = IngestionMappingCommand(verb=verb, entity_kind=entity_kind, entity=entity)
    if verb == "show" and c.accept_word("mappings"):
        return node
    node.kind = c.expect_word(*MAPPING_KINDS, context="(the mapping kind)")
    if verb == "show" and c.accept_word("mappings"):
        return node
    c.expect_word("mapping", context=f"after 'ingestion {node.kind}'")
    # One literal only: the mapping JSON follows as the next (adjacent) literal.
    node.name = c.next().value if c.at_string() else c.name("a mapping name")
    if verb in ("show", "drop"):
        return node
    node.mapping = c.string("the mapping as a string literal (JSON)")
    node.properties = c.with_properties()
    return node
