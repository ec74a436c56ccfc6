"""External tables: commands and result shapes (spec 6.4), decisions, permissions, reading."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storage_support import run

from kshell.errors import BadRequest, Conflict, EntityNotFound, Forbidden, KustoSyntaxError, NotSupported

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHOW_COLUMNS = ["TableName", "TableType", "Folder", "DocString", "Properties", "ConnectionStrings", "Partitions",
                "PathFormat"]
SCHEMA_COLUMNS = ["TableName", "TableType", "Folder", "DocString", "Schema", "Properties"]
MI_CS = "h@'https://acct1.blob.core.windows.net/ext;managed_identity=system'"


@pytest.fixture
def state(session, storage_state):
    st = storage_state
    return st


def create_simple(state, name="E", cs="h@'https://acct1.blob.core.windows.net/ext;secretKey'", extra=""):
    return run(state, f".create external table {name} (x:long, s:string) kind=storage dataformat=csv ({cs}) {extra}")


def write(state, relative, text):
    path = Path(state.session.storage_dir) / "acct1" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# ------------------------------------------------------------ result shapes
def test_create_returns_the_eight_show_columns_with_secrets_masked(state):
    out = create_simple(state, extra='with (folder="ExternalTables", docString="Docs")')
    assert out.column_names == SHOW_COLUMNS
    assert [c.type for c in out.columns][5:7] == ["dynamic", "dynamic"]
    row = out.rows[0]
    assert row[:4] == ["E", "Blob", "ExternalTables", "Docs"]
    assert json.loads(row[4]) == {"Format": "Csv", "Compressed": False, "CompressionType": None,
                                  "FileExtension": None, "IncludeHeaders": "None", "Encoding": None,
                                  "NamePrefix": None}
    assert row[5] == ["https://acct1.blob.core.windows.net/ext;*******"]


def test_no_output_ever_shows_a_secret(state):
    create_simple(state, cs="h@'https://acct1.blob.core.windows.net/ext;SuperSecretKey', "
                            "'https://acct1.blob.core.windows.net/b?sv=1&sig=SuperSecretSig'")
    for cmd in (".show external tables", ".show external table E", ".show external table E details",
                ".show external table E schema as json", ".drop external table E"):
        text = repr(run(state, cmd).rows)
        assert "SuperSecret" not in text, cmd


def test_show_alter_create_or_alter_drop_shapes(state):
    create_simple(state)
    assert run(state, ".show external tables").column_names == SHOW_COLUMNS
    assert run(state, ".show external table E").rows[0][0] == "E"
    altered = run(state, ".alter external table E (x:long, s:string, d:datetime) kind=storage dataformat=tsv "
                         "(h@'https://acct1.blob.core.windows.net/ext;secretKey')")
    assert altered.column_names == SCHEMA_COLUMNS
    assert json.loads(altered.rows[0][4]) == [{"Name": "x", "CslType": "long"}, {"Name": "s", "CslType": "string"},
                                              {"Name": "d", "CslType": "datetime"}]
    again = run(state, ".create-or-alter external table F (a:string) kind=storage dataformat=json "
                       "(h@'https://acct1.blob.core.windows.net/f;secretKey')")
    assert again.column_names == SCHEMA_COLUMNS
    dropped = run(state, ".drop external table E")
    assert dropped.column_names == SCHEMA_COLUMNS and dropped.rows[0][0] == "E"
    assert [r[0] for r in run(state, ".show external tables").rows] == ["F"]
    assert run(state, ".drop external table E ifexists").rows == []
    details = run(state, ".show external tables details")
    assert details.column_names == ["TableName", "QueryAccelerationPolicy", "QueryAccelerationState"]
    assert run(state, ".show external table F cslschema").rows[0][1] == "a:string"


def test_partitions_and_pathformat_are_shown_as_the_docs_sample(state):
    out = run(state, """.create external table ExternalTable (Timestamp:datetime, CustomerName:string)
