"""What the modules running kept-text sources and statements share (kshell.query.operators_multi,
kshell.query.find, kshell.query.statements): the registry of sources the main parser keeps
as text (`SOURCES`, run by the evaluator), their structure parser (`S`, kshell.syntax.query_multi,
imported on first use) and the error helpers.  Imports nothing of the engine's compiler, so
each of those modules can import it whatever the import order."""

from __future__ import annotations

from typing import Any, Callable

from kshell.errors import KustoSyntaxError, SemanticError


class _Syntax:
    """kshell.syntax.query_multi, imported on first use."""

    def __getattr__(self, name: str) -> Any:
        from kshell.syntax import query_multi
        return getattr(query_multi, name)


S = _Syntax()


def ev_error(ev: Any, node: Any, message: str) -> SemanticError:
    """A SemanticError at `node`'s place in the request (none when there is no node)."""
    return SemanticError(message) if node is None else ev.error(node, message)


SOURCES: dict[str, Callable[[Any, Any, Any], Any]] = {}


def source(name: str):
    def deco(f):
        SOURCES[name] = f
        return f
    return deco


def _syntax(ev: Any, node: Any, parse: Callable[[str], Any]) -> Any:
    """Parse a kept text; a syntax error points into the query (the node's offset)."""
    try:
        return parse(node.text)
    except KustoSyntaxError as e:
        name = getattr(node, "name", None) or getattr(node, "keyword", "")
        at = ev.error(node, "")  # the node's own line and column in the request
        line, column = at.line, at.column
        if line is not None and e.line is not None:
            column = (column or 1) + (e.column or 1) - 1 if e.line == 1 else e.column
            line = line + e.line - 1
        raise KustoSyntaxError(f"{name}: {e.message}", line=line, column=column) from None


def shift_positions(tree: Any, offset: int) -> Any:
    """Add `offset` to the position of every node of a tree parsed from a kept text, so
    errors point at the node's place in the request (the kept text starts at `offset`)."""
    if not offset:
        return tree
    seen: set[int] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        fields = getattr(type(node), "__dataclass_fields__", None)
        if fields is None or id(node) in seen:
            continue
        seen.add(id(node))
        for name in fields:
            value = getattr(node, name, None)
            if name == "pos":
                if isinstance(value, int):
                    setattr(node, name, value + offset)
            elif isinstance(value, (list, tuple)) or hasattr(type(value), "__dataclass_fields__"):
                stack.append(value)
    return tree
