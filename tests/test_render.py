"""Rendering of Results in the six formats, and Kusto value formatting."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest

from kshell.render import FORMATS, format_value, render
from kshell.result import Result

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (-7, "-7"),
        (1.5, "1.5"),
        (2.0, "2"),
        (0.1, "0.1"),
        (1e-05, "1E-05"),
        (0.0001, "0.0001"),
        (1e15, "1E+15"),
        (123456789012345.0, "123456789012345"),
        (-2.5e-7, "-2.5E-07"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (Decimal("1.50"), "1.50"),
        ("text", "text"),
        ("", ""),
        (dt.datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T00:00:00Z"),
        (dt.datetime(2026, 1, 1, 10, 5, 3, 500000, tzinfo=UTC), "2026-01-01T10:05:03.5Z"),
        (dt.datetime(2026, 1, 1, 0, 0, 0, 123, tzinfo=UTC), "2026-01-01T00:00:00.000123Z"),
        (dt.datetime(2026, 1, 1, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))), "2026-01-01T00:00:00Z"),
        (dt.timedelta(hours=1), "01:00:00"),
        (dt.timedelta(days=1, hours=2, minutes=3, seconds=4), "1.02:03:04"),
        (dt.timedelta(minutes=-1), "-00:01:00"),
        (dt.timedelta(days=-1, hours=-2), "-1.02:00:00"),
        (dt.timedelta(seconds=1.25), "00:00:01.25"),
        (dt.timedelta(0), "00:00:00"),
        (dt.timedelta(days=12), "12.00:00:00"),
        (uuid.UUID("7A1D9D3E-0000-4000-8000-00000000ABCD"), "7a1d9d3e-0000-4000-8000-00000000abcd"),
        ({"a": [1, 2], "b": {"c": None}}, '{"a":[1,2],"b":{"c":null}}'),
        ([1, "x", True], '[1,"x",true]'),
        ({"k": "é"}, '{"k":"é"}'),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


SAMPLE = Result.of(
    [("Name", "string"), ("Count", "long"), ("When", "datetime"), ("Span", "timespan"),
     ("Ok", "bool"), ("Bag", "dynamic"), ("Ratio", "real")],
    [
        ["alpha", 1, dt.datetime(2026, 1, 1, tzinfo=UTC), dt.timedelta(hours=1), True, {"a": 1}, 0.5],
        ["b,|c", None, None, None, None, None, None],
    ],
)


def test_table_has_headers_and_kusto_values():
    text = render(SAMPLE, "table")
    lines = text.splitlines()
    assert all(h in lines[1] for h in ("Name", "Count", "When", "Span", "Ok", "Bag", "Ratio"))
    body = "\n".join(lines[3:])
    for cell in ("alpha", "2026-01-01T00:00:00Z", "01:00:00", "true", '{"a":1}', "0.5", "b,|c"):
        assert cell in body
    assert "None" not in text


def test_table_right_aligns_numbers():
    res = Result.of([("n", "long"), ("s", "string")], [[1, "a"], [1000, "bbbb"]])
    rows = [l for l in render(res, "table").splitlines() if "a" in l or "bbbb" in l]
    first_cells = [r.split("|")[1] for r in rows]
    assert first_cells[0].endswith("1 ") and first_cells[1].endswith("1000 ")


def test_table_does_not_reinterpret_string_numbers():
    res = Result.of([("s", "string")], [["007"], ["1e5"]])
    text = render(res, "table")
    assert "007" in text and "1e5" in text


def test_csv_quotes_and_nulls():
    text = render(SAMPLE, "csv")
    lines = text.split("\n")
    assert lines[0] == "Name,Count,When,Span,Ok,Bag,Ratio"
    assert lines[1] == 'alpha,1,2026-01-01T00:00:00Z,01:00:00,true,"{""a"":1}",0.5'
    assert lines[2] == '"b,|c",,,,,,'
    assert not text.endswith("\n")


def test_tsv():
    text = render(Result.of([("a", "string"), ("b", "int")], [["x y", 1]]), "tsv")
    assert text == "a\tb\nx y\t1"


def test_json_one_object_with_types_and_kusto_strings():
    text = render(SAMPLE, "json")
    assert "\n" not in text
    obj = json.loads(text)
    assert obj["columns"][0] == {"name": "Name", "type": "string"}
    assert [c["type"] for c in obj["columns"]] == ["string", "long", "datetime", "timespan", "bool", "dynamic", "real"]
    assert obj["rows"][0] == ["alpha", 1, "2026-01-01T00:00:00Z", "01:00:00", True, {"a": 1}, 0.5]
    assert obj["rows"][1] == ["b,|c", None, None, None, None, None, None]


def test_json_guid_decimal_and_special_reals():
    res = Result.of([("g", "guid"), ("d", "decimal"), ("r", "real")],
                    [[uuid.UUID(int=1), Decimal("2.50"), float("nan")]])
    obj = json.loads(render(res, "json"))
    assert obj["rows"] == [["00000000-0000-0000-0000-000000000001", "2.50", "NaN"]]


def test_a_real_prints_as_the_decimal_reading_of_its_shortest_digits():
    """format_real reads repr's digits itself (no decimal import at start-up): the same
    text as the decimal module's reading of them, over doubles of every magnitude."""
    import decimal
    import math
    import random
    import struct

    from kshell.realtext import format_real

    def reference(value: float) -> str:
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value == 0:
            return "-0" if math.copysign(1.0, value) < 0 else "0"
        sign, digits, exponent = decimal.Decimal(repr(value)).as_tuple()
        digits_text = "".join(map(str, digits)).rstrip("0") or "0"
        sci = len(digits) + exponent - 1
        prefix = "-" if sign else ""
        if sci < -4 or sci >= 15:
            mantissa = digits_text[0] + ("." + digits_text[1:] if len(digits_text) > 1 else "")
            return f"{prefix}{mantissa}E{'+' if sci >= 0 else '-'}{abs(sci):02d}"
        if sci < 0:
            return f"{prefix}0.{'0' * (-sci - 1)}{digits_text}"
        int_len = sci + 1
        if len(digits_text) <= int_len:
            return prefix + digits_text + "0" * (int_len - len(digits_text))
        return f"{prefix}{digits_text[:int_len]}.{digits_text[int_len:]}"

    rnd = random.Random(18)
    values = [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308, 1e15, 1e14, 1e-5, 1e-4,
              123.0, 0.1, 999999999999999.9, 1e16, -2.5e-7]
    values += [struct.unpack("d", struct.pack("Q", rnd.getrandbits(64)))[0] for _ in range(20000)]
    values += [s * 10.0 ** k for k in range(-323, 308) for s in (1.0, 1.5, -9.99)]
    for v in values:
        assert format_real(v) == reference(v), repr(v)
    assert [format_real(v) for v in (1e20, 1e-5, -0.0, 1.5, 100.0)] == ["1E+20", "1E-05", "-0", "1.5", "100"]