kind=storage
partition by (CustomerId:long = hash(CustomerName, 10), Date:datetime = startofday(Timestamp))
pathformat=("customer_id=" CustomerId "/dt=" datetime_pattern("yyyyMMdd", Date))
dataformat=csv
(
   h@'https://storageaccount.blob.core.windows.net/container1;secretKey'
)
with (fileExtension = ".txt")""")
    row = dict(zip(out.column_names, out.rows[0]))
    assert row["Partitions"] == [{"Mod": 10, "Name": "CustomerId", "ColumnName": "CustomerName", "Ordinal": 0},
                                 {"Function": "StartOfDay", "Name": "Date", "ColumnName": "Timestamp",
                                  "Ordinal": 1}]
    assert row["PathFormat"] == '"customer_id=" CustomerId "/dt=" datetime_pattern("yyyyMMdd",Date)'
    assert json.loads(row["Properties"])["FileExtension"] == ".txt"


def test_sql_external_table_is_stored_and_queries_are_not_simulated(state):
    out = run(state, """.create external table MySqlExternalTable (x:int, s:string) kind=sql table=MySqlTable
(
    h@'Server=tcp:myserver.database.windows.net,1433;Authentication="Active Directory Managed Identity";User Id=123456789;Initial Catalog=MyDatabase;'
)""")
    row = dict(zip(out.column_names, out.rows[0]))
    assert row["TableType"] == "Sql"
    props = json.loads(row["Properties"])
    assert props["TargetEntityKind"] == "sqltable" and props["TargetEntityName"] == "MySqlTable"
    with pytest.raises(NotSupported, match="not simulated"):
        run(state, 'external_table("MySqlExternalTable") | count')
    with pytest.raises(BadRequest, match="schema of a SQL external table"):
        run(state, ".alter external table MySqlExternalTable (x:int) kind=sql table=MySqlTable "
                   "(h@'Server=tcp:s,1433;User ID=u;Password=p;')")


# ------------------------------------------------------------- refusals
@pytest.mark.parametrize("cmd, error, match", [
    (".create external table E (x:long) kind=storage dataformat=csv (h@'adl://c.azuredatalakestore.net/p;impersonate')",
     BadRequest, "adl://"),
    (".create external table T (x:long) kind=storage dataformat=csv (h@'https://acct1.blob.core.windows.net/c;k')",
     BadRequest, "name of a table"),
    (".create external table E (x:long, x:string) kind=storage dataformat=csv (h@'https://acct1.blob.core.windows.net/c;k')",
     BadRequest, "twice"),
    (".create external table E (x:long) kind=storage (h@'https://acct1.blob.core.windows.net/c;k')",
     BadRequest, "dataformat"),
    (".create external table E (x:long) kind=storage dataformat=csv (h@'https://acct1.blob.core.windows.net/c;k') with (bogus=1)",
     BadRequest, "unknown property"),
    (".create external table E (x:long) kind=storage partition by (D:datetime = bin(y, 1d)) dataformat=csv "
     "(h@'https://acct1.blob.core.windows.net/c;k')", BadRequest, "not in the schema"),
    (".create external table E (x:long) kind=storage partition by (P:string = x) pathformat=(\"a=\" Q) dataformat=csv "
     "(h@'https://acct1.blob.core.windows.net/c;k')", BadRequest, "not a declared partition"),
    (".create external table E (x:long) kind=storage dataformat=csv "
     "(h@'https://acct1.blob.core.windows.net/c;managed_identity=12345678-1234-1234-1234-1234567890ab')",
     BadRequest, "does not exist"),
    (".create external table S (x:int) kind=sql table=T1 (h@'Server=tcp:s,1433;User ID=u;Password=p;') "
     "with (createifnotexists=true)", BadRequest, "primarykey"),
    (".alter external table Nope (x:long) kind=storage dataformat=csv (h@'https://acct1.blob.core.windows.net/c;k')",
     EntityNotFound, "Nope"),
    (".drop external table Nope", EntityNotFound, "Nope"),
    (".show external table Nope", EntityNotFound, "Nope"),
])
def test_refusals_change_nothing(state, cmd, error, match):
    run(state, ".create table T (x:long)")
    before = run(state, ".show external tables").rows
    with pytest.raises(error, match=match):
        run(state, cmd)
    assert run(state, ".show external tables").rows == before


def test_create_of_an_existing_external_table_is_a_conflict(state):
    create_simple(state)
    with pytest.raises(Conflict):
        create_simple(state, cs="h@'https://acct1.blob.core.windows.net/other;k'")
    assert run(state, ".show external table E").rows[0][5] == ["https://acct1.blob.core.windows.net/ext;*******"]


def test_unassigned_identity_refused_at_create_but_usage_is_not_checked(state):
    # usage missing: create succeeds (spec 6.6 [DECIDE]); identity unassigned: refused
    create_simple(state, cs=MI_CS)
    run(state, "#identity unassign system")
    with pytest.raises(BadRequest, match="not assigned"):
        create_simple(state, name="E2", cs=MI_CS)


@pytest.mark.parametrize("text", [
    ".create external table E (x:long) kind=storage dataformat=csv",
    ".create external table E (x:long) kind=nosuch dataformat=csv (h@'https://a.blob.core.windows.net/c;k')",
    ".create external table E (x:long) kind=storage dataformat=csv (h@'https://a.blob.core.windows.net/c;k') extra",
    ".show external table E schema as xml",
])
def test_syntax_errors(state, text):
    with pytest.raises(KustoSyntaxError):
        run(state, text)


# ---------------------------------------------------------- permissions
def test_permissions(state):
    run(state, ".add database NetDefaultDB users ('aaduser=bob@contoso.com')")
    run(state, ".add database NetDefaultDB users ('aaduser=carol@contoso.com')")
    run(state, "#as aaduser=bob@contoso.com")
    create_simple(state)  # Database User may create; the creator is its admin
    run(state, ".alter external table E (x:long) kind=storage dataformat=csv "
               "(h@'https://acct1.blob.core.windows.net/ext;k')")
    with pytest.raises(Forbidden, match="AllDatabasesAdmin"):
        run(state, f".create-or-alter external table M (x:long) kind=storage dataformat=csv ({MI_CS})")
    run(state, "#as aaduser=carol@contoso.com")
    with pytest.raises(Forbidden, match="External Table Admin"):
        run(state, ".drop external table E")
    with pytest.raises(Forbidden, match="External Table Admin"):
        run(state, ".alter external table E (x:long) kind=storage dataformat=csv "
                   "(h@'https://acct1.blob.core.windows.net/ext;k')")
    assert [r[0] for r in run(state, ".show external tables").rows] == ["E"]
    run(state, "#as default")
    run(state, f".create-or-alter external table M (x:long) kind=storage dataformat=csv ({MI_CS})")


# ---------------------------------------------------------------- reading
def _policy(usages: str, scope: str = "cluster") -> str:
    return (f".alter-merge {scope} policy managed_identity "
            f"```[{{\"ObjectId\":\"system\",\"AllowedUsages\":\"{usages}\"}}]```")


def test_query_with_managed_identity_needs_usage_and_storage_role(state):
    write(state, "ext/a.csv", "1,one\n2,two\n")
    create_simple(state, cs=MI_CS)
    query = 'external_table("E") | summarize n=count(), total=sum(x)'
    with pytest.raises(Forbidden, match="usage 'ExternalTable' is not allowed"):
        run(state, query)
    run(state, _policy("ExternalTable"))
    with pytest.raises(Forbidden, match="lacks Storage Blob Data Reader"):
        run(state, query)
    run(state, "#storage grant acct1 system reader")
    assert run(state, query).rows == [[2, 3]]
    # deleting the policy breaks the flow at use time (spec 6.6)
    run(state, ".delete cluster policy managed_identity")
    with pytest.raises(Forbidden):
        run(state, query)


def test_query_with_the_usage_in_the_database_policy(state):
    write(state, "ext/a.csv", "1,one\n")
    create_simple(state, cs=MI_CS)
    run(state, "#storage grant acct1 system reader")
    run(state, _policy("ExternalTable", "database NetDefaultDB"))
    assert run(state, 'external_table("E") | count').rows == [[1]]
    # a usage for another flow does not count
    run(state, ".delete database NetDefaultDB policy managed_identity")
    run(state, _policy("NativeIngestion", "database NetDefaultDB"))
    with pytest.raises(Forbidden, match="ExternalTable"):
        run(state, 'external_table("E") | count')


def test_query_with_impersonation_uses_the_session_principals_role(state):
    write(state, "ext/a.csv", "1,one\n")
    create_simple(state, cs="h@'https://acct1.blob.core.windows.net/ext;impersonate'")
    run(state, ".add database NetDefaultDB viewers ('aaduser=bob@contoso.com')")
    run(state, f"#storage grant acct1 {state.session.principal} reader")
    assert run(state, 'external_table("E") | count').rows == [[1]]
    run(state, "#as aaduser=bob@contoso.com")
    with pytest.raises(Forbidden, match="bob@contoso.com"):
        run(state, 'external_table("E") | count')
    run(state, "#as default")
    run(state, "#storage grant acct1 aaduser=bob@contoso.com reader")
    run(state, "#as aaduser=bob@contoso.com")
    assert run(state, 'external_table("E") | count').rows == [[1]]


def test_key_and_sas_always_read(state):
    write(state, "ext/a.csv", "1,one\n")
    write(state, "sas/b.csv", "2,two\n")
    create_simple(state, cs="h@'https://acct1.blob.core.windows.net/ext;secretKey', "
                            "'https://acct1.blob.core.windows.net/sas?sv=1&sp=rl&sig=x'")
    assert run(state, 'external_table("E") | order by x asc | project s').rows == [["one"], ["two"]]


def test_read_headers_prefix_extension_and_gzip(state):
    import gzip

    write(state, "h/keep_1.csv", "x,s\n1,one\n")
    write(state, "h/skip_2.csv", "x,s\n2,two\n")
    write(state, "h/keep_3.txt", "x,s\n3,three\n")
    path = Path(state.session.storage_dir) / "acct1" / "h" / "keep_4.csv.gz"
    path.write_bytes(gzip.compress(b"x,s\n4,four\n"))
    create_simple(state, cs="h@'https://acct1.blob.core.windows.net/h;k'",
                  extra='with (includeHeaders="All", namePrefix="keep_", fileExtension=".csv")')
    assert run(state, 'external_table("E") | order by x asc | project x').rows == [[1], [4]]


def test_virtual_columns_and_datetime_pattern(state):
    write(state, "container1/customer=John/date=20200101/a.csv", "click,1.5\nbuy,2\n")
    write(state, "container1/customer=Ivan/date=20200102/b.csv", "view,3\n")
    write(state, "container1/unrelated/c.csv", "ignored,9\n")
    run(state, """.create external table ExternalTable (EventName:string, Revenue:double)
