"""Materialized views: commands, failures, queries, staying up to date at ingestion,
the simulated clock, permissions, and the csl script."""

from __future__ import annotations

import pytest

from kshell.errors import KustoError
from script_shell import ScriptShell


@pytest.fixture
def sh(session):
    s = ScriptShell(session)
    s.run(".create table T (k:string, v:long, ts:datetime)\n"
          ".ingest inline into table T <|\na,1,2026-01-01\nb,2,2026-01-01\n")
    return s


def ingest(sh, *rows):
    sh.run(".ingest inline into table T <|\n" + "\n".join(rows) + "\n")


def test_create_from_now_on_and_stay_up_to_date(sh):
    r = sh.run(".create materialized-view V on table T { T | summarize c = count(), s = sum(v), "
               "mx = max(v), av = avg(v), arg_max(ts, *) by k }")[0]
    assert r.column_names[:8] == ["Name", "SourceTable", "Query", "MaterializedTo", "LastRun", "LastRunResult",
                                  "IsHealthy", "IsEnabled"]
    assert sh.rows("V | count") == [[0]]  # without backfill: only rows ingested from now on
    ingest(sh, "a,5,2026-01-02", "a,7,2026-01-03", "c,1,2026-01-01")
    assert sh.rows("V | order by k asc | project k, c, s, mx, av, v") == [["a", 2, 12, 7, 6.0, 7], ["c", 1, 1, 1, 1.0, 1]]
    ingest(sh, "a,3,2026-01-04")
    assert sh.rows("materialized_view('V') | where k == 'a' | project c, s, v") == [[3, 15, 3]]
    # on its own, as table('T') is: a tabular source, not an unknown scalar function
    assert len(sh.rows("materialized_view('V')")) == len(sh.rows("V"))
    show = sh.run(".show materialized-view V")[0].as_dicts()[0]
    assert show["IsHealthy"] is True and show["LastRunResult"] == "Completed" and show["MaterializedTo"] is not None


@pytest.mark.parametrize("aggs,expected", [
    ("dcount(v)", [["a", 2], ["b", 1]]),
    ("countif(v > 1)", [["a", 1], ["b", 1]]),
    ("take_any(v)", None),
    ("make_set(v)", None),
    ("make_list(v)", None),
    ("arg_min(v, ts)", None),
    ("min(v)", [["a", 1], ["b", 2]]),
    ("percentile(v, 50)", None),
    ("make_bag(bag_pack('x', v))", None),
])
def test_supported_aggregations_with_backfill(sh, aggs, expected):
    ingest(sh, "a,3,2026-01-02")
    sh.run(f".create async materialized-view with (backfill=true) B on table T {{ T | summarize {aggs} by k }}")
    rows = sh.rows("B | order by k asc")
    direct = sh.rows(f"T | summarize {aggs} by k | order by k asc")
    assert rows == direct
    if expected is not None:
        assert rows == expected


def test_backfill_needs_async_and_respects_effective_datetime(sh):
    with pytest.raises(KustoError, match="must be async"):
        sh.run(".create materialized-view with (backfill=true) B on table T { T | summarize count() by k }")
    sh.run("#time advance 1d")
    ingest(sh, "a,9,2026-01-02")
    sh.run(".create async materialized-view with (backfill=true, effectiveDateTime=datetime(2026-01-01T12:00)) "
           "B on table T { T | summarize n = count() by k }")
    assert sh.rows("B") == [["a", 1]]


@pytest.mark.parametrize("query,message", [
    ("T | project k", "must end with a summarize"),
    ("T | summarize stdev(v) by k", "aggregation 'stdev' is not supported"),
    ("T | summarize count() by nope", "not valid"),
    ("let x = 1; T | summarize count() by k", "single tabular expression"),
])
def test_invalid_definitions_fail_and_create_nothing(sh, query, message):
    with pytest.raises(KustoError, match=message):
        sh.run(f".create materialized-view Bad on table T {{ {query} }}")
    assert "Bad" not in sh.session.database.materialized_views


def test_names_conflicts_and_existence(sh):
    with pytest.raises(KustoError, match="not found"):
        sh.run(".create materialized-view V on table Nope { Nope | summarize count() }")
    with pytest.raises(KustoError, match="already the name"):
        sh.run(".create materialized-view T on table T { T | summarize count() by k }")
    sh.run(".create materialized-view V on table T { T | summarize count() by k }")
    with pytest.raises(KustoError, match="already exists"):
        sh.run(".create materialized-view V on table T { T | summarize count() by k }")
    sh.run(".create ifnotexists materialized-view V on table T { T | summarize count() by k }")
    with pytest.raises(KustoError, match="was not found"):
        sh.run(".alter materialized-view W on table T { T | summarize count() by k }")


def test_alter_rename_drop_docstring_folder(sh):
    sh.run(".create materialized-view V on table T { T | summarize count() by k }")
    ingest(sh, "a,1,2026-01-01")
    sh.run(".alter materialized-view V on table T { T | summarize total = sum(v) by k }")
    assert sh.rows("V") == [["a", 1]]
    sh.run(".create-or-alter materialized-view with (folder='f') V on table T { T | summarize total = sum(v), n = count() by k }")
    assert sh.rows("V") == [["a", 1, 1]]
    sh.run('.alter materialized-view V docstring "the view"')
    row = sh.run(".show materialized-views")[0].as_dicts()[0]
    assert (row["Folder"], row["DocString"]) == ("f", "the view")
    sh.run(".rename materialized-view V to W")
    assert sh.rows("W | count") == [[1]]
    with pytest.raises(KustoError):
        sh.run("V | count")
    sh.run(".drop materialized-view W")
    assert sh.rows(".show materialized-views | count") == [[0]]
    sh.run(".drop materialized-view W ifexists")
    with pytest.raises(KustoError, match="not found"):
        sh.run(".drop materialized-view W")


