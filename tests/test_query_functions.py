"""Scalar functions and scalar operators, one `print` per case (values from the KQL docs' semantics)."""

from __future__ import annotations

import math
import uuid

import pytest

from query_support import D, NOW, TS, check

CASES = [
    # ---- arithmetic and promotion
    ("print 1 + 2, 7 / 2, -7 / 2, 7 % 3, -7 % 3", "print_0:long, print_1:long, print_2:long, print_3:long, print_4:long",
     [[3, 3, -3, 1, 2]]),
    ("print 7 / 2.0, 1.5 * 2, 1 / 0.0", "print_0:real, print_1:real, print_2:real", [[3.5, 3.0, math.inf]]),
    ("print int(2) + int(3), int(2) + 3, int(2) * 1.5", "print_0:long, print_1:long, print_2:real", [[5, 5, 3.0]]),
    ("print decimal(1.5) + 1", "print_0:decimal", [[__import__("decimal").Decimal("2.5")]]),
    ("print 1 / 0", "print_0:long", [[None]]),
    ("print int(null) + 1, -long(null)", "print_0:long, print_1:long", [[None, None]]),
    ("print -(5), +3", "print_0:long, print_1:long", [[-5, 3]]),
    # ---- comparisons and null semantics
    ("print 1 < 2, 2 <= 2, 'a' > 'b', 1 == 1.0, 1 != 2, 1 <> 1",
     "print_0:bool, print_1:bool, print_2:bool, print_3:bool, print_4:bool, print_5:bool",
     [[True, True, False, True, True, False]]),
    ("datatable(val:int)[5, int(null)] | extend a = val > 3, b = val > 3 or isnull(val), c = val == int(null), "
     "d = val != int(null)",
     "val:int, a:bool, b:bool, c:bool, d:bool", [[5, True, True, False, True], [None, None, True, None, None]]),
    ("print true and bool(null), false and bool(null), true or bool(null), false or bool(null)",
     "print_0:bool, print_1:bool, print_2:bool, print_3:bool", [[None, False, True, None]]),
    ("print not(true), not(bool(null))", "print_0:bool, print_1:bool", [[False, None]]),
    # ---- string operators
    ("print 'North America' has 'america', 'North America' has 'amer', 'North America' !has 'amer'",
     "print_0:bool, print_1:bool, print_2:bool", [[True, False, True]]),
    ("print 'North America' has_cs 'America', 'North America' has_cs 'america'",
     "print_0:bool, print_1:bool", [[True, False]]),
    ("print 'hello-world.com' has 'world', 'helloworld' has 'world'", "print_0:bool, print_1:bool", [[True, False]]),
    ("print 'North America' hasprefix 'amer', 'North America' hassuffix 'ica', 'North America' hasprefix 'rth'",
     "print_0:bool, print_1:bool, print_2:bool", [[True, True, False]]),
    ("print 'FabriKam' contains 'BRIK', 'FabriKam' contains_cs 'BRIK', 'FabriKam' !contains 'x', "
     "'FabriKam' !contains_cs 'brik'",
     "print_0:bool, print_1:bool, print_2:bool, print_3:bool", [[True, False, True, True]]),
    ("print 'Fabrikam' startswith 'fab', 'Fabrikam' startswith_cs 'fab', 'Fabrikam' endswith 'KAM', "
     "'Fabrikam' !startswith 'x', 'Fabrikam' endswith_cs 'kam'",
     "print_0:bool, print_1:bool, print_2:bool, print_3:bool, print_4:bool", [[True, False, True, True, True]]),
    ("print 'abc123' matches regex '[a-z]+[0-9]+', 'abc' matches regex '^[0-9]+$'",
     "print_0:bool, print_1:bool", [[True, False]]),
    ("print 'ABC' =~ 'abc', 'ABC' !~ 'abc', 'ABC' == 'abc'", "print_0:bool, print_1:bool, print_2:bool",
     [[True, False, False]]),
    ("print 'a b c' has_any ('x', 'b'), 'a b c' has_all ('a', 'c'), 'a b c' has_all ('a', 'z')",
     "print_0:bool, print_1:bool, print_2:bool", [[True, True, False]]),
    ("print 1 in (1, 2), 3 in (dynamic([1, 2]), 3), 'a' !in ('b')", "print_0:bool, print_1:bool, print_2:bool",
     [[True, True, True]]),
    ("print 5 between (1 .. 10), 5 !between (1 .. 4), 1.5 between (1 .. 2)",
     "print_0:bool, print_1:bool, print_2:bool", [[True, True, True]]),
    ("print datetime(2020-01-02) between (datetime(2020-01-01) .. 2d)", "print_0:bool", [[True]]),
    # ---- string functions
    ("print strlen('hello'), strlen('')", "print_0:long, print_1:long", [[5, 0]]),
    ("print strcat('a', 1, 'b', true)", "print_0:string", [["a1btrue"]]),
    ("print strcat_delim('-', 'a', 'b', 3)", "print_0:string", [["a-b-3"]]),
    ("print substring('123456', 1, 3), substring('123456', 2), substring('abc', 5)",
     "print_0:string, print_1:string, print_2:string", [["234", "3456", ""]]),
    ("print tolower('ABC'), toupper('abc')", "print_0:string, print_1:string", [["abc", "ABC"]]),
    ("print trim('--', '--text--'), trim_start('-', '--text'), trim_end('x+', 'textxx'), trim(@'[\\s]+', '  t  ')",
     "print_0:string, print_1:string, print_2:string, print_3:string", [["text", "text", "text", "t"]]),
    ("print split('aa_bb_cc', '_'), split('aa_bb', '_', 1), split('abc', '')",
     "print_0:dynamic, print_1:dynamic, print_2:dynamic", [[["aa", "bb", "cc"], ["bb"], ["abc"]]]),
    ("print replace_string('A magic trick', 'magic', 'cool')", "print_0:string", [["A cool trick"]]),
    ("print replace_regex('abc123', @'(\\d+)', @'<\\1>')", "print_0:string", [["abc<123>"]]),
    ("print extract('x=([0-9.]+)', 1, 'hello x=45.6|wo'), extract('(z)', 1, 'abc')",
     "print_0:string, print_1:string", [["45.6", ""]]),
    ("print extract_all(@'(\\d+)', 'a1b22c333')", "print_0:dynamic", [[["1", "22", "333"]]]),
    ("print indexof('abcdefg', 'cde'), indexof('abcdefg', 'cde', 1, 4), indexof('abcdefg', 'z'), "
     "indexof('abcabc', 'bc', 0, -1, 2)",
     "print_0:long, print_1:long, print_2:long, print_3:long", [[2, 2, -1, 4]]),
    ("print countof('aaa', 'a'), countof('abcabc', 'bc'), countof('a1b22', @'\\d', 'regex')",
     "print_0:long, print_1:long, print_2:long", [[3, 2, 3]]),
    ("print reverse('abc'), strrep('ab', 3), strrep('x', 2, ',')", "print_0:string, print_1:string, print_2:string",
     [["cba", "ababab", "x,x"]]),
    ("print isempty(''), isempty('a'), isnotempty(''), isempty(int(null)), isnotempty(1)",
     "print_0:bool, print_1:bool, print_2:bool, print_3:bool, print_4:bool", [[True, False, False, True, True]]),
    ("print isnull(int(null)), isnull(''), isnotnull(1), isnotnull(dynamic(null))",
     "print_0:bool, print_1:bool, print_2:bool, print_3:bool", [[True, False, True, False]]),
    ("print base64_encode_tostring('Kusto1'), base64_decode_tostring('S3VzdG8x')",
     "print_0:string, print_1:string", [["S3VzdG8x", "Kusto1"]]),
    ("print url_encode('a b&c'), url_decode('a%20b')", "print_0:string, print_1:string", [["a+b%26c", "a b"]]),
    ("print hash('World'), hash('World', 100)", "print_0:long, print_1:long", [[1846988464401551951, 51]]),
    ("print tohex(256), tohex(-1)", "print_0:string, print_1:string", [["100", "ffffffffffffffff"]]),
    # ---- conversions
    ("print tostring(123), tostring(1.5), tostring(true), tostring(dynamic({'a':1})), tostring(int(null))",
     "print_0:string, print_1:string, print_2:string, print_3:string, print_4:string",
     [["123", "1.5", "true", '{"a":1}', ""]]),
    ("print tostring(datetime(2020-01-02 03:04:05.5)), tostring(1d + 2h), tostring(-30m)",
     "print_0:string, print_1:string, print_2:string", [["2020-01-02T03:04:05.5000000Z", "1.02:00:00", "-00:30:00"]]),
    ("print toint('12'), tolong('x'), tolong(12.7), toint(2.9), tolong('  42 ')",
     "print_0:int, print_1:long, print_2:long, print_3:int, print_4:long", [[12, None, 12, 2, 42]]),
    ("print toreal('1.5'), todouble(2), toreal('abc')", "print_0:real, print_1:real, print_2:real", [[1.5, 2.0, None]]),
    ("print tobool('true'), tobool('FALSE'), tobool(1), tobool('x')",
     "print_0:bool, print_1:bool, print_2:bool, print_3:bool", [[True, False, True, None]]),
    ("print todatetime('2015-12-24'), todatetime('2015-12-24T10:11:12Z'), todatetime('bad')",
     "print_0:datetime, print_1:datetime, print_2:datetime", [[D("2015-12-24"), D("2015-12-24T10:11:12"), None]]),
    ("print totimespan('0.00:01:00'), totimespan('1.02:03:04'), totimespan('x')",
     "print_0:timespan, print_1:timespan, print_2:timespan", [[TS(minutes=1), TS(days=1, hours=2, minutes=3, seconds=4), None]]),
    ("print toguid('74be27de-1e4e-49d9-b579-fe0b331d3642')", "print_0:guid",
     [[uuid.UUID("74be27de-1e4e-49d9-b579-fe0b331d3642")]]),
    ("print todynamic('{\"a\": [1, 2]}'), parse_json('[1, \"x\"]'), parse_json('not json')",
     "print_0:dynamic, print_1:dynamic, print_2:dynamic", [[{"a": [1, 2]}, [1, "x"], "not json"]]),
    ("print todecimal('1.25')", "print_0:decimal", [[__import__("decimal").Decimal("1.25")]]),
    # ---- conditionals
    ("print iff(1 > 2, 'a', 'b'), iif(true, 1, 2), iff(bool(null), 1, 2)", "print_0:string, print_1:long, print_2:long",
     [["b", 1, 2]]),
    ("range x from 1 to 4 step 1 | extend c = case(x < 2, 'low', x < 4, 'mid', 'high')",
     "x:long, c:string", [[1, "low"], [2, "mid"], [3, "mid"], [4, "high"]]),
    ("print coalesce(int(null), 5, 6), coalesce('', 'x'), coalesce(long(null), long(null))",
     "print_0:long, print_1:string, print_2:long", [[5, "x", None]]),
    # ---- time
    ("print now(), ago(1h), now(-1d)", "print_0:datetime, print_1:datetime, print_2:datetime",
     [[NOW, NOW - TS(hours=1), NOW - TS(days=1)]]),
    ("print datetime_add('month', 1, datetime(2020-01-31)), datetime_add('day', -1, datetime(2020-03-01)), "
     "datetime_add('year', 1, datetime(2020-02-29)), datetime_add('hour', 2, datetime(2020-01-01))",
     "print_0:datetime, print_1:datetime, print_2:datetime, print_3:datetime",
     [[D("2020-02-29"), D("2020-02-29"), D("2021-02-28"), D("2020-01-01T02:00:00")]]),
    ("print datetime_diff('year', datetime(2017-01-01), datetime(2000-12-31)), "
     "datetime_diff('month', datetime(2017-01-01), datetime(2000-12-31)), "
     "datetime_diff('day', datetime(2017-10-30 23:05:01), datetime(2017-09-30 23:05:01)), "
     "datetime_diff('hour', datetime(2017-10-31 01:00), datetime(2017-10-30 23:59:59)), "
     "datetime_diff('week', datetime(2017-10-29 00:00), datetime(2017-09-30 23:59:59))",
     "print_0:long, print_1:long, print_2:long, print_3:long, print_4:long", [[17, 193, 30, 2, 5]]),
    ("print startofday(datetime(2017-01-01 10:10:17)), startofweek(datetime(2017-01-04)), "
     "startofmonth(datetime(2017-01-17)), startofyear(datetime(2017-05-17)), startofday(datetime(2017-01-01 10:10), 1)",
     "print_0:datetime, print_1:datetime, print_2:datetime, print_3:datetime, print_4:datetime",
     [[D("2017-01-01"), D("2017-01-01"), D("2017-01-01"), D("2017-01-01"), D("2017-01-02")]]),
    ("print endofday(datetime(2017-01-01 10:10:17)) > datetime(2017-01-01 23:59:59), "
     "endofday(datetime(2017-01-01 10:10:17)) < datetime(2017-01-02), endofmonth(datetime(2017-02-10)) > "
     "datetime(2017-02-28 23:59)", "print_0:bool, print_1:bool, print_2:bool", [[True, True, True]]),
    ("print format_datetime(datetime(2015-12-14 02:03:04.12345), 'y-M-d h:m:s.fffffff'), "
     "format_datetime(datetime(2017-01-29 09:00:05), 'yy-MM-dd [HH:mm:ss]'), "
     "format_datetime(datetime(2017-01-29 13:00:05), 'yyyy-MM-dd hh tt')",
     "print_0:string, print_1:string, print_2:string",
     [["15-12-14 2:3:4.1234500", "17-01-29 [09:00:05]", "2017-01-29 01 PM"]]),
    ("print format_timespan(time(14.02:03:04.12345), 'h:m:s.fffffff'), "
     "format_timespan(time(29.09:00:05.12345), 'dd.hh:mm:ss [FFF]')",
     "print_0:string, print_1:string", [["2:3:4.1234500", "29.09:00:05 [123]"]]),
    ("print getyear(datetime(2020-05-06)), getmonth(datetime(2020-05-06)), dayofmonth(datetime(2020-05-06)), "
     "dayofweek(datetime(2020-05-06)), hourofday(datetime(2020-05-06 07:00)), dayofyear(datetime(2020-02-01))",
     "print_0:int, print_1:int, print_2:int, print_3:timespan, print_4:int, print_5:int",
     [[2020, 5, 6, TS(days=3), 7, 32]]),
    ("print datetime_part('quarter', datetime(2020-05-06)), week_of_year(datetime(2020-12-31))",
     "print_0:int, print_1:int", [[2, 53]]),
    ("print make_datetime(2017, 10, 1, 12, 10), make_timespan(1, 12, 30, 55)",
     "print_0:datetime, print_1:timespan", [[D("2017-10-01T12:10:00"), TS(days=1, hours=12, minutes=30, seconds=55)]]),
    ("print unixtime_seconds_todatetime(1546300800), unixtime_milliseconds_todatetime(1546300800000)",
     "print_0:datetime, print_1:datetime", [[D("2019-01-01"), D("2019-01-01")]]),
    ("print datetime(2020-01-01) - datetime(2019-12-31 12:00), 1d / 1h, 1h * 2, 3h / 2, datetime(2020-01-01) + 1h",
     "print_0:timespan, print_1:real, print_2:timespan, print_3:timespan, print_4:datetime",
     [[TS(hours=12), 24.0, TS(hours=2), TS(minutes=90), D("2020-01-01T01:00:00")]]),
    # ---- bin / floor / rounding / math
    ("print bin(4.5, 1), bin(10, 3), bin(time(16d), 7d), bin(datetime(1970-05-11 13:45:07), 1d), floor(-7, 2)",
     "print_0:real, print_1:long, print_2:timespan, print_3:datetime, print_4:long",
     [[4.0, 9, TS(days=14), D("1970-05-11"), -8]]),
    ("print bin_at(6.5, 2.5, 7), bin_at(datetime(2017-05-15 10:20:00), 1d, datetime(1970-01-01 12:00:00))",
     "print_0:real, print_1:datetime", [[4.5, D("2017-05-14T12:00:00")]]),
    ("print round(2.98765, 3), round(2.15, 1), round(2.5), round(-50.55, -2), round(21.5, -1)",
     "print_0:real, print_1:real, print_2:real, print_3:real, print_4:real", [[2.988, 2.2, 2.0, -100.0, 20.0]]),
    ("print abs(-5), abs(-2.5), abs(-1h)", "print_0:long, print_1:real, print_2:timespan", [[5, 2.5, TS(hours=1)]]),
    ("print sqrt(16), sqrt(-1), pow(2, 10), log(exp(1.0)), log10(1000), log2(8), exp(0), exp2(3), exp10(2)",
     "print_0:real, print_1:real, print_2:real, print_3:real, print_4:real, print_5:real, print_6:real, "
     "print_7:real, print_8:real", [[4.0, None, 1024.0, 1.0, 3.0, 3.0, 1.0, 8.0, 100.0]]),
    ("print log(0), log(-1), sign(-3), ceiling(1.2), isnan(sqrt(4)), pi() > 3.14",
     "print_0:real, print_1:real, print_2:real, print_3:real, print_4:bool, print_5:bool",
     [[None, None, -1, 2.0, False, True]]),
    ("print max_of(1, 5, 3), min_of(4, int(null), 2)", "print_0:long, print_1:long", [[5, 2]]),
    # ---- dynamic
    ("print d = dynamic({'a': {'b': [10, 20]}}) | extend x = d.a.b[1], y = d['a']['b'][-1], z = d.missing",
     "d:dynamic, x:dynamic, y:dynamic, z:dynamic", [[{"a": {"b": [10, 20]}}, 20, 20, None]]),
    ("print array_length(dynamic([1, 2, 3])), array_length(dynamic({})), array_length(dynamic([]))",
     "print_0:long, print_1:long, print_2:long", [[3, None, 0]]),
    ("print pack_array(1, 'a', true), bag_pack('k', 1, 'l', 'v'), pack('x', 2)",
     "print_0:dynamic, print_1:dynamic, print_2:dynamic", [[[1, "a", True], {"k": 1, "l": "v"}, {"x": 2}]]),
    ("print bag_keys(dynamic({'a': 1, 'b': 2})), bag_merge(dynamic({'a': 1}), dynamic({'a': 2, 'b': 3}))",
     "print_0:dynamic, print_1:dynamic", [[["a", "b"], {"a": 1, "b": 3}]]),
    ("print bag_remove_keys(dynamic({'a': 1, 'b': 2}), dynamic(['a'])), bag_has_key(dynamic({'a': 1}), 'a')",
     "print_0:dynamic, print_1:bool", [[{"b": 2}, True]]),
    ("print strcat_array(dynamic([1, 2, 3]), '-'), strcat_array(dynamic(['a']), ',')",
     "print_0:string, print_1:string", [["1-2-3", "a"]]),
    ("print set_has_element(dynamic([1, 2, 3]), 2), set_has_element(dynamic(['a']), 'b')",
     "print_0:bool, print_1:bool", [[True, False]]),
    ("print array_index_of(dynamic(['a', 'b']), 'b'), array_concat(dynamic([1]), dynamic([2, 3])), "
     "array_slice(dynamic([1, 2, 3, 4]), 1, 2), array_reverse(dynamic([1, 2]))",
     "print_0:long, print_1:dynamic, print_2:dynamic, print_3:dynamic", [[1, [1, 2, 3], [2, 3], [2, 1]]]),
    ("print array_sort_asc(dynamic([3, 1, 2])), array_sort_desc(dynamic(['a', 'c', 'b'])), array_sum(dynamic([1, 2.5]))",
     "print_0:dynamic, print_1:dynamic, print_2:real", [[[1, 2, 3], ["c", "b", "a"], 3.5]]),
    ("print set_union(dynamic([1, 2]), dynamic([2, 3])), set_intersect(dynamic([1, 2]), dynamic([2, 3])), "
     "set_difference(dynamic([1, 2, 3]), dynamic([2]))",
     "print_0:dynamic, print_1:dynamic, print_2:dynamic", [[[1, 2, 3], [2], [1, 3]]]),
    ("print gettype(dynamic([1])), gettype(dynamic({})), gettype(1), gettype('a'), gettype(dynamic(null))",
     "print_0:string, print_1:string, print_2:string, print_3:string, print_4:string",
     [["array", "dictionary", "long", "string", "null"]]),
    ("print d = dynamic({'n': 5}) | extend x = tolong(d.n) + 1, s = tostring(d.n), b = d.n > 3",
     "d:dynamic, x:long, s:string, b:bool", [[{"n": 5}, 6, "5", True]]),
    # ---- context
    ("print current_database()", "print_0:string", [["NetDefaultDB"]]),
    ("print typeof(long)", "print_0:string", [["long"]]),
    ("print x = 1 | extend y = column_ifexists('x', 0), z = column_ifexists('nope', 0)",
     "x:long, y:long, z:long", [[1, 1, 0]]),
]


