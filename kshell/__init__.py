"""kshell: a Kusto shell over a simulated Azure Data Explorer cluster."""

__version__ = "0.1.0"

from kshell.gc_pause import begin_startup as _begin_startup  # noqa: E402

# The collector's thresholds to put back once the program has started (kshell.gc_pause).
_STARTUP_GC = _begin_startup()
