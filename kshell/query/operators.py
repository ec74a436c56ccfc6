"""Pipe operators: each takes the evaluator, the input Tabular, the AST node and
the let scope, and returns a new Tabular built from whole columns."""

from __future__ import annotations

import dataclasses
import fnmatch
import heapq
import math
import json
import random
from itertools import compress, repeat
from typing import Any

from kshell.errors import KustoError, NotSupported
from kshell.query import limits, vector
from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.parse_operator import parse
from kshell.query.naming import ColumnNumberer, expr_name, unique
from kshell.query.unsupported import not_simulated
from kshell.query.tabular import INGESTION_TIME_COLUMN, DeferredIndex, LazyData, Tabular, mutable_columns, pick_columns, put_column
from kshell.syntax import ast


def apply_operator(ev: Any, tab: Tabular, op: Any, scope: Any) -> Tabular:
    fn = OPERATORS.get(type(op))
    if fn is None and getattr(op, "name", None) == "evaluate":
        return evaluate_plugin(ev, tab, op, scope)
    if fn is None and isinstance(op, ast.OtherOperator):
        from kshell.query import operators_extra  # make-series, mv-apply, scan, parse-kv, ...
        out = operators_extra.apply(ev, tab, op, scope)
        if out is not None:
            return out
    if fn is None:
        not_simulated(getattr(op, "name", type(op).__name__), always=True)
    return fn(ev, tab, op, scope)


def empty_like(tab: Tabular) -> Tabular:
    return Tabular(tab.columns, [[] for _ in tab.columns], 0, tab.name)


def _hashable(v: Any) -> Any:
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, default=str)
    return v


# ------------------------------------------------------------------ where

def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, ast.Binary) and node.op.lower() == "and":
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [node]


def where(ev, tab: Tabular, op: ast.Where, scope) -> Tabular:
    parts = _conjuncts(op.predicate)
    if len(parts) > 1:
        # `a and b`: filter by a, then evaluate b on the remaining rows only (rows where a is
        # false or null are dropped either way), which spares most of b's work.
        compiler = Compiler(ev, tab.columns, scope)
        for p in parts:  # type-check every conjunct first, even if no row survives
            compiler.predicate(p)
        for p in parts:
            tab = _filter(ev, tab, p, scope)
        return tab
    return _filter(ev, tab, op.predicate, scope)


def _filter(ev, tab: Tabular, predicate: Any, scope) -> Tabular:
    pred = Compiler(ev, tab.columns, scope).predicate(predicate)
    if pred.const:
        return tab if pred.value is True else empty_like(tab)
    mask = vector.predicate_mask(pred, tab.data, tab.rows)
    idx = vector.mask_indexes(mask, tab.rows)  # a kernel's or compact mask: an index array
    kept = mask.count(True) if idx is None else len(idx)
    if kept == tab.rows:
        return tab
    if idx is None:
        idx = list(compress(range(tab.rows), mask))
    return Tabular(tab.columns, LazyData.gather(tab.data, idx), kept, tab.name)


# ------------------------------------------------------------------ project family

def spread_columns(c: Compiler, item: Any, values: list[Any], *,
                   named_only: bool = False) -> list[tuple[str, str | None, list[Any]]] | None:
    """A call of functions.MULTI_COLUMN with several arrays, alone in a print/extend/project
    item, becomes one column per array: named by a tuple assignment `(a, b) = ...`, else
    `<argument>_sorted` (array-sort-asc-function.md).  A call of functions.BAG_COLUMNS
    becomes one column per field, typed as the table says, named `<function>_<argument>_<field>`
    (the argument part empty when it is not a column) unless a tuple names it; with
    `named_only` (extend, print) a tuple of fewer names keeps only those columns
    (series-stats-function.md).  Each result is (name, type or None for the call's, values)."""
    from kshell.query.functions import BAG_COLUMNS, MULTI_COLUMN

    node = item.expr
    if isinstance(node, ast.Call) and node.name in BAG_COLUMNS and not item.name:
        fields = BAG_COLUMNS[node.name]
        arg = (expr_name(node.args[0]) if node.args else None) or ""
        names = list(item.names or [])
        if len(names) > len(fields):
            raise c.error(item, f"the tuple names {len(names)} columns; {node.name}() produces {len(fields)}")
        if not (named_only and names):
            names += [f"{node.name}_{arg}_{f}" for f, _t in fields[len(names):]]
        return [(n, t, [_bag_field(v, f, t) for v in values]) for n, (f, t) in zip(names, fields)]
    if not isinstance(node, ast.Call) or node.name not in MULTI_COLUMN or item.name:
        return None
    arrays = list(node.args)
    if arrays and c.compile(arrays[-1]).type == "bool":
        arrays.pop()
    if len(arrays) < 2:
        return None
    names = list(item.names or [])
    out = []
    for k, a in enumerate(arrays):
        name = names[k] if k < len(names) else f"{expr_name(a) or f'array{k + 1}'}{MULTI_COLUMN[node.name]}"
        out.append((name, None, [v[k] if isinstance(v, list) and len(v) > k else None for v in values]))
    return out