@pytest.mark.parametrize("query,columns,rows", CASES, ids=[f"fn{i:03d}" for i in range(len(CASES))])
def test_function(query, columns, rows):
    check(query, columns, rows)


def test_principal_functions():
    from query_support import run

    r = run("print current_principal(), current_principal_details(), "
            "current_principal_is_member_of('aaduser=kshell-admin@kshell.local'), "
            "current_principal_is_member_of('aadgroup=nobody@nowhere.example')")
    fqn, details, member, not_member = r.rows[0]
    assert fqn.startswith("aaduser=")
    assert details["FQN"] == fqn
    assert details["Type"] == "AadUser"
    assert member is True
    assert not_member is False
    assert [c.type for c in r.columns] == ["string", "dynamic", "bool", "bool"]


def test_ingestion_time_of_stored_rows():
    from kshell.engine.cluster import Column, Extent, Table
    from kshell.engine.session import Session
    from query_support import run

    s = Session(now=NOW)
    t = Table("T", [Column("a", "long")], data=[[1, 2, 3]])
    t.extents = [Extent(uuid.uuid4(), 0, 2, D("2024-01-01")), Extent(uuid.uuid4(), 2, 1, D("2024-02-01"))]
    s.database.tables["T"] = t
    r = run("T | extend it = ingestion_time() | where it > datetime(2024-01-15) | project a, it", s)
    assert r.rows == [[3, D("2024-02-01")]]
    assert [c.name for c in r.columns] == ["a", "it"]
    r = run("T | where a == 1", s)
    assert [c.name for c in r.columns] == ["a"]


def test_function_registry_lists_names():
    from kshell.query import aggregates, all_function_names, functions

    names = functions.names()
    for name in ("strlen", "iff", "now", "bag_pack", "current_principal_is_member_of", "hash"):
        assert name in names
    assert "arg_max" in aggregates.names()
    assert "count" in all_function_names() and "strlen" in all_function_names()
