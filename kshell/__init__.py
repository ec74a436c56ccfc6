"""kshell: a Kusto shell over a simulated Azure Data Explorer cluster."""

__version__ = "0.1.0"
