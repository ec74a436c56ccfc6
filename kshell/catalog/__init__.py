"""The catalog of the documented query language: every scalar function, aggregate,
window function, operator, statement and plugin, with its signature, result type,
a one-line description and whether kshell runs it.

Plain data (kshell/catalog/data.py, one tab-separated line per item), parsed on
first use, so importing this module costs nothing.  Used by the query engine
(a documented item kshell does not run is `NotSupported: '<name>' is not simulated
by kshell`), by `--check`'s semantic pass, and by completion and `#help`.

    from kshell.catalog import lookup, entries
    lookup("geo_distance_2points")   # CatalogEntry(...) or None
    entries("plugin")                # every plugin
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("function", "aggregate", "window", "operator", "plugin", "command")


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    kind: str            # one of KINDS
    signature: str
    result_type: str     # a Kusto type, "table" for tabular operators and plugins, or a rule in words
    description: str
    simulated: bool
    reason: str          # why kshell does not run it ("" when simulated)


_ENTRIES: list[CatalogEntry] | None = None
_BY_NAME: dict[str, list[CatalogEntry]] = {}


def _load() -> list[CatalogEntry]:
    global _ENTRIES
    if _ENTRIES is None:
        from kshell.catalog.data import TABLE

        out = []
        for line in TABLE.strip("\n").splitlines():
            kind, name, signature, rtype, status, description = line.split("\t")
            simulated = status == "runs"
            out.append(CatalogEntry(name, kind, signature, rtype, description, simulated,
                                    "" if simulated else status))
        for e in out:
            _BY_NAME.setdefault(e.name, []).append(e)
            _BY_NAME.setdefault(e.name.lower(), [])
            if e.name.lower() != e.name:
                _BY_NAME[e.name.lower()].append(e)
        _ENTRIES = out
    return _ENTRIES


def entries(kind: str | None = None) -> list[CatalogEntry]:
    """Every documented item, or those of one kind, in catalog order."""
    all_entries = _load()
    return list(all_entries) if kind is None else [e for e in all_entries if e.kind == kind]


def lookup(name: str, kind: str | None = None) -> CatalogEntry | None:
    """The documented item called `name` (a function before an aggregate, window function,
    plugin or operator of the same name, unless `kind` says which), or None."""
    _load()
    found = _BY_NAME.get(name) or _BY_NAME.get(name.lower()) or []
    if kind is not None:
        found = [e for e in found if e.kind == kind]
    return found[0] if found else None


def not_simulated_message(name: str) -> str:
    """The wording of the NotSupported error for a documented item kshell does not run."""
    e = lookup(name)
    why = f" ({e.reason})" if e is not None and e.reason and e.reason != "not implemented yet" else ""
    return f"'{name}' is not simulated by kshell{why}"
