"""`find` (find-operator.md): rows matching a predicate across tables, with the table each
came from.  See docs/query-engine.md ("Several tables, other sources and statements") for
the output shape; registered as a source in kshell.query.operators_multi.SOURCES."""

from __future__ import annotations

import fnmatch
from typing import Any

from kshell.errors import Forbidden, KustoError, SemanticError
from kshell.query import types as T
from kshell.query.kept_text import S, _syntax, shift_positions, source
from kshell.query.tabular import INGESTION_TIME_COLUMN, Tabular
from kshell.syntax import ast


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
    from kshell.query.operators import _union_leg_name, _view_names, _visible_to

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
    from kshell.query.operators import _visible_to

    names_fn = getattr(ev.ctx, "table_names", None)
    names = set(names_fn(db) if names_fn else []) | (views or set())
    legs = []
    for n in sorted(names):
        if fnmatch.fnmatchcase(n, pattern):
            if not _visible_to(ev, scope, n, db):
                continue  # a wildcard reaches only what a restrict statement lets the query see
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
    f = shift_positions(_syntax(ev, node, S.parse_find), node.pos or 0)
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