def test_disable_then_enable_catches_up(sh):
    sh.run(".create materialized-view V on table T { T | summarize n = count() by k }")
    sh.run(".disable materialized-view V")
    ingest(sh, "a,1,2026-01-01")
    assert sh.rows("V | count") == [[0]]
    assert sh.run(".show materialized-view V")[0].as_dicts()[0]["IsHealthy"] is False
    sh.run(".enable materialized-view V")
    assert sh.rows("V") == [["a", 1]]


def test_failures_are_recorded_and_ingestion_still_lands(sh):
    sh.run(".create table Dim (k:string, name:string)")
    sh.run(".create materialized-view V on table T { T | lookup Dim on k | summarize n = count() by name }")
    sh.run(".drop table Dim")
    ingest(sh, "a,1,2026-01-01")
    assert sh.rows("T | count") == [[3]]
    failures = sh.run(".show materialized-view V failures")[0].as_dicts()
    assert failures and "Dim" in failures[0]["Details"]
    assert sh.run(".show materialized-view V")[0].as_dicts()[0]["LastRunResult"] == "Failed"


def test_view_retention_on_the_clock_and_outliving_the_source(sh):
    sh.run(".create materialized-view V on table T { T | summarize n = count() by k }")
    sh.run(".alter-merge table T policy retention softdelete = 1d")
    ingest(sh, "a,1,2026-01-01")
    sh.run("#time advance 2d")
    assert sh.rows("T | count") == [[0]]
    assert sh.rows("V") == [["a", 1]]  # the view keeps what it materialized
    sh.run(".alter-merge materialized-view V policy retention softdelete = 1d")
    sh.run("#time advance 1s")
    assert sh.rows("V | count") == [[0]]


def test_materialized_view_admin_role(sh):
    sh.run(".create materialized-view V on table T { T | summarize n = count() by k }")
    sh.run(".add database NetDefaultDB users ('aaduser=u@contoso.com')\n"
           ".add materialized-view V admins ('aaduser=u@contoso.com')")
    sh.session.principal = "aaduser=u@contoso.com"
    sh.run(".alter materialized-view V docstring 'mine'")
    with pytest.raises(KustoError, match="Database Admin"):
        sh.run(".create materialized-view W on table T { T | summarize n = count() by k }")
    sh.session.principal = "aaduser=other@contoso.com"
    with pytest.raises(KustoError, match="not authorized"):
        sh.run(".drop materialized-view V")


def test_csl_script_and_json_replay(run_kshell):
    script = """.create table T (k:string, v:long)
.create materialized-view with (folder = "views", docstring = "per key") V on table T { T | summarize n = count(), s = sum(v) by k }
.alter materialized-view V policy caching hot = 3d
.create materialized-view Off on table T { T | summarize max(v) by k }
.disable materialized-view Off
.show database schema as csl script
"""
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 0, err
    first = out[out.rindex("DatabaseSchemaScript"):]
    lines = [line.strip('"').replace('""', '"') for line in first.splitlines()[1:]]
    assert any(line.startswith(".create-or-alter materialized-view with (folder = \"views\"") for line in lines)
    assert ".disable materialized-view Off" in lines
    code, out2, err = run_kshell("\n".join(lines) + "\n.show database schema as csl script\n", "--format", "csv")
    assert code == 0, err
    assert out2[out2.rindex("DatabaseSchemaScript"):] == first


def test_views_and_policies_survive_the_state_file(tmp_path):
    import datetime as dt

    from kshell.store import close_session, open_session

    path = str(tmp_path / "s.kshell")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    s = open_session(path, now=now)
    s.execute(".create table T (k:string, v:long)")
    s.execute(".create materialized-view V on table T { T | summarize n = count() by k }")
    s.execute(".alter-merge table T policy retention softdelete = 10d")
    s.execute(".ingest inline into table T <| a,1")
    close_session(s)
    s = open_session(path, now=now)
    assert s.execute("V")[0].rows == [["a", 1]]
    s.execute(".ingest inline into table T <| a,2")
    assert s.execute("V")[0].rows == [["a", 2]]
    assert "10.00:00:00" in s.execute(".show table T policy retention")[0].rows[0][2]
    close_session(s)


def test_storage_ingestion_updates_views(session):
    """Every ingestion path lands through the batch, so views see storage ingestion too."""
    from kshell.engine.ingest import IngestionBatch

    session.execute(".create table T (k:string)")
    session.execute(".create materialized-view V on table T { T | summarize n = count() by k }")
    batch = IngestionBatch(session)
    batch.add(session.database, "T", [["x", "x"]], origin="storage")
    batch.run_hooks()
    batch.apply()
    assert session.execute("V")[0].rows == [["x", 2]]


def test_a_view_materializes_on_the_services_authority(sh):
    """Like a flow without an identity: its own database's tables only (checked at creation)."""
    sh.run(".create database Other volatile\n.create table Other.Dim (k:string, name:string)")
    with pytest.raises(KustoError, match="may read only tables of its own database"):
        sh.run(".create materialized-view V on table T { T | join kind=leftouter (database('Other').Dim) on k "
               "| summarize n = count() by k }")


def test_views_are_database_entities(sh):
    sh.run(".create materialized-view V on table T { T | summarize n = count() by k }")
    rows = sh.run(".show databases entities | where EntityType == 'MaterializedView'")[0].as_dicts()
    assert [(r["EntityName"], r["CslOutputSchema"]) for r in rows] == [("V", "k:string,n:long")]
