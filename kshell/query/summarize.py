"""The summarize operator: group rows by keys and compute aggregates per group.

Keys are computed once over the whole input; rows are grouped into index
lists (first-appearance order); each aggregate's arguments are computed once
over the whole input and sliced per group.  `summarize count() by k` alone
takes a Counter fast path.  Aggregates nested in expressions
(`sum(a) / count()`) are computed into hidden columns first and the
expression is then evaluated over the summarized rows.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from kshell.query import aggregates as A, vector
from kshell.query import signatures
from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.unsupported import not_simulated
from kshell.query.naming import ColumnNumberer, expr_name, first_column_name, unique
from kshell.query.tabular import INGESTION_TIME_COLUMN, Tabular, gather
from kshell.syntax import ast


def _hashable(v: Any) -> Any:
    if isinstance(v, (dict, list)):
        return ("\0dyn", json.dumps(v, sort_keys=True, default=str))
    return v


def _is_agg(node: Any) -> bool:
    return isinstance(node, ast.Call) and A.lookup(node.name) is not None


def _extract(node: Any, found: list[tuple[str, ast.Call]]) -> Any:
    """Replace aggregate calls inside an expression by hidden column names."""
    if _is_agg(node):
        name = f"$agg{len(found)}"
        found.append((name, node))
        return ast.Name(name, pos=node.pos)
    if isinstance(node, ast.Binary):
        return ast.Binary(node.op, _extract(node.left, found), _extract(node.right, found), pos=node.pos)
    if isinstance(node, ast.Unary):
        return ast.Unary(node.op, _extract(node.operand, found), pos=node.pos)
    if isinstance(node, ast.Call):
        return ast.Call(node.name, [_extract(a, found) for a in node.args], target=node.target, pos=node.pos)
    if isinstance(node, ast.Member):
        return ast.Member(_extract(node.target, found), node.name, pos=node.pos)
    if isinstance(node, ast.Index):
        return ast.Index(_extract(node.target, found), _extract(node.index, found), pos=node.pos)
    if isinstance(node, ast.InList):
        return ast.InList(node.op, _extract(node.left, found), node.items, pos=node.pos)
    if isinstance(node, ast.Between):
        return ast.Between(_extract(node.left, found), _extract(node.low, found), _extract(node.high, found),
                           negated=node.negated, pos=node.pos)
    return node


def _fmt_number(v: Any) -> str:
    s = str(v)
    if s.endswith(".0"):
        s = s[:-2]
    return s.replace(".", "_").replace("-", "_")


class _Output:
    """The aggregate columns being built."""

    def __init__(self):
        self.columns: list[tuple[str, str]] = []
        self.data: list[list[Any]] = []

    def add(self, name: str, typ: str, values: list[Any]) -> None:
        self.columns.append((name, typ))
        self.data.append(values)


def summarize(ev: Any, tab: Tabular, op: ast.Summarize, scope: Any) -> Tabular:
    c = Compiler(ev, tab.columns, scope)
    n = tab.rows
    key_cols: list[tuple[str, str]] = []
    key_vals: list[list[Any]] = []
    numberer = ColumnNumberer(set())
    for item in op.by:
        e = c.compile(item.expr)
        name = item.name or expr_name(item.expr, through_calls=True) or numberer.next()
        if any(k == name for k, _ in key_cols):
            raise ev.error(item, f"summarize: the column name '{name}' is used more than once")
        key_cols.append((name, e.type))
        values = e.values(tab.data, n)
        key_vals.append(T.one_nan(values) if e.type == "real" else values)

    # Plan the aggregate outputs.
    plans: list[tuple[Any, list[tuple[str, ast.Call]], Any]] = []
    for item in op.aggregates:
        if _is_agg(item.expr):
            plans.append((item, [(None, item.expr)], None))
        else:
            found: list[tuple[str, ast.Call]] = []
            rewritten = _extract(item.expr, found)
            if not found:
                if isinstance(item.expr, ast.Call):
                    not_simulated(item.expr.name)
                raise ev.error(item, "summarize: an aggregation function (count(), sum(), ...) is expected")
            plans.append((item, found, rewritten))

    # Group rows.
    codes = None  # a compact key column factorised by a kernel: each row's group number
    counts: list[Any] = []  # its rows per group, computed on first use
    coded = vector.group_codes(key_vals, n) if key_vals and n >= vector.MIN_ROWS else None
    if not key_vals:
        groups: list[list[int]] | None = None  # one group: all rows
        group_count = 1
        first_rows: list[int] = []
    elif coded is not None:
        codes, first_rows = coded
        group_count = len(first_rows)
        groups = _PENDING  # index lists, built only if an aggregate has no kernel
    else:
        only_count = all(
            p[2] is None and p[1][0][1].name == "count" and not p[1][0][1].args for p in plans)
        keys: list[Any]
        if len(key_vals) == 1:
            keys = key_vals[0]
        else:
            keys = list(zip(*key_vals))
        try:
            if only_count:
                counter = Counter(keys)
                uniq = list(counter)
                out_keys = [list(col) for col in zip(*uniq)] if len(key_vals) > 1 else [uniq]
                if not uniq:
                    out_keys = [[] for _ in key_vals]
                counts = list(counter.values())
                out = _Output()
                for item, found, _ in plans:
                    name = _agg_name(item, found[0][1], A.lookup("count"), key_cols)
                    out.add(name, "long", counts)
                return Tabular(key_cols + out.columns, out_keys + out.data, len(uniq))
            index: dict[Any, list[int]] = defaultdict(list)
            for i, k in enumerate(keys):
                index[k].append(i)
        except TypeError:  # dynamic keys (lists, bags) are not hashable
            index = {}
            hk = [tuple(_hashable(v) for v in k) if isinstance(k, tuple) else _hashable(k) for k in keys]
            for i, k in enumerate(hk):
                lst = index.get(k)
                if lst is None:
                    index[k] = [i]
                else:
                    lst.append(i)
        groups = list(index.values())
        group_count = len(groups)
        first_rows = [g[0] for g in groups]

    out = _Output()
    taken = {k for k, _ in key_cols}
    finals: list[tuple[Any, Any, list[str]]] = []
    for item, found, rewritten in plans:
        produced: list[str] = []
        for hidden, call in found:
            spec = A.lookup(call.name)
            _check_arity(ev, call, spec)
            computed = None
            if (codes is not None or groups is None) and n >= vector.MIN_ROWS:
                computed = _vector_compute(c, tab, call, spec, codes, group_count, counts)
            if computed is not None and computed[1] is not None:
                name = hidden or _agg_name(item, call, spec, key_cols)
                if hidden is None:
                    name = unique(name, taken)
                taken.add(name)
                out.add(name, computed[0], computed[1])
                produced.append(name)
                continue
            if groups is _PENDING:
                groups = _groups_from_codes(codes, group_count)
            if call.name in ("arg_max", "arg_min"):
                names = _arg_extreme(ev, c, tab, call, groups, out, key_cols, item if hidden is None else None, taken)
                produced.extend(names)
                continue
            handler = A.MULTI_HANDLERS.get(call.name)
            if handler is not None:
                produced.extend(handler(ev, c, tab, call, spec, groups, out, item if hidden is None else None, taken))
                continue
            if call.name in ("percentiles", "percentiles_array", "take_any", "any"):
                names = _multi(ev, c, tab, call, spec, groups, out, item if hidden is None else None, taken)
                produced.extend(names)
                continue
            name = hidden or _agg_name(item, call, spec, key_cols)
            if hidden is None:
                name = unique(name, taken)  # `summarize count(), count()` -> count_, count_1
            taken.add(name)
            typ, values = _compute(ev, c, tab, call, spec, groups, computed and computed[2])
            out.add(name, typ, values)
            produced.append(name)
        finals.append((item, rewritten, produced))

    result = Tabular(key_cols + out.columns,
                     [gather(kv, first_rows) for kv in key_vals] + out.data,
                     group_count)
    if all(r is None for _, r, _ in finals):
        return result
    # Evaluate expressions over aggregates, then drop the hidden columns.
    cols = list(result.columns)
    data = list(result.data)  # materialized: every column is output
    final_cols: list[tuple[str, str]] = list(key_cols)
    final_data: list[list[Any]] = data[: len(key_cols)]
    numberer = ColumnNumberer(set(taken))
    for item, rewritten, produced in finals:
        if rewritten is None:
            for name in produced:
                i = next(k for k, (cn, _) in enumerate(cols) if cn == name)
                final_cols.append(cols[i])
                final_data.append(data[i])
            continue
        e = Compiler(ev, cols, scope).compile(rewritten)
        name = item.name or numberer.next()
        final_cols.append((name, e.type))
        final_data.append(e.values(data, result.rows))
    return Tabular(final_cols, final_data, result.rows)


def _check_arity(ev, call: ast.Call, spec: A.AggregateSpec) -> None:
    k = len(call.args)
    if k < spec.min_args or (spec.max_args is not None and k > spec.max_args):
        raise ev.error(call, f"aggregate '{call.name}' got {k} argument(s)")


def _agg_name(item: Any, call: ast.Call, spec: A.AggregateSpec, key_cols) -> str:
    if item is not None and item.name:
        return item.name
    if item is not None and item.names:
        return item.names[0]
    if call.name == "countif" or not call.args:
        return f"{spec.prefix}_"
    arg_name = first_column_name(call.args[0]) if call.args else None
    base = f"{spec.prefix}_{arg_name or ''}"
    if call.name in TWO_COLUMN_NAMES and len(call.args) > 1:
        # covariance(x, y) -> covariance_x_y (covariance-aggregation-function.md)
        base += f"_{first_column_name(call.args[1]) or ''}"
    if call.name == "percentile" and len(call.args) > 1 and isinstance(call.args[1], ast.Literal):
        base += f"_{_fmt_number(call.args[1].value)}"
    return base


# Aggregates whose automatic column name carries both of their columns.
TWO_COLUMN_NAMES = frozenset({"covariance", "covariancep", "covarianceif", "covariancepif"})


def _slices(values: list[Any], groups: list[list[int]] | None) -> list[list[Any]]:
    if groups is None:
        return [values]
    return [gather(values, g) for g in groups]


# Aggregates with a kernel over a compact column (kshell.query.vector.grouped).
_VECTOR_AGGREGATES = frozenset({"sum", "avg", "min", "max", "dcount"})
_PENDING: Any = object()


def _groups_from_codes(codes: Any, ngroups: int) -> list[list[int]]:
    """Index lists per group (row order within each) from a kernel's group numbers."""
    groups: list[list[int]] = [[] for _ in range(ngroups)]
    appends = [g.append for g in groups]
    for i, k in enumerate(codes.tolist()):
        appends[k](i)
    return groups