def _bag_field(bag: Any, field: str, typ: str) -> Any:
    v = bag.get(field) if isinstance(bag, dict) else None
    return v if v is None or typ == "dynamic" else T.convert(v, typ)


def project(ev, tab: Tabular, op: ast.Project, scope) -> Tabular:
    c = Compiler(ev, tab.columns, scope)
    cols: list[tuple[str, str]] = []
    data: list[list[Any]] = []
    numberer = ColumnNumberer(set(tab.names))
    for item in op.items:
        if isinstance(item.expr, ast.Name) and "*" in item.expr.name and item.name is None and not item.names:
            for i in _matching(tab, item.expr.name):
                if tab.columns[i][0] not in {n for n, _ in cols}:
                    cols.append(tab.columns[i])
                    data.append(tab.data[i])
            continue
        e = c.compile(item.expr)
        values = e.values(tab.data, tab.rows)
        spread = spread_columns(c, item, values)
        if spread is None:
            if item.names:
                raise ev.error(item, "tuple assignment is not supported in project")
            spread = [(item.name or expr_name(item.expr) or numberer.next(), None, values)]
        for name, typ, vals in spread:
            if any(n == name for n, _ in cols):
                raise ev.error(item, f"project: the column name '{name}' is used more than once")
            cols.append((name, typ or e.type))
            data.append(vals)
    return Tabular(cols, data, tab.rows, tab.name)


def extend(ev, tab: Tabular, op: Any, scope) -> Tabular:
    cols = list(tab.columns)
    data = mutable_columns(tab.data)
    numberer = ColumnNumberer(set(tab.names))
    for item in op.items:
        c = Compiler(ev, cols, scope)
        c.input_width = len(tab.columns)
        e = c.compile(item.expr)
        values = e.values(data, tab.rows)
        spread = spread_columns(c, item, values, named_only=True)
        if spread is None:
            if item.names:
                raise ev.error(item, "tuple assignment is not supported in extend")
            spread = [(item.name or expr_name(item.expr) or numberer.next(), None, values)]
        for name, typ, vals in spread:
            put_column(cols, data, name, typ or e.type, vals)
    return Tabular(cols, data, tab.rows, tab.name)


def _matching(tab: Tabular, pattern: str) -> list[int]:
    if "*" in pattern:
        return [i for i, (n, _t) in enumerate(tab.columns)
                if n != INGESTION_TIME_COLUMN and fnmatch.fnmatchcase(n, pattern)]
    i = tab.index(pattern)
    return [] if i is None else [i]


def _require(ev, op, tab: Tabular, pattern: str, what: str) -> list[int]:
    found = _matching(tab, pattern)
    if not found and "*" not in pattern:
        raise ev.error(op, f"{what}: Failed to resolve column or scalar expression named '{pattern}'")
    return found


def project_away(ev, tab: Tabular, op: ast.ProjectAway, scope) -> Tabular:
    drop: set[int] = set()
    for pattern in op.names:
        drop.update(_require(ev, op, tab, pattern, "project-away"))
    keep = [i for i in range(len(tab.columns)) if i not in drop]
    return Tabular([tab.columns[i] for i in keep], pick_columns(tab.data, keep), tab.rows, tab.name)


def project_keep(ev, tab: Tabular, op: ast.ProjectKeep, scope) -> Tabular:
    keep_set: set[int] = set()
    for pattern in op.names:
        keep_set.update(_require(ev, op, tab, pattern, "project-keep"))
    keep = sorted(keep_set)
    return Tabular([tab.columns[i] for i in keep], pick_columns(tab.data, keep), tab.rows, tab.name)


