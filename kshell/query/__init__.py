"""KQL evaluation over columnar tables.  See kshell.query.context for what it needs.

Public API:
- `run(query, ctx) -> Result`: evaluate a parsed Query (kshell.syntax.ast.Query);
  `run_all(query, ctx) -> [Result]` also gives the further tables of a plugin that returns
  several (funnel_sequence).
- `output_schema(query, ctx) -> [(name, type)]`: the result schema, computed by
  evaluating the query over empty versions of the tables it reads.
- `functions.names()` / `aggregates.names()`: the function tables (for the completer).
"""

from __future__ import annotations

from typing import Any

from kshell.result import Result


def evaluate(query: Any, ctx: Any, *, schema_only: bool = False, params: list | None = None):
    """Evaluate a Query to a Tabular (internal form; hidden columns included).

    `params` (function parameters, kshell.syntax.ast.Param) are bound first: a
    scalar to its default or a typed null, a tabular one to an empty table of
    its schema (validation of a function body)."""
    return _evaluate(query, ctx, schema_only=schema_only, params=params)[1]


def _evaluate(query: Any, ctx: Any, *, schema_only: bool = False, params: list | None = None):
    """(the Evaluator, the query's Tabular)."""
    from kshell.gc_pause import gc_paused
    from kshell.query.evaluator import Evaluator

    ev = Evaluator(ctx, schema_only=schema_only)
    if params:
        ev.bind_params(params)
    # Operators build lists of millions of values (measured: the collector's passes were
    # more than half of a 1M-row query).
    with gc_paused():
        try:
            return ev, ev.run(query)
        except RecursionError:
            from kshell.errors import SemanticError
            raise SemanticError("the query is nested too deeply to evaluate") from None


def run(query: Any, ctx: Any) -> Result:
    """Evaluate a parsed query; the Result's columns carry Kusto types.  (A query ending
    with fork or facet gives several tables: this is the first; see run_all.)"""
    return run_all(query, ctx)[0]


def run_all(query: Any, ctx: Any) -> list[Result]:
    """Evaluate a parsed query to its result tables: one; one per table of a final `fork` /
    `facet` (named by `name=` / `as`, else PrimaryResult); or several when it ends with a
    plugin returning several (kshell.query.multi.Tables: funnel_sequence)."""
    ev, tab = _evaluate(query, ctx)
    if getattr(ev, "multi_outputs", None) is not None:
        from kshell.query.operators_multi import tables_of

        out = []
        for name, t in tables_of(ev, query, tab):
            res = _result(t)
            if name:
                res.name = name
            out.append(res)
        return out
    more = getattr(tab, "more", ()) if _ends_with_plugin(query) else ()
    return [_result(t) for t in [tab, *more]]


def _ends_with_plugin(query: Any) -> bool:
    """Whether the query's last step is `evaluate` (an operator after it keeps one table,
    even one such as `where` that hands its input on unchanged)."""
    body = getattr(query, "body", None)
    ops = getattr(body, "operators", None)
    last = ops[-1] if ops else body
    return getattr(last, "name", None) == "evaluate"


def _result(tab: Any) -> Result:
    keep = tab.visible()
    columns = [tab.columns[i] for i in keep]
    if not columns:
        return Result.of([], [])
    data = [tab.data[i] for i in keep]
    rows = [list(r) for r in zip(*data)] if tab.rows else []
    return Result.of(columns, rows)


def output_schema(query: Any, ctx: Any, params: list | None = None) -> list[tuple[str, str]]:
    """The (name, type) columns `query` produces, without reading any table's rows."""
    tab = evaluate(query, ctx, schema_only=True, params=params)
    return [tab.columns[i] for i in tab.visible()]


def all_function_names() -> list[str]:
    """Scalar and aggregate function names (for completion and highlighting)."""
    from kshell.query import aggregates, functions

    return sorted(set(functions.names()) | set(aggregates.names()))
