"""Pipe operators beyond the core: make-series, mv-apply, parse-kv, scan, partition,
top-nested, project-by-names, sample-distinct.

The parser keeps them as `OtherOperator` text; kshell.syntax.query_ops_extra gives
their structure, and `apply(ev, tab, op, scope)` runs the one registered under the
operator's name (kshell.query.operators.apply_operator calls it).  They are built from
the core operators where they can be (make-series summarizes by a bin column, mv-apply
runs mv-expand and the subquery per row).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import re
from typing import Any, Callable

from kshell.errors import KustoError, SemanticError
from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.naming import expr_name
from kshell.query.tabular import Tabular, mutable_columns
from kshell.syntax import ast


class _Structures:
    """kshell.syntax.query_ops_extra, imported when an operator of this module first runs
    (its dataclasses cost ~30 ms to create; most queries never need them)."""

    def __getattr__(self, name: str) -> Any:
        from kshell.syntax import query_ops_extra
        return getattr(query_ops_extra, name)


X = _Structures()

REGISTRY: dict[str, Callable[..., Tabular]] = {}
NAMES = REGISTRY  # the catalog's status check reads the names


def operator(name: str):
    def deco(f):
        REGISTRY[name] = f
        return f
    return deco


def apply(ev: Any, tab: Tabular, op: Any, scope: Any) -> Tabular | None:
    """Run an OtherOperator this module implements, or return None."""
    fn = REGISTRY.get(op.name)
    if fn is None:
        return None
    from kshell.query.kept_text import shift_positions

    # positions in the operator's text become positions in the request
    node = shift_positions(X.parse_operator(op), op.pos or 0)
    return fn(ev, tab, node, scope)


def _const(ev: Any, expr: Any, scope: Any, what: str) -> Any:
    e = Compiler(ev, [], scope).compile(expr)
    if not e.const:
        raise ev.error(expr, f"{what} must be a constant")
    return e.value


def _apply_ops(ev: Any, tab: Tabular, ops: list[Any], scope: Any) -> Tabular:
    from kshell.query.operators import apply_operator
    for o in ops:
        tab = apply_operator(ev, tab, o, scope)
    return tab


def _visible(tab: Tabular) -> list[int]:
    return tab.visible()


def _concat(parts: list[Tabular], empty: Tabular) -> Tabular:
    """Rows of tables with the same columns, one after the other."""
    if not parts:
        return empty
    cols = parts[0].columns
    data = [[] for _ in cols]
    for p in parts:
        for j, (name, _t) in enumerate(cols):
            k = p.index(name)
            col = p.data[k] if k is not None else [None] * p.rows
            data[j].extend(col[i] for i in range(p.rows))
    return Tabular(cols, data, sum(p.rows for p in parts))


# ------------------------------------------------------------------ project-by-names

@operator("project-by-names")
def project_by_names(ev, tab: Tabular, node: X.ByNames, scope) -> Tabular:
    wanted: list[str] = []
    for e in node.exprs:
        v = Compiler(ev, [], scope).compile(e)
        if not v.const:
            v = Compiler(ev, tab.columns, scope).compile(e)
            if not v.const:
                raise ev.error(e, "project-by-names: the column names must be constants")
        vals = v.value if isinstance(v.value, list) else [v.value]
        for s in vals:
            if not isinstance(s, str):
                raise ev.error(e, "project-by-names: a column name must be a string")
            wanted.append(s)
    picked: list[int] = []
    for w in wanted:
        for i in _visible(tab):
            if fnmatch.fnmatchcase(tab.columns[i][0], w) and i not in picked:
                picked.append(i)
    return Tabular([tab.columns[i] for i in picked], [tab.data[i] for i in picked], tab.rows, tab.name)


# ------------------------------------------------------------------ parse-kv

def _unquote(s: str, quotes: str, escape: str | None) -> str:
    s = s.strip()
    if len(s) >= 2 and quotes:
        opener, closer = (quotes[0], quotes[1]) if len(quotes) == 2 and quotes[0] != quotes[1] else (None, None)
        if opener and s[0] == opener and s[-1] == closer:
            s = s[1:-1]
        elif s[0] in quotes and s[-1] == s[0]:
            s = s[1:-1]
    if escape:
        s = re.sub(re.escape(escape) + "(.)", r"\1", s)
    return s


def _split_quoted(text: str, delims: str, quotes: str, escape: str | None) -> list[str]:
    """Split on any delimiter character outside quotes."""
    opener_closer = {quotes[0]: quotes[1]} if len(quotes) == 2 and quotes[0] != quotes[1] else \
        {q: q for q in quotes}
    out, cur, i, close = [], [], 0, None
    while i < len(text):
        ch = text[i]
        if escape and ch == escape and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if close is not None:
            if ch == close:
                close = None
            cur.append(ch)
        elif ch in opener_closer:
            close = opener_closer[ch]
            cur.append(ch)
        elif ch in delims:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def _kv_pairs(text: str, opts: dict[str, Any], keys: list[str]) -> dict[str, str]:
    if "regex" in opts:
        found: dict[str, str] = {}
        from kshell.query import regex
        try:
            for m in regex.compile(str(opts["regex"])).finditer(text):
                if m.re.groups >= 2:
                    found.setdefault(m.group(1).strip(), m.group(2))
        except re.error:
            return {}
        return found
    quotes = str(opts.get("quote", ""))
    escape = opts.get("escape")
    escape = str(escape) if escape else None
    if "pair_delimiter" not in opts and "kv_delimiter" not in opts:
        # No delimiters given: find each key followed by ':' or '=' and read its value
        # up to the next ',' or ';' (or a quoted value).
        out: dict[str, str] = {}
        for k in keys:
            m = re.search(r"(?<![\w])" + re.escape(k) + r"\s*[:=]\s*", text)
            if not m:
                continue
            rest = text[m.end():]
            if rest and quotes and rest[0] in quotes:
                parts = _split_quoted(rest, ",;", quotes, escape)
                out[k] = _unquote(parts[0], quotes, escape)
            else:
                out[k] = re.split(r"[,;]", rest, 1)[0].strip()
        return out
    pair = str(opts.get("pair_delimiter", " "))
    kv = str(opts.get("kv_delimiter", "="))
    pieces = _split_quoted(text, pair, quotes, escape)
    if opts.get("greedy") is True:
        merged: list[str] = []
        for p in pieces:
            if kv in p or not merged:
                merged.append(p)
            else:
                merged[-1] += pair[0] + p
        pieces = merged
    out = {}
    for p in pieces:
        k, sep, v = p.partition(kv)
        if not sep:
            continue
        out.setdefault(_unquote(k, quotes, escape), _unquote(v, quotes, escape))
    return out


@operator("parse-kv")
def parse_kv(ev, tab: Tabular, node: X.ParseKv, scope) -> Tabular:
    src = Compiler(ev, tab.columns, scope).compile(node.expr).values(tab.data, tab.rows)
    keys = [c.name for c in node.columns]
    new = [[] for _ in node.columns]
    for v in src:
        found = _kv_pairs(T.to_string(v), node.options, keys)
        for j, c in enumerate(node.columns):
            raw = found.get(c.name)
            typ = T.canonical_type(c.type) or c.type
            if raw is None:
                new[j].append("" if typ == "string" else None)
            else:
                new[j].append(raw if typ == "string" else T.convert(raw, typ))
    cols, data = list(tab.columns), mutable_columns(tab.data)
    for c, vals in zip(node.columns, new):
        typ = T.canonical_type(c.type) or c.type
        i = tab.index(c.name)
        if i is not None:
            cols[i], data[i] = (c.name, typ), vals
        else:
            cols.append((c.name, typ))
            data.append(vals)
    return Tabular(cols, data, tab.rows, tab.name)


# ------------------------------------------------------------------ make-series

_ZERO_DEFAULT = {"count", "countif", "dcount", "dcountif", "sum", "sumif"}


@operator("make-series")
def make_series(ev, tab: Tabular, node: X.MakeSeries, scope) -> Tabular:
    from kshell.query import aggregates as A
    from kshell.query.summarize import summarize

    c = Compiler(ev, tab.columns, scope)
    axis = c.compile(node.axis)
    axis_name = expr_name(node.axis) or "Column1"
    axis_vals = axis.values(tab.data, tab.rows)
    step = _const(ev, node.step, scope, "make-series: the step")
    zero = dt.timedelta(0) if isinstance(step, dt.timedelta) else 0
    if step is None or isinstance(step, (bool, str, dict, list)) or not step > zero:
        raise ev.error(node.step, "make-series: the step must be a positive number or timespan")
    start = _const(ev, node.start, scope, "make-series: 'from'") if node.start is not None else None
    end = _const(ev, node.end, scope, "make-series: 'to'") if node.end is not None else None
    present = [v for v in axis_vals if v is not None]
    if start is None:
        start = min(present) if present else None
    if end is None and present:
        end = max(present) + step
    def bin_of(v: Any) -> int | None:
        if v is None or start is None:
            return None
        k = math.floor((v - start) / step)
        return k if 0 <= k < nbins else None

    try:  # the axis, 'from', 'to' and 'step' must be numbers, or datetimes with timespans
        nbins = 0 if start is None or end is None or not step else max(0, math.ceil((end - start) / step))
        bins = [bin_of(v) for v in axis_vals]
    except TypeError:
        raise ev.error(node.step, f"make-series: the axis ({axis.type}), 'from', 'to' and 'step' must be numbers, "
                                  "or datetimes (or timespans) with a timespan step") from None
    keep = [i for i, b in enumerate(bins) if b is not None]
    work = tab.take_rows(keep)
    wcols, wdata = list(work.columns), mutable_columns(work.data)
    wcols.append(("$bin", "long"))
    wdata.append([bins[i] for i in keep])
    work = Tabular(wcols, wdata, len(keep), tab.name)

    # Aggregates, and constant columns (`other=-1`) whose value fills the bins that have rows.
    aggs: list[tuple[str, ast.Assignment, Any]] = []
    for k, (a, default) in enumerate(node.aggregates):
        expr = a.expr
        name = a.name or _agg_name(expr, k)
        if not (isinstance(expr, ast.Call) and A.lookup(expr.name) is not None):
            expr = ast.Call("take_any", [expr], pos=expr.pos)
        aggs.append((name, ast.Assignment(f"$agg{k}", expr, pos=a.pos), default))
    by = list(node.by) + [ast.Assignment("$bin", ast.Name("$bin"))]
    summed = summarize(ev, work, ast.Summarize([a for _n, a, _d in aggs], by), scope)

    key_names = [summed.columns[i][0] for i in range(len(node.by))]
    groups: dict[tuple, dict[int, list[Any]]] = {}
    order: list[tuple] = []
    rows = summed.row_list()
    bin_i = summed.index("$bin")
    agg_i = [summed.index(f"$agg{k}") for k in range(len(aggs))]
    for r in rows:
        key = tuple(r[: len(node.by)])
        if key not in groups:
            groups[key] = {}
            order.append(key)
        groups[key][r[bin_i]] = [r[i] for i in agg_i]
    defaults = []
    for (name, a, d), (orig, _dd) in zip(aggs, node.aggregates):
        if d is not None:
            defaults.append(_const(ev, d, scope, "make-series: a default"))
        else:
            call = orig.expr
            defaults.append(0)
            if isinstance(call, ast.Call) and A.lookup(call.name) is None:
                defaults[-1] = 0
    if not order and not node.by and (node.kind or "").lower() == "nonempty":
        order.append(())
        groups[()] = {}
    axis_values = [T.to_json_value(start + step * k) for k in range(nbins)]
    out_cols: list[tuple[str, str]] = [(n, summed.columns[i][1]) for i, n in enumerate(key_names)]
    out_cols += [(name, "dynamic") for name, _a, _d in aggs] + [(axis_name, "dynamic")]
    out_rows = []
    for key in order:
        per_bin = groups[key]
        row = list(key)
        for k in range(len(aggs)):
            series = []
            for b in range(nbins):
                v = per_bin[b][k] if b in per_bin else None
                series.append(T.to_json_value(defaults[k] if v is None else v))
            row.append(series)
        row.append(list(axis_values))
        out_rows.append(row)
    return Tabular.from_rows(out_cols, out_rows)


def _agg_name(expr: Any, k: int) -> str:
    if isinstance(expr, ast.Call):
        arg = expr_name(expr.args[0]) if expr.args else None
        return f"{expr.name}_{arg}" if arg else f"{expr.name}_"
    return expr_name(expr) or f"Column{k + 1}"


# ------------------------------------------------------------------ mv-apply

@operator("mv-apply")
def mv_apply(ev, tab: Tabular, node: X.MvApply, scope) -> Tabular:
    from kshell.query.operators import mv_expand

    items = [ast.MvExpandItem(a.name, a.expr, typ, pos=a.pos) for a, typ in node.items]
    expand = ast.MvExpand(items, with_itemindex=node.item_index, limit=node.limit)
    expanded_names = {a.name or expr_name(a.expr) for a, _t in node.items}
    parts: list[Tabular] = []
    result_cols: list[tuple[str, str]] | None = None
    for i in range(tab.rows):
        row = tab.take_rows([i])
        sub = _apply_ops(ev, mv_expand(ev, row, expand, scope), node.operators, scope)
        if result_cols is None:
            result_cols = _mv_apply_columns(tab, sub, expanded_names)
        if sub.rows == 0:
            continue
        cols, data = [], []
        for name, typ in result_cols:
            k = sub.index(name)
            if k is not None:
                data.append([sub.data[k][j] for j in range(sub.rows)])
            else:
                o = tab.index(name)
                data.append([tab.data[o][i]] * sub.rows)
            cols.append((name, typ))
        parts.append(Tabular(cols, data, sub.rows))
    if result_cols is None:  # no input rows: the schema from an empty run
        empty_row = Tabular(tab.columns, [[] for _ in tab.columns], 0)
        sub = _apply_ops(ev, mv_expand(ev, empty_row, expand, scope), node.operators, scope)
        result_cols = _mv_apply_columns(tab, sub, expanded_names)
    return _concat(parts, Tabular(result_cols, [[] for _ in result_cols], 0))


def _mv_apply_columns(tab: Tabular, sub: Tabular, expanded: set[str | None]) -> list[tuple[str, str]]:
    """The input's columns (the subquery's version when it has one; expanded columns only
    when the subquery keeps them), then the subquery's new columns."""
    cols: list[tuple[str, str]] = []
    for name, typ in tab.columns:
        k = sub.index(name)
        if k is not None:
            cols.append(sub.columns[k])
        elif name not in expanded:
            cols.append((name, typ))
    names = {c[0] for c in cols}
    cols += [c for c in sub.columns if c[0] not in names]
    return cols


