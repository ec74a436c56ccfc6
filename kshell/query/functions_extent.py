"""`extent_id()` and `extent_tags()` (extent-id-function.md, extent-tags-function.md): the
data shard a stored row lives in.  They read the hidden per-row column the evaluator adds
to stored tables when a query names them (kshell.query.evaluator.RowExtent, the same
column `ingestion_time()` reads); over rows that do not come from a stored table (print,
datatable, after summarize...) they are null / an empty array."""

from __future__ import annotations

from typing import Any

from kshell.query import functions
from kshell.query.cexpr import CExpr, const
from kshell.query.tabular import INGESTION_TIME_COLUMN
from kshell.syntax import ast


@functions.special("extent_id", 0, rtype="guid")
def _extent_id(c: Any, node: ast.Call) -> CExpr:
    i = c.index.get(INGESTION_TIME_COLUMN)
    if i is None:
        return const("guid", None)
    return CExpr("guid", lambda cols, n: [None if e is None else e.extent_id for e in cols[i]])


@functions.special("extent_tags", 0, rtype="dynamic")
def _extent_tags(c: Any, node: ast.Call) -> CExpr:
    i = c.index.get(INGESTION_TIME_COLUMN)
    if i is None:
        return const("dynamic", [])
    return CExpr("dynamic", lambda cols, n: [[] if e is None else list(e.tags) for e in cols[i]])
