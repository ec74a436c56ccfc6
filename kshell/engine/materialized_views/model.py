"""The materialized view record (kept in `Database.materialized_views`)."""

from __future__ import annotations

import datetime as dt

from kshell.engine.cluster import Column, Extent, Table
from kshell.syntax.records import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional

# Aggregation functions a materialized view's summarize may use (the service's list).
SUPPORTED_AGGREGATES = frozenset({
    "count", "countif", "dcount", "dcountif", "sum", "sumif", "min", "max", "avg", "avgif",
    "take_any", "take_anyif", "any", "arg_max", "arg_min", "make_set", "make_set_if", "make_list",
    "make_list_if", "make_bag", "make_bag_if", "percentile", "percentiles", "tdigest", "hll",
})


class MaterializedView(Record):
    name: str
    source_table: str
    query: str                          # "{ T | summarize ... }" as written
    columns: list[Column]               # the view's output schema
    processed: Table                    # the source rows the view has taken in (its own copy)
    data: list[list[Any]] = field(default_factory=list)    # the materialized result (columnar)
    extents: list[Extent] = field(default_factory=list)
    folder: str = ""
    docstring: str = ""
    auto_update_schema: bool = False
    effective_datetime: Optional[dt.datetime] = None
    lookback: Optional[str] = None
    is_enabled: bool = True
    materialized_to: Optional[dt.datetime] = None
    last_run: Optional[dt.datetime] = None
    last_run_result: str = "Completed"
    failures: list[dict] = field(default_factory=list)
    paused_at: list[Any] = field(default_factory=list)   # source extent ids present when disabled
    policies: dict[str, Any] = field(default_factory=dict)
    principals: list[Any] = field(default_factory=list)
    created_by: str = ""

    def __post_init__(self) -> None:
        if not self.data:
            self.data = [[] for _ in self.columns]

    @property
    def row_count(self) -> int:
        return len(self.data[0]) if self.data else 0

    def column_index(self, name: str) -> int | None:
        for i, c in enumerate(self.columns):
            if c.name == name:
                return i
        return None

    def expire(self, cutoff: dt.datetime) -> None:
        """Retention of the view: processed source rows ingested before `cutoff` leave it."""
        from kshell.engine.extent_data import remove_extents

        remove_extents(self.processed, lambda e: e.ingestion_time < cutoff)