# ------------------------------------------------------------------ partition

@operator("partition")
def partition(ev, tab: Tabular, node: X.Partition, scope) -> Tabular:
    k = tab.index(node.by)
    if k is None:
        raise SemanticError(f"partition: no column named '{node.by}'")
    groups: dict[Any, list[int]] = {}
    for i, v in enumerate(tab.data[k][j] for j in range(tab.rows)):
        groups.setdefault(T.to_string(v) if isinstance(v, (dict, list)) else v, []).append(i)
    if node.operators is None:
        # `{ query }`: the query runs once per key, with the key's value bound to the
        # column's name (toscalar(Col) reads it).
        from kshell.query.cexpr import const
        from kshell.query.evaluator import Scope
        parts = []
        for key, idx in groups.items():
            inner = Scope(scope)
            value = tab.data[k][idx[0]]
            inner.bind(node.by, "scalar", const(tab.columns[k][1], value))
            parts.append(ev.eval_tabular(node.body, inner))
        return _concat(parts, parts[0]) if parts else Tabular([], [], 0)
    parts = [_apply_ops(ev, tab.take_rows(idx), node.operators, scope) for idx in groups.values()]
    if not parts:
        return _apply_ops(ev, tab, node.operators, scope)
    return _concat(parts, parts[0])


