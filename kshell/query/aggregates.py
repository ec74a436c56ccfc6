"""Aggregation functions of `summarize`, kept as data: name -> AggregateSpec.

An implementation receives, for one group, the list of values of each
argument (already computed over the whole input once) and returns the
group's value.  Multi-column aggregates (arg_max, arg_min, percentiles,
take_any with several arguments) are expanded by the summarize operator.
Nulls are ignored, as the docs' "Null values and aggregation" says.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from dataclasses import dataclass
from typing import Any, Callable

from kshell import ticks as K
from kshell.query import types as T


@dataclass
class AggregateSpec:
    name: str
    min_args: int
    max_args: int | None
    prefix: str                                # output column name prefix ("count" -> count_)
    rtype: str | Callable[[list[str]], str]
    impl: Callable[..., Any]
    predicate_arg: int | None = None           # index of the *if predicate argument

    def result_type(self, arg_types: list[str]) -> str:
        return self.rtype(arg_types) if callable(self.rtype) else self.rtype


REGISTRY: dict[str, AggregateSpec] = {}
# Aggregates producing several columns; summarize handles them itself.
MULTI = frozenset({"arg_max", "arg_min", "percentiles", "percentiles_array"})
# Other multi-column aggregates: name -> handler(ev, compiler, tab, call, spec, groups, out, item, taken)
# returning the names of the columns it added (kshell.query.aggregates_extra registers them).
MULTI_HANDLERS: dict[str, Callable[..., list[str]]] = {}


def names() -> list[str]:
    return sorted(REGISTRY)


def lookup(name: str) -> AggregateSpec | None:
    return REGISTRY.get(name)


def aggregate(name, prefix, rtype, nargs=1, max_args="same", *, predicate_arg=None, aliases=()):
    def deco(f):
        spec = AggregateSpec(name, nargs, nargs if max_args == "same" else max_args, prefix, rtype, f,
                             predicate_arg)
        for n in (name, *aliases):
            REGISTRY[n] = spec
        return f
    return deco


def _nn(values):
    return [v for v in values if v is not None]


def _when(values, preds):
    return [v for v, p in zip(values, preds) if p is True and v is not None]


def _sum_type(ts):
    t = ts[0] if ts else "long"
    if t in ("int", "long", "bool"):
        return "long"
    if t in ("real", "decimal", "timespan"):
        return t
    return "real" if t != "dynamic" else "real"


def _sum(values):
    if values and isinstance(values[0], (int, float)):
        try:  # a null among the values raises TypeError: then the filtering path
            return _wrap_int(sum(values))
        except TypeError:
            pass
    vals = _nn(values)
    if not vals:
        return None
    if isinstance(vals[0], dt.timedelta):
        return sum(vals, dt.timedelta(0))
    if isinstance(vals[0], decimal.Decimal):
        return _decimal_sum(vals)
    nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not nums:
        return None
    return _wrap_int(sum(nums))


def _wrap_int(s):
    """A sum of longs wraps at 64 bits as the `+` operator does (types.wrap_long)."""
    return T.wrap_long(s) if type(s) is int else s


def _decimal_sum(vals):
    """Decimal sums keep the operators' 34 significant digits; out of range is null."""
    try:
        total = decimal.Decimal(0)
        for v in vals:
            total = T.DECIMAL_CONTEXT.add(total, v)
        return T.decimal_result(total)
    except decimal.DecimalException:
        return None


def _avg(values):
    if values and isinstance(values[0], (int, float)):
        try:
            return float(sum(values)) / len(values)
        except TypeError:
            pass
    vals = _nn(values)
    if not vals:
        return None
    if isinstance(vals[0], dt.timedelta):  # on the tick counts: timedelta / n rounds to microseconds
        return K.timespan_from_ticks(round(sum(map(K.timespan_ticks, vals)) / len(vals)))
    if isinstance(vals[0], decimal.Decimal):
        total = _decimal_sum(vals)
        return None if total is None else T.DECIMAL_CONTEXT.divide(total, len(vals))
    nums = [float(v) for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sum(nums) / len(nums) if nums else None


def _avg_type(ts):
    t = ts[0] if ts else "real"
    return t if t in ("timespan", "decimal") else "real"


def _minmax(values, pick):
    if values and isinstance(values[0], (int, str)):
        try:
            return pick(values)
        except TypeError:
            pass
    # A NaN is skipped as a null is (it sorts with the nulls, sort-operator.md); a group
    # of only NaN values gives NaN.
    vals = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not vals:
        return math.nan if any(isinstance(v, float) for v in values) else None
    try:
        return pick(vals)
    except TypeError:
        return pick(vals, key=T.to_string)


_NAN_KEY = ("\0nan",)


def _key(v):
    """A hashable key of a value for distinct counts: every NaN is one value."""
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, default=str)
    if type(v) is float and v != v:
        return _NAN_KEY
    return v


