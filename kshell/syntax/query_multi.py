"""Structure of the sources and statements the main parser keeps as text:
`find`, `externaldata`, `inline_external_table`, `macro-expand` (OtherSource) and the
`restrict access to (...)` / `alias database` statements (OtherStatement).

Each `parse_*` function re-reads the kept text with the query parser and returns a small
node for the engine (kshell.query.operators_multi); it raises KustoSyntaxError on text
the grammar refuses.  (`fork` and `facet` are in kshell.syntax.query_ops_extra.)
"""

from __future__ import annotations

from kshell.syntax import ast
from kshell.syntax.cursor import Cursor, paren_list
from kshell.syntax.records import Record, field
from kshell.syntax.tokens import NAME, OP, STRING

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any


def _parser(text: str, skip: int = 1):
    from kshell.syntax.query_ops import QueryParser

    p = QueryParser(Cursor(text))
    p.i = skip  # past the keyword
    return p


def _end(p) -> None:
    if not p.at_operator_end():
        raise p.error("unexpected text here", p.toks[p.i])


# ------------------------------------------------------------------ table references

class TableSpec(Record):
    """One item of `find in (...)`, `restrict access to (...)`: a name or wildcard pattern,
    optionally in a database (`database('D').T`, `database('*').*`; `database()` is the
    context database, written as ""), or a parenthesized query."""

    name: str = ""                 # table / let name, may hold `*`
    database: str | None = None    # None: unqualified; "": database(); else the name or pattern
    query: Any = None              # `(T | where ...)`
    pos: int = 0


def _database_prefix(p) -> str | None:
    """`[cluster('c').]database('D').`: the database part ('' for database()); None when absent."""
    db = _database_prefix_entity(p)
    if db is not None:
        p.expect_op(".", "after database(...)")
    return db


def _table_spec(p) -> TableSpec:
    t = p.toks[p.i]
    if t.is_op("("):
        return TableSpec(query=p.tabular_operand(), pos=t.start)
    db = _database_prefix(p)
    if p.at_op("*") or (p.toks[p.i].kind == NAME):
        name = p.word_pattern() if not p.at_op("[") else p.name("a table name")
    else:
        name = p.name("a table name")
    return TableSpec(name, db, pos=t.start)


def _table_list(p) -> list[TableSpec]:
    return paren_list(p, _table_spec, "to open the table list", "between tables")


# ------------------------------------------------------------------ find

class Find(Record):
    tables: list[TableSpec] | None        # None: every table of the context database
    predicate: Any                         # expression; a bare string term is `* has term`
    withsource: str = "source_"
    project: list[tuple[str, str | None]] | None = None   # None: project-smart
    pack_all: bool = False


def parse_find(text: str) -> Find:
    """`find [withsource=C] [in (Tables)] where Predicate [project-smart | project c[:type], ... [, pack_all()]]`
    or `find Predicate [...]`."""
    p = _parser(text)
    params = p.op_params(("withsource",))
    tables = None
    explicit = False
    if p.at_word("in") and p.peek(1).is_op("("):
        p.i += 1
        tables = _table_list(p)
        explicit = True
    if p.accept_word("where"):
        explicit = True
    elif explicit:
        raise p.error("expected 'where' after the table list of 'find'", p.toks[p.i])
    pred = p.expression()
    if isinstance(pred, ast.Literal) and isinstance(pred.value, str):
        pred = ast.Binary("has", ast.Name("*", pos=pred.pos), pred, pos=pred.pos)
    node = Find(tables, pred, str(params.get("withsource") or "source_"))
    if p.accept_word("project-smart"):
        pass
    elif p.accept_word("project"):
        node.project = []
        while True:
            if p.at_word("pack_all") and p.peek(1).is_op("("):
                p.i += 2
                p.expect_op(")", "after 'pack_all('")
                node.pack_all = True
            else:
                name = p.name("a column name")
                typ = p.type_name() if p.accept_op(":") else None
                node.project.append((name, typ))
            if not p.accept_op(","):
                break
    _end(p)
    return node


# ------------------------------------------------------------------ externaldata