def project_rename(ev, tab: Tabular, op: ast.ProjectRename, scope) -> Tabular:
    cols = list(tab.columns)
    for new, old in op.renames:
        i = tab.index(old)
        if i is None:
            raise ev.error(op, f"project-rename: Failed to resolve column or scalar expression named '{old}'")
        cols[i] = (new, cols[i][1])
    return Tabular(cols, tab.data, tab.rows, tab.name)


def project_reorder(ev, tab: Tabular, op: ast.ProjectReorder, scope) -> Tabular:
    order: list[int] = []
    for pattern, direction in op.names:
        found = [i for i in _require(ev, op, tab, pattern, "project-reorder") if i not in order]
        if direction:
            found.sort(key=lambda i: tab.columns[i][0], reverse=direction.lower() in ("desc", "granny-desc"))
        order.extend(found)
    order += [i for i in range(len(tab.columns)) if i not in order]
    return Tabular([tab.columns[i] for i in order], pick_columns(tab.data, order), tab.rows, tab.name)


# ------------------------------------------------------------------ rows

def _const_count(ev, node, scope) -> int:
    e = Compiler(ev, [], scope).compile(node)
    v = e.value if e.const else e.fn([], 1)[0]
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise ev.error(node, "the number of rows must be a constant number")
    return max(0, int(v))


def take(ev, tab: Tabular, op: ast.Take, scope) -> Tabular:
    n = _const_count(ev, op.count, scope)
    if n >= tab.rows:
        return tab
    return tab.take_rows(list(range(n)))


def sample(ev, tab: Tabular, op: ast.Sample, scope) -> Tabular:
    n = _const_count(ev, op.count, scope)
    if n >= tab.rows:
        return tab
    idx = sorted(random.Random(0).sample(range(tab.rows), n))
    return tab.take_rows(idx)


def count(ev, tab: Tabular, op: ast.Count, scope) -> Tabular:
    return Tabular([(op.name or "Count", "long")], [[tab.rows]], 1)


def _order(values: list[Any], desc: bool, nulls_first: bool | None, order: list[int],
           may_hold_nan: bool = True) -> list[int]:
    """Stable sort of row indexes `order` by `values` (Kusto: desc puts nulls last, asc first).
    A real NaN sorts with the nulls, next to them (sort-operator.md: nulls first gives
    null, NaN, ...; nulls last gives ..., NaN, null)."""
    if nulls_first is None:
        nulls_first = not desc
    fast = vector.sort_order(values, desc, order)  # a numeric compact column: no null
    if fast is not None:
        return fast
    key = values.__getitem__
    nan = may_hold_nan and _has_nan(values)
    if None not in values and not nan:
        try:
            return sorted(order, key=key, reverse=desc)
        except TypeError:
            pass
    nulls = [i for i in order if values[i] is None]
    nans = [i for i in order if _is_nan(values[i])] if nan else []
    rest = [i for i in order if values[i] is not None and not (nan and _is_nan(values[i]))]
    try:
        rest.sort(key=key, reverse=desc)
    except TypeError:
        rest.sort(key=lambda i: _mixed_key(values[i]), reverse=desc)
    return nulls + nans + rest if nulls_first else rest + nans + nulls


def _is_nan(v: Any) -> bool:
    return type(v) is float and v != v


def _has_nan(values: list[Any]) -> bool:
    """Whether a column holds a real NaN (which no comparison can place)."""
    try:
        return any(map(math.isnan, values))
    except TypeError:  # nulls or non-numbers: per value
        return any(map(_is_nan, values))


def _mixed_key(v: Any) -> tuple:
    if isinstance(v, bool):
        return (0, int(v), "")
    if isinstance(v, (int, float)):
        return (0, v, "")
    return (1, 0, T.to_string(v))


def sort_rows(ev, tab: Tabular, keys: list[ast.SortKey], scope) -> list[int]:
    c = Compiler(ev, tab.columns, scope)
    order = list(range(tab.rows))
    for key in reversed(keys):
        e = c.compile(key.expr)
        if e.const:
            continue
        values = e.values(tab.data, tab.rows)
        order = _order(values, key.descending, key.nulls_first, order, e.type in ("real", "dynamic"))
    return order


def sort(ev, tab: Tabular, op: ast.Sort, scope) -> Tabular:
    return tab.take_rows(sort_rows(ev, tab, op.keys, scope))


