"""`evaluate` plugins, kept as data: name -> function(ev, tab, call, scope, schema).

`call` is the plugin's ast.Call (positional arguments, then `name=value` options as
ast.NamedArg); `schema` is the `: (col:type, ...)` output schema when the query gives one.
kshell.query.operators.evaluate_plugin parses the operator and dispatches here; a
documented plugin not registered is NotSupported (kshell.catalog says why).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable

from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.naming import expr_name
from kshell.query.tabular import Tabular
from kshell.syntax import ast

REGISTRY: dict[str, Callable[..., Tabular]] = {}


def plugin(name: str):
    def deco(f):
        REGISTRY[name] = f
        return f
    return deco


# ------------------------------------------------------------------ argument helpers

def _positional(call: ast.Call) -> list[Any]:
    return [a for a in call.args if not isinstance(a, ast.NamedArg)]


def _options(ev, call: ast.Call, scope) -> dict[str, Any]:
    out = {}
    for a in call.args:
        if isinstance(a, ast.NamedArg):
            out[a.name.lower()] = _const(ev, a.value, scope, f"{call.name}(): '{a.name}'")
    return out


def _const(ev, expr: Any, scope, what: str) -> Any:
    e = Compiler(ev, [], scope).compile(expr)
    if not e.const:
        raise ev.error(expr, f"{what} must be a constant")
    return e.value


def _column(ev, tab: Tabular, expr: Any, scope) -> tuple[str, str, list[Any]]:
    e = Compiler(ev, tab.columns, scope).compile(expr)
    return expr_name(expr) or "Column1", e.type, e.values(tab.data, tab.rows)


def _args(call: ast.Call, n_min: int, ev) -> list[Any]:
    args = _positional(call)
    if len(args) < n_min:
        raise ev.error(call, f"{call.name}(): expects at least {n_min} arguments")
    return args


def _visible_cols(tab: Tabular) -> list[int]:
    return tab.visible()


# ------------------------------------------------------------------ bag_unpack

@plugin("bag_unpack")
def bag_unpack(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    args = _args(call, 1, ev)
    opts = _options(ev, call, scope)
    target = args[0]
    if not isinstance(target, ast.Name) or tab.index(target.name) is None:
        raise ev.error(call, "bag_unpack(): the first argument must be a column of the input")
    prefix = T.to_string(_const(ev, args[1], scope, "bag_unpack(): the prefix")) if len(args) > 1 else ""
    conflict = str(opts.get("columnsconflict", "error")).lower()
    ignored = set(opts.get("ignoredproperties") or [])
    i = tab.index(target.name)
    bags = [tab.data[i][r] for r in range(tab.rows)]
    keep = [j for j in _visible_cols(tab) if j != i]
    cols = [tab.columns[j] for j in keep]
    data = [[tab.data[j][r] for r in range(tab.rows)] for j in keep]
    if schema is not None:
        declared = [(c.name, T.canonical_type(c.type) or c.type) for c in schema if c.name != "*"]
        star = any(c.name == "*" for c in schema)
        out_cols = list(cols) if star else []
        out_data = list(data) if star else []
        for name, typ in declared:
            key = name[len(prefix):] if prefix and name.startswith(prefix) else name
            vals = [b.get(key) if isinstance(b, dict) else None for b in bags]
            out_cols.append((name, typ))
            out_data.append(vals if typ == "dynamic" else [T.from_dynamic(v, typ) for v in vals])
        return Tabular(out_cols, out_data, tab.rows, tab.name)
    keys = sorted({k for b in bags if isinstance(b, dict) for k in b if k not in ignored})
    names = [c[0] for c in cols]
    for k in keys:
        name = prefix + k
        vals = [b.get(k) if isinstance(b, dict) else None for b in bags]
        if name in names:
            if conflict == "keep_source":
                continue
            if conflict == "replace_source":
                j = names.index(name)
                cols[j] = (name, "dynamic")
                data[j] = vals
                continue
            raise ev.error(call, f"bag_unpack(): the property '{k}' collides with the column '{name}' "
                                 "(use columnsConflict='replace_source' or 'keep_source')")
        cols.append((name, "dynamic"))
        names.append(name)
        data.append(vals)
    return Tabular(cols, data, tab.rows, tab.name)


# ------------------------------------------------------------------ narrow, pivot

@plugin("narrow")
def narrow(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    rows = []
    for r in range(tab.rows):
        for j in _visible_cols(tab):
            rows.append([r, tab.columns[j][0], T.to_string(tab.data[j][r])])
    return Tabular.from_rows([("Row", "int"), ("Column", "string"), ("Value", "string")], rows)


@plugin("pivot")
def pivot(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    from kshell.query.summarize import summarize

    args = _args(call, 1, ev)
    if not isinstance(args[0], ast.Name) or tab.index(args[0].name) is None:
        raise ev.error(call, "pivot(): the first argument must be a column of the input")
    pcol = args[0].name
    agg = args[1] if len(args) > 1 else ast.Call("count", [])
    keys = [a for a in args[2:]]
    key_names = [expr_name(k) or f"Column{i + 1}" for i, k in enumerate(keys)]
    by = [ast.Assignment(n, k) for n, k in zip(key_names, keys)] + [ast.Assignment("$pivot", ast.Name(pcol))]
    summed = summarize(ev, tab, ast.Summarize([ast.Assignment("$agg", agg)], by), scope)
    values = []
    for r in summed.row_list():
        if r[len(keys)] not in values:
            values.append(r[len(keys)])
    values.sort(key=lambda v: (v is None, T.to_string(v)))
    groups: dict[tuple, dict[Any, Any]] = {}
    order = []
    for r in summed.row_list():
        k = tuple(r[: len(keys)])
        if k not in groups:
            groups[k] = {}
            order.append(k)
        groups[k][r[len(keys)]] = r[len(keys) + 1]
    agg_type = summed.columns[-1][1]
    cols = [summed.columns[i] for i in range(len(keys))] + [(T.to_string(v), agg_type) for v in values]
    zero = 0 if agg_type in ("long", "int") else (0.0 if agg_type == "real" else None)
    rows = [list(k) + [groups[k].get(v, zero) for v in values] for k in order]
    return Tabular.from_rows(cols, rows)


# ------------------------------------------------------------------ lookups

def _lookup_table(ev, expr: Any, scope) -> Tabular:
    return ev.eval_tabular(expr, scope)


def _ip_lookup(ev, tab: Tabular, call: ast.Call, scope, v6: bool) -> Tabular:
    from kshell.query import functions_ip as IP

    args = _args(call, 3, ev)
    opts = _options(ev, call, scope)
    lookup = _lookup_table(ev, args[0], scope)
    src_name, _t, src = _column(ev, tab, args[1], scope)
    net_name = expr_name(args[2])
    k = lookup.index(net_name) if net_name else None
    if k is None:
        raise ev.error(call, f"{call.name}(): the lookup key must be a column of the lookup table")
    # Further positional arguments: a constant bool is return_unmatched, names are extra keys.
    flags = [a for a in args[3:] if isinstance(a, ast.Literal) and isinstance(a.value, bool)]
    extra = [(expr_name(a), a) for a in args[3:] if a not in flags]
    unmatched = opts.get("return_unmatched") is True or any(f.value for f in flags)
    in_range = IP._ipv6_in_range if v6 else IP._ipv4_in_range
    lrows = lookup.row_list()
    lcols = [lookup.columns[j] for j in lookup.visible()]
    lvis = lookup.visible()
    scols = [tab.columns[j] for j in tab.visible()]
    svis = tab.visible()
    rows = []
    for r in range(tab.rows):
        found = False
        for lr in lrows:
            if in_range(src[r], lr[k]) and all(
                    tab.data[tab.index(n)][r] == lr[lookup.index(n)] for n, _a in extra if n):
                srow = [tab.data[j][r] for j in svis]
                lrow = [lr[j] for j in lvis]
                rows.append(lrow + srow if v6 else srow + lrow)
                found = True
        if not found and unmatched:
            srow = [tab.data[j][r] for j in svis]
            lrow = ["" if t == "string" else None for _n, t in lcols]
            rows.append(lrow + srow if v6 else srow + lrow)
    cols = lcols + scols if v6 else scols + lcols
    return Tabular.from_rows(_dedupe_names(cols), rows)


def _dedupe_names(cols: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for n, t in cols:
        name, i = n, 1
        while name in seen:
            name = f"{n}{i}"
            i += 1
        seen.add(name)
        out.append((name, t))
    return out


plugin("ipv4_lookup")(lambda ev, tab, call, scope, schema: _ip_lookup(ev, tab, call, scope, False))
plugin("ipv6_lookup")(lambda ev, tab, call, scope, schema: _ip_lookup(ev, tab, call, scope, True))


def _geo_lookup(ev, tab: Tabular, call: ast.Call, scope, lines: bool) -> Tabular:
    from kshell.query import functions_geometry as G

    args = _args(call, 4, ev)
    opts = _options(ev, call, scope)
    lookup = _lookup_table(ev, args[0], scope)
    key_name = expr_name(args[1])
    k = lookup.index(key_name) if key_name else None
    if k is None:
        raise ev.error(call, f"{call.name}(): the lookup key must be a column of the lookup table")
    _n, _t, lons = _column(ev, tab, args[2], scope)
    _n, _t, lats = _column(ev, tab, args[3], scope)
    radius = float(_const(ev, args[4], scope, f"{call.name}(): the radius")) if len(args) > 4 else \
        float(opts.get("lookup_area_radius") or 0.0)
    unmatched = opts.get("return_unmatched") is True
    with_key = opts.get("return_lookup_key") is True
    lvis = [j for j in lookup.visible() if with_key or j != k]
    lcols = [lookup.columns[j] for j in lvis]
    svis = tab.visible()
    shapes = []
    for lr in lookup.row_list():
        shapes.append((lr, G.lines(lr[k]) if lines else G.polygons(lr[k])))
    rows = []
    for r in range(tab.rows):
        srow = [tab.data[j][r] for j in svis]
        p = G._pt(lons[r], lats[r])
        found = False
        if p is not None:
            for lr, shape in shapes:
                if shape is None:
                    continue
                if lines:
                    edges = [e for ln in shape for e in G.edges(ln, False)]
                    hit = G.R * G.angle(p, G._closest(p, edges)) <= radius
                else:
                    hit = G.in_polygons(p, shape) or (radius > 0 and G.R * G.angle(
                        p, G._closest(p, G._polygon_edges(shape))) <= radius)
                if hit:
                    rows.append(srow + [lr[j] for j in lvis])
                    found = True
        if not found and unmatched:
            rows.append(srow + ["" if t == "string" else None for _n, t in lcols])
    return Tabular.from_rows(_dedupe_names([tab.columns[j] for j in svis] + lcols), rows)


plugin("geo_polygon_lookup")(lambda ev, tab, call, scope, schema: _geo_lookup(ev, tab, call, scope, False))
plugin("geo_line_lookup")(lambda ev, tab, call, scope, schema: _geo_lookup(ev, tab, call, scope, True))


# ------------------------------------------------------------------ schema_merge

_DOTNET = {"string": "System.String", "int": "System.Int32", "long": "System.Int64", "real": "System.Double",
           "bool": "System.SByte", "datetime": "System.DateTime", "timespan": "System.TimeSpan",
           "guid": "System.Guid", "decimal": "System.Data.SqlTypes.SqlDecimal", "dynamic": "System.Object"}


@plugin("schema_merge")
def schema_merge(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    opts = _options(ev, call, scope)
    pos = _positional(call)
    preserve = _const(ev, pos[0], scope, "schema_merge(): PreserveOrder") if pos else \
        opts.get("preserveorder", True)
    idx = {n: tab.index(n) for n in ("ColumnName", "ColumnOrdinal", "ColumnType")}
    if any(v is None for v in idx.values()):
        raise ev.error(call, "schema_merge(): the input must be getschema output")
    # The input holds one schema after another: a new schema starts at ordinal 0.
    schemas: list[list[tuple[str, str]]] = []
    for r in range(tab.rows):
        name, ordinal, typ = (tab.data[idx[k]][r] for k in ("ColumnName", "ColumnOrdinal", "ColumnType"))
        if ordinal == 0 or not schemas:
            schemas.append([])
        schemas[-1].append((name, typ))
    merged: list[str] = []
    types: dict[str, str] = {}
    ordinals: dict[str, set[int]] = {}
    for sch in schemas:
        prev = None
        for o, (name, typ) in enumerate(sch):
            ordinals.setdefault(name, set()).add(o)
            if name not in merged:
                merged.insert(merged.index(prev) + 1 if prev in merged else len(merged), name)
                types[name] = typ
            prev = name
    rows = []
    k = 0
    for name in merged:
        if preserve and len(ordinals[name]) > 1:
            err = "ERROR(columns are out of order)"
            rows.append([name, -1, f"ERROR(unknown CSL type:{err})", err])
        else:
            rows.append([name, k, _DOTNET.get(types[name], "System.Object"), types[name]])
            k += 1
    return Tabular.from_rows([("ColumnName", "string"), ("ColumnOrdinal", "int"), ("DataType", "string"),
                              ("ColumnType", "string")], rows)


# ------------------------------------------------------------------ windows over rows and time

@plugin("rows_near")
def rows_near(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    args = _args(call, 2, ev)
    cond = Compiler(ev, tab.columns, scope).predicate(args[0]).values(tab.data, tab.rows)
    before = int(_const(ev, args[1], scope, "rows_near(): the number of rows"))
    after = int(_const(ev, args[2], scope, "rows_near(): the rows after")) if len(args) > 2 else before
    keep = sorted({j for i, c in enumerate(cond) if c is True
                   for j in range(max(0, i - before), min(tab.rows, i + after + 1))})
    return tab.take_rows(keep)


def _bins(start: Any, end: Any, step: Any) -> list[Any]:
    out = []
    b = start
    while b < end and len(out) < 1_000_000:
        out.append(b)
        b = b + step
    return out


@plugin("rolling_percentile")
def rolling_percentile(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    from kshell.query.aggregates import percentile_value

    args = _args(call, 5, ev)
    vname, vtype, vals = _column(ev, tab, args[0], scope)
    pct = _const(ev, args[1], scope, "rolling_percentile(): the percentile")
    iname, itype, index = _column(ev, tab, args[2], scope)
    size = _const(ev, args[3], scope, "rolling_percentile(): the bin size")
    count = int(_const(ev, args[4], scope, "rolling_percentile(): the number of bins"))
    dims = [_column(ev, tab, a, scope) for a in args[5:]]
    from kshell.query.functions import _bin
    groups: dict[tuple, dict[Any, list[Any]]] = {}
    for r in range(tab.rows):
        if index[r] is None:
            continue
        key = tuple(d[2][r] for d in dims)
        groups.setdefault(key, {}).setdefault(_bin(index[r], size), []).append(vals[r])
    rows = []
    for key, per_bin in groups.items():
        bins = sorted(per_bin)
        for b in _bins(bins[0], bins[-1] + size, size):
            window = [v for k in range(count) for v in per_bin.get(b - size * k, []) if v is not None]
            rows.append([b, *key, percentile_value(window, float(pct)) if window else None])
    cols = [(iname, itype)] + [(d[0], d[1]) for d in dims] + \
        [(f"rolling_{count}_percentile_{vname}_{_num_text(pct)}", vtype)]
    return Tabular.from_rows(cols, rows)


def _num_text(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).replace(".", "_")


def _period_args(ev, tab, call, scope, n: int):
    args = _args(call, n, ev)
    _in, _it, ids = _column(ev, tab, args[0], scope)
    tname, ttype, times = _column(ev, tab, args[1], scope)
    consts = [_const(ev, a, scope, f"{call.name}(): argument {i + 3}") for i, a in enumerate(args[2:n])]
    dims = [_column(ev, tab, a, scope) for a in args[n:]]
    return ids, (tname, ttype, times), consts, dims


@plugin("sliding_window_counts")
def sliding_window_counts(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    ids, (tname, ttype, times), (start, end, lookback, step), dims = _period_args(ev, tab, call, scope, 6)
    groups: dict[tuple, list[int]] = {}
    for r in range(tab.rows):
        groups.setdefault(tuple(d[2][r] for d in dims), []).append(r)
    rows = []
    for key, idx in groups.items():
        for b in _bins(start, end + step, step):  # `end` is the last bin, inclusive
            lo, hi = b + step - lookback, b + step
            inside = [r for r in idx if times[r] is not None and lo <= times[r] < hi]
            rows.append([b, *key, len(inside), len({_h(ids[r]) for r in inside})])
    cols = [(tname, ttype)] + [(d[0], d[1]) for d in dims] + [("Count", "long"), ("dcount", "long")]
    return Tabular.from_rows(cols, rows)


def _h(v: Any) -> Any:
    return T.to_string(v) if isinstance(v, (dict, list)) else v


@plugin("activity_counts_metrics")
def activity_counts_metrics(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    ids, (tname, ttype, times), (start, end, window), dims = _period_args(ev, tab, call, scope, 5)
    groups: dict[tuple, list[int]] = {}
    for r in range(tab.rows):
        groups.setdefault(tuple(d[2][r] for d in dims), []).append(r)
    rows = []
    for key, idx in groups.items():
        seen: set[Any] = set()
        for b in _bins(start, end + (window if isinstance(end, dt.datetime) else 0), window):
            if b > end:
                break
            inside = [r for r in idx if times[r] is not None and b <= times[r] < b + window]
            users = {_h(ids[r]) for r in inside}
            new = users - seen
            seen |= users
            rows.append([b, *key, len(inside), len(users), len(new), len(seen)])
    cols = [(tname, ttype)] + [(d[0], d[1]) for d in dims] + \
        [("count", "long"), ("dcount", "long"), ("new_dcount", "long"), ("aggregated_dcount", "long")]
    return Tabular.from_rows(cols, rows)


@plugin("active_users_count")
def active_users_count(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """A user is active on a day when it was seen in at least ActivePeriods distinct periods
    of the lookback window ending that day; each bin counts the users active in it."""
    from kshell.query.functions import _bin

    ids, (tname, ttype, times), consts, dims = _period_args(ev, tab, call, scope, 8)
    start, end, lookback, period, active, step = consts
    groups: dict[tuple, list[int]] = {}
    for r in range(tab.rows):
        groups.setdefault(tuple(d[2][r] for d in dims), []).append(r)
    rows = []
    for key, idx in groups.items():
        by_user: dict[Any, list[Any]] = {}
        for r in idx:
            if times[r] is not None:
                by_user.setdefault(_h(ids[r]), []).append(times[r])
        for b in _bins(start, end, step):
            count = 0
            for user, ts in by_user.items():
                for d in ts:
                    if not b <= d < b + step:
                        continue
                    periods = {_bin(t, period) for t in ts if d - lookback < t <= d}
                    if len(periods) >= active:
                        count += 1
                        break
            if count:
                rows.append([b, *key, count])
    cols = [(tname, ttype)] + [(d[0], d[1]) for d in dims] + [("dcount", "long")]
    return Tabular.from_rows(cols, rows)


@plugin("preview")
def preview(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    args = _args(call, 1, ev)
    n = int(_const(ev, args[0], scope, "preview(): the number of rows"))
    return tab.take_rows(list(range(min(n, tab.rows))))


__all__ = ["REGISTRY", "plugin", "math"]


@plugin("dcount_intersect")
def dcount_intersect(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """s0 = dcount of the first hll, s1 = of the first two intersected, ... (hll values are
    exact sets in kshell, see kshell.query.aggregates_extra)."""
    args = _args(call, 2, ev)
    cols = [_column(ev, tab, a, scope)[2] for a in args]
    keep = tab.visible()
    out_cols = [tab.columns[j] for j in keep] + [(f"s{k}", "long") for k in range(len(args))]
    rows = []
    for r in range(tab.rows):
        acc: set[str] | None = None
        counts = []
        for col in cols:
            s = {T.to_string(x) if isinstance(x, (dict, list)) else json_key(x) for x in (col[r] or [])}
            acc = s if acc is None else acc & s
            counts.append(len(acc))
        rows.append([tab.data[j][r] for j in keep] + counts)
    return Tabular.from_rows(out_cols, rows)


def json_key(v: Any) -> str:
    return f"{type(v).__name__}:{v}"
