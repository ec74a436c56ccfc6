"""Delimited ingestion is parsed chunk by chunk (issue 18): the answer is the same as
for one chunk, at every chunk boundary."""

from __future__ import annotations

from array import array

import pytest

from kshell.engine import values
from kshell.engine.values import FormatError, read_columns

COLUMNS = [("k", "string"), ("n", "long"), ("x", "real"), ("t", "datetime"), ("b", "bool")]
TEXT = "k,n,x,t,b\n" + "".join(
    f"{'key' + str(i % 3) if i % 5 else ''},{i},{i / 2},2026-01-0{1 + i % 9}T00:00:00Z,{str(i % 2 == 0).lower()}\n"
    + ("\n" if i % 4 == 0 else "")  # blank lines are not rows
    for i in range(23))


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 100_000])
def test_every_chunk_size_gives_the_same_columns(monkeypatch, chunk):
    whole = read_columns(TEXT, COLUMNS, {"format": "csv", "ignoreFirstRecord": True})
    monkeypatch.setattr(values, "CHUNK_ROWS", chunk)
    got = read_columns(TEXT, COLUMNS, {"format": "csv", "ignoreFirstRecord": True})
    assert got == whole
    assert len(got[0]) == 23 and list(got[1]) == list(range(23)) and got[0][1] == "key1" and got[0][0] == ""
    assert got[0][1] is got[0][4]  # equal strings share one object, across chunks too
    # Numbers without nulls go straight into compact columns (kshell.columns).
    assert type(got[1]) is array and got[1].typecode == "q"
    assert type(got[2]) is array and got[2].typecode == "d" and got[2][3] == 1.5


def test_a_null_in_a_later_chunk_turns_the_column_into_a_list(monkeypatch):
    monkeypatch.setattr(values, "CHUNK_ROWS", 2)
    got = read_columns("1,1.5\n2,2.5\n3,\n,4.5\n99999999999999999999,1\n", [("n", "long"), ("x", "real")],
                       {"format": "csv"})
    assert got == [[1, 2, 3, None, None], [1.5, 2.5, None, 4.5, 1.0]]


def test_json_stream_read_in_small_blocks_gives_the_same_columns(monkeypatch):
    import io

    text = "".join(f'{{"k": "key{i % 3}", "n": {i * 1001}, "x": {i / 4}, "b": {str(i % 2 == 0).lower()}}}\n'
                   for i in range(40)) + '[{"k": "last", "n": 12345678901234, "x": -0.0, "b": null}]'
    cols = [("k", "string"), ("n", "long"), ("x", "real"), ("b", "bool")]
    whole = read_columns(text, cols, {"format": "multijson"})
    monkeypatch.setattr(values, "CHUNK_ROWS", 3)
    monkeypatch.setattr(values, "JSON_READ_CHARS", 5)  # values cut at every place
    got = read_columns(io.StringIO(text), cols, {"format": "multijson", "ignoreFirstRecord": True})
    assert [list(c) for c in got] == [list(c)[1:] for c in whole]
    assert list(got[1])[-1] == 12345678901234 and got[0][-1] == "last" and got[3][-1] is None
    with pytest.raises(FormatError):
        read_columns(io.StringIO(text + '\n{"k": tru'), cols, {"format": "multijson"})


def test_a_malformed_record_after_the_first_chunk_is_still_an_error(monkeypatch):
    monkeypatch.setattr(values, "CHUNK_ROWS", 2)
    with pytest.raises(FormatError):
        read_columns("a\nb\nc\n\"x" + "y" * (values.MAX_FIELD_CHARS + 1) + "\n", [("s", "string")], {"format": "csv"})


ROWS = [("plain", 1, 0.5, True), ('quoted, "with" a comma', -2, None, False),
        ("line\r\nbreak", None, -0.0, None), ("é ü 漢", 2**62, 1e300, True)] * 5