def top(ev, tab: Tabular, op: ast.Top, scope) -> Tabular:
    n = _const_count(ev, op.count, scope)
    if n * 10 < tab.rows:
        e = Compiler(ev, tab.columns, scope).compile(op.key.expr)
        values = e.values(tab.data, tab.rows)
        picked = vector.top_indexes(values, n, op.key.descending)
        if picked is None:
            picked = _top_indexes(values, n, op.key.descending, e.type in ("real", "dynamic"))
        if picked is not None:
            return tab.take_rows(picked)
    order = sort_rows(ev, tab, [op.key], scope)
    return tab.take_rows(order[:n])


def sort_then_take(ev, tab: Tabular, sort_op: ast.Sort, take_op: ast.Take, scope) -> Tabular:
    """`sort by k | take n` is `top n by k` (same rows, without sorting every row)."""
    return top(ev, tab, ast.Top(take_op.count, sort_op.keys[0], pos=sort_op.pos), scope)


def _top_indexes(values: list[Any], n: int, desc: bool, may_hold_nan: bool = True) -> list[int] | None:
    """The first n row indexes in sort order, by selecting the n extreme values first
    (heapq over the values in C) instead of sorting every row.  None when nulls or
    mixed types make the plain path necessary."""
    if None in values or (may_hold_nan and _has_nan(values)):
        return None
    try:
        best = heapq.nlargest(n, values) if desc else heapq.nsmallest(n, values)
    except TypeError:
        return None
    if not best:
        return []
    edge = best[-1]
    if desc:
        cand = [i for i, v in enumerate(values) if v >= edge]
    else:
        cand = [i for i, v in enumerate(values) if v <= edge]
    cand.sort(key=values.__getitem__, reverse=desc)
    return cand[:n]


def distinct(ev, tab: Tabular, op: ast.Distinct, scope) -> Tabular:
    if op.items:
        proj = project(ev, tab, ast.Project(op.items), scope)
    else:
        keep = tab.visible()
        proj = Tabular([tab.columns[i] for i in keep], pick_columns(tab.data, keep), tab.rows, tab.name)
    seen: set = set()
    idx: list[int] = []
    proj.data = [T.one_nan(col) if t == "real" else col for col, (_n, t) in zip(proj.data, proj.columns)]
    if len(proj.data) == 1:
        keys = proj.data[0]
    else:
        keys = list(zip(*proj.data)) if proj.data else [()] * proj.rows
    for i, k in enumerate(keys):
        try:
            if k in seen:
                continue
            seen.add(k)
        except TypeError:
            hk = ("\0h", _hashable(k) if not isinstance(k, tuple) else tuple(_hashable(x) for x in k))
            if hk in seen:
                continue
            seen.add(hk)
        idx.append(i)
    return proj.take_rows(idx)


def serialize(ev, tab: Tabular, op: ast.Serialize, scope) -> Tabular:
    if not op.items:
        return tab
    return extend(ev, tab, op, scope)


def render(ev, tab: Tabular, op: ast.Render, scope) -> Tabular:
    return tab


def as_(ev, tab: Tabular, op: ast.As, scope) -> Tabular:
    scope.bind(op.name, "tabular", tab)
    return Tabular(tab.columns, tab.data, tab.rows, op.name)


def getschema(ev, tab: Tabular, op: ast.GetSchema, scope) -> Tabular:
    cols = [c for c in tab.columns if c[0] != INGESTION_TIME_COLUMN]
    return Tabular(
        [("ColumnName", "string"), ("ColumnOrdinal", "int"), ("DataType", "string"), ("ColumnType", "string")],
        [[n for n, _ in cols], list(range(len(cols))), [T.CLR_TYPES.get(t, "System.Object") for _, t in cols],
         [t for _, t in cols]],
        len(cols),
    )


def invoke(ev, tab: Tabular, op: ast.Invoke, scope) -> Tabular:
    call = op.call
    b = scope.lookup(call.name)
    fn = b[1] if b and b[0] == "function" else ev.lookup_stored_function(call.name, scope=scope, node=call)
    if fn is None:
        raise ev.error(call, f"Failed to resolve table or column expression named '{call.name}'")
    out = ev.call_function(fn, call, call.args, Compiler(ev, [], scope), piped=tab)
    if not isinstance(out, Tabular):
        raise ev.error(call, f"invoke: function '{call.name}' does not return a table")
    return out


# ------------------------------------------------------------------ union

