"""Delimited ingestion is parsed chunk by chunk (issue 18): the answer is the same as
for one chunk, at every chunk boundary."""

from __future__ import annotations

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
    assert len(got[0]) == 23 and got[1] == list(range(23)) and got[0][1] == "key1" and got[0][0] == ""
    if chunk > 23:  # equal strings within a chunk share one object
        assert got[0][1] is got[0][4]


def test_a_malformed_record_after_the_first_chunk_is_still_an_error(monkeypatch):
    monkeypatch.setattr(values, "CHUNK_ROWS", 2)
    with pytest.raises(FormatError):
        read_columns("a\nb\nc\n\"x" + "y" * (values.MAX_FIELD_CHARS + 1) + "\n", [("s", "string")], {"format": "csv"})
