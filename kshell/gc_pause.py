"""One way to pause Python's cyclic garbage collector around bulk work.

kshell's bulk paths (parsing a large input, loading or writing a state file's rows,
evaluating a query over millions of values, a policy of 100,000 identities) allocate
millions of objects that survive and form no reference cycles; each pass of the collector
would walk all of them again, which measured at 40% or more of such work.  Nothing they
create needs the cycle collector, so pausing loses nothing; it resumes as it was.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def gc_paused(bulk: bool = True) -> Iterator[None]:
    """Pause the collector meanwhile (when `bulk`; a small job is not worth it)."""
    if not bulk or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
