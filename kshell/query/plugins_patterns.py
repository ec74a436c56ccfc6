"""Pattern-mining plugins: basket, autocluster, diffpatterns, diffpatterns_text
(registered in kshell.query.plugins.REGISTRY).

A *pattern* is a set of (column, value) items: the rows holding every item.  All four
plugins work on *closed* patterns, the ones no larger pattern matches the same rows of
(every other pattern has the counts of its closure), enumerated by
kshell.query.pattern_mining.  The service's selection heuristics are not documented; what
kshell does instead is recorded in docs/query-engine.md ("Analytics, sequence, pattern and
storage plugins").
"""

from __future__ import annotations

import math
from typing import Any

from kshell.query import plugin_args as A
from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.pattern_mining import Miner, TooManyPatterns
from kshell.query.plugins import plugin
from kshell.query.tabular import Tabular
from kshell.syntax import ast

MAX_PATTERNS = 50_000  # closed patterns kept before a query is refused (a guard, not a tuning knob)

# autocluster: the smallest share of the rows a reported pattern (and each of its values)
# covers (the other plugins' default threshold); a lone row is never a cluster either.
MIN_CLUSTER = 0.05

Item = tuple[int, Any]  # (column index, hashable value)


# ------------------------------------------------------------------ mining

def mine(ev, call: ast.Call, rows, threshold: float, max_size: int | None = None, keep=None):
    """The frequent closed patterns of `rows` with their weight per set (kshell.query.pattern_mining)."""
    try:
        return Miner(rows, threshold, MAX_PATTERNS).closed(max_size, keep)
    except TooManyPatterns:
        raise ev.error(call, f"{call.name}(): the input has more than {MAX_PATTERNS:,} patterns; "
                             "raise the threshold or project fewer columns") from None


def pick_distinct(candidates: list[frozenset]) -> list[frozenset]:
    """Candidates in order, leaving out any that extends or generalizes one already taken."""
    taken: list[frozenset] = []
    for c in candidates:
        if not any(c <= t or t <= c for t in taken):
            taken.append(c)
    return taken