def union(ev, piped: Tabular | None, node: ast.Union, scope) -> Tabular:
    parts: list[tuple[str, Tabular]] = []
    if piped is not None:
        parts.append((piped.name or "union_arg0", piped))
    for item in node.tables:
        if isinstance(item, ast.TableRef) and "*" in item.name:
            names_fn = getattr(ev.ctx, "table_names", None)
            names = set(names_fn(item.database) if names_fn else [])
            if item.database is None:
                names |= _view_names(scope)  # views (let X = view () {...}) take part too
            for n in sorted(names):
                if fnmatch.fnmatchcase(n, item.name) and _visible_to(ev, scope, n, item.database):
                    parts.append((n, ev.eval_tabular(ast.TableRef(n, database=item.database), scope)))
            continue
        try:
            tab = ev.eval_tabular(item, scope)
        except Exception:
            if node.isfuzzy:
                continue
            raise
        parts.append((_union_leg_name(item, len(parts)), tab))
    if not parts:
        raise ev.error(node, "union: no tables to unite")
    if node.kind == "inner":
        first = [c for c in parts[0][1].columns if c[0] != INGESTION_TIME_COLUMN]
        cols = [c for c in first if all(c in p.columns for _, p in parts[1:])]
    else:
        seen: list[tuple[str, str]] = []
        for _, p in parts:
            for c in p.columns:
                if c[0] != INGESTION_TIME_COLUMN and c not in seen:
                    seen.append(c)
        name_count: dict[str, int] = {}
        for n, _t in seen:
            name_count[n] = name_count.get(n, 0) + 1
        cols = seen
    data: list[list[Any]] = [[] for _ in cols]
    source: list[str] = []
    for pname, p in parts:
        idx = {c: i for i, c in enumerate(p.columns)}
        for j, c in enumerate(cols):
            i = idx.get(c)
            if i is not None:
                data[j].extend(p.data[i])
            else:
                data[j].extend([("" if c[1] == "string" else None)] * p.rows)
        source.extend([pname] * p.rows)
    out_cols = list(cols)
    if node.kind != "inner":
        # A name present with several types becomes name_type; when that collides with a
        # column really called so, the renamed one takes a number (union-operator.md:
        # x:long, x:int and x_long give x_long1, x_int, x_long).
        taken = {n for n, _t in cols if name_count[n] == 1}
        out_cols = []
        for n, t in cols:
            if name_count[n] > 1:
                n = unique(f"{n}_{t}", taken)
                taken.add(n)
            out_cols.append((n, t))
    rows = sum(p.rows for _, p in parts)
    if node.withsource:
        out_cols = [(node.withsource, "string")] + out_cols
        data = [source] + data
    return Tabular(out_cols, data, rows)


def _visible_to(ev, scope, name: str, database: str | None) -> bool:
    """Whether a wildcard may include the name: a `restrict access to` statement in force
    makes what it does not list invisible (restrict-statement.md)."""
    if not getattr(ev, "restricted", False):
        return True
    from kshell.query.statements import accessible
    return accessible(ev, scope, name, database)


def _union_leg_name(item: Any, position: int) -> str:
    """What `withsource=` says for a leg: a table's name, the name an `as` gave the leg
    (as-operator.md), otherwise union_argN."""
    if isinstance(item, ast.TableRef):
        return item.name
    if isinstance(item, ast.Query) and not item.statements:
        item = item.body
    if isinstance(item, ast.Pipeline):
        for op in reversed(item.operators):
            if isinstance(op, ast.As):
                return op.name
    return f"union_arg{position}"


def _view_names(scope) -> set[str]:
    out: set[str] = set()
    s = scope
    while s is not None:
        for name, (kind, value) in s.vars.items():
            if kind == "function" and getattr(value.definition, "is_view", False):
                out.add(name)
        s = s.parent
    return out


def union_operator(ev, tab: Tabular, op: ast.Union, scope) -> Tabular:
    return union(ev, tab, op, scope)


# ------------------------------------------------------------------ join / lookup

_JOIN_KINDS = {
    "innerunique", "inner", "leftouter", "rightouter", "fullouter", "leftanti", "anti",
    "leftantisemi", "rightanti", "rightantisemi", "leftsemi", "rightsemi",
}


def _key_columns(ev, node, tab: Tabular, names: list[str], side: str) -> list[list[Any]]:
    out = []
    for n in names:
        i = tab.index(n)
        if i is None:
            raise ev.error(node, f"join: Failed to resolve column named '{n}' on the {side} side")
        out.append(tab.data[i])
    return out


