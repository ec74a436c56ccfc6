"""Aggregates beyond the core, and the scalar functions over their sketches.

Sketches are exact (the simulation holds little data): an `hll` value is the array of
distinct values, a `tdigest` the array of [value, weight] pairs sorted by value.  The
estimates the service computes agree with these exact answers on small inputs, and every
function that reads a sketch (dcount_hll, percentile_tdigest, rank_tdigest...) works on
them.  Weighted percentiles use the nearest-rank rule over the weights.
"""

from __future__ import annotations

import json
import math
from typing import Any

from kshell.query import aggregates as A
from kshell.query import types as T
from kshell.query.aggregates import _covariance, _dedupe, _stdev, _variance, _when, aggregate
from kshell.query.functions import scalar


# ------------------------------------------------------------------ *if variants

aggregate("covarianceif", "covarianceif", "real", 3, predicate_arg=2)(
    lambda x, y, p: _covariance(_when(x, p), _when(y, p), True))
aggregate("covariancepif", "covariancepif", "real", 3, predicate_arg=2)(
    lambda x, y, p: _covariance(_when(x, p), _when(y, p), False))
aggregate("variancepif", "variancepif", "real", 2, predicate_arg=1)(lambda v, p: _variance(_when(v, p), False))
aggregate("stdevpif", "stdevpif", "real", 2, predicate_arg=1)(lambda v, p: _stdev(_when(v, p), False))
aggregate("count_distinctif", "count_distinctif", "long", 2, predicate_arg=1)(
    lambda v, p: len(_dedupe([x for x in _when(v, p) if x is not None])))


# ------------------------------------------------------------------ hll

def _hll(values, *_accuracy):
    return _dedupe([T.to_json_value(v) for v in values if v is not None])


aggregate("hll", "hll", "dynamic", 1, 2)(_hll)
aggregate("hll_if", "hll_if", "dynamic", 2, 3, predicate_arg=1)(lambda v, p, *_a: _hll(_when(v, p)))


def _merge_sets(sketches) -> list[Any]:
    return _dedupe([x for s in sketches if isinstance(s, list) for x in s])


aggregate("hll_merge", "hll_merge", "dynamic")(_merge_sets)
scalar("hll_merge", "dynamic", 2, None, strict=False)(lambda *s: _merge_sets(s))
scalar("dcount_hll", "long", strict=False)(lambda s: len(s) if isinstance(s, list) else None)


# ------------------------------------------------------------------ tdigest

def _digest(values, weights=None) -> list[list[Any]]:
    acc: dict[str, list[Any]] = {}
    ws = weights if weights is not None and len(weights) == len(values) else [1] * len(values)
    for v, w in zip(values, ws):
        if v is None or w is None:
            continue
        v = T.to_json_value(v)
        key = json.dumps(v, sort_keys=True, default=str)
        if key in acc:
            acc[key][1] += w
        else:
            acc[key] = [v, w]
    return sorted(acc.values(), key=lambda p: (isinstance(p[0], str), p[0]))


def _merge_digests(digests) -> list[list[Any]]:
    pairs = [p for d in digests if isinstance(d, list) for p in d if isinstance(p, list) and len(p) == 2]
    return _digest([p[0] for p in pairs], [p[1] for p in pairs])


aggregate("tdigest", "tdigest", "dynamic", 1, 2)(lambda v, w=None: _digest(v, w))
aggregate("tdigest_merge", "tdigest_merge", "dynamic")(_merge_digests)
scalar("merge_tdigest", "dynamic", 1, None, strict=False)(lambda *d: _merge_digests(d))


def weighted_percentile(pairs: list[list[Any]], p: float) -> Any:
    """Nearest rank over weights: the first value whose cumulative weight reaches p% of the total."""
    total = sum(w for _v, w in pairs)
    if not pairs or total <= 0:
        return None
    target = max(math.ceil(p / 100.0 * total), 1)
    run = 0
    for v, w in pairs:
        run += w
        if run >= target:
            return v
    return pairs[-1][0]


def _td_pairs(td: Any) -> list[list[Any]] | None:
    return td if isinstance(td, list) and all(isinstance(p, list) and len(p) == 2 for p in td) else None


def _percentile_type(ts: list[str]) -> str:
    return "dynamic" if len(ts) < 3 else "dynamic"


@scalar("percentile_tdigest", "dynamic", 2, 3, strict=False, type_arg=2)
def _percentile_tdigest(td, p, typ=None):
    pairs = _td_pairs(td)
    if pairs is None or p is None:
        return None
    v = weighted_percentile(pairs, float(p))
    return T.from_dynamic(v, typ) if isinstance(typ, str) and T.canonical_type(typ) not in (None, "dynamic") \
        else v