def test_markdown_escapes_pipes():
    text = render(SAMPLE, "markdown")
    lines = text.splitlines()
    assert lines[0].startswith("| Name")
    assert set(lines[1].replace("|", "").replace(":", "").strip()) == {"-", " "} or "---" in lines[1]
    assert "b,\\|c" in text


def test_vertical_records():
    text = render(SAMPLE, "vertical")
    assert "RECORD 1" in text and "RECORD 2" in text
    assert any(l.startswith("Name ") and l.endswith("| alpha") for l in text.splitlines())
    assert render(Result.of([("a", "int")], []), "vertical") == "(no rows)"


def test_types_in_headers():
    res = Result.of([("a", "int"), ("b", "string")], [[1, "x"]])
    assert render(res, "csv", types=True).split("\n")[0] == "a:int,b:string"
    assert "a:int" in render(res, "table", types=True)
    # json always carries the types, in its own field
    assert json.loads(render(res, "json", types=True))["columns"][0] == {"name": "a", "type": "int"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_an_empty_result(fmt):
    res = Result.of([("a", "int")], [])
    text = render(res, fmt)
    assert text == "(no rows)" if fmt == "vertical" else "a" in text


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        render(SAMPLE, "xml")


_TRICKY_CELLS = ["", "a", "a,b", "a\tb", 'say "hi"', "two\nlines", "cr\rhere", "nul\0x", " "]


def _read_back(text: str, delimiter: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_delimited_reads_back_as_its_cells(fmt, delimiter):
    """csv/tsv text reads back (csv module) as exactly the cells, whatever they hold; plain
    cells stay unquoted.  Whole results and one-row results: plain results are checked as a
    block, others line by line."""
    import itertools

    pairs = [list(p) for p in itertools.product(_TRICKY_CELLS, repeat=2)]
    cases = [Result.of([("a", "string"), ("b", "string")], pairs)]
    cases += [Result.of([("a", "string"), ("b", "string")], [p]) for p in pairs]
    cases += [Result.of([("a", "string"), ("n", "long"), ("b", "string")], [[a, 7, b] for a, b in pairs])]
    cases += [Result.of([("a", "string")], [[c] for c in _TRICKY_CELLS])]
    cases += [Result.of([("a", "string")], [[c]]) for c in _TRICKY_CELLS]
    cases += [Result.of([("a", "string"), ("b", "string")], [[None, "x"], ["y", None]])]
    # rows wider or narrower than the header (one field, empty: written as "")
    cases += [Result.of([("a", "string"), ("b", "string")], [["x", "y", "z"], [""]])]
    for res in cases:
        text = render(res, fmt)
        expected = [[c.name for c in res.columns]] + [["" if v is None else str(v) for v in row] for row in res.rows]
        assert _read_back(text, delimiter) == expected, (res.rows, text)
        body = expected[1:]
        if len(body) == 1 and body[0] != [""] and not any(ch in c for c in body[0] for ch in '"\n\r' + delimiter):
            assert text.split("\n")[1] == delimiter.join(body[0])  # nothing to quote: written as is


def test_delimited_quotes_a_carriage_return():
    # the csv module would leave it bare with "\n" line ends; readers would see a line break
    assert render(Result.of([("a", "string"), ("b", "string")], [["x\ry", "z"]]), "csv") == 'a,b\n"x\ry",z'
    assert render(Result.of([("a", "string")], [[""], ["q"]]), "csv") == 'a\n""\nq'


def test_long_documents_printed_again_and_again_are_quoted_whole():
    """Each `.alter-merge` prints the whole (growing) policy: long cells that extend, repeat
    or change the one before are each quoted exactly as on their own."""
    entry = '{"ObjectId": "%04d", "AllowedUsages": "NativeIngestion"}'
    base = "[" + ", ".join(entry % i for i in range(100)) + "]"
    grown = base[:-1] + ", " + (entry % 100) + "]"
    changed = base.replace('"0042"', '"4242"')
    ends_in_quote = base + ' "'
    after_quote = ends_in_quote + '"tail" "'
    cells = [base, grown, grown, base, changed, ends_in_quote, after_quote, after_quote[:-3], base[:50], grown]
    assert all(len(c) > 4096 for c in cells[:8])
    for cell in cells:
        text = render(Result.of([("Policy", "string"), ("Kind", "string")], [[cell, "k"]]), "csv")
        assert text == 'Policy,Kind\n"' + cell.replace('"', '""') + '",k'
        assert _read_back(text, ",")[1] == [cell, "k"]
