"""Operators that give several tables or read beyond the pipeline: `fork`, `facet`,
`externaldata`, `inline_external_table` and `macro-expand` (sources registered in
kshell.query.kept_text.SOURCES).

- `fork` / `facet` give several result tables: the operator returns the first and records
  all of them on the evaluator (`record_tables`); `kshell.query.run_all` turns them into
  one Result each.  Nothing may follow them in the pipeline (facet-operator.md: its tables
  cannot be referenced by further operators).
- `externaldata` / `inline_external_table` read the simulated storage through the
  QueryContext (`read_external_data`, `read_inline_external_table`), i.e. the storage
  family's one path resolver and access decision, as the query's principal.
- `find` is in kshell.query.find, the `restrict` / `alias` statements in
  kshell.query.statements.
"""

from __future__ import annotations

from typing import Any

from kshell.errors import KustoError, NotSupported, SemanticError
from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.operators_extra import X, _apply_ops, operator
from kshell.query.kept_text import S, _syntax, ev_error, source
from kshell.query.tabular import INGESTION_TIME_COLUMN, Tabular
from kshell.syntax import ast


MULTI_OPERATORS = ("fork", "facet")


# ------------------------------------------------------------------ several tables

def record_tables(ev: Any, tables: list[tuple[str | None, Tabular]]) -> Tabular:
    """Remember the tables an operator produced; returns the one standing for them in the pipeline."""
    first = tables[0][1]
    primary = Tabular(first.columns, first.data, first.rows, first.name)
    outputs = getattr(ev, "multi_outputs", None)
    if outputs is None:
        outputs = ev.multi_outputs = []
    outputs.append((primary, tables))
    return primary


def tables_of(ev: Any, query: Any, tab: Tabular) -> list[tuple[str | None, Tabular]]:
    """The result tables of a query whose value is `tab`: several when the query ends with
    fork or facet.  An operator after them is an error."""
    body = getattr(query, "body", None)
    ops = getattr(body, "operators", None) or []
    for op in ops[:-1]:
        if isinstance(op, ast.OtherOperator) and op.name in MULTI_OPERATORS:
            raise ev_error(ev, op, f"'{op.name}' produces several tables: no operator may follow it")
    for primary, tables in getattr(ev, "multi_outputs", None) or []:
        if primary is tab:
            return tables
    return [(None, tab)]


# The operators fork-operator.md allows in a subquery (by AST node; `limit`/`order` are
# `take`/`sort`), and the OtherOperator names among them.
_FORK_NODES = ("As", "Count", "Extend", "Parse", "Where", "Take", "Project", "ProjectAway", "ProjectKeep",
               "ProjectRename", "ProjectReorder", "Summarize", "Top", "Sort", "MvExpand")
_FORK_OTHER = ("top-nested", "reduce")


def _fork_allows(op: Any) -> bool:
    if isinstance(op, ast.OtherOperator):
        return op.name in _FORK_OTHER
    return type(op).__name__ in _FORK_NODES


@operator("fork")
def fork(ev, tab: Tabular, node: Any, scope) -> Tabular:
    """`fork [name=](ops) ...`: each subquery over the same input; a table is named by
    `name=` or by an `as` ending its subquery (fork-operator.md)."""
    if not node.branches:
        raise SemanticError("fork: expected at least one subquery '( operators )'")
    tables = []
    for name, ops in node.branches:
        if any(isinstance(o, ast.OtherOperator) and o.name in MULTI_OPERATORS for o in ops):
            raise SemanticError("fork: a subquery cannot contain fork or facet")
        for o in ops:
            if not _fork_allows(o):
                word = o.name if isinstance(o, ast.OtherOperator) else type(o).__name__.lower()
                raise SemanticError(f"fork: '{word}' is not supported in a fork subquery (fork-operator.md lists "
                                    "as, count, extend, parse, where, take, project, project-away, project-keep, "
                                    "project-rename, project-reorder, summarize, top, top-nested, sort, mv-expand, "
                                    "reduce)")
        out = _apply_ops(ev, tab, ops, scope)
        if name is None and ops and isinstance(ops[-1], ast.As):
            name = ops[-1].name
        tables.append((name, out))
    return record_tables(ev, tables)


@operator("facet")
def facet(ev, tab: Tabular, node: Any, scope) -> Tabular:
    """`facet by c1, c2 [with (ops)]`: the `with` table first, then per column the count of
    rows of each of its values (`c`, `count_c`), in first-appearance order."""
    tables: list[tuple[str | None, Tabular]] = []
    if node.operators:
        tables.append((None, _apply_ops(ev, tab, node.operators, scope)))
    for col in node.columns:
        i = tab.index(col)
        if i is None or col == INGESTION_TIME_COLUMN:
            raise SemanticError(f"facet: Failed to resolve column named '{col}'")
        counts: dict[Any, list] = {}
        for v in tab.data[i]:
            k = T.to_string(v) if isinstance(v, (dict, list)) else v
            entry = counts.get(k)
            if entry is None:
                counts[k] = [v, 1]
            else:
                entry[1] += 1
        values = list(counts.values())
        tables.append((col, Tabular([(col, tab.columns[i][1]), (f"count_{col}", "long")],
                                    [[v for v, _n in values], [n for _v, n in values]], len(values))))
    return record_tables(ev, tables)


# ------------------------------------------------------------------ sources

def _schema(decls: list[Any]) -> list[tuple[str, str]]:
    cols = []
    for d in decls:
        typ = T.canonical_type(d.type)
        if typ is None:
            raise SemanticError(f"unknown type '{d.type}' for column '{d.name}'")
        cols.append((d.name, typ))
    return cols


