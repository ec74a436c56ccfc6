"""Walking a parsed request's nodes (the engine's reference collector and `--check`'s
semantic pass both need every node under a root)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any, Iterator


def walk(node: Any) -> Iterator[Any]:
    """Every AST node below `node` (depth first), including `node`.

    Nodes are the syntax package's records (kshell.syntax.records): their fields are
    read from `__record_names__`, in definition order, without `dataclasses`."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (list, tuple)):
            stack.extend(reversed(n))
            continue
        names = getattr(type(n), "__record_names__", None)
        if names is None:
            continue
        yield n
        for name in names:
            v = getattr(n, name, None)
            if isinstance(v, (list, tuple)) or hasattr(type(v), "__record_names__"):
                stack.append(v)