def _keys(cols: list[list[Any]], rows: int, types: list[str] | None = None) -> list[Any]:
    if len(cols) == 1:
        col = cols[0]
        if types is not None and types[0] != "dynamic":
            return col  # scalar values hash as they are; None never matches (see join_tables)
        return [None if v is None else _hashable(v) for v in col]
    return [None if any(v is None for v in k) else tuple(_hashable(v) for v in k) for k in zip(*cols)]


def _strip_hidden(tab: Tabular) -> Tabular:
    if tab.index(INGESTION_TIME_COLUMN) is None:
        return tab
    keep = tab.visible()
    return Tabular([tab.columns[i] for i in keep], pick_columns(tab.data, keep), tab.rows, tab.name)


def join_tables(ev, node, left: Tabular, right: Tabular, on: list[ast.JoinOn], kind: str) -> Tabular:
    kind = (kind or "innerunique").lower()
    if kind not in _JOIN_KINDS:
        raise ev.error(node, f"join: unknown kind '{kind}'")
    if kind == "anti" or kind == "leftantisemi":
        kind = "leftanti"
    if kind == "rightantisemi":
        kind = "rightanti"
    for cond in on:
        if cond.expr is not None or not cond.left:
            raise NotSupported("join conditions other than equality of columns are not supported by kshell")
    if not on:
        raise ev.error(node, "join: at least one 'on' condition is required")
    left, right = _strip_hidden(left), _strip_hidden(right)
    lkeys = _keys(_key_columns(ev, node, left, [c.left for c in on], "left"), left.rows,
                  [left.columns[left.index(c.left)][1] for c in on])
    rkeys = _keys(_key_columns(ev, node, right, [c.right for c in on], "right"), right.rows,
                  [right.columns[right.index(c.right)][1] for c in on])

    if kind == "innerunique":
        seen: set = set()
        lrows = []
        for i, k in enumerate(lkeys):
            if k not in seen:
                seen.add(k)
                lrows.append(i)
    else:
        lrows = range(left.rows)

    rmap: dict[Any, list[int]] = {}
    for j, k in enumerate(rkeys):
        if k is None:
            continue
        lst = rmap.get(k)
        if lst is None:
            rmap[k] = [j]
        else:
            lst.append(j)

    if kind in ("leftsemi", "leftanti"):
        want = kind == "leftsemi"
        idx = [i for i in lrows if (lkeys[i] in rmap) == want]
        return left.take_rows(idx)
    if kind in ("rightsemi", "rightanti"):
        lset = {k for k in lkeys if k is not None}
        want = kind == "rightsemi"
        idx = [j for j in range(right.rows) if (rkeys[j] is not None and rkeys[j] in lset) == want]
        return right.take_rows(idx)

    outer_left = kind in ("leftouter", "fullouter")
    taken = set(left.names)
    cols = list(left.columns)
    for n, t in right.columns:
        new = unique(n, taken)
        taken.add(new)
        cols.append((new, t))
    if kind in ("inner", "innerunique"):
        # The output size is the sum of each left row's match count (counted in C, before
        # any row is gathered: a cartesian join of two 100k-row tables would otherwise
        # exhaust memory); the row indexes are built only when a later operator reads a
        # column (`| count` never does).
        sizes = {k: len(v) for k, v in rmap.items()}
        probe = lkeys if type(lrows) is range else [lkeys[i] for i in lrows]
        out_rows = sum(map(sizes.get, probe, repeat(0, len(probe))))
        limits.check("join", out_rows, limits.MAX_JOIN_ROWS)
        pair = DeferredIndex(lambda: _inner_rows(lrows, lkeys, rmap))
        data = (LazyData.gather(left.data, DeferredIndex(lambda: pair.get()[0]))
                + LazyData.gather(right.data, DeferredIndex(lambda: pair.get()[1])))
        return Tabular(cols, data, out_rows)
    out_rows = 0
    for i in lrows:
        k = lkeys[i]
        matches = rmap.get(k) if k is not None else None
        out_rows += len(matches) if matches else (1 if outer_left else 0)
    if kind in ("rightouter", "fullouter"):
        out_rows += right.rows
    limits.check("join", out_rows, limits.MAX_JOIN_ROWS)

    li: list[int | None] = []
    ri: list[int | None] = []
    matched_right: set[int] = set()
    for i in lrows:
        k = lkeys[i]
        matches = rmap.get(k) if k is not None else None
        if matches:
            li.extend([i] * len(matches))
            ri.extend(matches)
            if kind in ("rightouter", "fullouter"):
                matched_right.update(matches)
        elif outer_left:
            li.append(i)
            ri.append(None)
    if kind in ("rightouter", "fullouter"):
        for j in range(right.rows):
            if j not in matched_right:
                li.append(None)
                ri.append(j)

    data = [_gather(col, li, t) for col, (_, t) in zip(left.data, left.columns)]
    data += [_gather(col, ri, t) for col, (_, t) in zip(right.data, right.columns)]
    return Tabular(cols, data, len(li))


