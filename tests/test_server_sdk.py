"""`kshell serve` driven by the official Python SDK (azure-kusto-data), unmodified.

One server process (in memory) serves this module; each test works in its own
database so that tests do not see each other's tables.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid

import pytest

pytest.importorskip("azure.kusto.data")

from azure.kusto.data import ClientRequestProperties  # noqa: E402
from azure.kusto.data.exceptions import KustoApiError, KustoMultiApiError, KustoServiceError  # noqa: E402

from server_support import KshellServer, token, wait_until  # noqa: E402

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def server():
    s = KshellServer()
    yield s
    s.close()


@pytest.fixture(scope="module")
def admin(server):
    return server.client()


_counter = iter(range(1, 10_000))


@pytest.fixture
def db(admin):
    """A fresh database for one test."""
    name = f"Db{next(_counter)}"
    admin.execute_mgmt("NetDefaultDB", f".create database {name} volatile")
    return name


def rows(response) -> list[list]:
    return [r.to_list() for r in response.primary_results[0]]


# ----------------------------------------------------------------- values

def test_every_scalar_type_after_the_sdks_conversion(admin, db):
    admin.execute_mgmt(db, ".create table T (b:bool, i:int, l:long, r:real, d:decimal, s:string, "
                           "t:datetime, ts:timespan, g:guid, dy:dynamic)")
    admin.execute_mgmt(db, '.ingest inline into table T <|\n'
                           'true,7,9007199254740993,1.5,123456789012345678.123456789,héllo "q",'
                           '2024-01-02T03:04:05.1234567Z,-1.02:03:04.5,0a1b2c3d-0000-4000-8000-000000000001,'
                           '"{""a"":[1,2,{""b"":null}]}"\n'
                           ',,,,,,,,,')
    result = admin.execute(db, "T")
    table = result.primary_results[0]
    assert [(c.column_name, c.column_type) for c in table.columns] == [
        ("b", "bool"), ("i", "int"), ("l", "long"), ("r", "real"), ("d", "decimal"), ("s", "string"),
        ("t", "datetime"), ("ts", "timespan"), ("g", "guid"), ("dy", "dynamic")]
    full, empty = table.rows[0].to_list(), table.rows[1].to_list()
    assert full == [
        True, 7, 9007199254740993, 1.5, decimal.Decimal("123456789012345678.123456789"), 'héllo "q"',
        dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
        -dt.timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=500000),
        "0a1b2c3d-0000-4000-8000-000000000001", {"a": [1, 2, {"b": None}]}]
    assert empty == [None, None, None, None, None, "", None, None, None, None]


def test_real_specials_and_dynamic_scalars(admin, db):
    r = admin.execute(db, "print n=real(nan), p=real(+inf), m=real(-inf), z=0.0, "
                          "ds=dynamic('x'), dn=dynamic(null), da=dynamic([1,'a']), w=datetime(2024-01-01)")
    assert rows(r) == [["NaN", "Infinity", "-Infinity", 0.0, "x", None, [1, "a"],
                        dt.datetime(2024, 1, 1, tzinfo=UTC)]]


def test_pandas_dataframe_of_a_result(admin, db):
    pd = pytest.importorskip("pandas")
    from azure.kusto.data.helpers import dataframe_from_result_table

    # the pandas helper keeps the 7th fractional digit (100 ns ticks) that Python's datetime drops
    r = admin.execute(db, "print r=real(nan), t=datetime(2024-01-01 00:00:00.1234567), ts=1h, l=long(null)")
    frame = dataframe_from_result_table(r.primary_results[0])
    assert pd.isna(frame["r"][0])
    assert frame["t"][0] == pd.Timestamp("2024-01-01 00:00:00.1234567", tz="UTC")
    assert frame["ts"][0] == pd.Timedelta(hours=1)
    assert pd.isna(frame["l"][0])


# ---------------------------------------------------------- query results

def test_frames_and_table_kinds(admin, db):
    r = admin.execute(db, "print x=1")
    kinds = [t.table_kind.value for t in r.tables]
    assert kinds == ["QueryProperties", "PrimaryResult", "QueryCompletionInformation"]
    assert r.errors_count == 0
    assert len(r.primary_results) == 1


def test_batch_gives_one_primary_result_each(admin, db):
    r = admin.execute(db, "print a=1; print b='two'")
    assert [rows_of(t) for t in r.primary_results] == [[[1]], [["two"]]]


def test_fork_gives_one_named_primary_result_per_subquery(admin, db):
    r = admin.execute(db, "range x from 1 to 3 step 1 | fork Big=(where x > 1) (count | as Cnt)")
    assert [t.table_name for t in r.primary_results] == ["Big", "Cnt"]
    assert [rows_of(t) for t in r.primary_results] == [[[2], [3]], [[3]]]


def rows_of(table) -> list[list]:
    return [row.to_list() for row in table]


def test_render_visualization_row(admin, db):
    r = admin.execute(db, "range x from 1 to 3 step 1 | extend y = x * 2 | sort by x asc "
                          "| render timechart with (title='Growth', xcolumn=x, ycolumns=y, kind=stacked)")
    props = next(t for t in r.tables if t.table_kind.value == "QueryProperties")
    (table_id, key, value), = [row.to_list() for row in props]
    primary = r.primary_results[0]
    assert (key, table_id) == ("Visualization", primary.table_id)
    vis = json.loads(value)
    assert vis["Visualization"] == "timechart"
    assert vis["Title"] == "Growth"
    assert vis["XColumn"] == "x"
    assert vis["YColumns"] == "y"
    assert vis["Kind"] == "stacked"
    assert vis["IsQuerySorted"] is True
    assert vis["Ymin"] == "NaN" and vis["Series"] is None
    assert rows_of(primary) == [[1, 2], [2, 4], [3, 6]]
    plain = admin.execute(db, "print 1")
    props = next(t for t in plain.tables if t.table_kind.value == "QueryProperties")
    assert len(props.raw_rows) == 0


# ------------------------------------------------------------- mgmt commands

def test_management_commands(admin, db):
    created = admin.execute_mgmt(db, ".create table Events (Name:string, At:datetime)")
    assert created.primary_results[0].rows[0]["TableName"] == "Events"
    admin.execute_mgmt(db, ".ingest inline into table Events <|\nstart,2024-05-01\nstop,2024-05-02")
    tables = admin.execute_mgmt(db, ".show tables")
    assert [r["TableName"] for r in tables.primary_results[0]] == ["Events"]
    schema = admin.execute_mgmt(db, ".show table Events cslschema")
    assert schema.primary_results[0].rows[0]["Schema"] == "Name:string,At:datetime"
    assert rows(admin.execute(db, "Events | summarize max(At)")) == [[dt.datetime(2024, 5, 2, tzinfo=UTC)]]
    admin.execute_mgmt(db, ".drop table Events")
    with pytest.raises(KustoApiError, match="Events"):
        admin.execute(db, "Events")


def test_show_databases_lists_what_kqlmagic_reads(admin, db):
    r = admin.execute_mgmt("NetDefaultDB", ".show databases")
    names = [row["DatabaseName"] for row in r.primary_results[0]]
    assert "NetDefaultDB" in names and db in names
    assert "PrettyName" in [c.column_name for c in r.primary_results[0].columns]


def test_a_query_sent_to_the_mgmt_endpoint_is_answered_in_v1(admin, db):
    # `execute_mgmt` posts to /v1/rest/mgmt; v1 tables carry DataType and ColumnType
    r = admin.execute_mgmt(db, "print d=datetime(2024-01-01), t=2m")
    assert rows(r) == [[dt.datetime(2024, 1, 1, tzinfo=UTC), dt.timedelta(minutes=2)]]


# ----------------------------------------------------------------- parameters

def test_query_parameters(admin, db):
    crp = ClientRequestProperties()
    crp.set_parameter("n", 5)
    crp.set_parameter("who", "O'Brien \"Jr\"")
    crp.set_parameter("since", "datetime(2024-01-01)")
    crp.set_parameter("tags", "dynamic(['a','b'])")
    crp.set_parameter("ratio", "0.25")
    crp.set_option("servertimeout", dt.timedelta(minutes=1))
    r = admin.execute(db, "declare query_parameters(n:long, who:string, since:datetime, tags:dynamic, "
                          "ratio:real, unset:long = 42);\n"
                          "print n2 = n * 2, who, since, t = tags[1], ratio, unset", crp)
    assert rows(r) == [[10, "O'Brien \"Jr\"", dt.datetime(2024, 1, 1, tzinfo=UTC), "b", 0.25, 42]]


def test_parameter_of_the_wrong_type_is_a_bad_request(admin, db):
    crp = ClientRequestProperties()
    crp.set_parameter("n", "datetime(2024-01-01)")
    with pytest.raises(KustoApiError, match="query parameter 'n' is declared long"):
        admin.execute(db, "declare query_parameters(n:long); print n", crp)


def test_server_timeout_in_every_spelling(server, db):
    for spelling in ("0:01:00", "00:01:00.000", "1m", "1.00:00:00"):
        body = {"db": db, "csl": "print 1", "properties": {"Options": {"servertimeout": spelling}}}
        status, _, data = post(server, "/v2/rest/query", body)
        assert status == 200, (spelling, data)
    status, _, data = post(server, "/v2/rest/query",
                           {"db": db, "csl": "print 1", "properties": {"Options": {"servertimeout": "soon"}}})
    assert status == 400 and "servertimeout" in json.loads(data)["error"]["@message"]


def test_truncation_limits(admin, db):
    crp = ClientRequestProperties()
    crp.set_option("truncationmaxrecords", 5)
    with pytest.raises(KustoMultiApiError, match="exceed the set limit of 5 records"):
        admin.execute(db, "range x from 1 to 10 step 1", crp)
    crp = ClientRequestProperties()
    crp.set_option("truncationmaxrecords", 5)
    crp.set_option("notruncation", True)
    assert len(admin.execute(db, "range x from 1 to 10 step 1", crp).primary_results[0]) == 10


# --------------------------------------------------------------------- errors

def test_errors_are_kusto_api_errors_with_kshells_message(admin, db):
    with pytest.raises(KustoApiError) as info:
        admin.execute(db, "print nosuch + 1")
    assert str(info.value) == "SemanticError: Failed to resolve scalar expression named 'nosuch'"
    err = info.value.get_api_error()
    assert err.code == "General_BadRequest" and err.permanent is True
    assert err.type == "Kusto.Data.Exceptions.SemanticException"

    with pytest.raises(KustoApiError, match=r"^SyntaxError: ") as info:
        admin.execute(db, "print (")
    assert info.value.get_api_error().type == "Kusto.Data.Exceptions.SyntaxException"

    with pytest.raises(KustoApiError, match=r"^EntityNotFound: Database 'NoSuchDb' was not found$"):
        admin.execute("NoSuchDb", "print 1")
    with pytest.raises(KustoApiError, match="NoTable"):
        admin.execute_mgmt(db, ".show table NoTable")


def test_directives_are_not_kusto_requests(admin, db):
    with pytest.raises(KustoApiError, match="directives are kshell shell commands"):
        admin.execute_mgmt(db, "#as aaduser=someone@contoso.com")


def test_viewer_token_gets_403_on_drop_table(server, admin, db):
    admin.execute_mgmt(db, ".create table Keep (x:long)")
    admin.execute_mgmt(db, f".add database {db} viewers ('aaduser=viewer@contoso.com')")
    viewer = server.client(token("aaduser=viewer@contoso.com"))
    assert rows(viewer.execute(db, "Keep | count")) == [[0]]
    with pytest.raises(KustoApiError) as info:
        viewer.execute_mgmt(db, ".drop table Keep")
    assert info.value.http_response.status_code == 403
    # the text the shell prints for the same refusal
    assert str(info.value).startswith("Forbidden: Principal 'aaduser=viewer@contoso.com' is not authorized")
    assert info.value.get_api_error().code == "Forbidden"
    assert [r["TableName"] for r in admin.execute_mgmt(db, ".show tables").primary_results[0]] == ["Keep"]


def test_stranger_token_cannot_read(server, admin, db):
    stranger = server.client("aaduser=stranger@fabrikam.com")  # a plain FQN is a token too
    with pytest.raises(KustoApiError) as info:
        stranger.execute(db, "print 1")
    assert info.value.http_response.status_code == 403


def test_unreadable_token_is_401(server, db):
    bad = server.client("not a token")
    with pytest.raises(KustoServiceError, match="401"):
        bad.execute(db, "print 1")


def test_rls_rows_differ_per_token(server, admin, db):
    admin.execute_mgmt(db, ".create table Sales (Id:long, Seller:string)")
    admin.execute_mgmt(db, ".ingest inline into table Sales <|\n1,alice@contoso.com\n2,bob@contoso.com\n"
                           "3,alice@contoso.com")
    admin.execute_mgmt(db, f".add database {db} viewers ('aaduser=alice@contoso.com', 'aaduser=bob@contoso.com')")
    admin.execute_mgmt(db, '.alter table Sales policy row_level_security enable '
                           '"Sales | where Seller == tostring(current_principal_details().UserPrincipalName)"')
    alice = server.client(token("aaduser=alice@contoso.com"))
    bob = server.client(token("aaduser=bob@contoso.com"))
    assert rows(alice.execute(db, "Sales | project Id | order by Id asc")) == [[1], [3]]
    assert rows(bob.execute(db, "Sales | project Id")) == [[2]]
    # interleaved: nothing of one request's principal leaks into the next
    for _ in range(3):
        assert rows(alice.execute(db, "Sales | count")) == [[2]]
        assert rows(bob.execute(db, "Sales | count")) == [[1]]
        assert rows(admin.execute(db, "print current_principal()"))[0][0].startswith("aaduser=")


def test_refusals_name_the_tokens_principal(server, db):
    alice = server.client(token("aaduser=alice@contoso.com;contoso.com"))
    app_id = str(uuid.UUID(int=7))
    app = server.client(token(f"aadapp={app_id}"))
    for client in (alice, app):
        client_db = "NetDefaultDB"
        # no role on the database: still 403, naming the token's principal
        with pytest.raises(KustoApiError, match="alice@contoso.com" if client is alice else app_id):
            client.execute(client_db, "print current_principal()")


# ------------------------------------------------------------------ raw HTTP

def post(server, path: str, body, headers: dict | None = None, raw: bytes | None = None):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    data = raw if raw is not None else json.dumps(body).encode()
    conn.request("POST", path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
    resp = conn.getresponse()
    out = resp.status, dict(resp.getheaders()), resp.read()
    conn.close()
    return out


def get(server, path: str):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.request("GET", path)
    resp = conn.getresponse()
    out = resp.status, dict(resp.getheaders()), resp.read()
    conn.close()
    return out


def test_ping_metadata_and_unknown_endpoints(server):
    status, _, data = get(server, "/v1/rest/ping")
    assert status == 200 and json.loads(data) == {"ApplicationHealthState": "Healthy"}
    assert get(server, "/v1/rest/auth/metadata")[0] == 404
    status, _, data = get(server, "/v2/rest/nothing")
    assert status == 404 and json.loads(data)["error"]["@message"].startswith("NotFound: unknown endpoint")


def test_request_ids_are_echoed(server, db):
    status, headers, _ = post(server, "/v2/rest/query", {"db": db, "csl": "print 1"},
                              headers={"x-ms-client-request-id": "MyApp.run;1234"})
    lower = {k.lower(): v for k, v in headers.items()}
    assert status == 200 and lower["x-ms-client-request-id"] == "MyApp.run;1234"
    assert uuid.UUID(lower["x-ms-activity-id"])


def test_properties_as_object_or_string(server, db):
    props = {"Parameters": {"x": "3"}}
    csl = "declare query_parameters(x:long); print x"
    for p in (props, json.dumps(props)):
        status, _, data = post(server, "/v2/rest/query", {"db": db, "csl": csl, "properties": p})
        frames = json.loads(data)
        primary = next(f for f in frames if f.get("TableKind") == "PrimaryResult")
        assert status == 200 and primary["Rows"] == [[3]]


def test_v1_query_with_several_results_has_a_table_of_contents(server, db):
    from azure.kusto.data.response import KustoResponseDataSetV1

    status, _, data = post(server, "/v1/rest/query", {"db": db, "csl": "print a=1; print b=dynamic({'k':2})"})
    assert status == 200
    body = json.loads(data)
    assert all({"ColumnName", "DataType", "ColumnType"} <= set(c) for t in body["Tables"] for c in t["Columns"])
    parsed = KustoResponseDataSetV1(body)
    assert [rows_of(t) for t in parsed.primary_results] == [[[1]], [['{"k":2}']]]


def test_progressive_frames_only_when_asked(server, db):
    body = {"db": db, "csl": "range x from 1 to 3 step 1",
            "properties": {"Options": {"results_progressive_enabled": True}}}
    frames = json.loads(post(server, "/v2/rest/query", body)[2])
    types = [f["FrameType"] for f in frames]
    assert types[0] == "DataSetHeader" and frames[0]["IsProgressive"] is True
    assert "TableHeader" in types and "TableFragment" in types and "TableCompletion" in types
    fragment = next(f for f in frames if f["FrameType"] == "TableFragment")
    assert fragment["Rows"] == [[1], [2], [3]]
    plain = json.loads(post(server, "/v2/rest/query", {"db": db, "csl": "print 1"})[2])
    assert {f["FrameType"] for f in plain} == {"DataSetHeader", "DataTable", "DataSetCompletion"}
    assert all(list(f)[0] == "FrameType" for f in plain)
    assert all(list(f)[-1] == "Rows" for f in plain if f["FrameType"] == "DataTable")


def test_bodies_gzip_and_chunked(server, db):
    import gzip

    body = json.dumps({"db": db, "csl": "print 42"}).encode()
    status, _, data = post(server, "/v2/rest/query", None, raw=gzip.compress(body),
                           headers={"Content-Encoding": "gzip"})
    assert status == 200 and b"42" in data
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7))
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sock.sendall(b"POST /v2/rest/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked + b"0\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200") and b"[[42]]" in reply


def test_bad_bodies_are_400_never_a_traceback(server):
    for raw in (b"", b"{", b"[1]", b'{"db": 1, "csl": "print 1"}', b'{"csl": ""}', b"\xff\xfe"):
        status, _, data = post(server, "/v2/rest/query", None, raw=raw)
        assert status == 400, raw
        err = json.loads(data)["error"]
        assert err["@message"] and "Traceback" not in data.decode("utf-8", "replace")


def test_the_log_has_one_line_per_request(server, db):
    def lines():
        return [ln for ln in server.log().splitlines() if "/v1/rest/ping" in ln]

    before = len(lines())
    get(server, "/v1/rest/ping")
    post(server, "/v2/rest/query", {"db": db, "csl": "print 'logged'"}, headers={"Authorization": "Bearer x"})
    # the line is written once the reply is sent: wait for it
    assert wait_until(lambda: len(lines()) == before + 1)
    assert wait_until(lambda: " 401 " in server.log().splitlines()[-1])
    stamp, principal, method, path, status, took = lines()[-1].split(" ")
    assert (method, path, status) == ("GET", "/v1/rest/ping", "200") and took.endswith("ms")
    assert dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_streaming_query_parser_reads_the_frames(admin, db):
    # execute_streaming_query parses frames incrementally: it needs FrameType first and Rows last
    response = admin.execute_streaming_query(db, "range x from 1 to 5 step 1 | extend d = datetime(2024-01-01)")
    table = next(response.iter_primary_results())
    assert [row.to_list() for row in table] == [[i, dt.datetime(2024, 1, 1, tzinfo=UTC)] for i in range(1, 6)]


def test_a_query_over_its_servertimeout_is_refused(admin, db):
    crp = ClientRequestProperties()
    crp.set_option("servertimeout", dt.timedelta(microseconds=1))
    with pytest.raises(KustoApiError) as info:
        admin.execute(db, "range x from 1 to 200000 step 1 | summarize count() by x % 1000", crp)
    assert info.value.http_response.status_code == 504
    assert str(info.value).startswith("Timeout: the query ran longer than its servertimeout")


def test_get_form_of_a_query(server, db):
    from urllib.parse import urlencode

    status, _, data = get(server, "/v2/rest/query?" + urlencode({"db": db, "csl": "print g = 'got'"}))
    primary = next(f for f in json.loads(data) if f.get("TableKind") == "PrimaryResult")
    assert status == 200 and primary["Rows"] == [["got"]]


def test_browser_requests_and_foreign_host_names_are_refused(server, admin, db):
    admin.execute_mgmt(db, ".create table Precious (x:long)")
    drop = {"db": db, "csl": ".drop table Precious"}
    # a web page posting cross-origin (CSRF), and one reaching loopback through DNS rebinding
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Host": "evil.example:8080"}):
        status, _, data = post(server, "/v1/rest/mgmt", drop, headers=headers)
        assert status == 403, headers
        assert json.loads(data)["error"]["@message"].startswith("Forbidden: ")
    assert [r["TableName"] for r in admin.execute_mgmt(db, ".show tables").primary_results[0]] == ["Precious"]
    for host in ("localhost:1234", "127.0.0.1", "[::1]:80"):
        assert post(server, "/v2/rest/query", {"db": db, "csl": "print 1"}, headers={"Host": host})[0] == 200


def test_render_row_names_its_own_table_after_a_several_table_expression(admin, db):
    # the first expression gives two tables (fork); the render belongs to the third table
    r = admin.execute(db, "print n = 1 | fork (project a = n) (project b = n); "
                          "range x from 1 to 2 step 1 | render linechart")
    props = next(t for t in r.tables if t.table_kind.value == "QueryProperties")
    (table_id, key, value), = [row.to_list() for row in props]
    assert len(r.primary_results) == 3
    assert (key, table_id) == ("Visualization", r.primary_results[2].table_id)
    assert json.loads(value)["Visualization"] == "linechart"