def _csv_text() -> str:
    def cell(v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, str):
            return '"' + v.replace('"', '""') + '"'
        return repr(v)

    return "".join(",".join(cell(v) for v in row) + "\r\n" for row in ROWS)


def test_storage_files_stream_into_the_same_table_as_the_text(session, tmp_path, monkeypatch):
    """`.ingest into` reads the blob as a stream (BOM, gzip, CRLF, quoted line breaks across
    chunk boundaries): the table is what the whole text gives, and what the rows are."""
    import gzip

    from kshell.directives import ShellState, run_directive

    monkeypatch.setattr(values, "CHUNK_ROWS", 3)
    session.storage_dir = str(tmp_path / "storage")
    run_directive(ShellState(session=session), "#storage create acct1")
    folder = tmp_path / "storage" / "acct1" / "c1"
    folder.mkdir(parents=True)
    text = _csv_text()
    (folder / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (folder / "packed.csv.gz").write_bytes(gzip.compress(text.encode("utf-8")))
    schema = "(s:string, n:long, x:real, b:bool)"
    expected = [list(r) for r in ROWS]
    for name in ("bom.csv", "packed.csv.gz"):
        table = name.split(".")[0].capitalize()
        session.execute(f".create table {table} {schema}")
        session.execute(f".ingest into table {table} ('https://acct1.blob.core.windows.net/c1/{name};key')")
        got = session.execute(f"{table} | project s, n, x, b")[0].rows
        assert got == expected, name
        assert [str(v) for v in got[2][2:3]] == ["-0.0"]  # -0.0 kept through the typed column
    whole = read_columns(text, [("s", "string"), ("n", "long"), ("x", "real"), ("b", "bool")], {"format": "csv"})
    assert [list(r) for r in zip(*whole)] == expected


@pytest.mark.parametrize("type_name, fields", [
    ("long", ["1", "-2", "9223372036854775807"]),
    ("long", ["1", "9223372036854775808"]),                 # out of range: null
    ("long", ["1", "1_000", " 7 ", "1.0", "1.5", "", None, "x"]),
    ("int", ["2147483647", "2147483648", "-5"]),
    ("real", ["1.5", "-0", "nan", "-inf", "1e400"]),
    ("real", ["1_0.5", "2", ""]),
    ("bool", ["true", "false", "true"]),
    ("bool", ["true", "False", "1", "0", " TRUE ", "yes", ""]),
    ("datetime", ["2026-01-01T00:00:00Z", "2026-03-04T05:06:07.123456Z"]),
    ("datetime", ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.1234567Z"]),  # a tick beyond the microsecond
    ("datetime", ["2026-01-01T00:00:00Z", "2026-01-01", "2026-01-01T02:00:00+02:00", "1/2/2026 3:04 PM"]),
])
def test_whole_column_conversion_gives_what_each_field_gives(type_name, fields):
    column = values.convert_text_column(fields, type_name)
    conv = values._TEXT_CONVERTERS[type_name]  # the per-value rules
    one_by_one = [conv(f) if f else None for f in fields]
    assert repr(column) == repr(one_by_one)  # repr: NaN, -0.0 and ticks told apart
    assert [type(v) for v in column] == [type(v) for v in one_by_one]
    assert [getattr(v, "tzinfo", None) for v in column] == [getattr(v, "tzinfo", None) for v in one_by_one]


def test_a_key_column_shares_its_strings_across_the_whole_input():
    text = "".join(f"k{i % 10_000},{i}\n" for i in range(40_000))  # more keys than half a chunk
    keys, _ = read_columns(text, [("k", "string"), ("n", "long")], {"format": "csv"})
    assert len(keys) == 40_000 and len(set(map(id, keys))) == 10_000
    distinct = read_columns("".join(f"v{i}\n" for i in range(100_000)), [("s", "string")], {"format": "csv"})[0]
    assert distinct[99_999] == "v99999"  # mostly distinct: interning stops, values unchanged
