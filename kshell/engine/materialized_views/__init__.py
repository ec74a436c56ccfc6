"""Materialized views: the model (`model`), the commands (`commands`), and keeping each
view up to date as its source table is ingested into (`refresh`, an ingestion hook).

A view keeps its own copy of the source rows it has processed (the rows ingested
after its creation, or all of them with backfill), so it outlives the source's
retention as in the service; its result is the view query over that copy,
recomputed after each ingestion into the source.  See docs/materialized-views.md.

The package imports nothing itself: the session loads its modules on first use
(session.HANDLER_INDEX, HOOK_OWNERS).
"""
