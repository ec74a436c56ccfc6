"""`.export ... to csv|tsv|json (uris) <| Q` and `.export ... to table X <| Q`."""

from __future__ import annotations

import csv
import gzip
import io
import json
import uuid
from pathlib import Path

import pytest

from storage_support import run

from kshell.engine import external_tables
from kshell.errors import BadRequest, Forbidden, KustoSyntaxError, NotSupported
from kshell.result import Result

OUT = "https://acct1.blob.core.windows.net/out"


@pytest.fixture
def state(session, storage_state):
    st = storage_state
    session.execute(".create table T (s:string, n:long, d:datetime)")
    session.execute(".ingest inline into table T <|\na,1,2024-01-01T10:00:00Z\nb,2,2024-01-02T11:00:00Z\n"
                    "c,3,2024-01-01T23:00:00Z")
    return st


def local(state, uri: str) -> Path:
    account, _, rest = uri.split("://", 1)[1].partition("/")
    return Path(state.session.storage_dir) / account.split(".")[0] / rest


def files(state, container="out") -> list[Path]:
    root = Path(state.session.storage_dir) / "acct1" / container
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def allow(state, usages):
    run(state, f".alter-merge cluster policy managed_identity "
               f"```[{{\"ObjectId\":\"system\",\"AllowedUsages\":\"{usages}\"}}]```")


def test_export_to_csv_with_a_key_writes_a_file_the_user_can_open(state):
    out = run(state, f".export to csv (h'{OUT};secretKey') with (includeHeaders=\"all\") <| T | order by n asc")
    assert out.column_names == ["Path", "NumRecords", "SizeInBytes"]
    path, n, size = out.rows[0]
    assert path.startswith(OUT + "/") and path.endswith(".csv") and "secretKey" not in path
    assert n == 3
    text = local(state, path).read_text()
    assert len(text.encode()) == size
    assert list(csv.reader(io.StringIO(text))) == [
        ["s", "n", "d"], ["a", "1", "2024-01-01T10:00:00Z"], ["b", "2", "2024-01-02T11:00:00Z"],
        ["c", "3", "2024-01-01T23:00:00Z"]]


def test_export_with_managed_identity_needs_export_request_and_contributor(state):
    cmd = f".export to csv (h'{OUT};managed_identity=system') <| T"
    with pytest.raises(Forbidden, match="ExportRequest"):
        run(state, cmd)
    allow(state, "ExternalTable")  # the wrong usage
    with pytest.raises(Forbidden, match="ExportRequest"):
        run(state, cmd)
    allow(state, "ExportRequest")
    with pytest.raises(Forbidden, match="Storage Blob Data Contributor"):
        run(state, cmd)
    run(state, "#storage grant acct1 system reader")  # reading is not writing
    with pytest.raises(Forbidden, match="Storage Blob Data Contributor"):
        run(state, cmd)
    assert files(state) == []
    run(state, "#storage grant acct1 system contributor")
    assert run(state, cmd).rows[0][1] == 3
    assert len(files(state)) == 1


def test_export_with_impersonation_and_read_only_sas(state):
    with pytest.raises(Forbidden, match="Contributor"):
        run(state, f".export to csv (h'{OUT};impersonate') <| T")
    with pytest.raises(Forbidden, match="Write"):
        run(state, f".export to csv (h'{OUT}?sv=1&sp=rl&sig=x') <| T")
    run(state, f"#storage grant acct1 {state.session.principal} contributor")
    run(state, f".export to csv (h'{OUT};impersonate') <| T")
    assert len(files(state)) == 1


def test_every_connection_string_is_checked_before_writing(state):
    with pytest.raises(Forbidden):
        run(state, f".export to csv (h'{OUT};secretKey', h'{OUT}2;impersonate') <| T")
    assert files(state) == [] and files(state, "out2") == []


