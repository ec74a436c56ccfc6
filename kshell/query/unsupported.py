"""The one error for a documented language item kshell does not run.

`NotSupported: '<name>' is not simulated by kshell` (with the catalog's reason when it
has one) is kept apart from "Failed to resolve scalar expression", which means the
user's own name is unknown: the catalog (kshell.catalog) says which names are documented.
"""

from __future__ import annotations

import re
from typing import Any

from kshell.errors import NotSupported


def not_simulated(name: str, *, always: bool = False) -> None:
    """Raise NotSupported when `name` is a documented item kshell does not run (or,
    with always=True, for any name the caller already knows it cannot run)."""
    from kshell.catalog import lookup, not_simulated_message

    entry = lookup(name)
    if entry is not None and not entry.simulated or always:
        raise NotSupported(not_simulated_message(name))


def source_name(node: Any) -> str:
    """The name of an unmodelled source: the plugin an `evaluate [hints] name(...)` calls,
    otherwise the source's keyword (find, search, externaldata...)."""
    if node.name == "evaluate":
        m = re.match(r"\s*evaluate\s+(?:hint\.\w+\s*=\s*\S+\s+)*(\w+)", node.text)
        if m:
            return m.group(1)
    return node.name
