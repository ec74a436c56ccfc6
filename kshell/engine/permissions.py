"""Permission checks: one declarative table from command kind to required role.

Filled in by the security family (issue 6).  Until then every request is
allowed, which matches the default session principal (AllDatabasesAdmin).
"""

from __future__ import annotations

from typing import Any


def check(session: Any, node: Any) -> None:
    """Raise kshell.errors.Forbidden when the session principal may not run `node`."""
    return None