kind=storage
partition by (CustomerName:string, Date:datetime)
pathformat=("customer=" CustomerName "/date=" datetime_pattern("yyyyMMdd", Date))
dataformat=csv
(
   h@'https://acct1.blob.core.windows.net/container1;secretKey'
)""")
    out = run(state, """external_table("ExternalTable")
 | where Date between (datetime(2020-01-01) .. datetime(2020-02-01))
 | where CustomerName in ("John", "Ivan")
 | order by Revenue asc""")
    assert out.column_names == ["EventName", "Revenue", "CustomerName", "Date"]
    assert [r[:3] for r in out.rows] == [["click", 1.5, "John"], ["buy", 2.0, "John"], ["view", 3.0, "Ivan"]]
    assert str(out.rows[2][3].date()) == "2020-01-02"
    arts = run(state, ".show external table ExternalTable artifacts")
    assert len(arts.rows) == 2 and arts.rows[0][1] == {"CustomerName": "Ivan", "Date": "2020-01-02T00:00:00Z"}


def test_month_partition_with_quoted_pattern(state):
    write(state, "container1/year=2020/month=03/f.csv", "2020-03-04T00:00:00Z,7,x\n")
    write(state, "container1/year=2020/f.csv", "2020-03-04T00:00:00Z,8,y\n")  # does not fit the format
    run(state, """.create external table ExternalTable (Timestamp:datetime, x:long, s:string)
