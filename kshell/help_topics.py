"""`#help NAME` for the language: commands, operators and functions.

Commands (`#help .show`) come from kshell's own command vocabulary
(`COMMAND_TEMPLATES`, the table that also drives completion).  Operators,
functions, aggregates and plugins come from the language catalog
(`kshell.catalog`: signature, one-line description, and whether kshell runs
it).  While the catalog is not there, the engine's own name tables still say
whether a name is something kshell knows.
"""

from __future__ import annotations


from kshell.errors import KustoError
from kshell.result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any

KIND_WORDS = {"function": "scalar function", "aggregate": "aggregation function", "window": "window function",
              "operator": "tabular operator", "plugin": "plugin (evaluate)", "command": "management command"}


class HelpError(KustoError):
    kind = "DirectiveError"


def catalog_lookup(name: str) -> Any:
    """The catalog's entry for `name`, or None (also when there is no catalog)."""
    try:
        from kshell.catalog import lookup
    except ImportError:
        return None
    try:
        return lookup(name)
    except Exception:  # noqa: BLE001 - a catalog bug must not break #help
        return None


# A completion menu's kind word -> the catalog kinds that may describe it (`count` is
# both an operator and an aggregation: the operator slot shows the operator's syntax).
_MENU_KINDS = {"function": ("function", "aggregate", "window"), "aggregate": ("aggregate",),
               "operator": ("operator",)}
_by_kind: dict[str, dict[str, Any]] = {}


def signature(name: str, kind: str | None = None) -> str | None:
    """The catalog's signature of `name` (as a `kind` from the completion menu, when given)."""
    if kind in _MENU_KINDS:
        if not _by_kind:
            try:
                from kshell.catalog import entries
            except ImportError:
                return None
            for entry in entries():
                _by_kind.setdefault(entry.kind, {}).setdefault(entry.name.lower(), entry)
        for k in _MENU_KINDS[kind]:
            entry = _by_kind.get(k, {}).get(name.lower())
            if entry is not None and entry.signature:
                return entry.signature
        return None
    entry = catalog_lookup(name)
    return getattr(entry, "signature", None) or None


def describe(name: str) -> Result | str:
    name = name.strip()
    if name.startswith("."):
        return commands(name)
    entry = catalog_lookup(name)
    if entry is not None:
        return _entry_text(entry)
    return _fallback(name)


def commands(prefix: str) -> Result:
    from kshell.syntax.vocabulary import COMMAND_TEMPLATES

    words = prefix.lower().split()
    rows = []
    for template in COMMAND_TEMPLATES:
        t_words = template.lower().split()
        if len(t_words) >= len(words) and all(t.startswith(w) if i == len(words) - 1 else t == w
                                              for i, (t, w) in enumerate(zip(t_words, words))):
            rows.append([template])
    if not rows:
        raise HelpError(f"no kshell command starts with '{prefix}'; type #help . for the list")
    return Result.of([("Command", "string")], rows)


def _entry_text(entry: Any) -> str:
    kind = KIND_WORDS.get(getattr(entry, "kind", ""), getattr(entry, "kind", ""))
    lines = [f"{entry.name} ({kind})"]
    if getattr(entry, "signature", ""):
        lines.append(f"  {entry.signature}")
    if getattr(entry, "result_type", ""):
        lines.append(f"  returns: {entry.result_type}")
    if getattr(entry, "description", ""):
        lines.append(f"  {entry.description}")
    if not getattr(entry, "simulated", True):
        what = "a Kusto " + (kind or "name")
        reason = getattr(entry, "reason", "")
        lines.append(f"  `{entry.name}` is {what} kshell does not run yet" + (f": {reason}" if reason else "."))
    return "\n".join(lines)


def _fallback(name: str) -> str:
    """Without a catalog entry: what the engine's own tables know about `name`."""
    from kshell.syntax.vocabulary import QUERY_OPERATORS

    low = name.lower()
    if low in QUERY_OPERATORS:
        return f"{low} (tabular operator)\n  T | {low} ..."
    try:
        from kshell.query import aggregates, functions

        if low in {n.lower() for n in functions.names()}:
            return f"{low} (scalar function)\n  {low}(...)"
        if low in {n.lower() for n in aggregates.names()}:
            return f"{low} (aggregation function)\n  {low}(...)"
    except ImportError:
        pass
    raise HelpError(f"'{name}' is not a directive, command, operator or function kshell knows; "
                    "type #help for the directives")
