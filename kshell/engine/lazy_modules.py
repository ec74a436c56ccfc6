"""Standard modules imported on first use, for modules of the start-up path.

`decimal`, `json` and `uuid` cost a millisecond or more each to import; engine
modules that a one-command script imports (values, tables, databases ...) use them
only in some requests (issue 18).  `name = lazy_module(globals(), "name")` binds the
name to a stand-in that imports the module the first time one of its attributes is
used and then puts the module itself in the importing module's globals, so later
uses cost nothing extra (as kshell.lazy_re does for regular expressions).
"""

from __future__ import annotations


class _LazyModule:
    __slots__ = ("_namespace", "_name", "_module", "_load")

    def __init__(self, namespace: dict, name: str, load):
        self._namespace, self._name, self._module, self._load = namespace, name, None, load

    def __getattr__(self, attr: str):
        module = self._module
        if module is None:
            if self._load is not None:
                module = self._load()
            else:
                from importlib import import_module

                module = import_module(self._name)
            self._module = module
            if self._namespace.get(self._name) is self:
                self._namespace[self._name] = module
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r} (imported on first use)>"


def lazy_module(namespace: dict, name: str, load=None):
    """Bind namespace[name] to the module `name`, imported on first use (see the module
    docstring) by `load()` when given (kshell.engine.guids.uuid_module for `uuid`)."""
    stand_in = namespace[name] = _LazyModule(namespace, name, load)
    return stand_in
