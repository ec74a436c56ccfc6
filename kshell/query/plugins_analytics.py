"""User-analytics plugins over an id and a timeline: session_count, activity_engagement,
activity_metrics, new_activity_metrics (registered in kshell.query.plugins.REGISTRY).

Each follows its docs page's definitions and output schema; where a page leaves a rule
open, the choice is recorded in docs/query-engine.md ("Analytics plugins").
"""

from __future__ import annotations

import bisect
from typing import Any

from kshell.query import plugin_args as A
from kshell.query.plugins import plugin
from kshell.query.tabular import Tabular
from kshell.syntax import ast

NAN = float("nan")


def _ratio(a: float, b: float) -> float:
    """a / b as Kusto divides reals: 0/0 is NaN, x/0 is +-infinity."""
    if b:
        return a / b
    return NAN if not a else (float("inf") if a > 0 else float("-inf"))


def _leading_constants(ev, tab: Tabular, args: list[Any], first: int, scope) -> list[Any]:
    """The constant arguments from position `first` up to the first column expression."""
    out = []
    for a in args[first:]:
        ok, value = A.try_constant(ev, tab, a, scope)
        if not ok:
            break
        out.append(value)
    return out


def _ids_by_period(periods: A.Periods, ids: list[Any], times: list[Any], idx: list[int]) -> dict[Any, set]:
    out: dict[Any, set] = {}
    for r in idx:
        if ids[r] is None:
            continue
        p = periods.key(times[r])
        if p is not None:
            out.setdefault(p, set()).add(A.hashable(ids[r]))
    return out


# ------------------------------------------------------------------ session_count

