"""Policies that act: retention and auto delete on the simulated clock, extent tag
retention, restricted view access in queries, ingestion time, streaming ingestion."""

from __future__ import annotations

import datetime as dt

import pytest

from kshell.errors import KustoError
from script_shell import ScriptShell


@pytest.fixture
def sh(session):
    return ScriptShell(session)


def test_retention_removes_extents_older_than_the_soft_delete_period(sh):
    sh.run(".create table T (a:string)\n.alter-merge table T policy retention softdelete = 2d")
    sh.run(".ingest inline into table T <| first")
    sh.run("#time advance 1d")
    sh.run(".ingest inline into table T <| second")
    sh.run("#time advance 1d")
    assert sh.rows("T | order by a asc") == [["first"], ["second"]]  # exactly 2 days old: kept
    sh.run("#time advance 1h")
    assert sh.rows("T") == [["second"]]
    assert [r[-5] for r in sh.rows(".show table T extents")] == [1]  # RowCount of the one left
    sh.run("#time advance 1d")
    assert sh.rows("T | count") == [[0]]


def test_database_retention_applies_unless_the_table_has_its_own(sh):
    sh.run(".create table T (a:string)\n.create table Keep (a:string)")
    sh.run(".alter-merge database NetDefaultDB policy retention softdelete = 1d")
    sh.run(".alter-merge table Keep policy retention softdelete = 30d")
    sh.run(".ingest inline into table T <| x\n\n.ingest inline into table Keep <| y")
    sh.run("#time advance 2d")
    assert sh.rows("T | count") == [[0]] and sh.rows("Keep | count") == [[1]]


def test_zero_soft_delete_keeps_nothing_but_update_policies_still_see_the_rows(sh):
    sh.run(".create table Src (a:string)\n.create table Dst (a:string)")
    sh.run(".alter table Dst policy update @'[{\"IsEnabled\": true, \"Source\": \"Src\", \"Query\": \"Src\", "
           "\"IsTransactional\": true}]'")
    sh.run(".alter-merge table Src policy retention softdelete = 0s")
    sh.run(".ingest inline into table Src <| row")
    assert sh.rows("Src | count") == [[0]]
    assert sh.rows("Dst") == [["row"]]


def test_auto_delete_drops_the_table_when_the_clock_passes_the_expiry(sh):
    sh.run(".create table T (a:string)\n.create table Full (a:string)\n.ingest inline into table Full <| x")
    sh.run(".alter table T policy auto_delete '{\"ExpiryDate\": \"2026-01-03\"}'")
    sh.run(".alter table Full policy auto_delete '{\"ExpiryDate\": \"2026-01-03\"}'")
    sh.run("#time advance 1d")
    assert "T" in sh.session.database.tables
    sh.run("#time advance 2d")
    assert "T" not in sh.session.database.tables
    assert "Full" in sh.session.database.tables  # not empty and DeleteIfNotEmpty is false
    with pytest.raises(KustoError, match="must be later than the current time"):
        sh.run(".alter table Full policy auto_delete '{\"ExpiryDate\": \"2026-01-03\", \"DeleteIfNotEmpty\": true}'")
    sh.run(".alter table Full policy auto_delete '{\"ExpiryDate\": \"2026-01-05\", \"DeleteIfNotEmpty\": true}'")
    sh.run("#time advance 1d")
    assert "Full" not in sh.session.database.tables


def test_extent_tags_retention_drops_old_tags(sh):
    sh.run(".create table T (a:string)\n.alter table T policy extent_tags_retention "
           "'[{\"TagPrefix\": \"drop-by:\", \"RetentionPeriod\": \"1.00:00:00\"}]'")
    sh.run(".ingest inline into table T with (tags='[\"drop-by:x\", \"keep\"]') <| a")
    sh.run("#time advance 2d")
    tags = sh.run(".show table T extents")[0].as_dicts()[0]["Tags"]
    assert tags == "keep"