kind=storage
partition by (Month:datetime = startofmonth(Timestamp))
pathformat=(datetime_pattern("'year='yyyy'/month='MM", Month))
dataformat=csv
(
   h@'https://acct1.blob.core.windows.net/container1;secretKey'
)""")
    assert run(state, 'external_table("ExternalTable") | project x').rows == [[7]]


def test_unknown_external_table_and_binary_formats(state):
    with pytest.raises(EntityNotFound):
        run(state, 'external_table("Nope") | count')
    run(state, ".create external table Pq (x:long) kind=storage dataformat=parquet "
               "(h@'https://acct1.blob.core.windows.net/p;k')")
    with pytest.raises(NotSupported, match="parquet"):
        run(state, 'external_table("Pq") | count')


# ------------------------------------------------------------ the docs
def _kusto_blocks(page: Path) -> list[str]:
    """The ```kusto blocks of a docs page (fences alone on their line; inner ``` literals kept)."""
    blocks, current, indent = [], None, 0
    for line in page.read_text(encoding="utf-8").splitlines():
        if current is None:
            if line.strip() == "```kusto":
                current, indent = [], len(line) - len(line.lstrip())
        elif line.strip() == "```":
            blocks.append("\n".join(current).strip())
            current = None
        else:
            current.append(line[indent:] if line[:indent].strip() == "" else line)
    return blocks


@pytest.mark.skipif(not (SHARED / "docs").exists(), reason="../shared/docs absent")
@pytest.mark.parametrize("page", ["kusto__management__external-tables-azure-storage.md",
                                  "external-tables-managed-identities.md"])
def test_doc_pages_run_as_written(page, session, tmp_path):
    from kshell.script import split_requests

    # Files for the query examples (the doc's hash/date table reads *.txt under customer_id=N/dt=yyyyMMdd).
    folder = tmp_path / "storageaccount" / "container1" / "customer_id=3" / "dt=20200115"
    folder.mkdir(parents=True)
    (folder / "part.txt").write_text("2020-01-15T08:00:00Z,John.Doe\n2020-03-01T00:00:00Z,Ivan.Ivanov\n")
    (folder / "ignored.csv").write_text("2020-01-16T08:00:00Z,John.Doe\n")
    ran, queries = 0, []
    s = None
    for block in _kusto_blocks(SHARED / "docs" / page):
        block = block.replace("<objectId>", "system")
        if not block.startswith("external_table("):
            s = type(session)(now=session.now())  # each example on a fresh cluster (they reuse names)
            s.storage_dir = str(tmp_path)
        for request in split_requests(block):
            if request.text.startswith("external_table("):
                # a query example runs over the table the example before it defined
                try:
                    queries.append(s.execute(request.text)[0].rows)
                except NotSupported as e:  # the virtual-columns example is parquet
                    queries.append(str(e))
                continue
            out = s.execute(request.text)
            assert out, request.text
            ran += 1
    assert ran >= 4
    if page.startswith("kusto__"):
        assert "parquet" in queries[0]
        assert [r[1] for r in queries[1]] == ["John.Doe"]


@pytest.mark.skipif(not (SHARED / "corpus").exists(), reason="../shared/corpus absent")
def test_corpus_external_table_family_parses():
    from kshell.script import split_requests
    from kshell.syntax import parse

    placeholder = re.compile(r"<[A-Za-z][\w .-]*>")
    total = ok = 0
    for line in (SHARED / "corpus" / "docs-kusto-blocks.jsonl").read_text(encoding="utf-8").splitlines():
        block = json.loads(line)
        if block["family"] != "external_table" or not block["ms_syntax_ok"] or placeholder.search(block["text"]):
            continue
        total += 1
        try:
            for request in split_requests(block["text"]):
                if not request.is_directive:
                    parse(request.text)
            ok += 1
        except KustoSyntaxError:
            pass
    assert total >= 40 and ok / total >= 0.95


def test_dry_run_and_validate_not_empty(state):
    out = create_simple(state, extra="with (dryRun=true)")
    assert out.rows[0][0] == "E"
    assert run(state, ".show external tables").rows == []
    with pytest.raises(BadRequest, match="no files"):
        create_simple(state, extra="with (validateNotEmpty=true)")
    write(state, "ext/a.csv", "1,one\n")
    create_simple(state, extra="with (validateNotEmpty=true)")
    with pytest.raises(Forbidden):
        create_simple(state, name="E2", cs="h@'https://acct1.blob.core.windows.net/ext;impersonate'",
                      extra="with (validateNotEmpty=true)")
    assert [r[0] for r in run(state, ".show external tables").rows] == ["E"]


def test_external_table_mappings(state):
    create_simple(state)
    payload = '[{"Column": "x", "Properties": {"Path": "$.x"}}]'
    out = run(state, f".create external table E mapping \"M1\" '{payload}'")
    assert out.rows[0][0] == "M1"
    with pytest.raises(Conflict):
        run(state, f".create external table E mapping \"M1\" '{payload}'")
    assert json.loads(run(state, '.show external table E mapping "M1"').rows[0][2])[0]["Column"] == "x"
    run(state, '.drop external table E mapping "M1"')
    with pytest.raises(EntityNotFound):
        run(state, '.show external table E mapping "M1"')


def test_identity_explain_external_table_lists_each_link(state):
    create_simple(state, cs=MI_CS)
    out = run(state, "#identity explain external table E")
    status = {r[0]: r[1] for r in out.rows}
    assert status["Usage ExternalTable"] == "missing" and status["Storage read"] == "missing"
    assert out.rows[-1][:2] == ["Decision", "denied"]
    run(state, _policy("ExternalTable"))
    run(state, "#storage grant acct1 system contributor")
    out = run(state, "#identity explain external table E")
    assert all(r[1] in ("ok", "allowed") for r in out.rows if "policy" not in r[0])
    assert out.rows[-1][:2] == ["Decision", "allowed"]


def test_identity_explain_uri(state):
    out = run(state, "#identity explain uri https://acct1.blob.core.windows.net/c/f.csv;managed_identity=system")
    assert {r[0]: r[1] for r in out.rows}["Usage NativeIngestion"] == "missing"
    out = run(state, "#identity explain uri https://acct1.blob.core.windows.net/c;secretKey ExportRequest write")
    assert out.rows[-1][1] == "allowed" and "secretKey" not in repr(out.rows)


def test_external_tables_survive_the_state_file(tmp_path):
    from kshell import store

    path = tmp_path / "c.kshell"
    s1 = store.open_session(str(path))
    s1.execute(".create external table P (Timestamp:datetime, x:long) kind=storage "
               "partition by (Day:datetime = bin(Timestamp, 1d)) pathformat=(\"day=\" datetime_pattern(\"yyyyMMdd\", Day)) "
               "dataformat=csv (h@'https://acct1.blob.core.windows.net/p;secretKey') with (folder=\"F\")")
    (tmp_path / "storage" / "acct1").mkdir(parents=True)
    s1.execute(".export to table P <| print Timestamp=datetime(2024-05-06 07:08), x=5")
    before = s1.execute(".show external tables")[0].rows
    store.close_session(s1)
    s2 = store.open_session(str(path))
    try:
        assert s2.execute(".show external tables")[0].rows == before
        assert s2.execute('external_table("P") | project x')[0].rows == [[5]]
        assert (tmp_path / "storage" / "acct1" / "p" / "day=20240506").is_dir()
    finally:
        store.close_session(s2)


def test_end_to_end_external_table_export_and_query(run_kshell, tmp_path):
    script = """.create table T (Region:string, Amount:long)

.ingest inline into table T <|
East,10
West,32

.create external table Ext (Region:string, Amount:long) kind=storage partition by (R:string = Region) dataformat=csv
(
   h@'https://lake1.blob.core.windows.net/sales;secretKey'
)

.export to table Ext <| T

.show external tables | project TableName, ConnectionStrings

external_table("Ext") | summarize sum(Amount)
"""
    (tmp_path / "lake1").mkdir()
    code, out, err = run_kshell(script, "--storage", str(tmp_path), "--format", "csv")
    assert code == 0, err
    assert "secretKey" not in out and ";*******" in out
    assert out.strip().splitlines()[-1] == "42"
    assert sorted(p.name for p in (tmp_path / "lake1" / "sales").iterdir()) == ["East", "West"]
