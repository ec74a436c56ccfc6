"""Kusto's rules for the names of columns nobody named.

`x` keeps its name; dynamic access `d.a` / `d["a"]` becomes `d_a`; in
`summarize ... by` the grouping functions (bin, floor, tostring...) pass their
first argument's name through; otherwise the operator numbers them (`Column1`,
`print_0`).  Aggregates are named `<prefix>_<argument>` (`count_`, `sum_x`).
"""

from __future__ import annotations

from typing import Any

from kshell.syntax import ast

# Functions whose result is named after their first argument in summarize-by.
NAME_THROUGH = frozenset({
    "bin", "floor", "bin_at", "bin_auto", "tostring", "tolong", "toint", "toreal", "todouble", "tobool",
    "todatetime", "totimespan", "toguid", "todecimal", "startofday", "startofweek",
    "startofmonth", "startofyear",
})


# Scalar functions whose unnamed result the service names after the function, as an
# aggregate's is (the docs' printed tables): `dcount_hll(merged)` is `dcount_hll_merged`,
# `percentile_tdigest(merged, 100)` `percentile_tdigest_merged`, a graph's
# `node_degree_out(src)` `node_degree_out`.  "{fn}" alone: the argument is not part of it.
CALL_NAMES = {
    "dcount_hll": "{fn}_{arg}", "percentile_tdigest": "{fn}_{arg}",
    "node_degree_in": "{fn}", "node_degree_out": "{fn}",
}


def expr_name(node: Any, *, through_calls: bool = False) -> str | None:
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Member):
        base = expr_name(node.target, through_calls=through_calls)
        return f"{base}_{node.name}" if base else None
    if isinstance(node, ast.Index):
        base = expr_name(node.target, through_calls=through_calls)
        idx = node.index
        if base and isinstance(idx, ast.Literal) and isinstance(idx.value, (str, int)):
            return f"{base}_{idx.value}"
        return None
    if through_calls and isinstance(node, ast.Call) and node.name in NAME_THROUGH and node.args:
        return expr_name(node.args[0], through_calls=True)
    if not through_calls and isinstance(node, ast.Call) and node.name in CALL_NAMES:
        arg = expr_name(node.args[0]) if node.args else None
        if arg is None and "{arg}" in CALL_NAMES[node.name]:
            return None
        return CALL_NAMES[node.name].format(fn=node.name, arg=arg)
    return None


def first_column_name(node: Any) -> str | None:
    """The first column named inside an expression (aggregate argument names)."""
    direct = expr_name(node, through_calls=True)
    if direct:
        return direct
    for child in _children(node):
        found = first_column_name(child)
        if found:
            return found
    return None


def _children(node: Any) -> list[Any]:
    if isinstance(node, ast.Binary):
        return [node.left, node.right]
    if isinstance(node, ast.Unary):
        return [node.operand]
    if isinstance(node, ast.Call):
        return [a.value if isinstance(a, ast.NamedArg) else a for a in node.args]
    if isinstance(node, (ast.Member, ast.Index)):
        return [node.target]
    if isinstance(node, ast.InList):
        return [node.left]
    if isinstance(node, ast.Between):
        return [node.left]
    return []


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name1`, `name2`... when taken (join's duplicate columns)."""
    if name not in taken:
        return name
    k = 1
    while f"{name}{k}" in taken:
        k += 1
    return f"{name}{k}"


class ColumnNumberer:
    """Hands out `Column1`, `Column2`... skipping names already present."""

    def __init__(self, taken: set[str], prefix: str = "Column", start: int = 1):
        self.taken = taken
        self.prefix = prefix
        self.k = start

    def next(self) -> str:
        while f"{self.prefix}{self.k}" in self.taken:
            self.k += 1
        name = f"{self.prefix}{self.k}"
        self.k += 1
        return name
