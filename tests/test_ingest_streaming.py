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
