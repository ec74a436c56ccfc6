"""What policies do, beyond being shown.

- retention: when the simulated clock moves, extents whose ingestion time is
  older than the effective SoftDeletePeriod (the table's policy, else its
  database's) are removed with their rows.
- auto_delete: when the clock passes ExpiryDate the table is dropped (unless it
  holds rows and DeleteIfNotEmpty is false).
- extent_tags_retention: tags with a listed prefix are removed from extents
  older than the RetentionPeriod.
- restricted_view_access: enforced by the one read check
  (kshell.engine.permissions.check_table_read): UnrestrictedViewer is needed.
- ingestiontime: when disabled, `ingestion_time()` reads null for the table.
- streamingingestion: an append whose origin is "streaming" needs the policy
  enabled on the table or its database.

Each effect registers itself in the hook list of the mechanism it acts in
(clock_directives.CLOCK_HOOKS, queries.TABLE_READ_HOOKS, ingest.INGESTION_HOOKS).
"""

from __future__ import annotations

import datetime as dt

from kshell.engine.policies.schema import parse_datetime, parse_timespan
from kshell.errors import BadRequest
from kshell.result import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

STREAMING_ORIGIN = "streaming"


# ------------------------------------------------------------ effective policies

def effective(kind: str, db: Any, table: Any) -> Any:
    """The policy in force for a table: its own, else its database's."""
    policy = table.policies.get(kind) if table is not None else None
    return policy if policy is not None else db.policies.get(kind)


def soft_delete_period(db: Any, table: Any) -> dt.timedelta | None:
    policy = effective("retention", db, table)
    if not policy:
        return None
    return parse_timespan(policy.get("SoftDeletePeriod"))


# ------------------------------------------------------------ the clock

def on_clock(session: Any, old_now: dt.datetime, new_now: dt.datetime) -> list[Result]:
    """CLOCK_HOOKS entry: apply retention, extent tag retention and auto delete at `new_now`."""
    from kshell.engine.extent_data import remove_extents

    shown: list[Result] = []
    for db in list(session.cluster.databases.values()):
        for table in list(db.tables.values()):
            if _auto_delete_due(table, new_now):
                del db.tables[table.name]
                continue
            period = soft_delete_period(db, table)
            if period is not None:
                try:
                    cutoff = new_now - period
                except OverflowError:  # a period longer than the calendar: nothing is old enough
                    cutoff = None
                if cutoff is not None:
                    remove_extents(table, lambda e: e.ingestion_time < cutoff or not period)
            _expire_tags(db, table, new_now)
    return shown


def _auto_delete_due(table: Any, now: dt.datetime) -> bool:
    policy = table.policies.get("auto_delete")
    if not policy:
        return False
    expiry = parse_datetime(policy.get("ExpiryDate"))
    if expiry is None or now < expiry:
        return False
    return bool(policy.get("DeleteIfNotEmpty")) or table.row_count == 0


def _expire_tags(db: Any, table: Any, now: dt.datetime) -> None:
    rules = effective("extent_tags_retention", db, table)
    if not rules:
        return
    from kshell.engine.cluster import Extent

    changed = False
    extents = []
    for e in table.extents:
        tags = [t for t in e.tags if not _tag_expired(t, e.ingestion_time, now, rules)]
        if tags != e.tags:
            changed = True
            e = Extent(e.extent_id, e.first_row, e.row_count, e.ingestion_time, tags)
        extents.append(e)
    if changed:
        table.extents = extents


def _tag_expired(tag: str, created: dt.datetime, now: dt.datetime, rules: list[dict]) -> bool:
    for rule in rules:
        if tag.startswith(rule.get("TagPrefix", "\0")):
            period = parse_timespan(rule.get("RetentionPeriod"))
            if period is not None and now - created > period:
                return True
    return False


def drop_soft_deleted(batch: Any) -> None:
    """AFTER_APPLY_HOOKS entry: a table whose SoftDeletePeriod is 0 keeps no rows once the
    batch (and the update policies reading it) is done."""
    from kshell.engine.extent_data import remove_extents

    for append in batch.appends:
        period = soft_delete_period(append.database, append.table)
        if period is not None and not period:
            remove_extents(append.table, lambda e: True)


# ------------------------------------------------------------ reads

class _WithoutIngestionTime:
    """A table as read when its ingestion time policy is disabled: ingestion_time() is null."""

    __slots__ = ("_table", "extents")

    def __init__(self, table: Any):
        from kshell.engine.cluster import Extent

        self._table = table
        self.extents = [Extent(e.extent_id, e.first_row, e.row_count, None, e.tags) for e in table.extents]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


def hide_ingestion_time(ctx: Any, db_name: str, src: Any) -> Any:
    """TABLE_READ_HOOKS entry: ingestiontime disabled -> no ingestion times."""
    policies = getattr(src, "policies", None)
    if isinstance(policies, dict) and (policies.get("ingestiontime") or {}).get("IsEnabled") is False:
        return _WithoutIngestionTime(src)
    return src


# ------------------------------------------------------------ ingestion

def streaming_enabled(db: Any, table: Any) -> bool:
    policy = effective("streamingingestion", db, table)
    return bool(policy and policy.get("IsEnabled"))


def gate_streaming(batch: Any, append: Any) -> None:
    """INGESTION_HOOKS entry: streaming appends need the streaming ingestion policy."""
    if append.origin != STREAMING_ORIGIN:
        return
    if not streaming_enabled(append.database, append.table):
        err = BadRequest(f"Streaming ingestion policy is not enabled for table '{append.database.name}."
                         f"{append.table.name}' (nor its database)")
        err.code = "StreamingIngestionPolicyNotEnabled"
        raise err


# ------------------------------------------------------------ registration

def register() -> None:
    from kshell.engine import ingest, queries
    from kshell.engine.clock_directives import CLOCK_HOOKS

    if on_clock not in CLOCK_HOOKS:
        CLOCK_HOOKS.append(on_clock)
    if hide_ingestion_time not in queries.TABLE_READ_HOOKS:
        queries.TABLE_READ_HOOKS.append(hide_ingestion_time)
    if drop_soft_deleted not in ingest.AFTER_APPLY_HOOKS:
        ingest.AFTER_APPLY_HOOKS.append(drop_soft_deleted)
    if gate_streaming not in ingest.INGESTION_HOOKS:
        ingest.INGESTION_HOOKS.insert(0, gate_streaming)  # before update policies cascade


register()
