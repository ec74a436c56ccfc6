"""`.ingest into table T (uris)`: ingestion from the simulated storage (spec 7.1)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from storage_support import run

from kshell.errors import BadRequest, EntityNotFound, Forbidden

URI = "https://acct1.blob.core.windows.net/c1/{}"
RESULT_COLUMNS = ["ExtentId", "ItemLoaded", "Duration", "HasErrors", "OperationId"]


@pytest.fixture
def state(session, storage_state):
    st = storage_state
    session.execute(".create table T (s:string, n:long)")
    return st


def put(state, name, text):
    path = Path(state.session.storage_dir) / "acct1" / "c1" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def rows(state, table="T"):
    return run(state, f"{table} | order by n asc").rows


def allow(state, usages="NativeIngestion", scope="cluster"):
    run(state, f".alter-merge {scope} policy managed_identity "
               f"\"[ {{ 'ObjectId' : 'system', 'AllowedUsages' : '{usages}' }}]\"")


def test_managed_identity_needs_native_ingestion_and_the_reader_role(state):
    put(state, "f.csv", "a,1\nb,2\n")
    cmd = f".ingest into table T ('{URI.format('f.csv')};managed_identity=system')"
    with pytest.raises(Forbidden, match="NativeIngestion"):
        run(state, cmd)
    allow(state)
    with pytest.raises(Forbidden, match="Storage Blob Data Reader"):
        run(state, cmd)
    assert rows(state) == []
    run(state, "#storage grant acct1 system reader")
    out = run(state, cmd)
    assert out.column_names == RESULT_COLUMNS
    assert [c.type for c in out.columns] == ["guid", "string", "timespan", "bool", "guid"]
    assert out.rows[0][1] == URI.format("f.csv") + ";managed_identity=system"
    assert out.rows[0][3] is False
    assert rows(state) == [["a", 1], ["b", 2]]


def test_usage_in_the_target_database_policy_is_enough(state):
    put(state, "f.csv", "a,1\n")
    run(state, "#storage grant acct1 system contributor")
    allow(state, scope="database NetDefaultDB")
    run(state, f".ingest into table T ('{URI.format('f.csv')};managed_identity=system')")
    assert rows(state) == [["a", 1]]


def test_user_assigned_identity_as_in_the_docs(state):
    oid = "6a5820b9-fdf6-4cc4-81b9-b416b444fd6d"
    run(state, f"#identity create ingest-id objectid={oid}")
    run(state, "#identity assign ingest-id")
    run(state, "#storage create demosa")
    path = Path(state.session.storage_dir) / "demosa" / "test" / "export.csv"
    path.parent.mkdir(parents=True)
    path.write_text("x,5\n")
    run(state, f".alter-merge database NetDefaultDB policy managed_identity "
               f"\"[ {{ 'ObjectId' : '{oid}', 'AllowedUsages' : 'NativeIngestion' }}]\"")
    run(state, f"#storage grant demosa {oid} reader")
    run(state, f".ingest into table T ('https://demosa.blob.core.windows.net/test/export.csv;managed_identity={oid}')")
    assert rows(state) == [["x", 5]]
    # the system identity is not allowed by that policy
    with pytest.raises(Forbidden):
        run(state, ".ingest into table T ('https://demosa.blob.core.windows.net/test/export.csv;managed_identity=system')")


def test_impersonation_uses_the_session_principal(state):
    put(state, "f.csv", "a,1\n")
    cmd = f".ingest into table T ('{URI.format('f.csv')};impersonate')"
    with pytest.raises(Forbidden, match="impersonation"):
        run(state, cmd)
    run(state, f"#storage grant acct1 {state.session.principal} reader")
    run(state, cmd)
    assert rows(state) == [["a", 1]]


def test_sas_and_keys_always_work_and_several_files_give_one_row_each(state):
    put(state, "a.csv", "a,1\n")
    put(state, "b.csv", "b,2\nc,3\n")
    out = run(state, f".ingest into table T (h'{URI.format('a.csv')}?sv=1&sig=SECRET', "
                     f"h'{URI.format('b.csv')};SECRETKEY')")
    assert len(out.rows) == 2 and len({r[0] for r in out.rows}) == 2
    assert "SECRET" not in repr(out.rows)
    assert rows(state) == [["a", 1], ["b", 2], ["c", 3]]
    assert len(run(state, ".show table T extents").rows) == 2


@pytest.mark.parametrize("name, text, props", [
    ("f.tsv", "a\t1\nb\t2\n", "format='tsv'"),
    ("f.psv", "a|1\nb|2\n", "format='psv'"),
    ("f.json", '{"s":"a","n":1}\n{"s":"b","n":2}\n', "format='multijson'"),
    ("f.json", '[{"s":"a","n":1},{"s":"b","n":2}]', "format='json'"),
    ("h.csv", "s,n\na,1\nb,2\n", "format='csv', ignoreFirstRecord=true"),
    ("f.tsv", "a\t1\nb\t2\n", ""),  # format from the extension
])
def test_formats(state, name, text, props):
    put(state, name, text)
    with_props = f" with ({props})" if props else ""
    run(state, f".ingest into table T ('{URI.format(name)};key'){with_props}")
    assert rows(state) == [["a", 1], ["b", 2]]


def test_failures_are_recorded_and_change_nothing(state):
    put(state, "good.csv", "a,1\n")
    with pytest.raises(EntityNotFound, match="does not exist"):
        run(state, f".ingest into table T ('{URI.format('good.csv')};k', '{URI.format('missing.csv')};k')")
    with pytest.raises(Forbidden):
        run(state, f".ingest into table T ('{URI.format('good.csv')};impersonate')")
    with pytest.raises(EntityNotFound, match="folder"):
        run(state, f".ingest into table T ('https://acct1.blob.core.windows.net/c1;k')")
    assert rows(state) == []
    failures = run(state, ".show ingestion failures").as_dicts()
    assert [f["ErrorCode"] for f in failures] == ["Download_SourceNotFound", "Download_Forbidden",
                                                  "Download_SourceNotFound"]
    assert all(f["OperationKind"] == "DataIngestPull" and f["Table"] == "T" for f in failures)
    assert failures[1]["IngestionSourcePath"] == URI.format("good.csv") + ";impersonate"


def test_bad_data_and_unknown_format_fail(state):
    put(state, "f.json", "{not json")
    with pytest.raises(BadRequest):
        run(state, f".ingest into table T ('{URI.format('f.json')};k') with (format='json')")
    with pytest.raises(BadRequest):
        run(state, f".ingest into table T ('{URI.format('f.json')};k') with (format='xml')")
    assert rows(state) == []


def test_update_policies_fire(state):
    run(state, ".create table Target (s:string, n2:long)")
    run(state, ".create function Doubled() { T | project s, n2 = n * 2 }")
    run(state, '.alter table Target policy update @\'[{"IsEnabled": true, "Source": "T", '
               '"Query": "Doubled()", "IsTransactional": true}]\'')
    put(state, "f.csv", "a,1\nb,2\n")
    run(state, f".ingest into table T ('{URI.format('f.csv')};k')")
    assert run(state, "Target | order by n2 asc").rows == [["a", 2], ["b", 4]]


def test_async_returns_an_operation_id(state):
    put(state, "f.csv", "a,1\n")
    out = run(state, f".ingest async into table T ('{URI.format('f.csv')};k')")
    assert out.column_names == ["OperationId"] and isinstance(out.rows[0][0], uuid.UUID)
    assert rows(state) == [["a", 1]]


def test_ingestor_role_is_required(state):
    put(state, "f.csv", "a,1\n")
    run(state, ".add database NetDefaultDB viewers ('aaduser=bob@contoso.com')")
    run(state, "#as aaduser=bob@contoso.com")
    with pytest.raises(Forbidden, match="Table Ingestor"):
        run(state, f".ingest into table T ('{URI.format('f.csv')};k')")


# ------------------------------------------------------------- end to end
def test_end_to_end_drop_a_csv_into_the_storage_dir_and_ingest_it(run_kshell, tmp_path):
    folder = tmp_path / "mystorage" / "sales" / "incoming"
    folder.mkdir(parents=True)
    (folder / "day1.csv").write_text("Region,Amount\nEast,10\nWest,32\n")
    script = """.create table Sales (Region:string, Amount:long)