def _inner_rows(lrows: Any, lkeys: list[Any], rmap: dict[Any, list[int]]) -> tuple[list[int], list[int]]:
    """The left and right row of every output row of an inner join, in the left side's
    order and each left row's matches in the right side's order."""
    li: list[int] = []
    ri: list[int] = []
    get = rmap.get
    for i in lrows:
        k = lkeys[i]
        matches = get(k) if k is not None else None
        if matches:
            if len(matches) == 1:
                li.append(i)
                ri.append(matches[0])
            else:
                li.extend([i] * len(matches))
                ri.extend(matches)
    return li, ri


def _gather(col: list[Any], idx: list[int | None], typ: str) -> list[Any]:
    missing = "" if typ == "string" else None
    return [missing if i is None else col[i] for i in idx]


def join(ev, tab: Tabular, op: ast.Join, scope) -> Tabular:
    right = ev.eval_tabular(op.right, scope)
    return join_tables(ev, op, tab, right, op.on, op.kind)


# Functions whose value depends on the rows around a row: a filter using them cannot move.
_ORDER_DEPENDENT = frozenset({"row_number", "prev", "next", "row_cumsum", "row_rank_dense",
                              "row_rank_min", "rand", "row_window_session"})


def _pushable_names(node: Any) -> set[str] | None:
    """The bare names an expression reads, or None when it must stay where it is
    (a subquery, or a function of the row order)."""
    names: set[str] = set()

    def walk(n: Any) -> bool:
        if isinstance(n, (ast.Query, ast.Pipeline)):
            return False
        if isinstance(n, ast.Name):
            names.add(n.name)
            return True
        if isinstance(n, ast.Call) and n.name.lower() in _ORDER_DEPENDENT:
            return False
        if isinstance(n, list):
            return all(walk(x) for x in n)
        if isinstance(n, ast.Node):
            return all(walk(getattr(n, f.name)) for f in dataclasses.fields(n) if f.name != "pos")
        return True

    return names if walk(node) else None


def join_then_where(ev, tab: Tabular, op: ast.Join, wheres: list[ast.Where], scope) -> Tabular:
    """`T | join kind=innerunique R on k | where p`: the service's optimizer moves the
    conjuncts of p that read only left-side columns below the join, so the left side is
    deduplicated on the key *after* that filter (join-innerunique.md: the val1.2 row
    survives).  Moving them is exact for the other kinds, so only innerunique needs it."""
    if (op.kind or "innerunique").lower() != "innerunique":
        out = join(ev, tab, op, scope)
        for w in wheres:
            out = where(ev, out, w, scope)
        return out
    right = ev.eval_tabular(op.right, scope)
    left_names = set(_strip_hidden(tab).names)
    right_only = {n for n in right.names if n not in left_names}
    early, late = [], []
    for w in wheres:
        for part in _conjuncts(w.predicate):
            used = _pushable_names(part)
            # A name that is a left column (or no column, a let value) reads the same on
            # both sides of the join; right-side names (value1, right-only columns) do not.
            ok = used is not None and not any(n in right_only or (n not in left_names and n.rstrip("0123456789") in left_names and n[-1:].isdigit()) for n in used)
            (early if ok else late).append(part)
    for part in early:
        tab = _filter(ev, tab, part, scope)
    out = join_tables(ev, op, tab, right, op.on, op.kind)
    for part in late:
        out = _filter(ev, out, part, scope)
    return out