# ------------------------------------------------------------------ sample-distinct

@operator("sample-distinct")
def sample_distinct(ev, tab: Tabular, node: X.SampleDistinct, scope) -> Tabular:
    n = _const(ev, node.count, scope, "sample-distinct: the count")
    e = Compiler(ev, tab.columns, scope).compile(node.column)
    name = expr_name(node.column) or "Column1"
    seen: list[Any] = []
    for v in e.values(tab.data, tab.rows):
        if v not in seen:
            seen.append(v)
        if len(seen) >= n:
            break
    return Tabular([(name, e.type)], [seen], len(seen))


# ------------------------------------------------------------------ top-nested

@operator("top-nested")
def top_nested(ev, tab: Tabular, node: X.TopNested, scope) -> Tabular:
    from kshell.query.summarize import summarize

    out_cols: list[tuple[str, str]] = []
    level_specs = []
    for k, lv in enumerate(node.levels):
        name = lv.expr.name or expr_name(lv.expr.expr) or f"Column{k + 1}"
        agg_name = lv.aggregate.name or f"aggregated_{name}"
        level_specs.append((name, agg_name))

    def level(rows: Tabular, k: int) -> list[list[Any]]:
        if k == len(node.levels):
            return [[]]
        lv = node.levels[k]
        name, agg_name = level_specs[k]
        c = Compiler(ev, rows.columns, scope)
        key = c.compile(lv.expr.expr)
        keys = key.values(rows.data, rows.rows)
        kcols, kdata = list(rows.columns), mutable_columns(rows.data)
        kcols.append(("$key", key.type))
        kdata.append(keys)
        work = Tabular(kcols, kdata, rows.rows)
        summed = summarize(ev, work, ast.Summarize([ast.Assignment("$agg", lv.aggregate.expr)],
                                                   [ast.Assignment("$key", ast.Name("$key"))]), scope)
        pairs = summed.row_list()
        if k >= len(out_cols) // 2:
            out_cols.extend([(name, key.type), (agg_name, summed.columns[1][1])])
        pairs.sort(key=lambda r: (r[1] is None, r[1]), reverse=lv.descending)
        if lv.descending:
            pairs.sort(key=lambda r: r[1] is None)
        count = _const(ev, lv.count, scope, "top-nested: the count") if lv.count is not None else None
        top = pairs if count is None else pairs[:count]
        rest = [] if count is None else pairs[count:]
        out = []
        for kv, av in top:
            idx = [i for i, v in enumerate(keys) if v == kv]
            for tail in level(rows.take_rows(idx), k + 1):
                out.append([kv, av] + tail)
        if lv.others is not None and rest:
            other_key = _const(ev, lv.others, scope, "top-nested: 'with others'")
            restkeys = {r[0] for r in rest}
            idx = [i for i, v in enumerate(keys) if v in restkeys]
            sub = summarize(ev, rows.take_rows(idx),
                            ast.Summarize([ast.Assignment("$agg", lv.aggregate.expr)], []), scope)
            tail_len = 2 * (len(node.levels) - k - 1)
            out.append([other_key, sub.row_list()[0][0]] + [None] * tail_len)
        return out

    rows = level(tab, 0)
    if len(out_cols) < 2 * len(node.levels):
        for name, agg_name in level_specs[len(out_cols) // 2:]:
            out_cols.extend([(name, "string"), (agg_name, "long")])
    return Tabular.from_rows(out_cols, rows)


# ------------------------------------------------------------------ scan

def _rewrite_steps(node: Any, steps: set[str]) -> Any:
    """`s1.x` (a step's state) becomes the hidden column `s1.x`."""
    if isinstance(node, ast.Member) and isinstance(node.target, ast.Name) and node.target.name in steps:
        return ast.Name(f"{node.target.name}.{node.name}", pos=node.pos)
    if isinstance(node, ast.Binary):
        return ast.Binary(node.op, _rewrite_steps(node.left, steps), _rewrite_steps(node.right, steps),
                          pos=node.pos)
    if isinstance(node, ast.Unary):
        return ast.Unary(node.op, _rewrite_steps(node.operand, steps), pos=node.pos)
    if isinstance(node, ast.Call):
        return ast.Call(node.name, [_rewrite_steps(a, steps) for a in node.args], target=node.target,
                        pos=node.pos)
    if isinstance(node, ast.InList):
        return ast.InList(node.op, _rewrite_steps(node.left, steps),
                          [_rewrite_steps(x, steps) for x in node.items], pos=node.pos)
    if isinstance(node, ast.Between):
        return ast.Between(_rewrite_steps(node.left, steps), _rewrite_steps(node.low, steps),
                           _rewrite_steps(node.high, steps), negated=node.negated, pos=node.pos)
    return node


@operator("scan")
def scan(ev, tab: Tabular, node: X.Scan, scope) -> Tabular:
    """The documented matching logic: each record is checked against the steps from the
    last to the first; a step matches when the previous step has an active state (the
    state moves forward) or when it is itself active or the first step."""
    step_names = [s.name for s in node.steps]
    names = {s.name for s in node.steps}
    base_cols = [tab.columns[i] for i in tab.visible()]
    declared = [(n, T.canonical_type(t) or t) for n, t, _d in node.declare]
    defaults = {}
    for n, t, d in node.declare:
        defaults[n] = _const(ev, d, scope, "scan: a declared default") if d is not None else \
            ("" if T.canonical_type(t) == "string" else None)
    record_cols = base_cols + [c for c in declared if c[0] not in {b[0] for b in base_cols}]
    state_cols = [(f"{s}.{n}", t) for s in step_names for n, t in record_cols]
    schema = record_cols + state_cols
    preds, assigns = [], []
    for s in node.steps:
        c = Compiler(ev, schema, scope)
        preds.append(c.predicate(_rewrite_steps(s.predicate, names)).fn)
        items = []
        for a in s.assignments:
            if a.name is None or a.name not in defaults:
                raise ev.error(a, "scan: a step may only assign declared columns")
            items.append((a.name, c.compile(_rewrite_steps(a.expr, names)).fn))
        assigns.append(items)
    # state[k]: None, or the records of steps s1..sk of the sequence step k holds.
    state: list[dict[str, dict[str, Any]] | None] = [None] * len(node.steps)
    out_rows: list[list[Any]] = []
    match_ids: list[int] = []
    match_id = -1
    state_match: list[int] = [0] * len(node.steps)
    record_names = [n for n, _t in record_cols]
    visible = tab.visible()

    def evaluate(fn, rec: dict[str, Any], ctx: dict[str, dict[str, Any]]) -> Any:
        cols = [[rec.get(n)] for n, _t in record_cols]
        for s in step_names:
            st = ctx.get(s)
            for n, _t in record_cols:
                cols.append([st.get(n) if st is not None else defaults.get(n)])
        return fn(cols, 1)[0]

    def extend(k: int, r: dict[str, Any], ctx: dict[str, dict[str, Any]]) -> dict[str, Any]:
        latest = ctx[step_names[max(j for j in range(len(step_names)) if step_names[j] in ctx)]] if ctx else {}
        cur = {n: latest.get(n, defaults[n]) for n in defaults}
        cur.update(r)
        ext = dict(cur)
        for n, fn in assigns[k]:
            ext[n] = evaluate(fn, cur, ctx)
        return ext

    for i in range(tab.rows):
        r = {tab.columns[j][0]: tab.data[j][i] for j in visible}
        for k in range(len(node.steps) - 1, -1, -1):
            step = node.steps[k]
            if k > 0 and state[k - 1] is not None:
                ctx = state[k - 1]
                probe = {n: ctx[step_names[k - 1]].get(n, defaults[n]) for n in defaults}
                probe.update(r)
                if evaluate(preds[k], probe, ctx) is True:
                    ext = extend(k, r, ctx)
                    state[k] = {**ctx, step.name: ext}
                    state_match[k] = state_match[k - 1]
                    state[k - 1] = None
                    if step.output != "none":
                        out_rows.append([ext.get(n) for n in record_names])
                        match_ids.append(state_match[k])
                    continue
            if state[k] is not None or k == 0:
                ctx = state[k] or {}
                probe = {n: (ctx[step.name].get(n, defaults[n]) if step.name in ctx else defaults[n])
                         for n in defaults}
                probe.update(r)
                if evaluate(preds[k], probe, ctx) is True:
                    ext = extend(k, r, ctx)
                    if k == 0 and state[0] is None:
                        match_id += 1
                        state_match[0] = match_id
                    state[k] = {**ctx, step.name: ext}
                    if step.output == "all":
                        out_rows.append([ext.get(n) for n in record_names])
                        match_ids.append(state_match[k])
    cols = list(record_cols)
    rows = out_rows
    if node.match_id:
        cols.append((node.match_id, "long"))
        rows = [r + [m] for r, m in zip(out_rows, match_ids)]
    return Tabular.from_rows(cols, rows)


__all__ = ["apply", "REGISTRY", "KustoError", "dt"]


@operator("consume")
def consume(ev, tab: Tabular, node: X.Consume, scope) -> Tabular:
    """Reads the input and returns nothing (no columns, no rows)."""
    return Tabular([], [], 0)


@operator("top-hitters")
def top_hitters(ev, tab: Tabular, node: X.TopHitters, scope) -> Tabular:
    """The N most frequent values (or those with the largest sum of `by`), exactly:
    kshell counts every value where the service estimates."""
    n = _const(ev, node.count, scope, "top-hitters: the count")
    c = Compiler(ev, tab.columns, scope)
    e = c.compile(node.expr.expr)
    name = node.expr.name or expr_name(node.expr.expr) or "Column1"
    vals = e.values(tab.data, tab.rows)
    if node.by is not None and c.compile(node.by).type not in ("int", "long", "real", "decimal"):
        raise ev.error(node.by, "top-hitters: the 'by' expression must be numeric")
    weights = c.compile(node.by).values(tab.data, tab.rows) if node.by is not None else [1] * tab.rows
    totals: dict[Any, Any] = {}
    first: dict[Any, Any] = {}
    for v, w in zip(vals, weights):
        k = T.to_string(v) if isinstance(v, (dict, list)) else v
        first.setdefault(k, v)
        if w is not None:
            totals[k] = totals.get(k, 0) + w
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)[: int(n)]
    agg = f"approximate_sum_{expr_name(node.by) or 'Column1'}" if node.by is not None else f"approximate_count_{name}"
    typ = "long" if node.by is None else (c.compile(node.by).type if c.compile(node.by).type != "int" else "long")
    return Tabular([(name, e.type), (agg, typ)], [[first[k] for k, _t in ranked], [t for _k, t in ranked]],
                   len(ranked))