@plugin("session_count")
def session_count(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """Sessions started per bin: an id's event opens a new session unless the id was seen
    within LookBackWindow before it (then the session goes on).  The docs' chart of its
    example (about 57 sessions in the bin at 0, then 18 to 23, 23 at 3600) shows these counts."""
    args = A.positional(call)
    A.count_between(ev, call, args, 6)
    _n, _t, ids = A.column_ref(ev, call, tab, args[0], "IdColumn")
    tname, ttype, times = A.column_ref(ev, call, tab, args[1], "TimelineColumn")
    start, end, step, lookback = (A.constant(ev, call, a, scope, w) for a, w in
                                  zip(args[2:6], ("Start", "End", "Bin", "LookBackWindow")))
    # Bins are bin(Timeline, Bin) up to End excluded: the docs' chart of its example has
    # 100 points from 0 to 9900 for Start = 1, End = 10000, Bin = 100.
    periods = A.Periods(ev, call, start, end, step, "Bin", aligned=True, end_inclusive=False).fits(ev, call, ttype)
    lookback = A.span(ev, call, lookback, ttype, "LookBackWindow")
    dims = [A.column(ev, call, tab, a, scope, "a dimension") for a in args[6:]]
    rows = []
    for key, idx in A.groups(tab, dims).items():
        by_id: dict[Any, list[Any]] = {}
        for r in idx:
            if ids[r] is not None and periods.key(times[r]) is not None:
                by_id.setdefault(A.hashable(ids[r]), []).append(times[r])
        started: dict[Any, int] = {}
        for ts in by_id.values():
            ts.sort()
            for i, t in enumerate(ts):
                if i == 0 or t - ts[i - 1] > lookback:
                    b = periods.key(t)
                    started[b] = started.get(b, 0) + 1
        for p in periods.all():
            rows.append([p, *A.dim_values(tab, dims, idx), started.get(p, 0)])
    cols = [(tname, ttype)] + [(d[0], d[1]) for d in dims] + [("count_sessions", "long")]
    return Tabular.from_rows(cols, rows)


# ------------------------------------------------------------------ activity_engagement

@plugin("activity_engagement")
def activity_engagement(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """Per inner window: distinct ids in it, distinct ids in the outer window ending with
    it, and their ratio (DAU/WAU with 1d and 7d)."""
    args = A.positional(call)
    A.count_between(ev, call, args, 4)
    _n, _t, ids = A.column_ref(ev, call, tab, args[0], "IdColumn")
    tname, ttype, times = A.column_ref(ev, call, tab, args[1], "TimelineColumn")
    consts = _leading_constants(ev, tab, args, 2, scope)
    if len(consts) >= 4:
        start, end, inner, outer = consts[:4]
        rest = args[6:]
        A.Periods(ev, call, start, end, inner, "InnerActivityWindow").fits(ev, call, ttype)
    elif len(consts) >= 2:
        inner, outer = consts[:2]
        start, end = _data_range(times, inner)
        rest = args[4:]
    else:
        raise ev.error(call, "activity_engagement(): expects InnerActivityWindow and OuterActivityWindow "
                             "(optionally after Start and End)")
    inner = A.span(ev, call, inner, ttype, "InnerActivityWindow")
    outer = A.span(ev, call, outer, ttype, "OuterActivityWindow")
    if start is None:  # no events: no rows
        return Tabular.from_rows(_engagement_cols(tname, ttype, []), [])
    periods = A.Periods(ev, call, start, end, inner, "InnerActivityWindow")
    dims = [A.column(ev, call, tab, a, scope, "a dimension") for a in rest]
    rows = []
    for key, idx in A.groups(tab, dims).items():
        events = sorted(((times[r], A.hashable(ids[r])) for r in idx if times[r] is not None and ids[r] is not None),
                        key=lambda e: e[0])
        stamps = [t for t, _i in events]
        for p in periods.all():
            hi = p + inner
            lo = hi - outer
            end = bisect.bisect_left(stamps, hi)
            inner_ids = {i for _t, i in events[bisect.bisect_left(stamps, p):end]}
            outer_ids = {i for _t, i in events[bisect.bisect_left(stamps, lo):end]}
            rows.append([p, len(inner_ids), len(outer_ids), _ratio(len(inner_ids), len(outer_ids)),
                         *A.dim_values(tab, dims, idx)])
    return Tabular.from_rows(_engagement_cols(tname, ttype, dims), rows)


def _engagement_cols(tname, ttype, dims):
    return [(tname, ttype), ("dcount_activities_inner", "long"), ("dcount_activities_outer", "long"),
            ("activity_ratio", "real")] + [(d[0], d[1]) for d in dims]


def _data_range(times: list[Any], window: Any) -> tuple[Any, Any]:
    """Start and End when the call omits them: the first event's window to the last event."""
    from kshell.query.functions import _bin

    ts = [t for t in times if t is not None]
    if not ts:
        return None, None
    first = min(ts)
    binned = _bin(first, window) if not isinstance(window, str) else first
    return (binned if binned is not None else first), max(ts)


# ------------------------------------------------------------------ activity_metrics

@plugin("activity_metrics")
def activity_metrics(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """Per window: distinct ids, ids not seen in the previous window, and the retention and
    churn rates against the previous window (docs: retention = returning / previous)."""
    args = A.positional(call)
    A.count_between(ev, call, args, 3)
    _n, _t, ids = A.column_ref(ev, call, tab, args[0], "IdColumn")
    tname, ttype, times = A.column_ref(ev, call, tab, args[1], "TimelineColumn")
    consts = _leading_constants(ev, tab, args, 2, scope)
    if len(consts) >= 3:
        start, end, window = consts[:3]
        rest = args[5:]
        A.Periods(ev, call, start, end, window, "Window").fits(ev, call, ttype)
    elif consts:
        window = consts[0]
        start, end = _data_range(times, window)
        rest = args[3:]
    else:
        raise ev.error(call, "activity_metrics(): expects a Window (optionally after Start and End)")
    cols = [(tname, ttype), ("dcount_values", "long"), ("dcount_newvalues", "long"),
            ("retention_rate", "real"), ("churn_rate", "real")]
    dims = [A.column(ev, call, tab, a, scope, "a dimension") for a in rest]
    cols += [(d[0], d[1]) for d in dims]
    if start is None:
        return Tabular.from_rows(cols, [])
    periods = A.Periods(ev, call, start, end, window, "Window")
    rows = []
    for key, idx in A.groups(tab, dims).items():
        seen = _ids_by_period(periods, ids, times, idx)
        prev: set | None = None
        for p in periods.all():
            now = seen.get(p, set())
            new = now - prev if prev is not None else now
            if prev is None:
                retention = churn = NAN
            else:
                returned = len(now) - len(new)
                retention = _ratio(returned, len(prev))
                churn = _ratio(len(prev) - returned, len(prev))
            rows.append([p, len(now), len(new), retention, churn, *A.dim_values(tab, dims, idx)])
            prev = now
    return Tabular.from_rows(cols, rows)


# ------------------------------------------------------------------ new_activity_metrics

@plugin("new_activity_metrics")
def new_activity_metrics(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """For each cohort (the ids first seen in a period) and each later period: new ids,
    retained and churned cohort members, and the rates (docs' worked example)."""
    args = A.positional(call)
    A.count_between(ev, call, args, 5)
    id_name, _t, ids = A.column_ref(ev, call, tab, args[0], "IdColumn")
    tname, ttype, times = A.column_ref(ev, call, tab, args[1], "TimelineColumn")
    start, end, window = (A.constant(ev, call, a, scope, w) for a, w in zip(args[2:5], ("Start", "End", "Window")))
    periods = A.Periods(ev, call, start, end, window, "Window").fits(ev, call, ttype)
    rest = list(args[5:])
    cohort = None
    if rest and A.try_constant(ev, tab, rest[0], scope)[0]:
        cohort = A.constant(ev, call, rest.pop(0), scope, "Cohort")
    lookback: set = set()
    if rest and isinstance(rest[-1], (ast.Name, ast.Pipeline)) and not (
            isinstance(rest[-1], ast.Name) and tab.index(rest[-1].name) is not None):
        lookback = _lookback_ids(ev, call, rest.pop(), id_name, scope)
    dims = [A.column(ev, call, tab, a, scope, "a dimension") for a in rest]
    all_periods = periods.all()
    if cohort is not None:
        key = periods.key(cohort)
        if key is None:
            raise ev.error(call, "new_activity_metrics(): the Cohort is outside the analysis period")
        cohorts = [key]
    else:
        cohorts = all_periods
    rows = []
    for _key, idx in A.groups(tab, dims).items():
        seen = _ids_by_period(periods, ids, times, idx)
        before: dict[Any, set] = {}  # ids seen in the lookback and every period before p
        acc = set(lookback)
        for p in all_periods:
            before[p] = set(acc)
            acc |= seen.get(p, set())
        for f in cohorts:
            members = seen.get(f, set()) - before[f]
            through_f = before[f] | seen.get(f, set())
            for t in all_periods:
                if t < f:
                    continue
                now = seen.get(t, set())
                new = len(now - (before[f] if t == f else through_f))
                retained = len(members & now)
                churned = len(members) - retained
                rows.append([f, t, new, retained, float(churned), _ratio(retained, len(members)),
                             _ratio(churned, len(members)), *A.dim_values(tab, dims, idx)])
    cols = [(f"from_{tname}", ttype), (f"to_{tname}", ttype), ("dcount_new_values", "long"),
            ("dcount_retained_values", "long"), ("dcount_churn_values", "real"), ("retention_rate", "real"),
            ("churn_rate", "real")] + [(d[0], d[1]) for d in dims]
    return Tabular.from_rows(cols, rows)


def _lookback_ids(ev, call: ast.Call, expr: Any, id_name: str, scope) -> set:
    try:
        look = ev.eval_tabular(expr, scope)
    except Exception as err:  # noqa: BLE001 - a name that is no table: say which argument it was
        if hasattr(err, "kind"):
            raise ev.error(expr, f"new_activity_metrics(): the Lookback must be a tabular expression ({err})") from None
        raise
    i = look.index(id_name)
    if i is None:
        raise ev.error(expr, f"new_activity_metrics(): the Lookback table has no column '{id_name}'")
    return {A.hashable(v) for v in look.data[i][:look.rows] if v is not None}
