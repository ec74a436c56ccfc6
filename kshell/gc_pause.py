"""The pauses of Python's cyclic garbage collector: around bulk work, and at start-up.

kshell's bulk paths (parsing a large input, loading or writing a state file's rows,
evaluating a query over millions of values, a policy of 100,000 identities) allocate
millions of objects that survive and form no reference cycles; each pass of the collector
would walk all of them again, which measured at 40% or more of such work.  Nothing they
create needs the cycle collector, so pausing loses nothing; it resumes as it was.

Start-up is the same kind of work (issue 18): importing kshell builds tens of thousands
of long-lived objects (modules, classes, functions, tables of data) and next to no
garbage, yet the collector ran some 25 times over them in a one-command script (~4 ms
of it).  kshell/__init__.py raises the first generation's threshold (collections still
happen, a hundred times less often); the first request a session runs ends the start-up
(`end_startup`): what exists then is frozen -- later collections never walk it again --
and the thresholds are put back.
"""

from __future__ import annotations

import gc

STARTUP_THRESHOLD = 100_000  # allocations between two young-generation collections while starting


class gc_paused:  # noqa: N801 - used as a function: `with gc_paused():`
    """Pause the collector meanwhile (when `bulk`; a small job is not worth it).

    A class rather than a `contextlib.contextmanager`: contextlib is not needed for it at start-up."""

    __slots__ = ("_bulk", "_paused")

    def __init__(self, bulk: bool = True):
        self._bulk, self._paused = bulk, False

    def __enter__(self) -> None:
        if self._bulk and gc.isenabled():
            gc.disable()
            self._paused = True

    def __exit__(self, *exc: object) -> bool:
        if self._paused:
            self._paused = False
            gc.enable()
        return False


def begin_startup() -> tuple[int, int, int] | None:
    """Raise the young generation's threshold; returns the thresholds to put back (None
    when the collector is off or someone set its thresholds already)."""
    saved = gc.get_threshold()
    if not gc.isenabled() or saved[0] >= STARTUP_THRESHOLD:
        return None
    gc.set_threshold(STARTUP_THRESHOLD, *saved[1:])
    return saved


def end_startup() -> None:
    """The program has started (its first request ran): freeze what exists and put the
    thresholds back (once; nothing to do when begin_startup changed nothing)."""
    import kshell

    saved = kshell.__dict__.pop("_STARTUP_GC", None)
    if saved is not None and gc.get_threshold()[0] == STARTUP_THRESHOLD:
        gc.freeze()
        gc.set_threshold(*saved)