def _pct(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _count(x: float) -> int:
    return int(round(x))


# ------------------------------------------------------------------ rows of discrete attributes

class Attributes:
    """The input's columns as items: every visible column but the excluded ones; a null or
    empty value is no item (it could not be told from the wildcard)."""

    def __init__(self, tab: Tabular, exclude: set[int]):
        self.cols = [j for j in tab.visible() if j not in exclude]
        self.tab = tab
        self.values: dict[Item, Any] = {}

    def items(self, r: int) -> frozenset:
        out = []
        for j in self.cols:
            v = self.tab.data[j][r]
            if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
                continue
            key = (j, A.hashable(v))
            self.values.setdefault(key, v)
            out.append(key)
        return frozenset(out)

    def columns(self) -> list[tuple[str, str]]:
        return [self.tab.columns[j] for j in self.cols]

    def cells(self, pattern: frozenset, wildcards: dict[str, Any]) -> list[Any]:
        by_col = {j: self.values[(j, v)] for j, v in pattern}
        out = []
        for j in self.cols:
            if j in by_col:
                out.append(by_col[j])
            else:
                typ = self.tab.columns[j][1]
                out.append(wildcards.get(typ, "" if typ == "string" else None))
        return out


def _typed_constant(ev, call: ast.Call, expr: Any, scope) -> tuple[str, Any]:
    e = Compiler(ev, [], scope).compile(expr)
    if not e.const:
        raise ev.error(expr, f"{call.name}(): a CustomWildcard must be a constant")
    return e.type, e.value


def _wildcards(ev, call: ast.Call, args: list[Any], scope) -> dict[str, Any]:
    """CustomWildcard arguments: one value per type ('~' keeps the default)."""
    out: dict[str, Any] = {}
    for a in args:
        typ, value = _typed_constant(ev, call, a, scope)
        if A.is_tilde(value):
            continue
        out[typ] = value
    # An int wildcard also serves long columns (and the reverse) unless both are given.
    for x, y in (("int", "long"), ("long", "int")):
        if x in out and y not in out:
            out[y] = out[x]
    return out


def _optional(ev, call: ast.Call, args: list[Any], i: int, scope, what: str, default: Any) -> Any:
    if i >= len(args):
        return default
    value = A.constant(ev, call, args[i], scope, what)
    return default if value is None or A.is_tilde(value) else value


def _weights(ev, call: ast.Call, tab: Tabular, args: list[Any], i: int, scope) -> tuple[list[float], int | None]:
    """The WeightColumn (a column name, or '~' / absent for weight 1)."""
    if i >= len(args):
        return [1.0] * tab.rows, None
    a = args[i]
    if isinstance(a, ast.Name) and tab.index(a.name) is not None:
        j = tab.index(a.name)
        if tab.columns[j][1] not in ("int", "long", "real", "decimal"):
            raise ev.error(a, f"{call.name}(): the WeightColumn '{a.name}' must be numeric")
        return [float(v) if v is not None else 0.0 for v in tab.data[j][:tab.rows]], j
    value = A.constant(ev, call, a, scope, "WeightColumn")
    if value is None or A.is_tilde(value):
        return [1.0] * tab.rows, None
    if isinstance(value, str) and tab.index(value) is not None:
        return _weights(ev, call, tab, [ast.Name(value)], 0, scope)
    raise ev.error(a, f"{call.name}(): WeightColumn must be a numeric column of the input or '~'")


def _ratio_arg(ev, call, value: Any, what: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= float(value) <= high:
        raise ev.error(call, f"{call.name}(): {what} must be a number between {low} and {high}")
    return float(value)


def _dims_arg(ev, call, value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ev.error(call, f"{call.name}(): {what} must be a positive integer")
    return int(value)


# ------------------------------------------------------------------ basket

@plugin("basket")
def basket(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """Apriori's frequent patterns, reported closed: each pattern whose weight reaches
    Threshold of the total and that no larger pattern matches the same rows of."""
    args = A.positional(call)
    threshold = _ratio_arg(ev, call, _optional(ev, call, args, 0, scope, "Threshold", 0.05),
                           "Threshold", 0.015, 1)
    weights, wcol = _weights(ev, call, tab, args, 1, scope)
    max_dims = _dims_arg(ev, call, _optional(ev, call, args, 2, scope, "MaxDimensions", 5), "MaxDimensions")
    wild = _wildcards(ev, call, args[3:], scope)
    attrs = Attributes(tab, {wcol} if wcol is not None else set())
    total = sum(weights)
    rows = [(attrs.items(r), (weights[r],)) for r in range(tab.rows)]
    found = [(p, w[0]) for p, w in mine(ev, call, rows, threshold, max_dims).items()]
    found.sort(key=lambda pw: (-pw[1], -len(pw[0]), _order(attrs, pw[0])))
    out = [[i, _count(w), _pct(w, total), *attrs.cells(p, wild)] for i, (p, w) in enumerate(found)]
    cols = [("SegmentId", "int"), ("Count", "long"), ("Percent", "real")] + attrs.columns()
    return Tabular.from_rows(cols, out)


def _order(attrs: Attributes, pattern: frozenset) -> list[str]:
    """A deterministic tie-break: the pattern's cells as text, column by column."""
    return [T.to_string(c) for c in attrs.cells(pattern, {})]


# ------------------------------------------------------------------ autocluster

@plugin("autocluster")
def autocluster(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """Seed-Expand: from the heaviest distinct rows (the seeds), generalize one column at a
    time while the score (coverage ^ SizeWeight * share of columns fixed ^ (1 - SizeWeight),
    a weighted geometric mean) improves; report the distinct local optima, best first,
    leaving out those that overlap a better one and those under 5% of the rows or on one row."""
    args = A.positional(call)
    size_weight = _ratio_arg(ev, call, _optional(ev, call, args, 0, scope, "SizeWeight", 0.5), "SizeWeight", 0, 1)
    weights, wcol = _weights(ev, call, tab, args, 1, scope)
    seeds = _dims_arg(ev, call, _optional(ev, call, args, 2, scope, "NumSeeds", 25), "NumSeeds")
    wild = _wildcards(ev, call, args[3:], scope)
    attrs = Attributes(tab, {wcol} if wcol is not None else set())
    cols = [("SegmentId", "int"), ("Count", "long"), ("Percent", "real")] + attrs.columns()
    total = sum(weights)
    if not total or not attrs.cols:
        return Tabular.from_rows(cols, [])
    rows = [(attrs.items(r), (weights[r], 1.0)) for r in range(tab.rows)]
    miner = Miner(rows, MIN_CLUSTER)
    width = len(attrs.cols)
    known: dict[frozenset, list[float]] = {}

    def weight(p: frozenset) -> list[float]:
        if p not in known:
            known[p] = miner.support(miner.rows_of(p))
        return known[p]

    def score(p: frozenset) -> float:
        return (weight(p)[0] / total) ** size_weight * (len(p) / width) ** (1 - size_weight)

    def closure(items: frozenset) -> frozenset | None:
        return miner.closure(miner.rows_of(items)) or None

    heavy: dict[frozenset, float] = {}
    for items, w in rows:
        items = frozenset(it for it in items if it in miner.index)  # the values of a possible cluster
        if items:
            heavy[items] = heavy.get(items, 0.0) + w[0]
    starts = sorted(heavy, key=lambda p: (-heavy[p], _order(attrs, p)))[:seeds]
    optima: list[frozenset] = []
    for seed in starts:
        p = closure(seed)
        while p is not None:
            moves = [q for q in (closure(p - {it}) for it in p if len(p) > 1) if q is not None and q != p]
            better = max(moves, key=lambda q: (score(q), _order(attrs, q)), default=None)
            if better is None or score(better) <= score(p):
                break
            p = better
        if p is not None and p not in optima:
            optima.append(p)
    optima = [p for p in optima if weight(p)[0] >= MIN_CLUSTER * total - 1e-9 and weight(p)[1] > 1]
    optima.sort(key=lambda p: (-score(p), _order(attrs, p)))
    chosen = _non_overlapping(optima, rows)
    out = [[i, _count(weight(p)[0]), _pct(weight(p)[0], total), *attrs.cells(p, wild)] for i, p in enumerate(chosen)]
    return Tabular.from_rows(cols, out)


def _non_overlapping(candidates: list[frozenset], rows) -> list[frozenset]:
    """Candidates in order, without one whose rows are mostly (over half) another's already."""
    taken: list[frozenset] = []
    covered = [False] * len(rows)
    for c in pick_distinct(candidates):
        hit = [i for i, (items, _w) in enumerate(rows) if c <= items]
        if hit and sum(covered[i] for i in hit) * 2 > len(hit):
            continue
        taken.append(c)
        for i in hit:
            covered[i] = True
    return taken


# ------------------------------------------------------------------ diffpatterns

@plugin("diffpatterns")
def diffpatterns(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """Patterns whose share of set A and of set B differ by at least Threshold (percentage
    points / 100), the largest difference first; a pattern that extends or generalizes one
    already reported is left out."""
    args = A.positional(call)
    A.count_between(ev, call, args, 3)
    split = args[0]
    if not isinstance(split, ast.Name) or tab.index(split.name) is None:
        raise ev.error(split, "diffpatterns(): SplitColumn must be a column of the input")
    sj = tab.index(split.name)
    value_a = T.to_string(A.constant(ev, call, args[1], scope, "SplitValueA"))
    value_b = T.to_string(A.constant(ev, call, args[2], scope, "SplitValueB"))
    weights, wcol = _weights(ev, call, tab, args, 3, scope)
    threshold = _ratio_arg(ev, call, _optional(ev, call, args, 4, scope, "Threshold", 0.05), "Threshold", 0.015, 1)
    max_dims = _dims_arg(ev, call, _optional(ev, call, args, 5, scope, "MaxDimensions", None), "MaxDimensions")
    wild = _wildcards(ev, call, args[6:], scope)
    attrs = Attributes(tab, {sj} | ({wcol} if wcol is not None else set()))
    rows = []
    for r in range(tab.rows):
        side = T.to_string(tab.data[sj][r])
        if side == value_a:
            rows.append((attrs.items(r), (weights[r], 0.0)))
        elif side == value_b:
            rows.append((attrs.items(r), (0.0, weights[r])))
    total_a = sum(w[0] for _i, w in rows)
    total_b = sum(w[1] for _i, w in rows)
    cols = [("SegmentId", "int"), ("CountA", "long"), ("CountB", "long"), ("PercentA", "real"),
            ("PercentB", "real"), ("PercentDiffAB", "real")] + attrs.columns()
    for total, value in ((total_a, value_a), (total_b, value_b)):
        if not total:
            raise ev.error(call, f"diffpatterns(): no row has '{value}' in the split column '{split.name}' "
                                 "(each set needs rows)")
    found = _diffs(ev, call, rows, (total_a, total_b), threshold, max_dims, 1)
    out = []
    for i, (p, (wa, wb)) in enumerate(found):
        pa, pb = _pct(wa, total_a), _pct(wb, total_b)
        out.append([i, _count(wa), _count(wb), pa, pb, round(abs(pa - pb), 2), *attrs.cells(p, wild)])
    return Tabular.from_rows(cols, out)


def _diffs(ev, call, rows, totals, threshold: float, max_dims: int | None, min_items: int):
    """The closed patterns differing by at least `threshold`, largest difference first."""
    total_a, total_b = totals
    scored = []

    def wanted(p: frozenset, w: list[float]) -> bool:
        return len(p) >= min_items and abs(w[0] / total_a - w[1] / total_b) >= threshold - 1e-9

    for p, (wa, wb) in mine(ev, call, rows, threshold, max_dims, wanted).items():
        scored.append((p, (wa, wb), abs(wa / total_a - wb / total_b)))
    scored.sort(key=lambda s: (-s[2], -len(s[0]), sorted(map(str, s[0]))))
    chosen = set(pick_distinct([s[0] for s in scored]))
    return [(p, w) for p, w, _d in scored if p in chosen]


# ------------------------------------------------------------------ diffpatterns_text

@plugin("diffpatterns_text")
def diffpatterns_text(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """diffpatterns over texts: an item is a token at a position (whitespace-separated, the
    first MaxTokens positions); a pattern prints its tokens with '*' for the others, up to
    its last token, then ' *' when later positions are free."""
    args = A.positional(call)
    A.count_between(ev, call, args, 2, 5)
    _n, _t, texts = A.column(ev, call, tab, args[0], scope, "TextColumn")
    cond = Compiler(ev, tab.columns, scope).predicate(args[1]).values(tab.data, tab.rows)
    min_tokens = _optional(ev, call, args, 2, scope, "MinTokens", 1)
    if isinstance(min_tokens, bool) or not isinstance(min_tokens, int) or not 0 <= min_tokens <= 200:
        raise ev.error(call, "diffpatterns_text(): MinTokens must be an integer between 0 and 200")
    threshold = _ratio_arg(ev, call, _optional(ev, call, args, 3, scope, "Threshold", 0.05), "Threshold", 0.015, 1)
    max_tokens = _optional(ev, call, args, 4, scope, "MaxTokens", 20)
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= 20:
        raise ev.error(call, "diffpatterns_text(): MaxTokens must be an integer between 1 and 20")
    rows = []
    for r in range(tab.rows):
        if cond[r] is None:
            continue
        tokens = T.to_string(texts[r]).split()[:max_tokens] if texts[r] is not None else []
        items = frozenset(enumerate(tokens))
        rows.append((items, (1.0, 0.0) if cond[r] else (0.0, 1.0)))
    total_t = sum(w[0] for _i, w in rows)
    total_f = sum(w[1] for _i, w in rows)
    cols = [("Count_of_True", "long"), ("Count_of_False", "long"), ("Percent_of_True", "real"),
            ("Percent_of_False", "real"), ("Pattern", "string")]
    if not total_t or not total_f:
        raise ev.error(call, "diffpatterns_text(): the condition must hold for some rows and fail for others")
    found = _diffs(ev, call, rows, (total_t, total_f), threshold, None, max(min_tokens, 1))
    out = []
    for p, (wt, wf) in found:
        out.append([_count(wt), _count(wf), _pct(wt, total_t), _pct(wf, total_f), _pattern_text(p, max_tokens)])
    out.sort(key=lambda r: -(r[2] - r[3]))  # the true-side patterns first, as the docs print them
    return Tabular.from_rows(cols, out)


def _pattern_text(pattern: frozenset, max_tokens: int) -> str:
    by_pos = dict(pattern)
    last = max(by_pos)
    words = [by_pos.get(i, "*") for i in range(last + 1)]
    if last < max_tokens - 1:
        words.append("*")
    return " ".join(words)