def lookup(ev, tab: Tabular, op: ast.Lookup, scope) -> Tabular:
    right = _strip_hidden(ev.eval_tabular(op.right, scope))
    kind = (op.kind or "leftouter").lower()
    if kind not in ("leftouter", "inner"):
        raise ev.error(op, f"lookup: kind must be leftouter or inner, not '{kind}'")
    right_keys = {c.right for c in op.on}
    joined = join_tables(ev, op, tab, right, op.on, kind)
    # The right side's key columns are not repeated (they equal the left keys).
    nleft = len(_strip_hidden(tab).columns)
    keep = list(range(nleft)) + [nleft + j for j, (n, _t) in enumerate(right.columns) if n not in right_keys]
    return Tabular([joined.columns[i] for i in keep], pick_columns(joined.data, keep), joined.rows)


# ------------------------------------------------------------------ mv-expand

def mv_expand(ev, tab: Tabular, op: ast.MvExpand, scope) -> Tabular:
    c = Compiler(ev, tab.columns, scope)
    targets: list[tuple[int | None, str, str, list[Any]]] = []
    for item in op.items:
        e = c.compile(item.expr)
        name = item.name or expr_name(item.expr)
        if name is None:
            name = f"Column{len(targets) + 1}"
        typ = T.canonical_type(item.to_type) if item.to_type else "dynamic"
        targets.append((tab.index(name), name, typ or "dynamic", e.values(tab.data, tab.rows)))
    limit = _const_count(ev, op.limit, scope) if op.limit is not None else None
    bag_as_array = (op.kind or "bag").lower() == "array"

    def elements(v: Any) -> list[Any]:
        # An empty array or bag yields no row; a null (or any scalar) is one row holding itself.
        if isinstance(v, list):
            return v
        if isinstance(v, dict):
            return [[k, x] for k, x in v.items()] if bag_as_array else [{k: x} for k, x in v.items()]
        return [v]

    src_idx: list[int] = []
    expanded: list[list[Any]] = [[] for _ in targets]
    item_index: list[int] = []
    for i in range(tab.rows):
        lists = [elements(t[3][i]) for t in targets]
        m = max((len(x) for x in lists), default=0)
        if limit is not None:
            m = min(m, limit)
        for k in range(m):
            src_idx.append(i)
            item_index.append(k)
            for j, x in enumerate(lists):
                expanded[j].append(x[k] if k < len(x) else None)
    base = tab.take_rows(src_idx)
    cols, data = list(base.columns), mutable_columns(base.data)
    for (idx, name, typ, _), values in zip(targets, expanded):
        if typ != "dynamic":
            values = [T.from_dynamic(v, typ) for v in values]
        if idx is not None:
            cols[idx] = (name, typ)
            data[idx] = values
        else:
            cols.append((name, typ))
            data.append(values)
    if op.with_itemindex:
        cols.append((op.with_itemindex, "long"))
        data.append(item_index)
    return Tabular(cols, data, len(src_idx), tab.name)


def evaluate_plugin(ev, tab: Tabular, op: Any, scope) -> Tabular:
    """`evaluate plugin(...)`: the plugins registered in kshell.query.plugins."""
    from kshell.query import plugins
    from kshell.syntax.query_ops_extra import parse_evaluate

    node = parse_evaluate(op)
    name = node.call.name.lower()
    fn = plugins.REGISTRY.get(name)
    if fn is None:
        not_simulated(name, always=True)
    return fn(ev, tab, node.call, scope, node.schema)


def summarize(ev, tab, op, scope):
    from kshell.query.compiler import _ARGUMENT_ERRORS
    from kshell.query.summarize import summarize as run
    try:
        return run(ev, tab, op, scope)
    except _ARGUMENT_ERRORS:  # an aggregation given values it cannot take (stdev(1h), percentile(s, 'x'))
        raise ev.error(op, "summarize: an aggregation cannot be applied to the values of its arguments") from None


OPERATORS = {
    ast.Where: where, ast.Project: project, ast.ProjectAway: project_away,
    ast.ProjectKeep: project_keep, ast.ProjectRename: project_rename,
    ast.ProjectReorder: project_reorder, ast.Extend: extend, ast.Summarize: summarize,
    ast.Count: count, ast.Take: take, ast.Top: top, ast.Sort: sort, ast.Distinct: distinct,
    ast.Join: join, ast.Lookup: lookup, ast.Union: union_operator, ast.As: as_,
    ast.GetSchema: getschema, ast.MvExpand: mv_expand, ast.Parse: parse,
    ast.Serialize: serialize, ast.Render: render, ast.Invoke: invoke, ast.Sample: sample,
}
