"""Resource limits: sizes checked *before* anything is built, answered with a Kusto error.

The service stops a query that would exhaust a node with `E_RUNAWAY_QUERY` (too many
rows from a join or a generator) or `E_LOW_MEMORY_CONDITION`; kshell does the same
in one process, so that no input ends the program with a MemoryError.  Each limit
is a number documented in docs/security.md ("Resource limits"); a request that
hits one changes nothing.
"""

from __future__ import annotations

from kshell.errors import KustoError

MAX_RANGE_ROWS = 10_000_000            # rows one `range` may produce
MAX_JOIN_ROWS = 10_000_000             # rows one join may produce
MAX_STRING_LITERAL_CHARS = 1_048_576   # characters in one string literal of a request (1 Mi)
MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024  # bytes one compressed blob may expand to (256 MiB)

RUNAWAY = "E_RUNAWAY_QUERY"
LOW_MEMORY = "E_LOW_MEMORY_CONDITION"


class LimitExceeded(KustoError):
    """A resource limit of the simulated cluster (the request fails, nothing changes)."""

    kind = "LimitsExceeded"

    def __init__(self, message: str, code: str = RUNAWAY):
        super().__init__(f"{message} ({code})")
        self.code = code


def check(what: str, count: int, limit: int, unit: str = "rows", code: str = RUNAWAY,
          verb: str = "would produce") -> None:
    """Raise LimitExceeded when `count` (computed before building) passes `limit`."""
    if count > limit:
        raise LimitExceeded(f"{what} {verb} {count:,} {unit}, more than the limit of {limit:,}", code)
