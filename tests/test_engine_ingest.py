"""Inline ingestion, the ingestion pipeline (hooks, atomicity) and format conversions."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest

from kshell import ticks
from kshell.engine import ingest
from kshell.errors import BadRequest, KustoError, TableNotFound

UTC = dt.timezone.utc


def rows(session, table):
    t = session.database.tables[table]
    return [list(r) for r in zip(*t.data)]


def test_inline_csv_result_is_one_extent_id(session):
    session.execute(".create table Purchases (SKU:string, Quantity:long)")
    [r] = session.execute('.ingest inline into table Purchases <|\nShoes,1000\nWide Shoes,50\n'
                          '"Coats black",20\n"Coats with ""quotes""",5')
    assert r.column_names == ["ExtentId"] and r.columns[0].type == "guid"
    assert len(r.rows) == 1 and isinstance(r.rows[0][0], uuid.UUID)
    assert rows(session, "Purchases") == [["Shoes", 1000], ["Wide Shoes", 50], ["Coats black", 20],
                                          ['Coats with "quotes"', 5]]
    extent = session.database.tables["Purchases"].extents[0]
    assert (extent.extent_id, extent.first_row, extent.row_count) == (r.rows[0][0], 0, 4)
    assert extent.ingestion_time == session.now()


def test_inline_bracket_form_docs_example(session):
    session.execute(".create table Logs (Date:datetime, EventDetails:dynamic)")
    session.execute('.ingest inline into table Logs\n'
                    '[2015-01-01,"{""EventType"":""Read"", ""Count"":""12""}"]\n'
                    '[2015-01-01,"{""EventType"":""Write"", ""EventValue"":""84""}"]')
    assert rows(session, "Logs") == [
        [dt.datetime(2015, 1, 1, tzinfo=UTC), {"EventType": "Read", "Count": "12"}],
        [dt.datetime(2015, 1, 1, tzinfo=UTC), {"EventType": "Write", "EventValue": "84"}]]


def test_inline_data_is_not_kusto_text(session):
    session.execute(".create table T (Name:string, N:long)")
    session.execute(".ingest inline into table T <|\nO'Brien,1\n// not a comment,2\n```,3")
    assert rows(session, "T") == [["O'Brien", 1], ["// not a comment", 2], ["```", 3]]


def test_bad_values_become_null_and_empty_strings_stay(session):
    session.execute(".create table T (s:string, i:int, l:long, r:real, b:bool, d:datetime, t:timespan,"
                    " g:guid, x:dynamic, m:decimal)")
    session.execute(".ingest inline into table T <|\n"
                    ",abc,1.5,x,maybe,yesterday,soon,nope,{bad,zz\n"
                    "v,99999999999,9223372036854775807,1e3,TRUE,2020-02-03T04:05:06.1234567Z,"
                    "1.02:03:04.5,b642dec0-1040-4eac-84df-a75cfeba7aa4,\"[1,2]\",1.25")
    bad, good = rows(session, "T")
    assert bad == ["", None, None, None, None, None, None, None, "{bad", None]
    assert good == ["v", None, 9223372036854775807, 1000.0, True,
                    ticks.fromisoformat("2020-02-03T04:05:06.1234567+00:00"),  # 100 ns ticks kept
                    dt.timedelta(days=1, hours=2, minutes=3, seconds=4, milliseconds=500),
                    uuid.UUID("b642dec0-1040-4eac-84df-a75cfeba7aa4"), [1, 2], decimal.Decimal("1.25")]


def test_bool_accepts_1_0_and_datetime_formats(session):
    session.execute(".create table T (b:bool, d:datetime)")
    session.execute('.ingest inline into table T <|\n1,2020-01-01 10:30\n0,"Thu, 02 Jan 2020 00:00:00 GMT"\n'
                    'false,2020-01-01T00:00:00+02:00')
    assert rows(session, "T") == [
        [True, dt.datetime(2020, 1, 1, 10, 30, tzinfo=UTC)],
        [False, dt.datetime(2020, 1, 2, tzinfo=UTC)],
        [False, dt.datetime(2019, 12, 31, 22, tzinfo=UTC)]]


