"""Operators that give several tables or read beyond the pipeline: `fork`, `facet`,
`find`, `externaldata`, `inline_external_table`, `macro-expand`, and the `restrict access
to` / `alias database` statements.

- `fork` / `facet` give several result tables: the operator returns the first and records
  all of them on the evaluator (`record_tables`); `kshell.query.run_all` turns them into
  one Result each.  Nothing may follow them in the pipeline (facet-operator.md: its tables
  cannot be referenced by further operators).
- `externaldata` / `inline_external_table` read the simulated storage through the
  QueryContext (`read_external_data`), i.e. the storage family's one path resolver and
  access decision, as the query's principal.
- `restrict access to (...)` marks the scope; names bound before the statement and stored
  entities are then reachable only when listed (`check_access`, called where the
  evaluator resolves a table or a let name).  View bodies defined before the statement
  keep their own scope, so a view may read what the caller may not.
- `alias database A = database('D')` wraps the QueryContext so `database('A')` is `D`.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Callable

from kshell.errors import Forbidden, KustoError, NotSupported, SemanticError
from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.operators_extra import X, _apply_ops, operator
from kshell.query.tabular import INGESTION_TIME_COLUMN, Tabular
from kshell.syntax import ast


class _Syntax:
    """kshell.syntax.query_multi, imported on first use."""

    def __getattr__(self, name: str) -> Any:
        from kshell.syntax import query_multi
        return getattr(query_multi, name)


S = _Syntax()

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


def ev_error(ev: Any, node: Any, message: str) -> SemanticError:
    if not ev.texts and getattr(node, "pos", None) is not None:
        return SemanticError(message)
    return ev.error(node, message)


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

SOURCES: dict[str, Callable[[Any, Any, Any], Tabular]] = {}


def source(name: str):
    def deco(f):
        SOURCES[name] = f
        return f
    return deco


def _syntax(ev: Any, node: Any, parse: Callable[[str], Any]) -> Any:
    """Parse a kept text; a syntax error points into the query (the node's offset)."""
    from kshell.errors import KustoSyntaxError

    try:
        return parse(node.text)
    except KustoSyntaxError as e:
        name = getattr(node, "name", None) or getattr(node, "keyword", "")
        at = ev.error(node, "")  # the node's own line and column in the request
        line, column = at.line, at.column
        if line is not None and e.line is not None:
            column = (column or 1) + (e.column or 1) - 1 if e.line == 1 else e.column
            line = line + e.line - 1
        raise KustoSyntaxError(f"{name}: {e.message}", line=line, column=column) from None


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


def _read_storage(ev: Any, uris: list[str], cols: list[tuple[str, str]], options: dict, operator_name: str,
                  data_format: str | None = None) -> Tabular:
    if ev.schema_only:
        return Tabular(cols, [[] for _ in cols], 0)
    reader = getattr(ev.ctx, "read_external_data", None)
    if reader is None:
        raise NotSupported(f"{operator_name}: this query context has no simulated storage")
    data = reader(uris, cols, options, operator=operator_name, data_format=data_format)
    return Tabular(cols, data, len(data[0]) if data else 0)


@source("externaldata")
@source("external_data")
def externaldata(ev, node: Any, scope) -> Tabular:
    x = _syntax(ev, node, S.parse_externaldata)
    uris = _uri_values(ev, node, x.uris, scope, "externaldata")
    return _read_storage(ev, uris, _schema(x.columns), x.options, "externaldata")


@source("inline_external_table")
def inline_external_table(ev, node: Any, scope) -> Tabular:
    x = _syntax(ev, node, S.parse_inline_external_table)
    if x.kind == "delta":
        raise NotSupported("inline_external_table kind=delta: delta tables are not simulated by kshell")
    if x.kind != "storage":
        raise ev.error(node, f"inline_external_table: unknown kind '{x.kind}' (expected storage or delta)")
    if x.partitioned:
        raise NotSupported("inline_external_table: 'partition by' and 'pathformat' are not simulated by kshell "
                           "(a partitioned external table can be made with .create external table)")
    if not x.data_format:
        raise ev.error(node, "inline_external_table: kind=storage needs dataformat=")
    if not x.columns:
        raise ev.error(node, "inline_external_table: kind=storage needs a schema (Column:type, ...)")
    uris = _uri_values(ev, node, x.uris, scope, "inline_external_table")
    return _read_storage(ev, uris, _schema(x.columns), x.options, "inline_external_table", x.data_format)


def _source_only(name: str):
    def refuse(ev, tab: Tabular, node: Any, scope) -> Tabular:
        raise SemanticError(f"'{name}' starts a query (it is a tabular source); it takes no piped input")
    return refuse


for _name in ("find", "macro-expand", "externaldata", "inline_external_table"):
    operator(_name)(_source_only(_name))


# ------------------------------------------------------------------ find

def _names_in(node: Any, out: list[str]) -> None:
    """Column-like names an expression reads, in order (the `*` of `* has x` excluded)."""
    if isinstance(node, ast.Name):
        if node.name != "*" and node.name not in out:
            out.append(node.name)
        return
    if isinstance(node, (list, tuple)):
        for x in node:
            _names_in(x, out)
        return
    slots = getattr(type(node), "__dataclass_fields__", None)
    if not slots:
        return
    for f in slots:
        if f == "pos":
            continue
        _names_in(getattr(node, f, None), out)


def _expand(ev: Any, spec: Any, scope: Any, position: int) -> list[tuple[str, Tabular]]:
    """The (source name, table) legs one item of `find in (...)` names."""
    from kshell.query.operators import _union_leg_name, _view_names

    if spec.query is not None:
        return [(_union_leg_name(spec.query, position), ev.eval_tabular(spec.query, scope))]
    db = spec.database
    if db is not None and ("*" in db):
        names_fn = getattr(ev.ctx, "database_names", None)
        dbs = [d for d in (names_fn() if names_fn else [ev.current_database()])
               if fnmatch.fnmatch(d.lower(), db.lower())]
        legs = []
        for d in sorted(dbs):
            try:
                legs += _expand_in(ev, spec.name, d, scope, qualify=len(dbs) > 1)
            except Forbidden:
                continue  # a wildcard reaches only the databases the caller may read
        return legs
    if db == "":
        db = ev.current_database()
    if "*" in spec.name:
        return _expand_in(ev, spec.name, db, scope, qualify=False,
                          views=_view_names(scope) if db is None else set())
    ref = ast.TableRef(spec.name, database=db, pos=spec.pos)
    return [(spec.name, ev.eval_tabular(ref, scope))]


def _expand_in(ev: Any, pattern: str, db: str | None, scope: Any, *, qualify: bool,
               views: set[str] | None = None) -> list[tuple[str, Tabular]]:
    names_fn = getattr(ev.ctx, "table_names", None)
    names = set(names_fn(db) if names_fn else []) | (views or set())
    legs = []
    for n in sorted(names):
        if fnmatch.fnmatchcase(n, pattern):
            label = f"{db}.{n}" if qualify else n
            legs.append((label, ev.eval_tabular(ast.TableRef(n, database=db), scope)))
    return legs


def _visible_columns(tab: Tabular) -> list[tuple[str, str]]:
    return [c for c in tab.columns if c[0] != INGESTION_TIME_COLUMN]


@source("find")
def find(ev, node: Any, scope) -> Tabular:
    """find-operator.md: rows matching a predicate across tables, with a `source_` column,
    then (project-smart) the predicate's columns, the columns every matching table shares,
    and the rest of each row packed in `pack_`; or the `project` list (typed, null where a
    table lacks a column) and, with `pack_all()`, the unlisted columns in `pack_`."""
    f = _syntax(ev, node, S.parse_find)
    if f.tables is None:
        legs = _expand(ev, S.TableSpec("*"), scope, 0)
    else:
        legs = []
        for k, spec in enumerate(f.tables):
            legs += _expand(ev, spec, scope, k)
    referenced: list[str] = []
    _names_in(f.predicate, referenced)
    referenced = [n for n in referenced if not _is_scalar_let(scope, n)]
    if referenced:  # a table with none of the predicate's columns takes no part
        legs = [(n, t) for n, t in legs if any(t.index(c) is not None for c in referenced)]
    types_of: dict[str, list[str]] = {}
    for _n, t in legs:
        for name, typ in _visible_columns(t):
            if typ not in types_of.setdefault(name, []):
                types_of[name].append(typ)
    filtered: list[tuple[str, Tabular]] = []
    errors: list[KustoError] = []
    for name, t in legs:
        try:
            filtered.append((name, _filter(ev, t, f.predicate, referenced, types_of, scope)))
        except SemanticError as e:  # the predicate does not type-check over this table
            errors.append(e)
    if errors and not filtered:
        raise errors[0]
    if f.project is not None:
        return _find_project(f, filtered, types_of)
    return _find_smart(f, [_visible_columns(t) for _n, t in legs], filtered, referenced, types_of)


def _is_scalar_let(scope: Any, name: str) -> bool:
    b = scope.lookup(name) if scope is not None else None
    return b is not None and b[0] == "scalar"


def _filter(ev: Any, tab: Tabular, predicate: Any, referenced: list[str], types_of: dict[str, list[str]],
            scope: Any) -> Tabular:
    """Rows of `tab` where the predicate holds; a column the table lacks reads as null."""
    from kshell.query.operators import apply_operator

    missing = [c for c in referenced if tab.index(c) is None]
    if missing:
        cols = list(tab.columns)
        data = list(tab.data)
        for c in missing:
            typ = (types_of.get(c) or ["string"])[0]
            cols.append((c, typ))
            data.append(["" if typ == "string" else None] * tab.rows)
        tab = Tabular(cols, data, tab.rows, tab.name)
    out = apply_operator(ev, tab, ast.Where(predicate, pos=getattr(predicate, "pos", 0)), scope)
    if missing:
        keep = [i for i, (n, _t) in enumerate(out.columns) if n not in missing]
        out = Tabular([out.columns[i] for i in keep], [out.data[i] for i in keep], out.rows, out.name)
    return out


def _bag(tab: Tabular, names: list[tuple[str, str]], i: int) -> dict[str, Any]:
    return {n: T.to_json_value(tab.data[tab.index(n)][i]) for n, _t in names}


def _find_smart(f: Any, schemas: list[list[tuple[str, str]]], legs: list[tuple[str, Tabular]],
               referenced: list[str], types_of: dict[str, list[str]]) -> Tabular:
    """project-smart: the predicate's columns and those every table shares, in the order
    the tables declare them; a predicate column with several types gives `c_type` columns
    (union's naming); the rest of each row in `pack_`."""
    common = {c for c in schemas[0] if all(c in s for s in schemas[1:])} if schemas else set()
    picks: list[tuple[str, str, str]] = []   # (output column, source column, source type)
    seen: set[tuple[str, str]] = set()
    for schema in schemas:
        for c in schema:
            name, typ = c
            if c in seen or not (name in referenced or c in common):
                continue
            seen.add(c)
            picks.append((name if len(types_of.get(name, [])) <= 1 else f"{name}_{typ}", name, typ))
    for c in referenced:  # a predicate column no table has still shows (empty)
        if not any(p[1] == c for p in picks):
            picks.append((c, c, "string"))
    out_cols = [(f.withsource, "string")] + [(o, typ) for o, _c, typ in picks] + [("pack_", "dynamic")]
    data: list[list[Any]] = [[] for _ in out_cols]
    taken = {(c, typ) for _o, c, typ in picks}
    for name, t in legs:
        rest = [c for c in _visible_columns(t) if c not in taken]
        idx = [t.index(c) if (c, typ) in t.columns else None for _o, c, typ in picks]
        for i in range(t.rows):
            data[0].append(name)
            for k, j in enumerate(idx):
                typ = picks[k][2]
                data[k + 1].append(t.data[j][i] if j is not None else ("" if typ == "string" else None))
            data[-1].append(_bag(t, rest, i))
    return Tabular(out_cols, data, len(data[0]))


def _find_project(f: Any, legs: list[tuple[str, Tabular]], types_of: dict[str, list[str]]) -> Tabular:
    out_cols: list[tuple[str, str]] = [(f.withsource, "string")]
    for name, typ in f.project:
        if typ is not None:
            canon = T.canonical_type(typ)
            if canon is None:
                raise SemanticError(f"find: unknown type '{typ}' for column '{name}'")
            out_cols.append((name, canon))
            continue
        kinds = types_of.get(name) or ["string"]
        if len(kinds) > 1:
            raise SemanticError(f"find: column '{name}' has several types ({', '.join(kinds)}) in the tables; "
                                f"give its type in the project clause ({name}:{kinds[0]})")
        out_cols.append((name, kinds[0]))
    if f.pack_all:
        out_cols.append(("pack_", "dynamic"))
    listed = {n for n, _t in f.project}
    data: list[list[Any]] = [[] for _ in out_cols]
    for name, t in legs:
        rest = [c for c in _visible_columns(t) if c[0] not in listed]
        for i in range(t.rows):
            data[0].append(name)
            for k, (col, typ) in enumerate(out_cols[1:len(f.project) + 1], start=1):
                j = t.index(col)
                v = t.data[j][i] if j is not None else None
                if j is not None and t.columns[j][1] != typ:
                    v = T.convert(v, typ)
                data[k].append("" if v is None and typ == "string" else v)
            if f.pack_all:
                data[-1].append(_bag(t, rest, i))
    return Tabular(out_cols, data, len(data[0]))


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


# ------------------------------------------------------------------ statements

STATEMENTS: dict[str, Callable[[Any, Any, Any], Any]] = {}


def statement(keyword: str):
    def deco(f):
        STATEMENTS[keyword] = f
        return f
    return deco


def _restrict_scope_class():
    from kshell.query.evaluator import Scope

    global _RestrictScope
    if _RestrictScope is None:
        class RestrictScope(Scope):
            """The scope a `restrict access to` statement opens; `allowed` holds its entities."""

            __slots__ = ("allowed",)

        _RestrictScope = RestrictScope
    return _RestrictScope


_RestrictScope: Any = None


@statement("restrict")
def restrict(ev, st: Any, scope) -> Any:
    r = _syntax(ev, st, S.parse_restrict)
    cls = _restrict_scope_class()
    inner = cls(scope)
    inner.allowed = r.entities
    ev.restricted = True
    return inner


@statement("alias")
def alias(ev, st: Any, scope) -> Any:
    a = _syntax(ev, st, S.parse_alias)
    ctx = ev.ctx
    if not isinstance(ctx, AliasContext):
        ctx = ev.ctx = AliasContext(ctx)
    ctx.aliases[a.alias.lower()] = a.database
    return scope


class AliasContext:
    """A QueryContext in which some database names stand for others (alias-statement.md)."""

    def __init__(self, inner: Any):
        self._inner = inner
        self.aliases: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _db(self, database: str | None) -> str | None:
        if database is None:
            return None
        return self.aliases.get(database.lower(), database)

    def resolve_table(self, name: str, database: str | None) -> Any:
        return self._inner.resolve_table(name, self._db(database))

    def resolve_function(self, name: str, database: str | None) -> Any:
        return self._inner.resolve_function(name, self._db(database))

    def table_exists(self, name: str, database: str | None) -> bool:
        fn = getattr(self._inner, "table_exists", None)
        if fn is None:
            return self._inner.resolve_table(name, self._db(database)) is not None
        return fn(name, self._db(database))

    def table_names(self, database: str | None) -> list[str]:
        return self._inner.table_names(self._db(database))


def check_access(ev: Any, scope: Any, name: str, database: str | None, node: Any = None) -> None:
    """Refuse a name a `restrict access to` statement in force does not list.

    A let name bound after the statement is always reachable; one bound before it, a
    table or a stored function only when listed (`database().*`, `database('D').T`, `*`
    for no stored entity at all)."""
    s = scope
    marker = None
    while s is not None:
        if database is None and name in s.vars:
            break  # bound here: restricted only if the statement came after the binding
        if marker is None and type(s).__name__ == "RestrictScope":
            marker = s
        s = s.parent
    if marker is None:
        return
    bound = s is not None
    current = ev.current_database().lower()
    for spec in marker.allowed:
        if bound:
            if spec.database is None and spec.name == name:
                return
            continue
        if spec.database is None:
            if spec.name == name and database is None:
                return
            continue
        db = (spec.database or current).lower()
        target = (database or current).lower()
        if fnmatch.fnmatchcase(target, db) and fnmatch.fnmatchcase(name, spec.name):
            return
    listed = ", ".join(_spec_text(s) for s in marker.allowed) or "nothing"
    what = f"database('{database}').{name}" if database else name
    raise ev_error(ev, node, f"'{what}' is not accessible: the query's restrict statement allows only ({listed})")


def _spec_text(spec: Any) -> str:
    if spec.database is None:
        return spec.name
    return f"database({repr(spec.database) if spec.database else ''}).{spec.name}"


def entity_group(ev, value: Any) -> list[str]:
    """`let G = entity_group [...]`: the databases of the group."""
    return _syntax(ev, value, S.parse_entity_group_text)


__all__ = ["SOURCES", "STATEMENTS", "tables_of", "check_access", "entity_group", "X"]
