"""Result conversion and error mapping of remote responses, through the SDK's own
response classes (the shapes of its recorded fixtures), without a network."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest

pytest.importorskip("azure.kusto.data")

from azure.kusto.data import exceptions as x  # noqa: E402
from azure.kusto.data.response import KustoResponseDataSetV1, KustoResponseDataSetV2  # noqa: E402

from kshell import ticks  # noqa: E402
from kshell.remote.convert import kusto_type, results_from_response  # noqa: E402
from kshell.remote.errors import from_sdk  # noqa: E402
from kshell.remote.schema import cluster_from_schema_json  # noqa: E402
from kshell.render import render  # noqa: E402

UTC = dt.timezone.utc

V2_COLUMNS = [
    {"ColumnName": "b", "ColumnType": "bool"}, {"ColumnName": "i", "ColumnType": "int"},
    {"ColumnName": "l", "ColumnType": "long"}, {"ColumnName": "r", "ColumnType": "real"},
    {"ColumnName": "d", "ColumnType": "decimal"}, {"ColumnName": "s", "ColumnType": "string"},
    {"ColumnName": "t", "ColumnType": "datetime"}, {"ColumnName": "ts", "ColumnType": "timespan"},
    {"ColumnName": "g", "ColumnType": "guid"}, {"ColumnName": "dy", "ColumnType": "dynamic"},
]
V2_ROWS = [
    [True, 1, 9223372036854775807, 1.5, "3.25", "hi", "2024-01-02T03:04:05.1234567Z", "1.02:03:04.5",
     "0b7e2b4c-4c8e-4b5a-9f4e-2f4c8d3b9a11", {"a": [1, 2]}],
    [False, -1, -2, "NaN", "-0.1", "", "1601-01-01T00:00:00Z", "-00:00:00.0000011",
     "00000000-0000-0000-0000-000000000000", [1, "x", None]],
    [None, None, None, "-Infinity", None, None, None, None, None, None],
]


def v2(tables: list[dict]) -> KustoResponseDataSetV2:
    frames = [{"FrameType": "DataSetHeader", "IsProgressive": False, "Version": "v2.0"}]
    frames += [{"FrameType": "DataTable", **t} for t in tables]
    frames.append({"FrameType": "DataSetCompletion", "HasErrors": False, "Cancelled": False})
    return KustoResponseDataSetV2(frames)


def primary(table_id: int, columns: list, rows: list) -> dict:
    return {"TableId": table_id, "TableKind": "PrimaryResult", "TableName": "PrimaryResult",
            "Columns": columns, "Rows": rows}


def test_every_kusto_type_becomes_kshells_value():
    [result] = results_from_response(v2([
        {"TableId": 0, "TableKind": "QueryProperties", "TableName": "@ExtendedProperties",
         "Columns": [{"ColumnName": "TableId", "ColumnType": "int"}], "Rows": [[1]]},
        primary(1, V2_COLUMNS, V2_ROWS),
    ]))
    assert [(c.name, c.type) for c in result.columns] == [(c["ColumnName"], c["ColumnType"]) for c in V2_COLUMNS]
    first, second, nulls = result.rows
    assert first == [True, 1, 9223372036854775807, 1.5, decimal.Decimal("3.25"), "hi",
                     ticks.fromisoformat("2024-01-02T03:04:05.1234567+00:00"),  # 100 ns ticks kept
                     dt.timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=500000),
                     uuid.UUID("0b7e2b4c-4c8e-4b5a-9f4e-2f4c8d3b9a11"), {"a": [1, 2]}]
    assert second[3] != second[3]  # NaN
    assert second[6] == dt.datetime(1601, 1, 1, tzinfo=UTC)
    assert ticks.ticks(second[7]) == -11  # -00:00:00.0000011: every 100 ns tick kept
    assert ticks.ticks(first[6]) % 10 == 7
    assert nulls[3] == float("-inf") and nulls[:3] == [None, None, None] and nulls[4:] == [None] * 6


def test_rendering_matches_kusto_text():
    [result] = results_from_response(v2([primary(1, V2_COLUMNS, V2_ROWS)]))
    csv = render(result, "csv").splitlines()
    assert csv[1] == ("true,1,9223372036854775807,1.5,3.25,hi,2024-01-02T03:04:05.1234567Z,1.02:03:04.5,"
                      '0b7e2b4c-4c8e-4b5a-9f4e-2f4c8d3b9a11,"{""a"":[1,2]}"')
    assert csv[2] == ('false,-1,-2,NaN,-0.1,,1601-01-01T00:00:00Z,-00:00:00.0000011,'
                      '00000000-0000-0000-0000-000000000000,"[1,""x"",null]"')
    assert csv[3] == ",,,-Infinity,,,,,,"


def test_several_primary_results_in_order():
    results = results_from_response(v2([
        primary(1, [{"ColumnName": "a", "ColumnType": "long"}], [[1]]),
        primary(2, [{"ColumnName": "b", "ColumnType": "string"}], [["x"], ["y"]]),
    ]))
    assert [r.rows for r in results] == [[[1]], [["x"], ["y"]]]


def test_v1_command_tables_with_clr_types_only():
    # a control command's v1 table; some servers send only DataType (CLR names)
    response = KustoResponseDataSetV1({"Tables": [{"TableName": "Table_0", "Columns": [
        {"ColumnName": "Name", "DataType": "String"}, {"ColumnName": "When", "DataType": "DateTime"},
        {"ColumnName": "Took", "DataType": "TimeSpan"}, {"ColumnName": "Count", "DataType": "Int64"},
        {"ColumnName": "Ok", "DataType": "SByte", "ColumnType": "bool"}, {"ColumnName": "Id", "DataType": "Guid"},
        {"ColumnName": "Ratio", "DataType": "Double"}, {"ColumnName": "Bag", "DataType": "Object"},
    ], "Rows": [["T", "2024-01-01T00:00:00Z", "00:00:01", 5, 1, "0b7e2b4c-4c8e-4b5a-9f4e-2f4c8d3b9a11", 0.5,
                 {"k": "v"}]]}]})
    [result] = results_from_response(response)
    assert [c.type for c in result.columns] == ["string", "datetime", "timespan", "long", "bool", "guid",
                                               "real", "dynamic"]
    assert result.rows[0][1:5] == [dt.datetime(2024, 1, 1, tzinfo=UTC), dt.timedelta(seconds=1), 5, True]


@pytest.mark.parametrize("name, expected", [
    ("long", "long"), ("Int64", "long"), ("System.Int32", "int"), ("date", "datetime"), ("uniqueid", "guid"),
    ("System.Data.SqlTypes.SqlDecimal", "decimal"), ("Boolean", "bool"), ("double", "real"), (None, "dynamic"),
    ("something-new", "dynamic"),
])
def test_column_type_names(name, expected):
    assert kusto_type(name) == expected


def test_a_value_the_type_cannot_read_is_kept_as_sent():
    [result] = results_from_response(v2([primary(1, [{"ColumnName": "t", "ColumnType": "datetime"}],
                                                  [["not a date"]])]))
    assert result.rows == [["not a date"]]


# ------------------------------------------------------------------ errors

class _Response:
    def __init__(self, status: int):
        self.status_code = status


def _api(status: int, error_type: str, code: str, message: str, context: dict | None = None) -> x.KustoApiError:
    body = {"error": {"code": code, "message": "Request is invalid", "@type": error_type, "@message": message,
                      "@context": context or {}, "@permanent": True}}
    return x.KustoApiError(body, http_response=_Response(status))


@pytest.mark.parametrize("error, kind, message", [
    (_api(400, "Kusto.Data.Exceptions.SemanticException", "General_BadRequest",
          "SemanticError: Failed to resolve 'x'"), "SemanticError", "Failed to resolve 'x'"),
    # the service's own way: SyntaxException whose text says "Semantic error"
    (_api(400, "Kusto.Data.Exceptions.SyntaxException", "General_BadRequest",
          "Semantic error: 'where' operator: Failed to resolve column"), "SemanticError",
     "Semantic error: 'where' operator: Failed to resolve column"),
    (_api(400, "Kusto.Data.Exceptions.SyntaxException", "BadRequest_SyntaxError", "Syntax error: unexpected ')'"),
     "SyntaxError", "Syntax error: unexpected ')'"),
    (_api(403, "Kusto.DataNode.Exceptions.UnauthorizedDatabaseAccessException", "Forbidden",
          "Principal 'aadapp=abc' is not authorized to access database 'db1'."), "Forbidden",
     "Principal 'aadapp=abc' is not authorized to access database 'db1'."),
    (_api(400, "Kusto.Data.Exceptions.EntityNotFoundException", "BadRequest_EntityNotFound",
          "Table 'x' was not found"), "EntityNotFound", "Table 'x' was not found"),
    (_api(409, "Kusto.Data.Exceptions.SomethingElse", "Conflict_X", "busy"), "Conflict", "busy"),
    (x.KustoServiceError("401. Missing adequate access rights.", _Response(401)), "Unauthorized",
     "401. Missing adequate access rights."),
    (x.KustoThrottlingError("throttled"), "Throttled", "the cluster throttled the request; try again later"),
])
def test_service_errors_keep_the_service_message(error, kind, message):
    mapped = from_sdk(error, url="https://c.kusto.windows.net")
    assert (mapped.kind, mapped.message) == (kind, message)


def test_service_error_position_from_context():
    mapped = from_sdk(_api(400, "Kusto.Data.Exceptions.SyntaxException", "X", "SyntaxError: bad", {"line": 3, "column": 7}))
    assert (mapped.kind, mapped.message, mapped.line, mapped.column) == ("SyntaxError", "bad", 3, 7)


def test_errors_inside_a_result_are_raised_by_the_sdk_and_mapped():
    error_row = {"OneApiErrors": [{"error": {"code": "LimitsExceeded", "message": "Request is invalid",
                                             "@type": "Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException",
                                             "@message": "Query execution has exceeded the allowed limits"}}]}
    with pytest.raises(x.KustoMultiApiError) as e:
        v2([primary(1, [{"ColumnName": "a", "ColumnType": "long"}], [[1], error_row])])
    mapped = from_sdk(e.value)
    assert (mapped.kind, mapped.message) == ("LimitsExceeded", "Query execution has exceeded the allowed limits")


def test_network_and_authentication_failures_are_one_line():
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as inner:
            raise x.KustoNetworkError("http://127.0.0.1:1/v2/rest/query") from inner
    except x.KustoNetworkError as e:
        mapped = from_sdk(e, url="http://127.0.0.1:1")
    assert (mapped.kind, mapped.message) == ("ConnectionError", "cannot reach http://127.0.0.1:1: connection refused")
    auth = x.KustoAuthenticationError("AzCliTokenProvider", RuntimeError("Please run 'az login'\nmore detail"))
    mapped = from_sdk(auth, url="https://c.kusto.windows.net", auth="az-cli")
    assert mapped.kind == "AuthenticationError"
    assert mapped.message == "cannot get a token for https://c.kusto.windows.net with --auth az-cli: Please run 'az login'"


def test_an_unexpected_exception_names_itself_in_one_line():
    mapped = from_sdk(KeyError("QueryTraceLog"), url="https://c")
    assert (mapped.kind, mapped.message) == ("ClientError", "unexpected response from https://c: KeyError: 'QueryTraceLog'")


# ------------------------------------------------------------------ schema

def test_schema_json_becomes_a_names_only_cluster():
    cluster = cluster_from_schema_json({"Databases": {"Samples": {"Name": "Samples", "Tables": {
        "StormEvents": {"Name": "StormEvents", "OrderedColumns": [
            {"Name": "StartTime", "Type": "System.DateTime", "CslType": "datetime"},
            {"Name": "State", "Type": "System.String"}]}},
        "Functions": {"Top": {"Name": "Top", "Parameters": "(n:long)", "Body": "{ StormEvents | take n }"}},
        "MaterializedViews": {"MV": {"Name": "MV"}}, "ExternalTables": {}}}})
    db = cluster.databases["samples"]
    assert db.name == "Samples"
    assert [(c.name, c.type) for c in db.tables["StormEvents"].columns] == [("StartTime", "datetime"), ("State", "string")]
    assert db.functions["Top"].parameters == "(n:long)"
    assert list(db.materialized_views) == ["MV"]


def test_the_default_chain_says_what_it_tried():
    inner = RuntimeError(
        "ChainedTokenCredential failed to retrieve a token from the included credentials.\n"
        "Attempted credentials:\n"
        "\tEnvironmentCredential: EnvironmentCredential authentication unavailable. Environment variables are not "
        "fully configured.\nVisit https://aka.ms/azsdk/python/identity/environmentcredential/troubleshoot to "
        "troubleshoot this issue.\n"
        "\tAzureCliCredential: Azure CLI not found on path\n"
        "To mitigate this issue, please refer to the troubleshooting guidelines here at https://aka.ms/x.")
    mapped = from_sdk(x.KustoAuthenticationError("AzureIdentityTokenCredentialProvider", inner),
                      url="https://c.kusto.windows.net", auth="default")
    assert mapped.message == ("cannot get a token for https://c.kusto.windows.net; tried EnvironmentCredential "
                              "(EnvironmentCredential authentication unavailable), AzureCliCredential "
                              "(Azure CLI not found on path)")


# ------------------------------------------------------------ cancellation

def test_ctrl_c_stops_waiting_and_cancel_asks_the_cluster_by_request_id():
    import _thread
    import threading

    from kshell.remote.client import RemoteTarget
    from kshell.remote.spec import parse_target

    target = RemoteTarget(parse_target("http://127.0.0.1:9/db"))
    release = threading.Event()
    seen: dict = {}
    cancelled = threading.Event()

    def slow_query(database, text, properties):
        seen["id"] = properties.client_request_id
        threading.Timer(0.2, _thread.interrupt_main).start()  # the user's Ctrl-C
        release.wait(30)
        raise AssertionError("never answered")

    def mgmt(database, text, properties):
        seen["cancel"] = text
        cancelled.set()
        return v2([primary(1, [{"ColumnName": "a", "ColumnType": "long"}], [])])

    target.client.execute_query = slow_query
    target.client.execute_mgmt = mgmt
    with pytest.raises(KeyboardInterrupt):
        target.execute("print 1")
    target.cancel()
    assert cancelled.wait(10)
    release.set()
    assert seen["id"].startswith("KSH.execute;")
    assert seen["cancel"] == f'.cancel query "{seen["id"]}"'
    target.cancel()  # nothing in flight any more: no second cancellation