def test_restricted_view_access_needs_unrestricted_viewer(sh):
    sh.run(".create table T (a:string)\n.ingest inline into table T <| x\n\n.create table Open (a:string)")
    sh.run(".add database NetDefaultDB viewers ('aaduser=v@contoso.com', 'aaduser=u@contoso.com')")
    sh.run(".add database NetDefaultDB unrestrictedviewers ('aaduser=u@contoso.com')")
    sh.run(".alter table T policy restricted_view_access true")
    sh.session.principal = "aaduser=v@contoso.com"
    with pytest.raises(KustoError, match="restricted view access"):
        sh.run("T | count")
    with pytest.raises(KustoError, match="restricted view access"):
        sh.run("union Open, T | count")
    assert sh.rows("Open | count") == [[0]]
    sh.session.principal = "aaduser=u@contoso.com"
    assert sh.rows("T | count") == [[1]]


def test_restricted_view_access_change_needs_database_admin(sh):
    sh.run(".create table T (a:string)\n.add database NetDefaultDB users ('aaduser=u@contoso.com')")
    sh.session.principal = "aaduser=u@contoso.com"
    sh.run(".create table Mine (a:string)")  # the creator is its table admin
    sh.run(".alter table Mine policy caching hot = 1d")
    with pytest.raises(KustoError, match="Database Admin"):
        sh.run(".alter table Mine policy restricted_view_access true")


def test_ingestion_time_policy(sh):
    sh.run(".create table T (a:string)\n.ingest inline into table T <| x")
    assert sh.rows("T | project t = ingestion_time()") == [[dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)]]
    sh.run(".alter table T policy ingestiontime false")
    assert sh.rows("T | project t = ingestion_time()") == [[None]]
    sh.run(".alter table T policy ingestiontime true")
    assert sh.rows("T | project t = ingestion_time()")[0][0] is not None


def test_streaming_ingestion_is_gated_by_its_policy(session):
    from kshell.engine.ingest import ingest_rows

    session.execute(".create table T (a:string)")
    with pytest.raises(KustoError, match="Streaming ingestion policy is not enabled"):
        ingest_rows(session, None, "T", [["x"]], origin="streaming")
    assert session.database.tables["T"].row_count == 0
    session.execute(".alter database NetDefaultDB policy streamingingestion enable")
    ingest_rows(session, None, "T", [["x"]], origin="streaming")
    session.execute(".alter table T policy streamingingestion disable")  # the table's own policy wins
    with pytest.raises(KustoError, match="not enabled"):
        ingest_rows(session, None, "T", [["y"]], origin="streaming")
    assert session.database.tables["T"].row_count == 1


def test_end_to_end_on_the_clock(run_kshell):
    script = """.create table T (a:string)
.alter-merge table T policy retention softdelete = 1d
.ingest inline into table T <| old
#time advance 12h
.ingest inline into table T <| new

#time advance 13h
T
"""
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 0, err
    assert out.strip().splitlines()[-2:] == ["a", "new"]


def test_the_streaming_endpoint_is_gated_by_the_policy(session):
    """The REST streaming endpoint lands rows as `.ingest inline` with streaming=True."""
    from kshell.syntax.cmd_ingest import IngestInline

    session.execute(".create table T (a:string)")
    node = IngestInline(table=["T"], data="x\n", streaming=True, text=".ingest inline (streaming)")
    with pytest.raises(KustoError, match="Streaming ingestion policy is not enabled"):
        session.run(node)
    session.execute(".alter table T policy streamingingestion enable")
    session.run(node)
    assert session.execute("T")[0].rows == [["x"]]
    session.execute(".ingest inline into table T <| y")  # not streaming: no policy needed
    session.execute(".delete table T policy streamingingestion")
    session.execute(".ingest inline into table T <| z")
    assert session.execute("T | count")[0].rows == [[3]]
