"""Sequence plugins: funnel_sequence, funnel_sequence_completion, sequence_detect
(registered in kshell.query.plugins.REGISTRY).

Events are ordered per id (or per dimension combination) by time, ties in input order.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any

from kshell.query import plugin_args as A
from kshell.query import types as T
from kshell.query.compiler import Compiler
from kshell.query.multi import Tables
from kshell.query.naming import expr_name
from kshell.query.plugins import plugin
from kshell.query.tabular import Tabular
from kshell.syntax import ast

MAX_SAMPLES = 128  # docs: at most 128 ids in a row's samples
MAX_OCCURRENCES = 1_000_000  # sequence_detect: a guard against a combinatorial explosion


def _sequence(ev, call: ast.Call, value: Any, what: str = "Sequence") -> list[str]:
    if not isinstance(value, list) or not value:
        raise ev.error(call, f"{call.name}(): {what} must be a non-empty dynamic array")
    return [T.to_string(v) for v in value]


def _timelines(ev, call, tab: Tabular, args, scope, periods_of: int):
    """(ids, times, names, periods) for the funnel plugins' leading arguments."""
    _n, _t, ids = A.column_ref(ev, call, tab, args[0], "IdColumn")
    tname, ttype, times = A.column_ref(ev, call, tab, args[1], "TimelineColumn")
    start = A.constant(ev, call, args[2], scope, "Start")
    end = A.constant(ev, call, args[3], scope, "End")
    step = A.constant(ev, call, args[periods_of], scope, "the step")
    return ids, times, (tname, ttype), A.Periods(ev, call, start, end, step, "the step").fits(ev, call, ttype)


def _events_by_id(ids, times, states, periods: A.Periods) -> dict[Any, list[tuple[Any, str, Any]]]:
    """id -> [(time, state, id)] in time order (ties in input order), within [Start, End]."""
    out: dict[Any, list[tuple[Any, str, Any]]] = {}
    for r in range(len(ids)):
        if ids[r] is None or periods.key(times[r]) is None:
            continue
        out.setdefault(A.hashable(ids[r]), []).append((times[r], T.to_string(states[r]), ids[r]))
    for evs in out.values():
        evs.sort(key=lambda e: e[0])
    return out


# ------------------------------------------------------------------ funnel_sequence