def _vector_compute(c: Compiler, tab: Tabular, call: ast.Call, spec: A.AggregateSpec, codes: Any,
                    ngroups: int, counts: list[Any]) -> tuple[str, list[Any] | None, list[Any] | None] | None:
    """(type, values per group, None) from a kernel; (type, None, argument values) when
    the kernel declines after computing the argument (the Python path reuses them); None
    when no kernel applies."""
    if call.name == "count":
        for a in call.args:
            c.compile(a)  # for its errors, as _compute does
        if codes is None:
            return "long", [tab.rows], None
        if not counts:
            counts.append(vector.group_counts(codes, ngroups))
        return "long", counts[0].tolist(), None
    if call.name not in _VECTOR_AGGREGATES or len(call.args) != 1 or isinstance(call.args[0], ast.NamedArg):
        return None
    e = c.compile(call.args[0])
    if e.const or e.type not in ("int", "long", "real"):
        return None
    values = e.values(tab.data, tab.rows)
    typ = spec.result_type([e.type])
    if not vector.large(values):
        return typ, None, values
    if codes is not None and not counts:
        counts.append(vector.group_counts(codes, ngroups))
    return typ, vector.grouped(call.name, values, codes, ngroups, counts[0] if codes is not None else None), values


def _compute(ev, c: Compiler, tab: Tabular, call: ast.Call, spec: A.AggregateSpec, groups,
             first_values: list[Any] | None = None) -> tuple[str, list[Any]]:
    n = tab.rows
    if call.name == "count":
        # count() and count(expr) both count the group's rows (summarize-operator.md: over
        # y = [null, 5], count(y) is 2); the argument is still compiled for its errors.
        for a in call.args:
            c.compile(a)
        return "long", [n] if groups is None else [len(g) for g in groups]
    args = [c.compile(a.value if isinstance(a, ast.NamedArg) else a) for a in call.args]
    wrong = signatures.check_aggregate(call.name, [a.type for a in args])
    if wrong is not None:
        raise ev.error(call, wrong)
    if spec.predicate_arg is not None:
        p = args[spec.predicate_arg]
        if p.type not in ("bool", "dynamic"):
            raise ev.error(call, f"aggregate '{call.name}': the predicate must be of type bool, not {p.type}")
    typ = spec.result_type([a.type for a in args])
    per_arg: list[list[list[Any]] | list[Any]] = []
    for k, a in enumerate(args):
        if a.const and k > 0 and k != spec.predicate_arg:
            per_arg.append(None)  # constant parameter (percentile, max size...)
        else:
            per_arg.append(_slices(first_values if k == 0 and first_values is not None
                                   else a.values(tab.data, n), groups))
    ngroups = 1 if groups is None else len(groups)
    impl = spec.impl
    values = []
    for gi in range(ngroups):
        call_args = [[args[k].value] if per_arg[k] is None else per_arg[k][gi] for k in range(len(args))]
        values.append(impl(*call_args))
    if typ == "string":
        values = ["" if v is None else v for v in values]
    elif call.name in ZERO_DEFAULT and None in values:
        zero = _ZEROS.get(typ, 0)
        values = [zero if v is None else v for v in values]
    return typ, values