.alter-merge cluster policy managed_identity "[ { 'ObjectId' : 'system', 'AllowedUsages' : 'NativeIngestion' }]"

#storage grant mystorage system reader

.ingest into table Sales (h'https://mystorage.blob.core.windows.net/sales/incoming/day1.csv;managed_identity=system') with (ignoreFirstRecord=true)

Sales | summarize total = sum(Amount)
"""
    code, out, err = run_kshell(script, "--storage", str(tmp_path), "--format", "csv")
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "42"


def test_end_to_end_storage_beside_the_state_file(run_kshell, tmp_path):
    state = tmp_path / "c.kshell"
    code, _, err = run_kshell("#storage create acct9\n", str(state))
    assert code == 0, err
    assert (tmp_path / "storage" / "acct9").is_dir()
    (tmp_path / "storage" / "acct9" / "c").mkdir()
    (tmp_path / "storage" / "acct9" / "c" / "f.csv").write_text("1\n2\n")
    code, out, err = run_kshell(".create table N (n:long)\n\n"
                                ".ingest into table N ('https://acct9.blob.core.windows.net/c/f.csv;key')\n\n"
                                "N | count\n", str(state), "--format", "csv")
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "2"


def test_end_to_end_refusal_exit_code_and_message(run_kshell, tmp_path):
    (tmp_path / "acct1" / "c").mkdir(parents=True)
    (tmp_path / "acct1" / "c" / "f.csv").write_text("1\n")
    code, out, err = run_kshell(".create table N (n:long)\n\n"
                                ".ingest into table N ('https://acct1.blob.core.windows.net/c/f.csv;managed_identity=system')\n",
                                "--storage", str(tmp_path))
    assert code == 1
    assert "Error (line 3): Forbidden:" in err and "NativeIngestion" in err
    assert "Traceback" not in err


# ------------------------------------------------------------ .list blobs
def test_list_blobs_as_in_the_docs(state):
    root = Path(state.session.storage_dir) / "mystorageaccount" / "datasets" / "myfolder"
    (root / "year=2024" / "month=01" / "day=02").mkdir(parents=True)
    (root / "year=2024" / "month=01" / "day=02" / "a.parquet").write_text("xx")
    (root / "b.csv").write_text("y")
    cmd = """.list blobs (
    "https://mystorageaccount.blob.core.windows.net/datasets/myfolder;managed_identity=system"
)
Suffix=".parquet"
MaxFiles=10
PathFormat=("myfolder/year=" datetime_pattern("yyyy'/month='MM'/day='dd", creationTime) "/")"""
    with pytest.raises(Forbidden, match="NativeIngestion"):
        run(state, cmd)
    allow(state)
    with pytest.raises(Forbidden, match="Reader"):
        run(state, cmd)
    run(state, "#storage grant mystorageaccount system reader")
    out = run(state, cmd)
    assert out.column_names == ["BlobUri", "SizeInBytes", "CapturedVariables"]
    assert out.rows == [["https://mystorageaccount.blob.core.windows.net/datasets/myfolder/year=2024/month=01/day=02/"
                         "a.parquet", 2, {"creationTime": "2024-01-02T00:00:00Z"}]]
    everything = run(state, '.list blobs ("https://mystorageaccount.blob.core.windows.net/datasets;k") MaxFiles=1')
    assert len(everything.rows) == 1
    with pytest.raises(BadRequest, match="impersonation"):
        run(state, '.list blobs ("https://mystorageaccount.blob.core.windows.net/datasets;impersonate")')
