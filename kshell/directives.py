"""Client directives: `#name args` lines that never reach the parser.

A registry: each directive is registered once with `@directive(...)` in the
module of the family it belongs to, and `#help` is generated from the
registry.  A directive function receives the ShellState and the argument text
and returns a Result, a str (a notice), or None.
"""

from __future__ import annotations

from kshell.errors import KustoError

# Annotations only: script start-up loads neither `typing` nor `dataclasses` (issue 18).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    DirectiveFn = Callable[["ShellState", str], Any]


class DirectiveError(KustoError):
    kind = "DirectiveError"


class Directive:
    """One registered directive (`@directive`)."""

    __slots__ = ("name", "usage", "help", "fn", "aliases", "scope")

    def __init__(self, name: str, usage: str, help: str, fn: DirectiveFn, aliases: tuple[str, ...] = (),
                 scope: str = "client"):
        self.name, self.usage, self.help, self.fn = name, usage, help, fn
        self.aliases = aliases
        self.scope = scope  # which targets serve it (kshell.target: client, simulator, remote)

    def __repr__(self) -> str:
        return f"Directive(name={self.name!r}, usage={self.usage!r}, scope={self.scope!r})"


class ShellState:
    """What directives may read and change: the session and the output settings."""

    def __init__(self, session: Any, format: str = "table", timing: bool = False, types: bool = False,
                 pager: bool = True, echo: bool = False, quit: bool = False, interactive: bool = False,
                 extras: dict[str, Any] | None = None, connection: Any = None, _local: Any = None):
        self.session = session
        self.format = format
        self.timing = timing
        self.types = types
        self.pager = pager
        self.echo = echo
        self.quit = quit
        self.interactive = interactive
        self.extras = {} if extras is None else extras
        # The cluster `#connect` (or the command line) chose; None: the local `session`.
        self.connection = connection
        self._local = _local

    def __repr__(self) -> str:
        return (f"ShellState(session={self.session!r}, format={self.format!r}, timing={self.timing!r}, "
                f"types={self.types!r}, pager={self.pager!r}, echo={self.echo!r}, quit={self.quit!r}, "
                f"interactive={self.interactive!r}, extras={self.extras!r}, connection={self.connection!r})")

    @property
    def target(self) -> Any:
        """Where requests go now (a kshell.target.Target)."""
        if self.connection is not None:
            return self.connection
        if self.session is None:  # started on a remote cluster: `#connect local` makes a fresh one
            from kshell.engine.session import Session

            self.session = Session()
        if self._local is None or self._local.session is not self.session:
            from kshell.target import LocalTarget

            self._local = LocalTarget(self.session)
        return self._local


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
    "kshell.remote.directives",
)

# The directives of these modules act on the simulated cluster (scope "simulator"):
# a target that is not the simulator refuses them.
SIMULATOR_MODULES = frozenset({
    "kshell.engine.identity_directives",
    "kshell.engine.security_directives",
    "kshell.engine.storage_directives",
    "kshell.engine.clock_directives",
    "kshell.engine.export_directives",
    "kshell.store_directives",
})

# Lazy loading (script start-up): the module registering each directive name, so
# that running one imports only its module (`#help` and completion load them all).
# Data: a module that adds a directive adds a line; tests/test_startup.py checks it.
DIRECTIVE_INDEX: dict[str, str] = {
    'as': 'kshell.engine.security_directives',
    'blockmode': 'kshell.directives_core',
    'chart': 'kshell.directives_core',
    'clip': 'kshell.directives_core',
    'connect': 'kshell.remote.directives',
    'crp': 'kshell.remote.directives',
    'db': 'kshell.directives_core',
    'dbcontext': 'kshell.directives_core',
    'echo': 'kshell.directives_core',
    'exit': 'kshell.directives_core',
    'export': 'kshell.engine.export_directives',
    'format': 'kshell.directives_core',
    'group': 'kshell.engine.security_directives',
    'help': 'kshell.directives_core',
    'identity': 'kshell.engine.identity_directives',
    'linemode': 'kshell.directives_core',
    'open': 'kshell.store_directives',
    'out': 'kshell.directives_core',
    'pager': 'kshell.repl.directives_repl',
    'qp': 'kshell.remote.directives',
    'quit': 'kshell.directives_core',
    'refresh': 'kshell.remote.directives',
    'save': 'kshell.store_directives',
    'storage': 'kshell.engine.storage_directives',
    'time': 'kshell.engine.clock_directives',
    'timing': 'kshell.directives_core',
    'types': 'kshell.directives_core',
}


def directive(name: str, usage: str, help: str, aliases: tuple[str, ...] = (),
              scope: str | None = None) -> Callable[[DirectiveFn], DirectiveFn]:
    def register(fn: DirectiveFn) -> DirectiveFn:
        d = Directive(name, usage, help, fn, aliases,
                      scope or ("simulator" if fn.__module__ in SIMULATOR_MODULES else "client"))
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
    import importlib

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


def target_of(state: Any) -> Any:
    """The target a state sends requests to (a bare object with a `session` is local)."""
    target = getattr(state, "target", None)
    if target is None:
        from kshell.target import LocalTarget

        target = LocalTarget(state.session)
    return target


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
            import importlib

            importlib.import_module(mod)
            d = _REGISTRY.get(word.lower())
        if d is None:
            _load()
            d = _REGISTRY.get(word.lower())
    if d is None:
        raise DirectiveError(f"unknown directive '#{word}'; type #help for the list")
    target = target_of(state)
    if d.scope not in target.directive_scopes:
        raise DirectiveError(target.refusal(d.name, d.scope))
    out = d.fn(state, args.strip())
    # A directive may change the cluster (#time, #identity ...): the state file
    # records it through the same hook as a successful request.
    target = target_of(state)  # (#connect may have changed it)
    for hook in list(getattr(target, "after_commit", ())):
        hook(getattr(target, "session", target))
    return out
