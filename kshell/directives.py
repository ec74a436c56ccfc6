"""Client directives: `#name args` lines that never reach the parser.

A registry: each directive is registered once with `@directive(...)` in the
module of the family it belongs to, and `#help` is generated from the
registry.  A directive function receives the ShellState and the argument text
and returns a Result, a str (a notice), or None.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kshell.errors import KustoError

DirectiveFn = Callable[["ShellState", str], Any]


class DirectiveError(KustoError):
    kind = "DirectiveError"


@dataclass(slots=True)
class Directive:
    name: str
    usage: str
    help: str
    fn: DirectiveFn
    aliases: tuple[str, ...] = ()


@dataclass
class ShellState:
    """What directives may read and change: the session and the output settings."""

    session: Any
    format: str = "table"
    timing: bool = False
    types: bool = False
    pager: bool = True
    echo: bool = False
    quit: bool = False
    interactive: bool = False
    extras: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, Directive] = {}

# Modules whose directives register on import.  A module not built yet is skipped.
DIRECTIVE_MODULES = (
    "kshell.directives_core",
    "kshell.engine.identity_directives",
    "kshell.engine.security_directives",
    "kshell.engine.storage_directives",
    "kshell.engine.clock_directives",
    "kshell.engine.export_directives",
    "kshell.store_directives",
    "kshell.repl.directives_repl",
)


# Lazy loading (script start-up): the module registering each directive name, so
# that running one imports only its module (`#help` and completion load them all).
# Data: a module that adds a directive adds a line; tests/test_startup.py checks it.
DIRECTIVE_INDEX: dict[str, str] = {
    'as': 'kshell.engine.security_directives',
    'db': 'kshell.directives_core',
    'dbcontext': 'kshell.directives_core',
    'echo': 'kshell.directives_core',
    'exit': 'kshell.directives_core',
    'export': 'kshell.engine.export_directives',
    'format': 'kshell.directives_core',
    'group': 'kshell.engine.security_directives',
    'help': 'kshell.directives_core',
    'identity': 'kshell.engine.identity_directives',
    'open': 'kshell.store_directives',
    'pager': 'kshell.repl.directives_repl',
    'quit': 'kshell.directives_core',
    'save': 'kshell.store_directives',
    'storage': 'kshell.engine.storage_directives',
    'time': 'kshell.engine.clock_directives',
    'timing': 'kshell.directives_core',
    'types': 'kshell.directives_core',
}


def directive(name: str, usage: str, help: str, aliases: tuple[str, ...] = ()) -> Callable[[DirectiveFn], DirectiveFn]:
    def register(fn: DirectiveFn) -> DirectiveFn:
        d = Directive(name, usage, help, fn, aliases)
        _REGISTRY[name] = d
        for a in aliases:
            _REGISTRY[a] = d
        return fn

    return register


_loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for mod in DIRECTIVE_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as e:
            if e.name != mod:
                raise


def all_directives() -> list[Directive]:
    """Each directive once, in name order."""
    _load()
    seen: dict[str, Directive] = {}
    for d in _REGISTRY.values():
        seen.setdefault(d.name, d)
    return sorted(seen.values(), key=lambda d: d.name)


def names() -> list[str]:
    _load()
    return sorted(_REGISTRY)


def run_directive(state: ShellState, line: str) -> Any:
    """Run one `#...` line."""
    body = line.strip()[1:].strip()
    word, _, args = body.partition(" ")
    if not word:
        raise DirectiveError("empty directive; type #help for the list")
    d = _REGISTRY.get(word.lower())
    if d is None and not _loaded:
        mod = DIRECTIVE_INDEX.get(word.lower())
        if mod is not None:
            importlib.import_module(mod)
            d = _REGISTRY.get(word.lower())
        if d is None:
            _load()
            d = _REGISTRY.get(word.lower())
    if d is None:
        raise DirectiveError(f"unknown directive '#{word}'; type #help for the list")
    out = d.fn(state, args.strip())
    # A directive may change the cluster (#time, #identity ...): the state file
    # records it through the same hook as a successful request.
    session = getattr(state, "session", None)
    for hook in getattr(session, "after_commit", ()):
        hook(session)
    return out