# "Default values of aggregations" (summarize docs): these give 0 over no (non-null)
# values, the make_* family an empty array (their implementations already do), others null.
ZERO_DEFAULT = frozenset({"count", "countif", "dcount", "dcountif", "count_distinct", "sum", "sumif",
                          "variance", "varianceif", "stdev", "stdevif"})
_ZEROS = {"real": 0.0, "decimal": __import__("decimal").Decimal(0), "timespan": __import__("datetime").timedelta(0)}


def _arg_extreme(ev, c: Compiler, tab: Tabular, call: ast.Call, groups, out: _Output, key_cols, item, taken) -> list[str]:
    """arg_max(expr, col, ...) / arg_min: the row where expr is extreme, per group."""
    if not call.args:
        raise ev.error(call, f"{call.name}() needs an expression to maximize or minimize")
    target = c.compile(call.args[0])
    tvals = target.values(tab.data, tab.rows)
    key_names = {k for k, _ in key_cols}
    extra: list[tuple[str, str, list[Any]]] = []
    tname = expr_name(call.args[0]) or first_column_name(call.args[0])
    tname = tname if expr_name(call.args[0]) else f"{'max' if call.name == 'arg_max' else 'min'}_{tname or ''}"
    for a in call.args[1:]:
        if isinstance(a, ast.Name) and a.name == "*":
            for (n, t), col in zip(tab.columns, tab.data):
                if n in key_names or n == tname or n == INGESTION_TIME_COLUMN:
                    continue
                extra.append((n, t, col))
            continue
        e = c.compile(a.value if isinstance(a, ast.NamedArg) else a)
        n = a.name if isinstance(a, ast.NamedArg) else (expr_name(a) or f"Column{len(extra) + 1}")
        extra.append((n, e.type, e.values(tab.data, tab.rows)))
    glist = groups if groups is not None else [range(tab.rows)]
    want_max = call.name == "arg_max"
    picks: list[int | None] = []
    for g in glist:
        best = None
        best_v = None
        for i in g:
            v = tvals[i]
            if v is None:
                continue
            try:
                if best is None or (v > best_v if want_max else v < best_v):
                    best, best_v = i, v
            except TypeError:
                continue
        # A group whose keys are all null still gives a row (the docs' Fruit example:
        # the Banana group keeps its first row's Color).
        if best is None:
            best = next(iter(g), None)
        picks.append(best)
    names = []
    custom = list(item.names) if item is not None and item.names else []
    if item is not None and item.name:
        custom = [item.name]
    all_cols = [(tname, target.type, tvals)] + extra
    for k, (n, t, col) in enumerate(all_cols):
        name = custom[k] if k < len(custom) else n
        name = unique(name, taken)
        taken.add(name)
        missing = "" if t == "string" else None
        out.add(name, t, [missing if p is None else col[p] for p in picks])
        names.append(name)
    return names


