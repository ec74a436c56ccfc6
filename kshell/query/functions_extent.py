"""`ingestion_time()`, `extent_id()` and `extent_tags()` (ingestiontime-function.md,
extent-id-function.md, extent-tags-function.md): what a stored row's data shard says of it.
All three read the hidden per-row column the evaluator adds to stored tables when a query
names one of them (kshell.query.evaluator.RowExtent); over rows that do not come from a
stored table (print, datatable, after summarize...) they give their empty value."""

from __future__ import annotations

from typing import Any, Callable

from kshell.query import functions
from kshell.query.cexpr import CExpr, const
from kshell.query.tabular import INGESTION_TIME_COLUMN
from kshell.syntax import ast


def _row_extent_function(name: str, rtype: str, read: Callable[[Any], Any], empty: Any) -> None:
    def compile_call(c: Any, node: ast.Call) -> CExpr:
        i = c.index.get(INGESTION_TIME_COLUMN)
        if i is None:
            return const(rtype, empty)
        return CExpr(rtype, lambda cols, n: [empty if e is None else read(e) for e in cols[i]])

    functions.special(name, 0, rtype=rtype)(compile_call)


_row_extent_function("ingestion_time", "datetime", lambda e: e.ingestion_time, None)
_row_extent_function("extent_id", "guid", lambda e: e.extent_id, None)
_row_extent_function("extent_tags", "dynamic", lambda e: list(e.tags), [])