def test_missing_fields_null_extra_ignored(session):
    session.execute(".create table T (a:string, b:long, c:long)")
    session.execute(".ingest inline into table T <|\nx\ny,1,2,3,4")
    assert rows(session, "T") == [["x", None, None], ["y", 1, 2]]


@pytest.mark.parametrize("fmt,data", [
    ("tsv", "a b\t1\nc\t2"),
    ("psv", "a b|1\nc|2"),
    ("json", '{"s":"a b","n":1}\n{"n":2,"s":"c"}'),
    ("multijson", '[{"s":"a b","n":1},\n {"s":"c",\n  "n":2}]'),
])
def test_formats(session, fmt, data):
    session.execute(".create table T (s:string, n:long)")
    session.execute(f".ingest inline into table T with (format='{fmt}') <|\n{data}")
    assert rows(session, "T") == [["a b", 1], ["c", 2]]


def test_ignore_first_record_and_json_mapping(session):
    session.execute(".create table T (s:string, n:long)")
    session.execute(".ingest inline into table T with (format='csv', ignoreFirstRecord=true) <|\ns,n\nx,1")
    assert rows(session, "T") == [["x", 1]]
    session.execute(".ingest inline into table T with (format='json', ingestionMapping="
                    "'[{\"column\":\"s\",\"Properties\":{\"Path\":\"$.a.b\"}},{\"column\":\"n\",\"path\":\"$.c[1]\"}]')"
                    ' <|\n{"a":{"b":"deep"},"c":[5,6]}')
    assert rows(session, "T")[-1] == ["deep", 6]


def test_unknown_format_and_missing_table_fail_cleanly(session):
    session.execute(".create table T (s:string)")
    with pytest.raises(BadRequest):
        session.execute(".ingest inline into table T with (format='nope') <|\nx")
    with pytest.raises(TableNotFound):
        session.execute(".ingest inline into table Missing <|\nx")
    assert session.database.tables["T"].row_count == 0


def test_tags_are_recorded_on_the_extent(session):
    session.execute(".create table T (s:string)")
    session.execute(".ingest inline into table T with (tags='[\"a\",\"b\"]') <|\nx")
    assert session.database.tables["T"].extents[0].tags == ["a", "b"]


def test_extent_ids_are_deterministic():
    from kshell.engine.session import Session

    ids = []
    for _ in range(2):
        s = Session(now=dt.datetime(2026, 1, 1, tzinfo=UTC))
        s.execute(".create table T (s:string)")
        ids.append(s.execute(".ingest inline into table T <|\nx")[0].rows[0][0])
    assert ids[0] == ids[1]


# ------------------------------------------------------------------ the pipeline

@pytest.fixture
def hooks():
    saved = list(ingest.INGESTION_HOOKS)
    ingest.INGESTION_HOOKS.clear()
    yield ingest.INGESTION_HOOKS
    ingest.INGESTION_HOOKS[:] = saved


def test_hook_cascades_into_another_table(session, hooks):
    session.execute(".create table Src (s:string)")
    session.execute(".create table Dst (s:string, n:long)")
    seen = []

    def copy_upper(batch, append):
        seen.append((append.table.name, append.origin))
        if append.table.name == "Src":
            col = append.columns_data[0]
            batch.add(append.database, "Dst", [[v.upper() for v in col], [len(v) for v in col]], origin="test")
    hooks.append(copy_upper)
    session.execute(".ingest inline into table Src <|\nab\nc")
    assert rows(session, "Dst") == [["AB", 2], ["C", 1]]
    assert seen == [("Src", "ingest-inline"), ("Dst", "test")]
    assert session.database.tables["Dst"].extents[0].ingestion_time == session.now()


