"""Command rules for the continuous_export family (see kshell.syntax.commands).

    .create-or-alter continuous-export N [over (T1, ...)] to table E [with (p=v, ...)] <| Query
    .show continuous-exports
    .show continuous-export N [exported-artifacts | failures]
    .drop continuous-export N
    .enable continuous-export N          .disable continuous-export N

Property values are kept as `PropertyValue(raw, value)`: the engine validates
them against the type each property needs (spec 5.1), so the parser accepts
every spelling the docs use: `1h`, `time(1h)`, `104857600`, `true`, `"system"`
and a bare GUID (`managedIdentity=aaaaaaaa-0000-...`).  The query after `<|`
is parsed here, so a syntax error in it points at its own line and column.
"""

from __future__ import annotations

from kshell.syntax.records import Record, field

from kshell.syntax.node import Command
from kshell.syntax.cmd_common import parse_query_at
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any, Optional

WORD = "continuous-export"
PLURAL = "continuous-exports"


class PropertyValue(Record):
    """One `name = value` of the with-clause: the source text and a first interpretation."""

    raw: str   # the value's source text, e.g. `1h`, `"system"`, `aaaaaaaa-0000-...`
    value: Any  # str for strings and bare words, int/float for numbers, bool for true/false


class CreateOrAlterContinuousExport(Command):
    name: str
    external_table: str
    query_text: str
    over: Optional[list[list[str]]] = None      # fact tables as dotted names; None when no `over`
    properties: dict[str, PropertyValue] = field(default_factory=dict)  # names as written
    query: Any = None                           # the parsed query (kshell.syntax.ast.Query)
    duplicates: list[str] = field(default_factory=list)  # property names given more than once


class ShowContinuousExports(Command):
    pass


class ShowContinuousExport(Command):
    name: str


class ShowContinuousExportArtifacts(Command):
    name: str


class ShowContinuousExportFailures(Command):
    name: str


class DropContinuousExport(Command):
    name: str


class EnableContinuousExport(Command):
    name: str


class DisableContinuousExport(Command):
    name: str


_SIMPLE = {"drop": DropContinuousExport, "enable": EnableContinuousExport, "disable": DisableContinuousExport}


@command_rule
def continuous_export_command(c: Cursor) -> Command | None:
    verb = c.accept_word("create-or-alter", "show", "drop", "enable", "disable")
    if verb is None:
        return None
    if verb == "show" and c.accept_word(PLURAL):
        return ShowContinuousExports()
    if not c.accept_word(WORD):
        return None
    name = c.name("a continuous export name")
    if verb == "create-or-alter":
        return _create_or_alter(c, name)
    if verb == "show":
        what = c.accept_word("exported-artifacts", "failures")
        if what == "exported-artifacts":
            return ShowContinuousExportArtifacts(name=name)
        if what == "failures":
            return ShowContinuousExportFailures(name=name)
        return ShowContinuousExport(name=name)
    return _SIMPLE[verb](name=name)


def _create_or_alter(c: Cursor, name: str) -> CreateOrAlterContinuousExport:
    over = None
    if c.accept_word("over"):
        c.expect_op("(", "after 'over'")
        # Plain table names only (fact tables are local; Microsoft's parser refuses `Db.T` here).
        over = [[c.name("a fact table name")]]
        while c.accept_op(","):
            over.append([c.name("a fact table name")])
        c.expect_op(")", "to close the list of fact tables")
    c.expect_word("to", context="(to table ExternalTableName)")
    c.expect_word("table", context="after 'to'")
    external_table = c.name("an external table name")
    properties, duplicates = _properties(c)
    if not c.at_op("<|"):
        raise c.error("expected '<|' and the export query")
    query_text, offset = c.text_after_pipe_arrow()
    if not query_text:
        raise c.error("expected the export query after '<|'")
    query = parse_query_at(c.text, offset)
    return CreateOrAlterContinuousExport(name=name, external_table=external_table, query_text=query_text,
                                         over=over, properties=properties, query=query, duplicates=duplicates)


def _properties(c: Cursor) -> tuple[dict[str, PropertyValue], list[str]]:
    """`with (name = value, ...)` -> (properties, names given twice).

    A value is one run of adjacent tokens.  A repeated name is valid syntax
    (Microsoft's parser accepts it); the engine refuses it.
    """
    props: dict[str, PropertyValue] = {}
    duplicates: list[str] = []
    if not c.accept_word("with"):
        return props, duplicates
    c.expect_op("(", "after 'with'")
    if c.accept_op(")"):
        return props, duplicates
    while True:
        key = c.name("a property name")
        if key.lower() in {k.lower() for k in props}:
            duplicates.append(key)
        c.expect_op("=", f"after property name '{key}'")
        props[key] = _property_value(c, key)
        if c.accept_op(")"):
            return props, duplicates
        c.expect_op(",", "between properties")


def _property_value(c: Cursor, key: str) -> PropertyValue:
    first = c.peek()
    if first.kind == "STRING":
        start = first.start
        value = c.string()
        return PropertyValue(c.text[start:c.peek(-1).end], value)
    depth = 0
    start_i = c.i
    while True:
        t = c.peek()
        if t.kind == "EOF":
            break
        if c.i > start_i and depth == 0 and t.start != c.peek(-1).end:
            break  # one value is one run of adjacent tokens (`1h`, `time(1h)`, a bare GUID)
        if t.kind == "OP":
            if t.text in ("(", "[", "{"):
                depth += 1
            elif t.text in (")", "]", "}"):
                if depth == 0:
                    break
                depth -= 1
            elif t.text == "," and depth == 0:
                break
            elif t.text == "<|":
                break
        c.next()
    if c.i == start_i:
        raise c.error(f"expected a value for property '{key}'", first)
    raw = c.text[first.start:c.peek(-1).end]
    if c.i == start_i + 1:
        if first.kind == "NUMBER":
            return PropertyValue(raw, first.value)
        if first.kind == "NAME" and first.text.lower() in ("true", "false"):
            return PropertyValue(raw, first.text.lower() == "true")
    return PropertyValue(raw, raw)
