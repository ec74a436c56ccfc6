"""kshell.syntax.literals: decoding literal text into runtime values."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest

from kshell import ticks

from kshell.syntax.literals import (
    decode_datetime,
    decode_guid,
    decode_raw,
    decode_timespan,
    decode_typed_scalar,
    format_datetime,
    format_timespan,
)

UTC = dt.timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("2015-12-31", dt.datetime(2015, 12, 31, tzinfo=UTC)),
    ("2015-12-31 23:59", dt.datetime(2015, 12, 31, 23, 59, tzinfo=UTC)),
    ("2015-12-31T23:59:59.9", dt.datetime(2015, 12, 31, 23, 59, 59, 900000, tzinfo=UTC)),
    # 100 ns ticks: the seventh digit is kept
    ("2015-12-31T23:59:59.1234567Z", ticks.fromisoformat("2015-12-31T23:59:59.1234567+00:00")),
    ("2015-12-31T22:00:00-02:00", dt.datetime(2016, 1, 1, 0, 0, tzinfo=UTC)),
    ("'2015-12-31'", dt.datetime(2015, 12, 31, tzinfo=UTC)),
    ("Thu, 31 Dec 2015 23:00:00 GMT", dt.datetime(2015, 12, 31, 23, tzinfo=UTC)),
    ("31 Dec 2015 23:00 PST", dt.datetime(2016, 1, 1, 7, tzinfo=UTC)),
    ("Thursday, 31-Dec-15 23:00:00 UTC", dt.datetime(2015, 12, 31, 23, tzinfo=UTC)),
    ("12-31-2015 10:00", dt.datetime(2015, 12, 31, 10, tzinfo=UTC)),
    ("12/31/2015", dt.datetime(2015, 12, 31, tzinfo=UTC)),
    ("2015", dt.datetime(2015, 1, 1, tzinfo=UTC)),
    ("2015, 12, 31", dt.datetime(2015, 12, 31, tzinfo=UTC)),
    ("2015 - 12 - 31", dt.datetime(2015, 12, 31, tzinfo=UTC)),
    ("8:30", dt.datetime(1970, 1, 1, 8, 30, tzinfo=UTC)),
    ("null", None),
])
def test_datetimes(text, expected):
    assert decode_datetime(text) == expected


@pytest.mark.parametrize("text", ["2015-02-30", "tomorrow", "2015-12-31T25:00", "31 Foo 2015 10:00", ""])
def test_bad_datetimes(text):
    with pytest.raises(ValueError, match="datetime|month|time zone"):
        decode_datetime(text)


@pytest.mark.parametrize("text, expected", [
    ("1.02:03:04.5", dt.timedelta(days=1, hours=2, minutes=3, seconds=4.5)),
    ("02:00:00", dt.timedelta(hours=2)),
    ("00:30", dt.timedelta(minutes=30)),
    ("-01:00:00", dt.timedelta(hours=-1)),
    ("1d", dt.timedelta(days=1)),
    ("1.5h", dt.timedelta(minutes=90)),
    ("15 min", dt.timedelta(minutes=15)),
    ("250ms", dt.timedelta(milliseconds=250)),
    ("3", dt.timedelta(days=3)),
    ("10 ticks", dt.timedelta(microseconds=1)),
    ("null", None),
])
def test_timespans(text, expected):
    assert decode_timespan(text) == expected


@pytest.mark.parametrize("text", ["1y", "abc", "1:2:3:4"])
def test_bad_timespans(text):
    with pytest.raises(ValueError):
        decode_timespan(text)


def test_guid_and_raw():
    g = "74be27de-1e4e-49d9-b579-fe0b331d3642"
    assert decode_guid(g) == uuid.UUID(g) and decode_guid("null") is None
    with pytest.raises(ValueError, match="invalid guid literal"):
        decode_guid("74be27de")
    assert decode_raw("date", "2020-01-01") == ("datetime", dt.datetime(2020, 1, 1, tzinfo=UTC))
    assert decode_raw("time", "1h") == ("timespan", dt.timedelta(hours=1))
    assert decode_raw("guid", g) == ("guid", uuid.UUID(g))


@pytest.mark.parametrize("typ, text, expected", [
    ("int", "5", 5), ("long", "-0x10", -16), ("real", "1e3", 1000.0), ("real", "-inf", float("-inf")),
    ("bool", "true", True), ("bool", "0", False), ("decimal", "1.10", decimal.Decimal("1.10")),
    ("long", "null", None),
])
def test_typed_scalars(typ, text, expected):
    value = decode_typed_scalar(typ, text)
    assert value == expected and type(value) is type(expected)


def test_formats():
    assert format_timespan(dt.timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=500000)) == "1.02:03:04.5000000"
    assert format_timespan(dt.timedelta(minutes=-90)) == "-01:30:00"
    assert format_datetime(dt.datetime(2015, 12, 31, 23, 59, 59, 900000, tzinfo=UTC)) == "2015-12-31T23:59:59.9000000Z"