# ------------------------------------------------------------------ search

def search_source(ev, node: Any, scope) -> Tabular:
    """`search [in (T, ...)] predicate`: the rows of every table (or the named ones) the
    predicate holds for, with the table's name in `$table` (union's withsource)."""
    from kshell.syntax import parse

    s = X.parse_search(node.text)
    tables = ", ".join(s.tables) if s.tables else "*"
    query = parse(f"union withsource=['$table'] {tables} | where {s.predicate_text}")
    return ev.eval_tabular(query, scope)


@operator("search")
def search_operator(ev, tab: Tabular, node: Any, scope) -> Tabular:
    from kshell.syntax import parse

    where = parse(f"print 1 | where {node.predicate_text}").body.operators[0]
    from kshell.query.operators import apply_operator
    return apply_operator(ev, tab, where, scope)



# ------------------------------------------------------------------ reduce

@operator("reduce")
def reduce_(ev, tab: Tabular, node: Any, scope) -> Tabular:
    """Groups strings by a pattern: a string is split into terms (by `characters`, by default
    at every character that is not an ASCII letter or digit); a term found in more than
    `threshold` (0.1) of the rows is kept, every other term with the separator before it
    becomes `*`.  Rows whose pattern is only wildcards, and patterns matching no more than
    `threshold` of the rows, are gathered as `others`.  (A simple frequent-term heuristic:
    the service's clustering is not documented further.)"""
    threshold = float(_const(ev, node.threshold, scope, "reduce: threshold")) if node.threshold is not None else 0.1
    chars = _const(ev, node.characters, scope, "reduce: characters") if node.characters is not None else None
    e = Compiler(ev, tab.columns, scope).compile(node.expr)
    texts = [T.to_string(v) for v in e.values(tab.data, tab.rows)]
    splitter = re.compile(f"([{re.escape(str(chars))}]+)" if chars else r"([^A-Za-z0-9]+)")

    def terms(s: str) -> list[tuple[str, str]]:
        parts = splitter.split(s)
        out, sep = [], ""
        for i, part in enumerate(parts):
            if i % 2:
                sep = part
            elif part:
                out.append((sep, part))
                sep = ""
        return out
    split = [terms(s) for s in texts]
    n = len(texts)
    freq: dict[str, int] = {}
    for ts in split:
        for term in {t for _s, t in ts}:
            freq[term] = freq.get(term, 0) + 1
    patterns = []
    for ts in split:
        out: list[str] = []
        for sep, term in ts:
            if freq[term] > threshold * n:
                out.append(sep + term)
            elif not out or out[-1] != "*":
                out.append("*")
        p = "".join(out)
        patterns.append("others" if not p.strip("*") else p)
    counts: dict[str, list[int]] = {}
    for i, p in enumerate(patterns):
        counts.setdefault(p, []).append(i)
    for p in [p for p, idx in counts.items() if p != "others" and len(idx) <= threshold * n]:
        counts.setdefault("others", []).extend(counts.pop(p))
    if (node.kind or "").lower() == "source":
        final = {i: p for p, idx in counts.items() for i in idx}
        cols, data = list(tab.columns), mutable_columns(tab.data)
        cols.append(("Pattern", "string"))
        data.append([final[i] for i in range(n)])
        return Tabular(cols, data, n, tab.name)
    rows = [[p, len(idx), "" if p == "others" else texts[min(idx)]] for p, idx in counts.items()]
    rows.sort(key=lambda r: (r[0] == "others", -r[1]))
    return Tabular.from_rows([("Pattern", "string"), ("Count", "long"), ("Representative", "string")], rows)