def test_several_connection_strings_spread_rows_and_files_are_new_each_time(state):
    out = run(state, f".export to json (h'{OUT};k', h'{OUT}2;k') <| T")
    assert sorted(r[1] for r in out.rows) == [1, 2]
    run(state, f".export to json (h'{OUT};k', h'{OUT}2;k') <| T")
    assert len(files(state)) == 2 and len(files(state, "out2")) == 2
    records = [json.loads(line) for p in files(state) + files(state, "out2") for line in p.read_text().splitlines()]
    assert sorted(r["s"] for r in records) == ["a", "a", "b", "b", "c", "c"]


def test_compressed_tsv_with_name_prefix_and_single_distribution(state):
    out = run(state, f".export compressed to tsv (h'{OUT};k', h'{OUT}2;k') "
                     f"with (namePrefix=\"export\", distribution=\"single\") <| T | order by n asc")
    assert len(out.rows) == 1
    path = local(state, out.rows[0][0])
    assert path.name.startswith("export") and path.name.endswith(".tsv.gz")
    assert gzip.decompress(path.read_bytes()).decode().splitlines()[0] == "a\t1\t2024-01-01T10:00:00Z"


def test_async_export_returns_an_operation_id(state):
    out = run(state, f".export async to csv (h'{OUT};k') <| T")
    assert out.column_names == ["OperationId"] and isinstance(out.rows[0][0], uuid.UUID)
    assert len(files(state)) == 1


@pytest.mark.parametrize("cmd, error", [
    (f".export to parquet (h'{OUT};k') <| T", NotSupported),
    (f".export to csv (h'{OUT};k') with (sizeLimit=10) <| T", BadRequest),
    (f".export to csv (h'{OUT};k') with (distribution=\"everywhere\") <| T", BadRequest),
    (f".export to csv (h'{OUT};k') with (bogus=1) <| T", BadRequest),
    (f".export to csv (h'{OUT};k') <| NoSuchTable", Exception),
    (f".export to csv (h'{OUT};k')", KustoSyntaxError),
    (".export to csv ('ftp://x/y') <| T", BadRequest),
    (f".export to xml (h'{OUT};k') <| T", KustoSyntaxError),
    (".export async to sql MySqlTable h@'Server=tcp:s,1433;User ID=u;Password=p;' <| T", NotSupported),
])
def test_refusals_write_nothing(state, cmd, error):
    with pytest.raises(error):
        run(state, cmd)
    assert files(state) == []


def test_export_query_runs_with_the_callers_read_rights(state):
    run(state, ".create database Other volatile")
    run(state, ".add database NetDefaultDB viewers ('aaduser=bob@contoso.com')")
    run(state, "#as aaduser=bob@contoso.com")
    run(state, f".export to csv (h'{OUT};k') <| T")  # Database Viewer is enough
    with pytest.raises(Forbidden):
        run(state, f".export to csv (h'{OUT};k') <| database('Other').Secret")


# ------------------------------------------------------------ to table
def make_external(state, cs, extra=""):
    run(state, f".create external table Ext (s:string, n:long, d:datetime) kind=storage {extra} dataformat=csv "
               f"(h@'{cs}')")


def test_export_to_table_needs_external_table_usage_for_an_mi(state):
    make_external(state, "https://acct1.blob.core.windows.net/ext;managed_identity=system")
    cmd = ".export to table Ext <| T"
    allow(state, "ExportRequest")  # not the usage of an external table (spec 6.6 [DECIDE])
    with pytest.raises(Forbidden, match="ExternalTable"):
        run(state, cmd)
    allow(state, "ExternalTable")
    run(state, "#storage grant acct1 system reader")
    with pytest.raises(Forbidden, match="Contributor"):
        run(state, cmd)
    run(state, "#storage grant acct1 system contributor")
    out = run(state, cmd)
    assert out.column_names == ["ExternalTableName", "Path", "NumRecords", "SizeInBytes"]
    assert out.rows[0][0] == "Ext" and out.rows[0][2] == 3
    assert run(state, 'external_table("Ext") | count').rows == [[3]]


