"""The server layer's pure parts: value encodings, token claims, request decoding."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import json
import math
import uuid

import pytest
from hypothesis import given, strategies as st

from kshell.errors import BadRequest
from kshell.server import principals, request, values

UTC = dt.timezone.utc


# ------------------------------------------------------------------ values

@pytest.mark.parametrize("type_name, value, wire", [
    ("datetime", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
    ("datetime", dt.datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC), "2024-01-02T03:04:05.1200000Z"),
    ("timespan", dt.timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=500000), "1.02:03:04.5000000"),
    ("timespan", -dt.timedelta(minutes=1), "-00:01:00"),
    ("timespan", dt.timedelta(0), "00:00:00"),
    ("timespan", dt.timedelta(microseconds=-1), "-00:00:00.0000010"),
    ("decimal", decimal.Decimal("0.10"), "0.10"),
    ("real", math.nan, "NaN"),
    ("real", -math.inf, "-Infinity"),
    ("real", 2, 2.0),
    ("guid", uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
    ("long", 2**62, 2**62),
    ("bool", False, False),
    ("dynamic", {"t": dt.datetime(2024, 1, 1, tzinfo=UTC), "n": math.inf}, {"t": "2024-01-01T00:00:00Z", "n": "Infinity"}),
    ("string", None, None),
])
def test_encodings(type_name, value, wire):
    assert values.encode_value(type_name, value) == wire


def test_dynamic_is_json_in_v2_and_json_text_in_v1():
    assert values.encode_value("dynamic", [1, "a"]) == [1, "a"]
    assert values.encode_value("dynamic", [1, "a"], v1=True) == '[1,"a"]'
    assert values.decode_value("dynamic", '[1,"a"]', v1=True) == [1, "a"]


_datetimes = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                          timezones=st.just(UTC))
_timespans = st.timedeltas(min_value=-dt.timedelta(days=10**6), max_value=dt.timedelta(days=10**6))


@given(_datetimes)
def test_datetime_round_trips(value):
    assert values.decode_value("datetime", values.encode_value("datetime", value)) == value


@given(_timespans)
def test_timespan_round_trips(value):
    assert values.decode_value("timespan", values.encode_value("timespan", value)) == value


@given(st.integers(min_value=0, max_value=3155378975999999999))
def test_datetime_ticks_round_trip(n):
    from kshell import ticks

    value = ticks.datetime_from_ticks(n)
    back = values.decode_value("datetime", values.encode_value("datetime", value))
    assert ticks.datetime_ticks(back) == n


@given(st.integers(min_value=-10**17, max_value=10**17))
def test_timespan_ticks_round_trip(n):
    from kshell import ticks

    back = values.decode_value("timespan", values.encode_value("timespan", ticks.timespan_from_ticks(n)))
    assert ticks.timespan_ticks(back) == n


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_round_trips(value):
    assert values.decode_value("decimal", values.encode_value("decimal", value)) == value


@given(st.floats())
def test_real_round_trips(value):
    back = values.decode_value("real", values.encode_value("real", value))
    assert (math.isnan(back) and math.isnan(value)) or back == value
    json.dumps(values.encode_value("real", value), allow_nan=False)  # always valid JSON


# ------------------------------------------------------------------ tokens

def jwt(claims: dict) -> str:
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
APP = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize("claims, fqn", [
    ({"upn": "alice@contoso.com", "tid": TENANT, "oid": "x"}, f"aaduser=alice@contoso.com;{TENANT}"),
    ({"preferred_username": "bob@contoso.com"}, "aaduser=bob@contoso.com"),
    ({"oid": APP, "idtyp": "user"}, f"aaduser={APP}"),
    ({"appid": APP, "tid": TENANT, "idtyp": "app", "oid": "ignored"}, f"aadapp={APP};{TENANT}"),
    ({"azp": APP}, f"aadapp={APP}"),
    ({"oid": APP}, f"aadapp={APP}"),      # no user name: an app (a managed identity's token)
    ({"upn": "me@live.com", "idp": "live.com"}, "msauser=me@live.com"),
])
def test_jwt_claims_map_to_fqns(claims, fqn):
    assert principals.principal_of(f"Bearer {jwt(claims)}") == fqn


def test_plain_fqn_tokens_and_missing_headers():
    assert principals.principal_of("Bearer aaduser=carol@contoso.com") == "aaduser=carol@contoso.com"
    assert principals.principal_of(None) is None
    assert principals.principal_of("") is None


@pytest.mark.parametrize("header", ["Basic abc", "Bearer ", "Bearer abc", "Bearer a.b.c", f"Bearer {jwt({'aud': 'x'})}"])
def test_unreadable_tokens(header):
    with pytest.raises(principals.TokenError):
        principals.principal_of(header)


@pytest.mark.parametrize("fqn", ["aaduser=alice@contoso.com", f"aaduser=alice@contoso.com;{TENANT}",
                                 f"aadapp={APP}", f"aadapp={APP};{TENANT}", "msauser=me@live.com", f"aaduser={APP}"])
def test_minted_tokens_map_back(fqn):
    assert principals.principal_of("Bearer " + principals.mint(fqn)) == fqn


# ----------------------------------------------------------------- requests

def test_request_body_forms():
    props = {"Options": {"servertimeout": "00:02:00.000", "TruncationMaxRecords": "10"}, "Parameters": {"a": "1"}}
    for p in (props, json.dumps(props)):
        req = request.parse_query_request(json.dumps({"db": "D", "csl": "T", "properties": p}).encode())
        assert (req.db, req.csl, req.parameters) == ("D", "T", {"a": "1"})
        assert req.server_timeout == dt.timedelta(minutes=2)
        assert req.max_records == 10
    gz = gzip.compress(json.dumps({"csl": "print 1"}).encode())
    assert request.parse_query_request(gz).db is None


@pytest.mark.parametrize("spelling, expected", [
    ("0:01:00", dt.timedelta(minutes=1)), ("00:01:00.000", dt.timedelta(minutes=1)), ("1m", dt.timedelta(minutes=1)),
    ("1.00:00:00", dt.timedelta(days=1)), ("timespan(30s)", dt.timedelta(seconds=30)), (90, dt.timedelta(seconds=90)),
])
def test_servertimeout_spellings(spelling, expected):
    assert request.parse_timeout(spelling) == expected


@pytest.mark.parametrize("raw", [b"", b"nope", b"[]", b'{"csl": 3}', b'{"csl": "x", "properties": "[1]"}',
                                 b'{"csl": "x", "properties": {"Options": []}}', b"\x1f\x8bbroken"])
def test_bad_request_bodies(raw):
    with pytest.raises(BadRequest):
        request.parse_query_request(raw)


def test_truncation_options():
    def req(options):
        return request.QueryRequest("D", "T", {k.lower(): v for k, v in options.items()})

    assert req({}).max_records == request.DEFAULT_TRUNCATION_MAX_RECORDS
    assert req({"notruncation": True}).max_records is None
    assert req({"truncationmaxrecords": 3, "notruncation": "false"}).max_records == 3
    with pytest.raises(BadRequest):
        req({"truncationmaxrecords": "many"}).max_records


# ----------------------------------------------------- the HTTP front, in process

def test_an_internal_error_is_a_500_naming_it_without_a_traceback():
    import http.client
    import threading

    from kshell.server.http import KustoServer

    class Broken:
        default_principal = "aaduser=kshell-admin@kshell.local"

        def execute(self, *a, **k):
            raise ZeroDivisionError("division by zero")

    server = KustoServer(("127.0.0.1", 0), Broken(), log=open("/dev/null", "w"))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
        conn.request("POST", "/v2/rest/query", body=json.dumps({"db": "D", "csl": "print 1"}))
        resp = conn.getresponse()
        body = resp.read().decode()
        assert resp.status == 500
        error = json.loads(body)["error"]
        assert error["@message"] == "InternalError: internal error: ZeroDivisionError: division by zero"
        assert error["@permanent"] is False and "Traceback" not in body
        conn.close()
    finally:
        server.shutdown()
        server.server_close()
