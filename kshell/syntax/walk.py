"""Walking a parsed request's nodes (the engine's reference collector and `--check`'s
semantic pass both need every node under a root)."""

from __future__ import annotations

import dataclasses

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any, Iterator


def walk(node: Any) -> Iterator[Any]:
    """Every AST node below `node` (depth first), including `node`."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (list, tuple)):
            stack.extend(reversed(n))
            continue
        if not dataclasses.is_dataclass(n) or isinstance(n, type):
            continue
        yield n
        for f in dataclasses.fields(n):
            v = getattr(n, f.name, None)
            if isinstance(v, (list, tuple)) or dataclasses.is_dataclass(v):
                stack.append(v)
