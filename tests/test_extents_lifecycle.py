"""Extents and data lifecycle: .drop extents (all forms), .move extents, .merge/.rebuild
(no-ops with results), .delete table T records (soft delete), .purge, view extents."""

from __future__ import annotations

import pytest

from kshell.errors import KustoError
from script_shell import ScriptShell


class Shell(ScriptShell):
    def extent_ids(self, table: str) -> list[str]:
        return [str(r[0]) for r in self.rows(f".show table {table} extents")]


@pytest.fixture
def sh(session):
    s = Shell(session)
    s.run(".create table T (k:string, v:long)\n.create table U (k:string, v:long)\n.create table W (x:string)")
    s.run(".ingest inline into table T <|\na,1\nb,2\n")
    s.run("#time advance 2d")
    s.run(".ingest inline into table T <|\nc,3\n")
    return s


def test_drop_extent_by_id_and_list(sh):
    first, second = sh.extent_ids("T")
    rows = sh.rows(f".drop extent {first} from T")
    assert [str(r[0]) for r in rows] == [first] and rows[0][1] == "T"
    assert sh.rows("T") == [["c", 3]]
    with pytest.raises(KustoError, match="was not found"):
        sh.run(f".drop extents ({first}, {second}) from T")
    assert sh.rows("T | count") == [[1]]  # nothing dropped by the failing command
    sh.run(f".drop extents ({second}) from T")
    assert sh.rows("T | count") == [[0]]


def test_drop_older_pretend_limit_all_tables(sh):
    sh.run(".ingest inline into table U <| z,9")
    pretend = sh.rows(".drop-pretend extents older 1 days from T")
    assert len(pretend) == 1 and sh.rows("T | count") == [[3]]
    sh.run(".drop extents older 1 days from T")
    assert sh.rows("T | order by k asc") == [["c", 3]]
    dropped = sh.rows(".drop extents from all tables limit 1")
    assert len(dropped) == 1
    sh.run(".drop extents from all tables")
    assert sh.rows("T | count") == [[0]] and sh.rows("U | count") == [[0]]


def test_drop_by_query_and_trim(sh):
    sh.run(".drop extents <| .show table T extents | where RowCount == 2")
    assert sh.rows("T") == [["c", 3]]
    assert len(sh.rows(".drop-pretend extents from T trim by datasize 1 MB")) == 1
    assert sh.rows(".drop-pretend extents from T trim by datasize 1 bytes") == []


def test_move_extents_forms(sh):
    first, second = sh.extent_ids("T")
    rows = sh.rows(f".move extents ({first}) from table T to table U")
    assert rows[0][0] == first and rows[0][1] != first
    assert sh.rows("U | order by k asc") == [["a", 1], ["b", 2]] and sh.rows("T") == [["c", 3]]
    sh.run(".move extents to table U <| .show table T extents")
    assert sh.rows("T | count") == [[0]] and sh.rows("U | count") == [[3]]
    with pytest.raises(KustoError, match="schemas differ"):
        sh.run(".move extents all from table U to table W")
    assert sh.rows("U | count") == [[3]]
    # moved rows keep their ingestion time
    times = sorted(r[0] for r in sh.rows("U | project t = ingestion_time()"))
    assert times[0] < times[-1]


def test_merge_and_rebuild_are_no_ops_with_results(sh):
    first, second = sh.extent_ids("T")
    rows = sh.rows(f".merge T ({first}, {second}) with (rebuild=true)")
    assert [r[0] for r in rows] == [first, second] and [r[1] for r in rows] == [first, second]
    assert sh.rows(".rebuild T") == []
    assert sh.extent_ids("T") == [first, second]
    with pytest.raises(KustoError, match="was not found"):
        sh.run(".merge T (00000000-0000-0000-0000-000000000001)")
    op = sh.rows(".merge async T")[0][0]
    assert sh.run(f".show operation {op} details")[0].column_names == ["OriginalExtentId", "ResultExtentId", "Duration"]


def test_soft_delete_records(sh):
    whatif = sh.run(".delete table T records with (whatif=true) <| T | where v >= 2")[0].as_dicts()
    assert [r["RecordsMatchPredicate"] for r in whatif] == [1, 1]
    assert sh.rows("T | count") == [[3]]
    sh.run(".delete table T records <| T | extend w = v * 10 | where w == 20 or k == 'c'")
    assert sh.rows("T") == [["a", 1]]
    assert [r[-5] for r in sh.rows(".show table T extents")] == [1]  # the emptied extent is gone
    for bad, message in (("T | take 1", "at least one 'where'"), ("T | where v > 0 | summarize count()", "only use"),
                         ("U | where v > 0", "over 'T'")):
        with pytest.raises(KustoError, match=message):
            sh.run(f".delete table T records <| {bad}")
    assert sh.rows("T | count") == [[1]]


def test_purge_two_steps_and_noregrets(sh):
    plan = sh.run(".purge table T records in database NetDefaultDB <| where k == 'a'")[0].as_dicts()[0]
    assert plan["NumRecordsToPurge"] == 1 and sh.rows("T | count") == [[3]]
    with pytest.raises(KustoError, match="verification token does not match"):
        sh.run(".purge table T records in database NetDefaultDB with (verificationtoken=h'nope') <| where k == 'a'")
    token = plan["VerificationToken"]
    done = sh.run(f".purge table T records in database NetDefaultDB with (verificationtoken=h'{token}') "
                  "<| where k == 'a'")[0].as_dicts()[0]
    assert done["State"] == "Completed" and sh.rows("T | count") == [[2]]
    sh.run(".purge table T records in database NetDefaultDB with (noregrets='true') <| where v > 1")
    assert sh.rows("T | count") == [[0]]


def test_permissions(sh):
    sh.run(".add database NetDefaultDB viewers ('aaduser=v@contoso.com')")
    sh.session.principal = "aaduser=v@contoso.com"
    for command in (".drop extents from T", ".delete table T records <| T | where v > 0",
                    ".move extents all from table T to table U"):
        with pytest.raises(KustoError, match="not authorized"):
            sh.run(command)


def test_view_extents(sh):
    sh.run(".create materialized-view V on table T { T | summarize n = count() by k }")
    assert sh.rows(".show materialized-view V extents") == []
    sh.run(".ingest inline into table T <| d,4")
    rows = sh.run(".show materialized-view V extents")[0].as_dicts()
    assert rows[0]["TableName"] == "V" and rows[0]["RowCount"] == 1


def test_end_to_end(run_kshell):
    script = """.create table T (k:string)
.ingest inline into table T <|
a
b

.delete table T records <| T | where k == 'a'

T
"""
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 0, err
    assert out.strip().splitlines()[-2:] == ["k", "b"]


def test_extent_tags_by_query(sh):
    sh.run(".alter extent tags ('x', 'drop-by:y') <| .show table T extents | where RowCount == 2")
    sh.run(".alter-merge extent tags ('z') <| .show table T extents | where Tags has 'x'")
    sh.run(".drop extent tags ('x') <| .show table T extents")
    tags = sorted(r["Tags"] for r in sh.run(".show table T extents")[0].as_dicts())
    assert tags == ["", "drop-by:y\r\nz"]
    sh.run(".drop extents <| .show table T extents where tags has 'drop-by:y'")
    assert sh.rows("T") == [["c", 3]]
