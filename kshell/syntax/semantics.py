"""`--check`'s semantic pass: the function names and argument counts of a parsed request,
decided by the language catalog (kshell.catalog), without running anything.

For every call in a query (scalar functions, aggregates, window functions) and every
`evaluate` plugin:

* a name the script defines itself (`let f = ...`, a function parameter, `.create
  function f`) is the user's own and is not checked;
* a documented name kshell does not run is `NotSupported: '<name>' is not simulated by
  kshell` (the engine's wording, `catalog.not_simulated_message`);
* a name that is neither documented nor run by kshell is the user's own unresolved name:
  `Failed to resolve scalar expression named '<name>'` (the engine's wording);
* a literal argument of a type the function's parameter does not take is an error
  (kshell.query.signatures, the engine's own check: `strrep("a", "day")`);
* an argument count outside the catalog signature is an error where the signature is
  unambiguous: one form, no `...` or repeated groups, and the same bounds as the engine's
  registry (several catalog signatures leave optional parameters unmarked, e.g.
  `geo_point_buffer(longitude, latitude, radius, tolerance)`; there the count is not checked).

A stored function of a real cluster is not known here, so a script calling one reports it
as unresolved; `--check` checks scripts for kshell's simulated cluster.
"""

from __future__ import annotations

import re

from kshell.syntax import ast
from kshell.syntax.walk import walk

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any

# (position in the request text, kind, message); kind is "error" or "not simulated"
Problem = tuple[int, str, str]

_PATTERN = re.compile(r"\s*declare\s+pattern\s+([A-Za-z_]\w*)", re.I)
_PLUGIN = re.compile(r"evaluate\s+(?:[\w.]+\s*=\s*[^\s(]+\s+)*([A-Za-z_][\w]*)\s*\(", re.I)
# Calls that are not functions of the library: tabular sources and scoping calls the parser
# models as calls (`cluster("c").database("d").T`, `table("T")`, `materialized_view("V")`).
_SOURCES = frozenset({"cluster", "database", "table", "external_table", "materialized_view",
                      "entity_group", "materialize", "toscalar", "view", "stored_query_result",
                      "typeof", "graph"})


def defined_names(node: Any) -> set[str]:
    """The names a request defines for later use: let names, function parameters, and the
    function a `.create function` command stores."""
    out: set[str] = set()
    for n in walk(node):
        if isinstance(n, ast.Let):
            out.add(n.name)
        elif isinstance(n, ast.Param):
            out.add(n.name)
        elif type(n).__name__ == "CreateFunction" and isinstance(getattr(n, "name", None), str):
            out.add(n.name)
        elif isinstance(n, ast.OtherStatement):
            m = _PATTERN.match(n.text)
            if m:
                out.add(m.group(1))
    return out


def check(node: Any, defined: set[str]) -> list[Problem]:
    """The semantic problems of one parsed request; `defined` holds the names the script
    has defined so far (this request's own included)."""
    from kshell import catalog
    from kshell.query import signatures

    known = _engine_names()
    problems: list[Problem] = []
    for n in walk(node):
        if isinstance(n, ast.Call):
            if n.target is not None or n.name in defined or n.name.lower() in _SOURCES:
                continue
            entry = catalog.lookup(n.name)
            if entry is None:
                if n.name not in known:
                    problems.append((n.pos, "error",
                                     f"SemanticError: Failed to resolve scalar expression named '{n.name}'"))
                continue
            if not entry.simulated and n.name not in known:
                problems.append((n.pos, "not simulated", f"NotSupported: {catalog.not_simulated_message(n.name)}"))
                continue
            wrong = signatures.check(n.name, [_literal_type(a) for a in n.args])
            if wrong is not None:
                problems.append((n.pos, "error", f"SemanticError: {wrong}"))
                continue
            bounds = arity(entry.signature)
            if bounds is not None and bounds == known.get(n.name, bounds):
                lo, hi = bounds
                count = len(n.args)
                if count < lo or (hi is not None and count > hi):
                    problems.append((n.pos, "error", f"SemanticError: function '{n.name}' expects "
                                     f"{_arity_text(lo, hi)} argument(s), got {count}"))
        elif isinstance(n, ast.OtherOperator) and n.name.lower() == "evaluate":
            m = _PLUGIN.match(n.text)
            if m:
                entry = catalog.lookup(m.group(1), "plugin")
                if entry is not None and not entry.simulated:
                    problems.append((n.pos, "not simulated",
                                     f"NotSupported: {catalog.not_simulated_message(entry.name)}"))
    return problems


def arity(signature: str) -> tuple[int, int | None] | None:
    """(least, most) arguments of a catalog signature such as `strrep(value, multiplier,
    [ delimiter ])` or `indexof(string,match[,start[,length]])`; None when the signature
    is not one unambiguous form (`...`, several forms, unbalanced brackets)."""
    m = re.fullmatch(r"\s*[\w.]+\s*\((.*)\)\s*", signature, re.S)
    if m is None or "..." in signature or "|" in signature or "(" in m.group(1):
        return None
    params = m.group(1)
    depth, required_text = 0, []
    for ch in params:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            required_text.append(ch)
    if depth != 0:
        return None
    names = lambda text: [p for p in (x.strip() for x in text.split(",")) if p]
    everything = names(params.replace("[", ",").replace("]", ","))
    required = names("".join(required_text))
    if any(not re.fullmatch(r"\*?[A-Za-z_]\w*\*?", p) for p in everything):
        return None
    return len(required), len(everything)


def _literal_type(arg: Any) -> str:
    """The type of a literal argument; anything else is decided at run time ("dynamic"
    passes every parameter check), as --check knows no table's schema."""
    if isinstance(arg, ast.NamedArg):
        arg = arg.value
    return arg.type if isinstance(arg, ast.Literal) else "dynamic"


def _arity_text(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"at least {lo}"
    return str(lo) if lo == hi else f"{lo} to {hi}"


def _engine_names() -> dict[str, tuple[int, int | None]]:
    """Functions and aggregates the engine runs (kshell's own additions included), with
    the argument counts the engine accepts."""
    import kshell.query.compiler  # noqa: F401  (loads every registry: kshell.query.library)
    from kshell.query import aggregates, functions

    out = {n: (s.min_args, s.max_args) for n, s in aggregates.REGISTRY.items()}
    out.update((n, (s.min_args, s.max_args)) for n, s in functions.REGISTRY.items())
    return out