@aggregate("count", "count", "long", 0, 1)
def _count(values=None, *_):
    if values is None:
        return None  # filled by summarize (group size)
    return sum(1 for v in values if v is not None)


@aggregate("countif", "countif", "long", 1, predicate_arg=0)
def _countif(preds):
    return sum(1 for p in preds if p is True)


aggregate("sum", "sum", _sum_type)(_sum)
aggregate("sumif", "sumif", _sum_type, 2, predicate_arg=1)(lambda v, p: _sum(_when(v, p)))
aggregate("avg", "avg", _avg_type)(_avg)
aggregate("avgif", "avgif", _avg_type, 2, predicate_arg=1)(lambda v, p: _avg(_when(v, p)))
aggregate("min", "min", lambda ts: ts[0])(lambda v: _minmax(v, min))
aggregate("max", "max", lambda ts: ts[0])(lambda v: _minmax(v, max))
aggregate("minif", "minif", lambda ts: ts[0], 2, predicate_arg=1)(lambda v, p: _minmax(_when(v, p), min))
aggregate("maxif", "maxif", lambda ts: ts[0], 2, predicate_arg=1)(lambda v, p: _minmax(_when(v, p), max))


@aggregate("dcount", "dcount", "long", 1, 2, aliases=("count_distinct",))
def _dcount(values, *_):
    return len({_key(v) for v in values if v is not None})


@aggregate("dcountif", "dcountif", "long", 2, 3, predicate_arg=1)
def _dcountif(values, preds, *_):
    return len({_key(v) for v in _when(values, preds)})


def _limit(values, max_size):
    if max_size is not None and max_size[0] is not None:
        return values[: int(max_size[0])]
    return values


def _elements(values):
    """The values a make_list/make_set collects: an array value contributes its elements
    (the service flattens one level: make_set(Arr) of ["A1","A2"] and ["A2","C1"] is
    ["A1","A2","C1"]); nulls are skipped."""
    for v in values:
        if isinstance(v, list):
            yield from (x for x in v if x is not None)
        elif v is not None:
            yield v


@aggregate("make_list", "list", "dynamic", 1, 2, aliases=("makelist",))
def _make_list(values, max_size=None):
    return _limit([T.to_json_value(v) for v in _elements(values)], max_size)


@aggregate("make_list_if", "list", "dynamic", 2, 3, predicate_arg=1)
def _make_list_if(values, preds, max_size=None):
    return _limit([T.to_json_value(v) for v in _elements(_when(values, preds))], max_size)


@aggregate("make_list_with_nulls", "list", "dynamic", 1)
def _make_list_with_nulls(values):
    return [T.to_json_value(v) for v in values]


def _dedupe(values):
    seen, out = set(), []
    for v in values:
        if v is None:
            continue
        k = _key(v)
        if k not in seen:
            seen.add(k)
            out.append(T.to_json_value(v))
    return out


@aggregate("make_set", "set", "dynamic", 1, 2, aliases=("makeset",))
def _make_set(values, max_size=None):
    return _limit(_dedupe(_elements(values)), max_size)


@aggregate("make_set_if", "set", "dynamic", 2, 3, predicate_arg=1)
def _make_set_if(values, preds, max_size=None):
    return _limit(_dedupe(_elements(_when(values, preds))), max_size)


@aggregate("make_bag", "bag", "dynamic", 1, 2)
def _make_bag(values, *_):
    out: dict = {}
    for v in values:
        if isinstance(v, dict):
            for k, x in v.items():
                out.setdefault(k, x)
    return out