def test_failing_hook_aborts_the_whole_batch(session, hooks):
    session.execute(".create table Src (s:string)")
    session.execute(".create table Dst (s:string)")

    def cascade_then_fail(batch, append):
        if append.table.name == "Src":
            batch.add(append.database, "Dst", append.columns_data, origin="test")
        else:
            raise BadRequest("target refused")
    hooks.append(cascade_then_fail)
    with pytest.raises(BadRequest):
        session.execute(".ingest inline into table Src <|\nx")
    assert session.database.tables["Src"].row_count == 0
    assert session.database.tables["Dst"].row_count == 0
    assert session.database.tables["Src"].extents == []


def test_non_fatal_failures_are_stored(session, hooks):
    session.execute(".create table Src (s:string)")

    def note(batch, append):
        batch.failures.append({"Database": append.database.name, "Table": "X", "Details": "skipped",
                               "FailureKind": "Permanent"})
    hooks.append(note)
    session.execute(".ingest inline into table Src <|\nx")
    assert session.database.tables["Src"].row_count == 1
    assert [f["Details"] for f in session.cluster.ingestion_failures] == ["skipped"]


def test_ingest_rows_api_and_replace_rows(session, hooks):
    session.execute(".create table T (n:long)")
    ext = ingest.ingest_rows(session, None, "T", [[1, 2, 3]], origin="api")
    assert [e.row_count for e in ext] == [3]
    seen = []
    hooks.append(lambda batch, append: seen.append(append.columns_data))
    ingest.replace_rows(session, "NetDefaultDB", "T", [[9]], origin="api")
    assert [list(c) for c in session.database.tables["T"].data] == [[9]]
    assert len(session.database.tables["T"].extents) == 1
    assert seen == [[[9]]]
    with pytest.raises(KustoError):
        ingest.ingest_rows(session, None, "T", [[1], [2]], origin="api")
    assert [list(c) for c in session.database.tables["T"].data] == [[9]]


# ------------------------------------------------------------ ingestion mappings

def test_mapping_commands_and_reference(session):
    session.execute(".create table Storms (StartTime:datetime, State:string)")
    [r] = session.execute(".create table Storms ingestion csv mapping 'M' "
                          "'[{\"Name\":\"StartTime\",\"Ordinal\":1},{\"Name\":\"State\",\"Ordinal\":0}]'")
    assert r.column_names == ["Name", "Kind", "Mapping", "LastUpdatedOn", "Database", "Table"]
    assert r.rows[0][:2] == ["M", "Csv"]
    session.execute(".ingest inline into table Storms with (ingestionMappingReference='M') <|\nTX,2020-01-01")
    assert rows(session, "Storms") == [[dt.datetime(2020, 1, 1, tzinfo=UTC), "TX"]]
    assert session.execute(".show table Storms ingestion csv mappings")[0].column("Name") == ["M"]
    assert session.execute(".show table Storms ingestion json mappings")[0].rows == []


def test_mapping_errors_change_nothing(session):
    from kshell.errors import Conflict, EntityNotFound

    session.execute(".create table T (a:string)")
    session.execute(".create table T ingestion json mapping 'J' '[{\"column\":\"a\",\"path\":\"$.x\"}]'")
    with pytest.raises(Conflict):
        session.execute(".create table T ingestion json mapping 'J' '[{\"column\":\"a\",\"path\":\"$.y\"}]'")
    with pytest.raises(BadRequest):
        session.execute(".create-or-alter table T ingestion json mapping 'J' '[{\"column\":\"nope\"}]'")
    [r] = session.execute(".show table T ingestion json mapping 'J'")
    assert '"$.x"' in r.rows[0][2]
    with pytest.raises(BadRequest) as e:
        session.execute(".ingest inline into table T with (format='json', ingestionMappingReference='J', "
                        "ingestionMapping='[]') <|\n{}")
    assert e.value.code == "BadRequest_DuplicateMapping"
    with pytest.raises(BadRequest) as e:
        session.execute(".ingest inline into table T with (format='json', ingestionMappingReference='K') <|\n{}")
    assert e.value.code == "BadRequest_MappingReferenceWasNotFound"
    session.execute(".drop table T ingestion json mapping 'J'")
    with pytest.raises(EntityNotFound):
        session.execute(".drop table T ingestion json mapping 'J'")
    assert session.database.tables["T"].row_count == 0