def _percentiles_list(args) -> list[float]:
    out: list[float] = []
    for a in args:
        out.extend(float(x) for x in (a if isinstance(a, list) else [a]) if x is not None)
    return out


@scalar("percentiles_array_tdigest", "dynamic", 2, None, strict=False)
def _percentiles_array_tdigest(td, *ps):
    pairs = _td_pairs(td)
    return None if pairs is None else [weighted_percentile(pairs, p) for p in _percentiles_list(ps)]


@scalar("rank_tdigest", "long", 2, strict=False)
def _rank_tdigest(td, v):
    pairs = _td_pairs(td)
    if pairs is None or v is None:
        return None
    v = T.to_json_value(v)
    try:
        return sum(w for x, w in pairs if x <= v)
    except TypeError:
        return None


@scalar("percentrank_tdigest", "real", 2, strict=False)
def _percentrank_tdigest(td, v):
    pairs = _td_pairs(td)
    r = _rank_tdigest(td, v)
    total = sum(w for _x, w in pairs) if pairs else 0
    return None if r is None or not total else 100.0 * r / total


# ------------------------------------------------------------------ weighted percentiles

aggregate("percentilew", "percentilew", lambda ts: ts[0], 3)(
    lambda v, w, p: weighted_percentile(_digest(v, w), float(p[0]) if p and p[0] is not None else 50.0))
# Multi-column forms: summarize calls the handler below (see MULTI_HANDLERS).
aggregate("percentilesw", "percentile", lambda ts: ts[0], 3, None)(None)
aggregate("percentilesw_array", "percentiles", "dynamic", 3, None)(None)


def _percentilesw(ev, c, tab, call, spec, groups, out, item, taken) -> list[str]:
    from kshell.query.naming import first_column_name, unique
    from kshell.query.summarize import _fmt_number, _slices

    target, weight = c.compile(call.args[0]), c.compile(call.args[1])
    slices = _slices(target.values(tab.data, tab.rows), groups)
    wslices = _slices(weight.values(tab.data, tab.rows), groups)
    ps: list[float] = []
    for a in call.args[2:]:
        pe = c.compile(a)
        if not pe.const:
            raise ev.error(a, f"{call.name}(): percentiles must be constants")
        ps.extend(_percentiles_list([pe.value]))
    digests = [_digest(s, w) for s, w in zip(slices, wslices)]
    arg_name = first_column_name(call.args[0]) or ""
    custom = list(item.names) if item is not None and item.names else []
    if call.name == "percentilesw_array":
        name = custom[0] if custom else (item.name if item is not None and item.name else f"percentile_{arg_name}")
        name = unique(name, taken)
        taken.add(name)
        out.add(name, "dynamic", [[weighted_percentile(d, p) for p in ps] for d in digests])
        return [name]
    names = []
    for k, p in enumerate(ps):
        name = unique(custom[k] if k < len(custom) else f"percentile_{arg_name}_{_fmt_number(p)}", taken)
        taken.add(name)
        out.add(name, target.type, [weighted_percentile(d, p) for d in digests])
        names.append(name)
    return names


A.MULTI_HANDLERS["percentilesw"] = _percentilesw
A.MULTI_HANDLERS["percentilesw_array"] = _percentilesw


# ------------------------------------------------------------------ buildschema

def _schema_of(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _schema_of(x) for k, x in v.items()}
    if isinstance(v, list):
        inner = None
        for x in v:
            inner = _merge_schema(inner, _schema_of(x))
        return {"`indexer`": inner} if inner is not None else {"`indexer`": None}
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "long"
    if isinstance(v, float):
        return "double"
    if isinstance(v, str):
        return "string"
    return T.type_of_value(v)


def _merge_schema(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None or a == b:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, x in b.items():
            out[k] = _merge_schema(out.get(k), x)
        return out
    alts = list(a) if isinstance(a, list) else [a]
    for x in (b if isinstance(b, list) else [b]):
        merged = False
        for i, y in enumerate(alts):
            if isinstance(x, dict) and isinstance(y, dict):
                alts[i] = _merge_schema(y, x)
                merged = True
                break
            if x == y:
                merged = True
                break
        if not merged:
            alts.append(x)
    return alts if len(alts) > 1 else alts[0]


@aggregate("buildschema", "schema", "dynamic")
def _buildschema(values):
    out = None
    for v in values:
        if v is not None:
            out = _merge_schema(out, _schema_of(v))
    return out