def test_export_to_partitioned_table_and_read_back(state):
    make_external(state, "https://acct1.blob.core.windows.net/ext;k", "partition by (Day:datetime = bin(d, 1d))")
    out = run(state, ".export to table Ext <| T")
    paths = sorted(r[1] for r in out.rows)
    assert [p.split("/ext/")[1].rsplit("/", 1)[0] for p in paths] == ["2024/01/01", "2024/01/02"]
    assert sorted(r[2] for r in out.rows) == [1, 2]
    back = run(state, 'external_table("Ext") | order by n asc | project s, n')
    assert back.rows == [["a", 1], ["b", 2], ["c", 3]]


def test_export_to_table_schema_must_match(state):
    make_external(state, "https://acct1.blob.core.windows.net/ext;k")
    with pytest.raises(BadRequest, match="columns"):
        run(state, ".export to table Ext <| T | project s")
    with pytest.raises(BadRequest, match="type"):
        run(state, ".export to table Ext <| T | project n, s, d")
    assert files(state, "ext") == []


def test_export_to_table_permission_is_external_table_admin(state):
    make_external(state, "https://acct1.blob.core.windows.net/ext;k")
    run(state, ".add database NetDefaultDB viewers ('aaduser=bob@contoso.com')")
    run(state, "#as aaduser=bob@contoso.com")
    with pytest.raises(Forbidden, match="External Table Admin"):
        run(state, ".export to table Ext <| T")


def test_docs_export_example_parses_and_runs(state):
    run(state, "#storage create storage1")
    out = state.session.execute(""".export
  async compressed
  to csv (
    h@"https://storage1.blob.core.windows.net/containerName;secretKey",
    h@"https://storage1.blob.core.windows.net/containerName2;secretKey"
  ) with (
    sizeLimit=1000000000,
    namePrefix="export",
    includeHeaders="all",
    encoding="UTF8NoBOM"
  )
  <|
  T | where n == 2""")
    assert out[0].column_names == ["OperationId"]
    written = sorted(p for p in (Path(state.session.storage_dir) / "storage1").rglob("*") if p.is_file())
    assert len(written) == 1 and written[0].name.startswith("export")


# ------------------------------------------------- the continuous-export API
def test_write_artifacts_acts_as_the_given_principal(state):
    make_external(state, "https://acct1.blob.core.windows.net/ext;impersonate")
    db = state.session.database
    ext = external_tables.get_external_table(db, "Ext")
    assert external_tables.uses_impersonation(ext) and external_tables.managed_identity_of(ext) is None
    result = state.session.execute("T")[0]
    app = "aadapp=9137ad5b-57b1-5064-afa4-8152cb7ae5c9"
    with pytest.raises(Forbidden, match="Contributor"):
        external_tables.write_artifacts(state.session, db, ext, result, principal=app, run_time=state.session.now())
    run(state, "#storage grant acct1 system contributor")  # the system identity is that app
    arts = external_tables.write_artifacts(state.session, db, ext, result, principal=app,
                                           run_time=state.session.now(), name_prefix="run1_")
    assert [a.num_records for a in arts] == [3]
    assert local(state, arts[0].path).stat().st_size == arts[0].size_in_bytes
    assert "run1_" in arts[0].path
    # a second run writes a new file
    again = external_tables.write_artifacts(state.session, db, ext, Result(result.columns, result.rows[:1]),
                                            principal=app, run_time=state.session.now())
    assert again[0].path != arts[0].path and len(files(state, "ext")) == 2


def test_utf8bom_encoding_and_reading_back(state):
    out = run(state, f".export to csv (h'{OUT};k') with (encoding=\"UTF8BOM\") <| T | order by n asc | take 1")
    data = local(state, out.rows[0][0]).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    run(state, ".create table Back (s:string, n:long, d:datetime)")
    run(state, f".ingest into table Back ('{out.rows[0][0]};k')")
    assert run(state, "Back | project s, n").rows == [["a", 1]]
    with pytest.raises(BadRequest, match="encoding"):
        run(state, f".export to csv (h'{OUT};k') with (encoding=\"latin1\") <| T")
