"""`declare pattern`: a name whose invocations map constant arguments (and an optional
path) to queries defined inline.

    declare pattern country = (name:string)[state:string]
    { ("USA").["New York"] = { print Capital = "Albany" }; };
    country("USA").["New York"]        // or country("USA")."New York", .NewYork...

The statement binds the pattern in the let scope (kind "pattern"); an invocation is a
tabular expression evaluated by `invoke`.  A pattern declared without mappings (the
service then asks the client to resolve it) has nothing to run: invoking it is a
SemanticError naming the missing mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kshell.syntax import ast
from kshell.syntax.cursor import Cursor


@dataclass
class Pattern:
    name: str
    mappings: dict[tuple, Any] = field(default_factory=dict)   # (args..., path or None) -> Query


def parse_declare(text: str) -> Pattern | None:
    """The pattern a `declare pattern` statement defines (None for other `declare`s)."""
    from kshell.syntax.query import body
    from kshell.syntax.query_ops import QueryParser

    p = QueryParser(Cursor(text))
    p.i = 1
    if not p.accept_word("pattern"):
        return None
    pat = Pattern(p.name("a pattern name"))
    if not p.accept_op("="):
        return pat
    p.expect_op("(", "to open the parameters")
    while not p.accept_op(")"):
        p.name("a parameter")
        p.expect_op(":", "after the parameter name")
        p.type_name()
        p.accept_op(",")
    if p.accept_op("["):
        p.name("a path parameter")
        p.expect_op(":", "after the path parameter")
        p.type_name()
        p.expect_op("]", "to close the path parameter")
    p.expect_op("{", "to open the mappings")
    while not p.accept_op("}"):
        p.expect_op("(", "to open the arguments")
        args = []
        while not p.accept_op(")"):
            args.append(_constant(p.expression()))
            p.accept_op(",")
        path = None
        if p.accept_op("."):
            p.expect_op("[", "to open the path")
            path = _constant(p.expression())
            p.expect_op("]", "to close the path")
        p.expect_op("=", "in a pattern mapping")
        query = body(p)  # `{ query }`
        p.accept_op(";")
        pat.mappings[tuple(args) + (path,)] = query
    return pat


def _constant(node: Any) -> Any:
    if isinstance(node, ast.Literal):
        return node.value
    if isinstance(node, ast.Name):
        return node.name
    raise ValueError("a pattern's arguments and paths are constants")


def invocation(node: Any, scope: Any) -> tuple[Pattern, ast.Call, Any] | None:
    """(pattern, call, path) when `node` invokes a pattern bound in `scope`."""
    path = None
    call = node
    if isinstance(node, ast.Member) and isinstance(node.target, ast.Call):
        call, path = node.target, node.name
    elif isinstance(node, ast.Index) and isinstance(node.target, ast.Call) and isinstance(node.index, ast.Literal):
        call, path = node.target, node.index.value
    if not isinstance(call, ast.Call) or scope is None:
        return None
    b = scope.lookup(call.name)
    if b is None or b[0] != "pattern":
        return None
    return b[1], call, path


def invoke(ev: Any, node: Any, scope: Any):
    from kshell.query.compiler import Compiler

    pat, call, path = invocation(node, scope)
    args = []
    for a in call.args:
        e = Compiler(ev, [], scope).compile(a)
        if not e.const:
            raise ev.error(a, f"pattern '{pat.name}': the arguments must be constants")
        args.append(e.value)
    query = pat.mappings.get(tuple(args) + (path,))
    if query is None:
        where = f"({', '.join(repr(a) for a in args)})" + (f".[{path!r}]" if path is not None else "")
        raise ev.error(node, f"pattern '{pat.name}' has no mapping for {where}")
    return ev.eval_tabular(query, scope)