@aggregate("make_bag_if", "bag", "dynamic", 2, 3, predicate_arg=1)
def _make_bag_if(values, preds, *_):
    return _make_bag(_when(values, preds))


@aggregate("take_any", "any", lambda ts: ts[0], 1, None, aliases=("any",))
def _take_any(values):
    for v in values:
        if v is not None and v != "":
            return v
    return values[0] if values else None


@aggregate("take_anyif", "anyif", lambda ts: ts[0], 2, predicate_arg=1, aliases=("anyif",))
def _take_anyif(values, preds):
    vals = _when(values, preds)
    return vals[0] if vals else None


def _variance(values, sample=True):
    vals = [float(v) for v in values if v is not None and not isinstance(v, bool)]
    n = len(vals)
    if n == 0:
        return None
    if n == 1:
        return 0.0
    mean = sum(vals) / n
    ss = sum((x - mean) ** 2 for x in vals)
    return ss / (n - 1 if sample else n)


aggregate("variance", "variance", "real")(lambda v: _variance(v, True))
aggregate("variancep", "variancep", "real")(lambda v: _variance(v, False))
aggregate("varianceif", "varianceif", "real", 2, predicate_arg=1)(lambda v, p: _variance(_when(v, p), True))


def _stdev(values, sample=True):
    var = _variance(values, sample)
    return None if var is None else math.sqrt(var)


aggregate("stdev", "stdev", "real")(lambda v: _stdev(v, True))
aggregate("stdevp", "stdevp", "real")(lambda v: _stdev(v, False))
aggregate("stdevif", "stdevif", "real", 2, predicate_arg=1)(lambda v, p: _stdev(_when(v, p), True))


def percentile_value(values: list[Any], p: float) -> Any:
    """Nearest-rank percentile (exact on small data, where Kusto's estimate is exact too)."""
    vals = sorted(v for v in values if v is not None and not (type(v) is float and v != v))
    if not vals:
        return None
    rank = math.ceil(p / 100.0 * len(vals))
    return vals[min(max(rank - 1, 0), len(vals) - 1)]


aggregate("percentile", "percentile", lambda ts: ts[0], 2)(
    lambda v, p: percentile_value(v, float(p[0]) if p and p[0] is not None else 50.0))
# Multi-column aggregates: the implementation is used per output column by summarize.
aggregate("percentiles", "percentile", lambda ts: ts[0], 2, None)(percentile_value)
aggregate("percentiles_array", "percentiles", "dynamic", 2, None)(percentile_value)
aggregate("arg_max", "max", lambda ts: ts[0], 1, None)(None)
aggregate("arg_min", "min", lambda ts: ts[0], 1, None)(None)
aggregate("hll", "hll", "dynamic")(lambda v: _dedupe(_nn(v)))
aggregate("hll_merge", "hll_merge", "dynamic")(lambda v: _dedupe([x for a in v if isinstance(a, list) for x in a]))


def _covariance(xs, ys, sample=True):
    pairs = [(float(x), float(y)) for x, y in zip(xs, ys) if x is not None and y is not None]
    n = len(pairs)
    if n == 0:
        return None
    if n == 1:
        return 0.0
    mx = sum(p[0] for p in pairs) / n
    my = sum(p[1] for p in pairs) / n
    return sum((x - mx) * (y - my) for x, y in pairs) / (n - 1 if sample else n)


aggregate("covariance", "covariance", "real", 2)(lambda x, y: _covariance(x, y, True))
aggregate("covariancep", "covariancep", "real", 2)(lambda x, y: _covariance(x, y, False))


def _bitwise(values, op):
    vals = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if not vals:
        return None
    acc = vals[0]
    for v in vals[1:]:
        acc = op(acc, v)
    return acc


aggregate("binary_all_and", "binary_all_and", "long")(lambda v: _bitwise(v, lambda a, b: a & b))
aggregate("binary_all_or", "binary_all_or", "long")(lambda v: _bitwise(v, lambda a, b: a | b))
aggregate("binary_all_xor", "binary_all_xor", "long")(lambda v: _bitwise(v, lambda a, b: a ^ b))