class ExternalData(Record):
    columns: list[ast.ColumnDecl]
    uris: list[Any]                # str, or ast.Name of a string parameter
    options: dict[str, Any] = field(default_factory=dict)
    # inline_external_table only
    kind: str = "storage"
    data_format: str | None = None
    partitioned: bool = False
    # the definition as `.create external table` text, its connection strings left as
    # `('')` (they are resolved by the engine: literals or parameters)
    definition: str = ""


def _string_or_value(p) -> Any:
    t = p.toks[p.i]
    if t.kind == STRING:
        return p.string()
    return p.param_value()


def _options(p) -> dict[str, Any]:
    """`with (name = value, ...)`, names kept as written (compared case-insensitively)."""
    opts: dict[str, Any] = {}
    if not p.accept_word("with"):
        return opts
    p.expect_op("(", "after 'with'")
    if p.accept_op(")"):
        return opts
    while True:
        key = p.name("an option name")
        p.expect_op("=", f"after '{key}'")
        opts[key] = _string_or_value(p)
        if p.accept_op(")"):
            return opts
        p.expect_op(",", "between options")


def _uris(p, opener: str, closer: str) -> list[Any]:
    """Connection strings: literals, or names of string parameters / lets (the docs' advice for
    credentials: `declare query_parameters(URI:string); ... (URI)`), kept as ast.Name."""
    p.expect_op(opener, "to open the list of storage connection strings")
    uris: list[Any] = []
    while True:
        t = p.toks[p.i]
        if t.kind == NAME:
            uris.append(ast.Name(p.name("a connection string"), pos=t.start))
        elif t.kind != STRING:
            raise p.error("expected a storage connection string", t)
        else:
            uris.append(p.string())
        if p.accept_op(closer):
            return uris
        p.expect_op(",", "between connection strings")


def parse_externaldata(text: str) -> ExternalData:
    """`externaldata (Col:type, ...) [ "uri", ... ] [with (format=..., ...)]`."""
    p = _parser(text)
    cols = p.column_decls()
    uris = _uris(p, "[", "]")
    opts = _options(p)
    _end(p)
    return ExternalData(cols, uris, opts)


def parse_inline_external_table(text: str) -> ExternalData:
    """`inline_external_table (schema) kind=storage [partition by (...)] [pathformat=(...)]
    dataformat=F ( "uri", ... ) [with (...)]`."""
    p = _parser(text)
    cols = p.column_decls() if p.at_op("(") else []
    node = ExternalData(cols, [])
    while True:
        if p.at_word("kind") and p.peek(1).is_op("="):
            p.i += 2
            node.kind = p.name("storage or delta").lower()
        elif p.at_word("dataformat") and p.peek(1).is_op("="):
            p.i += 2
            node.data_format = p.name("a data format").lower()
        elif p.at_word("partition") and p.peek(1).kind == NAME and p.peek(1).text.lower() == "by":
            p.i += 2
            _skip_group(p)
            node.partitioned = True
        elif p.at_word("pathformat") and p.peek(1).is_op("="):
            p.i += 2
            _skip_group(p)
            node.partitioned = True
        else:
            break
    uris_start = p.toks[p.i].start
    node.uris = _uris(p, "(", ")")
    uris_end = p.toks[p.i - 1].end
    node.options = _options(p)
    _end(p)
    end = p.toks[p.i - 1].end
    first = p.toks[0]
    node.definition = (".create external table inline_external_table" + text[first.end:uris_start] + "('')"
                       + text[uris_end:end])
    return node


def _skip_group(p) -> None:
    p.expect_op("(", "to open the group")
    depth = 1
    while depth:
        t = p.toks[p.i]
        if t.kind == "EOF":
            raise p.error("expected ')'", t)
        if t.is_op("("):
            depth += 1
        elif t.is_op(")"):
            depth -= 1
        p.i += 1


# ------------------------------------------------------------------ macro-expand

class MacroExpand(Record):
    entities: list[str] | None     # database names of an inline `entity_group [...]`
    group_name: str | None         # a let-bound entity group's name
    alias: str
    body_text: str                 # the subquery's text, between its parentheses
    body_tokens: list[Any]         # its tokens (the alias is substituted per entity)
    body_start: int
    kind: str = "default"
    isfuzzy: bool = False


