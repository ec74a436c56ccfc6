"""Command rules for external tables (spec 6.1-6.4).

    (.create | .alter | .create-or-alter) external table T [(Schema)]
        kind = storage|blob|adl|delta|sql
        [table = SqlTable]
        [partition by (Partition, ...) [pathformat = (PathFormat)]]
        [dataformat = F]
        (ConnectionString, ...)
        [with (Property = Value, ...)]
    .drop external table T [ifexists]
    .show external tables [details]
    .show external table T [details | schema as json|csl | cslschema | artifacts [limit N]]
    .create|.alter|.create-or-alter|.drop|.show external table T mapping "M" ['payload']
    .show external table T operations query_acceleration statistics

A partition is `Name:type`, `Name:type = Column`, `= bin(Column, span)`,
`= startofday|startofweek|startofmonth|startofyear(Column)` or
`= hash(Column, N)`.  A path format is a sequence of string separators,
partition names and `datetime_pattern("fmt", Name)`.
"""

from __future__ import annotations

from kshell.syntax.records import Record, field

from kshell.syntax.node import Command
from kshell.syntax.cmd_common import finish
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor
from kshell.syntax.tokens import NAME, NUMBER, STRING

EXTERNAL_TABLE_KINDS = ("storage", "blob", "adl", "delta", "sql")
DATETIME_PARTITION_FUNCTIONS = ("bin", "startofday", "startofweek", "startofmonth", "startofyear")


class PartitionSpec(Record):
    name: str
    type: str
    column: str | None = None     # None: a virtual column (value taken from the path)
    function: str = ""            # "", bin, startof*, hash
    step: float = 0.0             # bin(): seconds
    modulo: int = 0               # hash(): N


class PathFormatItem(Record):
    text: str                     # separator text, or the partition name
    is_partition: bool
    pattern: str = ""             # datetime_pattern("fmt", Name): fmt


class CreateExternalTable(Command):
    mode: str                     # create | alter | create-or-alter
    name: str
    schema: list[tuple[str, str]] | None
    kind: str
    data_format: str = ""
    connection_strings: list[str] = field(default_factory=list)
    partitions: list[PartitionSpec] = field(default_factory=list)
    path_format: list[PathFormatItem] | None = None
    path_format_text: str = ""
    sql_table: str = ""
    properties: dict = field(default_factory=dict)


class DropExternalTable(Command):
    name: str
    if_exists: bool = False


class ShowExternalTables(Command):
    details: bool = False


class ShowExternalTable(Command):
    name: str
    what: str = ""                # "" | details | schema-json | schema-csl | artifacts
    limit: int | None = None


class ExternalTableMappingCommand(Command):
    verb: str                     # create | alter | create-or-alter | drop | show
    name: str
    mapping_name: str
    mapping_kind: str = ""
    payload: str | None = None


class ShowExternalTableQueryAccelerationStatistics(Command):
    name: str


@command_rule
def external_table_command(c: Cursor) -> Command | None:
    verb = c.accept_word("create", "alter", "create-or-alter", "drop", "show")
    if verb is None or not c.accept_word("external"):
        return None
    if verb == "show" and c.accept_word("tables"):
        details = bool(c.accept_word("details"))
        return finish(c, ShowExternalTables(details=details))
    if not c.accept_word("table"):
        return None
    name = c.name("an external table name")
    if c.at_word("mapping"):
        return _mapping(c, verb, name)
    if verb == "show":
        return _show(c, name)
    if verb == "drop":
        if c.at_word("admins"):
            return None  # `.drop external table T admins (...)`: the security family
        return finish(c, DropExternalTable(name=name, if_exists=bool(c.accept_word("ifexists"))))
    if c.at_word("policy", "admins"):
        return None
    return _create(c, verb, name)


def _show(c: Cursor, name: str) -> Command | None:
    if c.at_word("principals", "principal", "policy"):
        return None  # security / policy families
    if c.accept_word("details"):
        return finish(c, ShowExternalTable(name=name, what="details"))
    if c.accept_word("cslschema"):
        return finish(c, ShowExternalTable(name=name, what="schema-csl"))
    if c.accept_word("schema"):
        c.expect_word("as", context="after 'schema'")
        fmt = c.expect_word("json", "csl", context="after 'schema as'")
        return finish(c, ShowExternalTable(name=name, what=f"schema-{fmt}"))
    if c.accept_word("artifacts"):
        limit = None
        if c.accept_word("limit"):
            t = c.next()
            if t.kind != NUMBER or not isinstance(t.value, int):
                raise c.error("expected a number after 'limit'", t)
            limit = t.value
        return finish(c, ShowExternalTable(name=name, what="artifacts", limit=limit))
    if c.accept_word("operations"):
        c.expect_word("query_acceleration", context="after 'operations'")
        c.expect_word("statistics", context="after 'operations query_acceleration'")
        return finish(c, ShowExternalTableQueryAccelerationStatistics(name=name))
    return finish(c, ShowExternalTable(name=name))