def _uri_values(ev: Any, node: Any, uris: list[Any], scope: Any, operator_name: str) -> list[str]:
    out = []
    for u in uris:
        if isinstance(u, str):
            out.append(u)
            continue
        u = ast.Name(u.name, pos=u.pos + (node.pos or 0))  # positions in the request, not the kept text
        e = Compiler(ev, [], scope).compile(u)
        if not e.const or not isinstance(e.value, str):
            raise ev.error(u, f"{operator_name}: '{u.name}' must be a string constant (a connection string)")
        out.append(e.value)
    return out


def _reader(ev: Any, name: str, operator_name: str) -> Any:
    reader = getattr(ev.ctx, name, None)
    if reader is None:
        raise NotSupported(f"{operator_name}: this query context has no simulated storage")
    return reader


@source("externaldata")
@source("external_data")
def externaldata(ev, node: Any, scope) -> Tabular:
    x = _syntax(ev, node, S.parse_externaldata)
    cols = _schema(x.columns)
    uris = _uri_values(ev, node, x.uris, scope, "externaldata")
    if ev.schema_only:
        return Tabular(cols, [[] for _ in cols], 0)
    data = _reader(ev, "read_external_data", "externaldata")(uris, cols, x.options)
    return Tabular(cols, data, len(data[0]) if data else 0)


@source("inline_external_table")
def inline_external_table(ev, node: Any, scope) -> Tabular:
    """An external table defined in the query: the engine reads it as a stored one
    (`.create external table` grammar and validation, partitions, the ExternalTable usage)."""
    x = _syntax(ev, node, S.parse_inline_external_table)
    if x.kind == "delta":
        raise NotSupported("inline_external_table kind=delta: delta tables are not simulated by kshell")
    if x.kind != "storage":
        raise ev.error(node, f"inline_external_table: unknown kind '{x.kind}' (expected storage or delta)")
    if not x.data_format:
        raise ev.error(node, "inline_external_table: kind=storage needs dataformat=")
    if not x.columns:
        raise ev.error(node, "inline_external_table: kind=storage needs a schema (Column:type, ...)")
    uris = _uri_values(ev, node, x.uris, scope, "inline_external_table")
    if ev.schema_only:
        cols = _schema(x.columns)
        return Tabular(cols, [[] for _ in cols], 0)
    src = _reader(ev, "read_inline_external_table", "inline_external_table")(x.definition, uris)
    return Tabular.from_source(src)


def _source_only(name: str):
    def refuse(ev, tab: Tabular, node: Any, scope) -> Tabular:
        raise SemanticError(f"'{name}' starts a query (it is a tabular source); it takes no piped input")
    return refuse


for _name in ("find", "macro-expand", "externaldata", "inline_external_table"):
    operator(_name)(_source_only(_name))


# ------------------------------------------------------------------ macro-expand

@source("macro-expand")
def macro_expand(ev, node: Any, scope) -> Tabular:
    """macro-expand-operator.md: the subquery once per entity (a database) with `X.T` read
    as that database's `T` and `X.$current_database` as its name; the results united."""
    from kshell.query.operators import union
    from kshell.query.evaluator import Scope
    from kshell.syntax import parse_query

    m = _syntax(ev, node, S.parse_macro_expand)
    dbs = m.entities
    if dbs is None:
        b = scope.lookup(m.group_name)
        if b is None or b[0] != "entity_group":
            raise ev.error(node, f"macro-expand: Failed to resolve entity group named '{m.group_name}'")
        dbs = b[1]
    legs = Scope(scope)
    refs = []
    for k, db in enumerate(dbs):
        db = db or ev.current_database()
        text = _substitute(m, db)
        try:
            tab = ev.eval_tabular(parse_query(text).body, scope)
        except KustoError:
            if m.isfuzzy:
                continue
            raise
        legs.bind(f"__macro_expand_{k}", "tabular", tab)
        refs.append(ast.TableRef(f"__macro_expand_{k}"))
    if not refs:
        raise ev.error(node, "macro-expand: no entity of the group could be read")
    kind = "inner" if m.kind == "inner" else "outer"
    return union(ev, None, ast.Union(refs, kind=kind), legs)


def _substitute(m: Any, db: str) -> str:
    """The subquery's text with the entity alias replaced for database `db`."""
    from kshell.syntax.tokens import NAME, OP

    toks = m.body_tokens
    pieces: list[str] = []
    last = 0
    quoted = '"' + db.replace("\\", "\\\\").replace('"', '\\"') + '"'
    k = 0
    while k < len(toks):
        t = toks[k]
        if t.kind == NAME and t.text == m.alias and k + 2 < len(toks) + 1 and k + 1 < len(toks) \
                and toks[k + 1].kind == OP and toks[k + 1].text == "." and k + 2 < len(toks):
            nxt = toks[k + 2]
            start = t.start - m.body_start
            if nxt.text.lower() == "$current_database":
                pieces.append(m.body_text[last:start] + quoted)
                last = nxt.end - m.body_start
                k += 3
                continue
            if nxt.text.lower() in ("$current_cluster_endpoint", "$current_cluster"):
                pieces.append(m.body_text[last:start] + "current_cluster_endpoint()")
                last = nxt.end - m.body_start
                k += 3
                continue
            pieces.append(m.body_text[last:start] + f"database({quoted})")
            last = t.end - m.body_start
        k += 1
    pieces.append(m.body_text[last:])
    return "".join(pieces)


__all__ = ["tables_of", "record_tables", "X"]