@plugin("funnel_sequence")
def funnel_sequence(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """Consecutive events of an id matching Sequence (each step within MaxSequenceStepWindow
    of the one before), with the state just before and just after (within the same window,
    else empty).  Three tables, as the docs list them: by prev and next, by prev, by next."""
    args = A.positional(call)
    A.count_between(ev, call, args, 8, 8)
    ids, times, (tname, ttype), periods = _timelines(ev, call, tab, args, scope, 5)
    max_step = A.span(ev, call, A.constant(ev, call, args[4], scope, "MaxSequenceStepWindow"), ttype,
                      "MaxSequenceStepWindow")
    _s, _st, states = A.column_ref(ev, call, tab, args[6], "StateColumn")
    seq = _sequence(ev, call, A.constant(ev, call, args[7], scope, "Sequence"))
    k = len(seq)
    found: dict[tuple, dict[Any, Any]] = {}  # (bin, prev, next) -> {id key: id}
    for key, evs in _events_by_id(ids, times, states, periods).items():
        names = [e[1] for e in evs]
        for i in range(len(evs) - k + 1):
            if names[i:i + k] != seq or any(evs[j + 1][0] - evs[j][0] > max_step for j in range(i, i + k - 1)):
                continue
            prev = evs[i - 1][1] if i > 0 and evs[i][0] - evs[i - 1][0] <= max_step else ""
            last = i + k - 1
            nxt = evs[last + 1][1] if last + 1 < len(evs) and evs[last + 1][0] - evs[last][0] <= max_step else ""
            found.setdefault((periods.key(evs[i][0]), prev, nxt), {})[key] = evs[i][2]
    time_col = (tname, ttype)
    tail = [("dcount", "long"), ("samples", "dynamic")]
    both = _counted(found, lambda k: k)
    before = _counted(found, lambda k: (k[0], k[1]))
    after = _counted(found, lambda k: (k[0], k[2]))
    return Tables(Tabular.from_rows([time_col, ("prev", "string"), ("next", "string")] + tail, both),
                  [Tabular.from_rows([time_col, ("prev", "string")] + tail, before),
                   Tabular.from_rows([time_col, ("next", "string")] + tail, after)])


def _counted(found: dict[tuple, dict[Any, Any]], key) -> list[list[Any]]:
    """Rows (key..., dcount, samples) of the ids grouped by key(found's key), largest first."""
    groups: dict[tuple, dict[Any, Any]] = {}
    for k, who in found.items():
        groups.setdefault(key(k), {}).update(who)
    rows = [[*k, len(who), list(who.values())[:MAX_SAMPLES]] for k, who in groups.items()]
    n = len(rows[0]) - 2 if rows else 0
    rows.sort(key=lambda r: (r[0], -r[n], *r[1:n]))
    return rows


# ------------------------------------------------------------------ funnel_sequence_completion

@plugin("funnel_sequence_completion")
def funnel_sequence_completion(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """Per bin and per period: how many ids completed the first n steps of Sequence (in
    order, other events allowed between) within the period from their first step."""
    args = A.positional(call)
    A.count_between(ev, call, args, 8, 8)
    ids, times, (tname, ttype), periods = _timelines(ev, call, tab, args, scope, 4)
    sname, _st, states = A.column_ref(ev, call, tab, args[5], "StateColumn")
    seq = _sequence(ev, call, A.constant(ev, call, args[6], scope, "Sequence"))
    spans = A.constant(ev, call, args[7], scope, "MaxSequenceStepWindows")
    if not isinstance(spans, list) or not spans:
        raise ev.error(call, f"{call.name}(): MaxSequenceStepWindows must be a non-empty dynamic array")
    windows = [A.span(ev, call, T.from_dynamic(v, "timespan") if isinstance(v, str) else v, ttype,
                      "each of MaxSequenceStepWindows") for v in spans]
    reached: dict[tuple, set] = {}  # (bin, window index, step) -> ids
    for key, evs in _events_by_id(ids, times, states, periods).items():
        for wi, window in enumerate(windows):
            best: dict[Any, int] = {}  # bin -> furthest step reached
            for i, (t0, state, _id) in enumerate(evs):
                if state != seq[0]:
                    continue
                step, j = 1, i + 1
                # The earliest match of each next step leaves the most room for the rest.
                while step < len(seq) and j < len(evs) and evs[j][0] - t0 <= window:
                    if evs[j][1] == seq[step]:
                        step += 1
                    j += 1
                b = periods.key(t0)
                best[b] = max(best.get(b, 0), step)
            for b, n in best.items():
                for s in range(n):
                    reached.setdefault((b, wi, s), set()).add(key)
    rows = []
    for b in sorted({k[0] for k in reached}):
        for wi, window in enumerate(windows):
            for s, state in enumerate(seq):
                rows.append([b, state, window, len(reached.get((b, wi, s), ()))])
    cols = [(tname, ttype), (sname, "string"), ("Period", "timespan" if isinstance(windows[0], dt.timedelta)
                                                else "long"), ("dcount", "long")]
    return Tabular.from_rows(cols, rows)


# ------------------------------------------------------------------ sequence_detect

@plugin("sequence_detect")
def sequence_detect(ev, tab: Tabular, call: ast.Call, scope, schema) -> Tabular:
    """Every occurrence of Expr1, Expr2, ... in time order within each dimension
    combination: each step within MaxSequenceStepWindow of the one before, the whole within
    MaxSequenceSpan.  An event may start several occurrences (docs' example)."""
    args = call.args
    if len(args) < 5:
        raise ev.error(call, "sequence_detect(): expects TimelineColumn, MaxSequenceStepWindow, MaxSequenceSpan "
                             "and at least two step predicates")
    tname, ttype, times = A.column_ref(ev, call, tab, args[0], "TimelineColumn")
    max_step = A.span(ev, call, A.constant(ev, call, args[1], scope, "MaxSequenceStepWindow"), ttype,
                      "MaxSequenceStepWindow")
    max_span = A.span(ev, call, A.constant(ev, call, args[2], scope, "MaxSequenceSpan"), ttype, "MaxSequenceSpan")
    steps: list[tuple[str, list[Any]]] = []
    dims = []
    comp = Compiler(ev, tab.columns, scope)
    for i, a in enumerate(args[3:]):
        if isinstance(a, ast.NamedArg):
            steps.append((a.name, comp.predicate(a.value).values(tab.data, tab.rows)))
            continue
        e = comp.compile(a)
        if e.type == "bool" and not isinstance(a, ast.Name) and not dims:
            steps.append((expr_name(a) or f"Expr{len(steps) + 1}", e.values(tab.data, tab.rows)))
        else:
            dims.append((expr_name(a) or f"Column{len(dims) + 1}", e.type, e.values(tab.data, tab.rows)))
    if len(steps) < 2:
        raise ev.error(call, "sequence_detect(): expects at least two step predicates (name = (condition))")
    rows: list[list[Any]] = []
    for _key, idx in A.groups(tab, dims).items():
        order = sorted((r for r in idx if times[r] is not None), key=lambda r: times[r])
        pos = {r: n for n, r in enumerate(order)}
        matches = [[r for r in order if s[1][r] is True] for s in steps]
        positions = [[pos[r] for r in m] for m in matches]  # ascending: bisect finds the next candidates
        dv = A.dim_values(tab, dims, idx)

        def extend(chain: list[int]) -> None:
            if len(rows) >= MAX_OCCURRENCES:
                raise ev.error(call, f"sequence_detect(): more than {MAX_OCCURRENCES:,} occurrences; "
                                     "narrow the windows or the input")
            if len(chain) == len(steps):
                t = [times[r] for r in chain]
                rows.append([*dv, *t, t[-1] - t[0]])
                return
            last = chain[-1]
            step = len(chain)
            for r in matches[step][bisect.bisect_right(positions[step], pos[last]):]:
                if times[r] - times[last] > max_step:
                    break
                if times[r] - times[chain[0]] > max_span:
                    break
                extend(chain + [r])

        for r in matches[0]:
            extend([r])
    rows.sort(key=lambda row: row[len(dims):-1])  # by the steps' times, as the docs print them
    span_type = "timespan" if ttype == "datetime" else ttype
    cols = [(d[0], d[1]) for d in dims] + [(f"{name}_{tname}", ttype) for name, _v in steps] + \
        [("Duration", span_type)]
    return Tabular.from_rows(cols, rows)