def _multi(ev, c: Compiler, tab: Tabular, call: ast.Call, spec, groups, out: _Output, item, taken) -> list[str]:
    """percentiles(x, p1, p2...) -> one column per percentile; take_any(a, b) -> one per argument."""
    names = []
    custom = list(item.names) if item is not None and item.names else []
    if call.name in ("take_any", "any"):
        # take_any(x) keeps the column's name; the deprecated any(x) prefixes it with any_.
        # One argument: a non-empty value is preferred; several (or *): one row's values.
        prefix = "any_" if call.name == "any" else ""
        if item is not None and item.name and not custom:
            custom = [item.name]
        exprs: list[tuple[str | None, Any, str, list]] = []
        for a in call.args:
            if isinstance(a, ast.Name) and a.name == "*":
                keys = set(taken)
                for (n, t), col in zip(tab.columns, tab.data):
                    if n != INGESTION_TIME_COLUMN and n not in keys:
                        exprs.append((n, None, t, col))
                continue
            e = c.compile(a)
            exprs.append((expr_name(a), a, e.type, e.values(tab.data, tab.rows)))
        single = len(exprs) == 1
        glist = groups if groups is not None else [list(range(tab.rows))]
        if not single:
            picks = [g[0] if g else None for g in glist]
        for k, (n, _a, t, vals) in enumerate(exprs):
            base = custom[k] if k < len(custom) else (prefix + n if n else f"{prefix}Column{k + 1}")
            name = unique(base, taken)
            taken.add(name)
            if single:
                values = [A.REGISTRY["take_any"].impl(s) for s in _slices(vals, groups)]
            else:
                values = [None if p is None else vals[p] for p in picks]
            out.add(name, t, values)
            names.append(name)
        return names
    target = c.compile(call.args[0])
    slices = _slices(target.values(tab.data, tab.rows), groups)
    ps = []
    for a in call.args[1:]:
        pe = c.compile(a)
        if not pe.const:
            raise ev.error(a, f"{call.name}(): percentiles must be constants")
        ps.append(pe.value)
    arg_name = first_column_name(call.args[0]) or ""
    if call.name == "percentiles_array":
        name = custom[0] if custom else (item.name if item is not None and item.name else f"percentiles_{arg_name}")
        name = unique(name, taken)
        taken.add(name)
        out.add(name, "dynamic", [[A.percentile_value(s, float(p)) for p in ps] for s in slices])
        return [name]
    for k, p in enumerate(ps):
        base = custom[k] if k < len(custom) else f"percentile_{arg_name}_{_fmt_number(p)}"
        name = unique(base, taken)
        taken.add(name)
        out.add(name, target.type, [A.percentile_value(s, float(p)) for s in slices])
        names.append(name)
    return names
