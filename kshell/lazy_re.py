"""Module-level regular expressions compiled on first use.

Compiling a pattern costs 0.1-1 ms; a module that defines a few at import makes every
script start-up pay for them even when the request never uses them (issue 18).
`lazy(globals(), "NAME", pattern, flags)` binds NAME to a stand-in that compiles the
pattern the first time any of its methods is used and then puts the compiled pattern
in the module's globals under NAME, so later uses in that module cost nothing extra.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class _Lazy:
    __slots__ = ("_namespace", "_name", "_args", "_compiled")

    def __init__(self, namespace: dict, name: str, args: tuple):
        self._namespace, self._name, self._args, self._compiled = namespace, name, args, None

    def __getattr__(self, attr: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            import re

            compiled = self._compiled = re.compile(*self._args)
            if self._namespace.get(self._name) is self:
                self._namespace[self._name] = compiled
        return getattr(compiled, attr)


def lazy(namespace: dict, name: str, pattern: str, flags: int = 0) -> Any:
    """Bind namespace[name] to `pattern` compiled on first use (see the module docstring)."""
    stand_in = namespace[name] = _Lazy(namespace, name, (pattern, flags))
    return stand_in