def _mapping(c: Cursor, verb: str, name: str) -> Command:
    c.expect_word("mapping")
    mapping_kind = ""
    if c.peek().kind == NAME and c.peek(1).kind == STRING:
        mapping_kind = c.next().text.lower()
    # One literal: the payload literal follows directly (c.string() would join them).
    mapping_name = c.next().value if c.at_string() else c.name("a mapping name")
    payload = None
    if verb in ("create", "alter", "create-or-alter"):
        payload = c.string("the mapping as a JSON string literal")
    return finish(c, ExternalTableMappingCommand(verb=verb, name=name, mapping_name=mapping_name,
                                                 mapping_kind=mapping_kind, payload=payload))


def _create(c: Cursor, verb: str, name: str) -> Command:
    schema = c.schema() if c.at_op("(") else None
    node = CreateExternalTable(mode=verb, name=name, schema=schema, kind="")
    seen: set[str] = set()
    while not c.at_op("("):
        word = c.accept_word("kind", "partition", "pathformat", "dataformat", "table")
        if word is None:
            raise c.error("expected 'kind=', 'partition by', 'pathformat=', 'dataformat=' or "
                          "'(' and the connection strings")
        if word in seen:
            raise c.error(f"'{word}' is given twice", c.peek(-1))
        seen.add(word)
        if word == "partition":
            c.expect_word("by", context="after 'partition'")
            node.partitions = _partitions(c)
            continue
        c.expect_op("=", f"after '{word}'")
        if word == "kind":
            node.kind = c.expect_word(*EXTERNAL_TABLE_KINDS, context="after 'kind=' (storage, delta or sql)")
        elif word == "dataformat":
            node.data_format = c.name("a data format (csv, tsv, json, parquet, ...)").lower()
        elif word == "table":
            node.sql_table = c.string() if c.at_string() else c.name("a SQL table name")
        else:
            start = c.pos
            node.path_format = _path_format(c)
            node.path_format_text = c.text[start:c.peek(-1).end].strip()[1:-1].strip()
    if not node.kind:
        raise c.error("expected 'kind=storage', 'kind=delta' or 'kind=sql' before the connection strings")
    c.expect_op("(", "to open the connection strings")
    while True:
        node.connection_strings.append(c.string("a connection string literal"))
        if c.accept_op(")"):
            break
        c.expect_op(",", "between connection strings")
    node.properties = c.with_properties()
    return finish(c, node)


def _partitions(c: Cursor) -> list[PartitionSpec]:
    c.expect_op("(", "after 'partition by'")
    out: list[PartitionSpec] = []
    while True:
        name = c.name("a partition name")
        c.expect_op(":", f"after partition name '{name}'")
        spec = PartitionSpec(name=name, type=c.type_name())
        if c.accept_op("="):
            _partition_value(c, spec)
        out.append(spec)
        if c.accept_op(")"):
            return out
        c.expect_op(",", "between partitions")


def _partition_value(c: Cursor, spec: PartitionSpec) -> None:
    first = c.name("a column name or a partition function")
    if not c.at_op("("):
        spec.column = first
        return
    fn = first.lower()
    if fn not in DATETIME_PARTITION_FUNCTIONS and fn != "hash":
        raise c.error(f"unknown partition function '{first}' (expected bin, startofday, startofweek, "
                      "startofmonth, startofyear or hash)", c.peek(-1))
    c.expect_op("(")
    spec.column = c.name("a column name")
    spec.function = fn
    if fn == "bin":
        c.expect_op(",", "in bin(Column, timespan)")
        t = c.next()
        if t.kind != "TIMESPAN":
            raise c.error("expected a timespan (e.g. 1d) in bin(Column, timespan)", t)
        spec.step = float(t.value)
    elif fn == "hash":
        c.expect_op(",", "in hash(Column, N)")
        t = c.next()
        if t.kind != NUMBER or not isinstance(t.value, int) or t.value <= 0:
            raise c.error("expected a positive integer in hash(Column, N)", t)
        spec.modulo = t.value
    c.expect_op(")", f"to close {fn}(...)")


def _path_format(c: Cursor) -> list[PathFormatItem]:
    c.expect_op("(", "after 'pathformat='")
    items: list[PathFormatItem] = []
    while not c.accept_op(")"):
        t = c.peek()
        if t.kind == STRING:
            items.append(PathFormatItem(c.next().value, False))
        elif t.kind == NAME and t.text.lower() == "datetime_pattern" and c.peek(1).is_op("("):
            c.next()
            c.next()
            pattern = c.string("a datetime pattern string")
            c.expect_op(",", "in datetime_pattern(format, PartitionName)")
            name = c.name("a partition name")
            c.expect_op(")", "to close datetime_pattern(...)")
            items.append(PathFormatItem(name, True, pattern))
        elif c.at_name():
            items.append(PathFormatItem(c.name(), True))
        else:
            raise c.error("expected a string separator, a partition name or datetime_pattern(...) in pathformat", t)
    if not items:
        raise c.error("pathformat=() is empty", c.peek(-1))
    return items

