"""Where requests go: the one interface the shell and the script runner use for any target.

A target runs one request given as text (a query, or a command when it starts
with `.`) and returns kshell Results or raises a KustoError; it cancels the
request in flight; it describes its schema for completion (`cluster`: an object
shaped like kshell.engine.cluster.Cluster, names only, possibly empty while a
remote schema loads); it describes itself for the toolbar and `#connect`
(`status()`); and it names the directive scopes it serves, which is how the
directive registry refuses `#identity` and friends on a real cluster.

Two implementations: `LocalTarget` here, a thin adapter over the simulated
cluster's kshell.engine.session.Session, and kshell.remote.client.RemoteTarget,
a client of a real cluster through the official SDK.  Nothing else in the shell
asks which kind of target it is talking to.
"""

from __future__ import annotations

import re

from kshell.lazy_re import lazy

# Annotations only: no `typing` at start-up (issue 18).  `Target` is a Protocol for a
# type checker and a plain class (documentation) at run time: nothing asks isinstance.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    from kshell.result import Result
else:
    Protocol = object

# Directive scopes (kshell.directives.Directive.scope):
CLIENT = "client"        # output settings, #help, #db, #connect: every target
SIMULATOR = "simulator"  # #identity, #as, #time, #storage, #save ...: the simulated cluster only
REMOTE = "remote"        # #qp, #crp, #refresh: a real cluster's request options


class Target(Protocol):
    name: str                           # "local", or the cluster's URL
    title: str                          # for the banner: "simulated Kusto cluster", "connected to URL"
    directive_scopes: frozenset[str]
    after_commit: list                  # hooks called after each successful request

    @property
    def database_name(self) -> str: ...

    @property
    def cluster(self) -> Any: ...       # the schema, Cluster-shaped (see module doc)

    @property
    def principal(self) -> str: ...     # who requests run as, as far as the client knows

    def execute(self, text: str) -> list[Result]: ...

    def cancel(self) -> None: ...

    def use_database(self, name: str) -> None: ...

    def status(self) -> list[tuple[str, str]]: ...

    def refresh_schema(self) -> str: ...

    def refusal(self, directive: str, scope: str) -> str: ...

    def sync(self) -> None: ...

    def close(self) -> None: ...


class LocalTarget:
    """The simulated cluster: every call goes straight to the engine Session."""

    name = "local"
    title = "simulated Kusto cluster"
    directive_scopes = frozenset({CLIENT, SIMULATOR})

    def __init__(self, session: Any):
        self.session = session

    # the engine session already has the shape the completer and the toolbar read
    @property
    def database_name(self) -> str:
        return self.session.database_name

    @property
    def cluster(self) -> Any:
        return self.session.cluster

    @property
    def principal(self) -> str:
        return self.session.principal

    @property
    def after_commit(self) -> list:
        return self.session.after_commit

    def now(self):
        return self.session.now()

    def execute(self, text: str) -> list[Result]:
        return self.session.execute(text)

    def cancel(self) -> None:
        # An interrupted request undoes its partial work like a failed one.
        for hook in list(getattr(self.session, "after_rollback", ()) or ()):
            try:
                hook(self.session)
            except Exception:  # noqa: BLE001 - best effort after an interruption
                pass

    def use_database(self, name: str) -> None:
        self.session.use_database(name)

    def status(self) -> list[tuple[str, str]]:
        try:
            now = self.session.now()
            clock = now.strftime("%Y-%m-%d %H:%M:%SZ") if now is not None else "?"
        except Exception:  # noqa: BLE001 - a half-built session must not break the prompt
            clock = "?"
        return [("db", str(self.database_name)), ("as", str(self.principal)), ("clock", clock)]

    def refresh_schema(self) -> str:
        return "the simulated cluster's schema is always current"

    def refusal(self, directive: str, scope: str) -> str:
        return f"#{directive} applies to a remote cluster; this is the simulated cluster (#connect TARGET first)"

    def sync(self) -> None:
        # a session backed by a state file writes directive changes now
        sync = getattr(self.session, "sync", None)
        if sync is not None:
            sync()

    def close(self) -> None:
        pass


# ------------------------------------------------------------ target specs

_URL = lazy(globals(), "_URL", r"^https?://", re.IGNORECASE)
_CONNECTION_STRING = lazy(globals(), "_CONNECTION_STRING", r"^\s*(data\s*source|server|addr|address|network\s*address|data\s*source\s*uri|"
                                                           r"server\s*uri|cluster\s*uri)\s*=", re.IGNORECASE)


_CLUSTER_CALL = lazy(globals(), "_CLUSTER_CALL", r"^\s*cluster\s*\(\s*['\"]", re.IGNORECASE)


def is_remote_spec(text: str | None) -> bool:
    """True when a command-line argument names a cluster (a URL, `cluster('NAME')...`
    or a Kusto connection string) rather than a state file."""
    if not text:
        return False
    return bool(_URL.match(text.strip()) or _CONNECTION_STRING.match(text) or _CLUSTER_CALL.match(text))


class CurrentTarget:
    """The state's target of the moment, for holders that outlive a `#connect`
    (the completer, the prompt): every attribute is read from `state.target`."""

    def __init__(self, state: Any):
        self._state = state

    def __getattr__(self, name: str) -> Any:
        return getattr(self._state.target, name)