def parse_entity_group(p) -> list[str]:
    """`entity_group [database('A'), cluster('local').database('B'), ...]` -> database names."""
    p.expect_op("[", "after 'entity_group'")
    dbs: list[str] = []
    while True:
        t = p.toks[p.i]
        db = _database_prefix_entity(p)
        if db is None:
            raise p.error("expected database('name') in the entity group", t)
        dbs.append(db)
        if p.accept_op("]"):
            return dbs
        p.expect_op(",", "between entities")


def _database_prefix_entity(p) -> str | None:
    """`[cluster('c').]database('D')` -> 'D' ('' for database()); None when absent.  Only the
    local cluster is simulated: another one is NotSupported."""
    if p.at_word("cluster") and p.peek(1).is_op("("):
        from kshell.errors import NotSupported

        p.i += 2
        cluster = p.string() if p.toks[p.i].kind == STRING else ""
        p.expect_op(")", "after the cluster name")
        p.expect_op(".", "after cluster(...)")
        if cluster and cluster.lower().split("//")[-1].split(".")[0] not in ("kshell", "localhost", "local"):
            raise NotSupported(f"cluster('{cluster}'): cross-cluster queries are not simulated by kshell")
    if not (p.at_word("database") and p.peek(1).is_op("(")):
        return None
    p.i += 2
    db = p.string() if p.toks[p.i].kind == STRING else ""
    p.expect_op(")", "after the database name")
    return db


def parse_entity_group_text(text: str) -> list[str]:
    p = _parser(text)
    dbs = parse_entity_group(p)
    _end(p)
    return dbs


def parse_macro_expand(text: str) -> MacroExpand:
    """`macro-expand [kind=K] [isfuzzy=B] (entity_group [...] | Name) as X ( subquery )`."""
    p = _parser(text)
    params = p.op_params(("kind", "isfuzzy"))
    entities = group = None
    if p.at_word("entity_group") and p.peek(1).is_op("["):
        p.i += 1
        entities = parse_entity_group(p)
    else:
        group = p.name("an entity group")
    p.expect_word("as", "in 'macro-expand'")
    alias = p.name("a name for the entity")
    p.expect_op("(", "to open the subquery")
    first = p.i
    depth = 1
    while True:
        t = p.toks[p.i]
        if t.kind == "EOF":
            raise p.error("expected ')' to close the subquery", t)
        if t.kind == OP and t.text in ("(", "[", "{"):
            depth += 1
        elif t.kind == OP and t.text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                break
        p.i += 1
    if p.i == first:
        raise p.error("the subquery is empty", p.toks[p.i])
    toks = p.toks[first:p.i]
    start = p.toks[first].start
    body = text[start:p.toks[p.i].start]
    p.i += 1
    _end(p)
    return MacroExpand(entities, group, alias, body, toks, start, str(params.get("kind", "default")).lower(),
                       params.get("isfuzzy") is True)


# ------------------------------------------------------------------ statements

class Restrict(Record):
    entities: list[TableSpec]


def parse_restrict(text: str) -> Restrict:
    """`restrict access to (Entity, ...)`: let names, `database('D').T`, `database().*`, `*`."""
    p = _parser(text)
    p.expect_word("access", "after 'restrict'")
    p.expect_word("to", "after 'restrict access'")
    start = p.i
    specs = _table_list(p)
    if any(s.query is not None for s in specs):
        raise p.error("an entity is a name (T, database('D').T, database().*), not a query", p.toks[start + 1])
    _end(p)
    return Restrict(specs)


class AliasDatabase(Record):
    alias: str
    database: str


def parse_alias(text: str) -> AliasDatabase:
    """`alias database Name = [cluster('c').]database('D')`."""
    p = _parser(text)
    p.expect_word("database", "after 'alias'")
    name = p.name("an alias name")
    p.expect_op("=", f"after '{name}'")
    t = p.toks[p.i]
    db = _database_prefix_entity(p)
    if db is None or not db:
        raise p.error("expected database('name') after '='", t)
    _end(p)
    return AliasDatabase(name, db)


__all__ = ["Find", "ExternalData", "MacroExpand", "Restrict", "AliasDatabase", "TableSpec",
           "parse_find", "parse_externaldata", "parse_inline_external_table", "parse_macro_expand",
           "parse_restrict", "parse_alias", "parse_entity_group_text", "NAME", "OP"]
