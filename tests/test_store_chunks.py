"""Row chunks of schema version 3 (kshell.store.chunks): exact round trips of every type,
per-column lazy reading of a reopened table, and version-2 files still read."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import math
import sqlite3
import uuid
from array import array

import pytest

from kshell import ticks
from kshell.columns import as_list
from kshell.directives import ShellState
from kshell.script import execute_request
from kshell.engine.cluster import Column, Extent, Table, derived_id
from kshell.store import StateFileError, close_session, open_session
from kshell.store.chunks import segments
from kshell.store.file import SCHEMA_VERSION
from kshell.store.rows import decode_chunk, encode_chunk, encode_chunk_v2

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
UTC = dt.timezone.utc
N = 40  # rows per test column: long enough for the dictionary form of strings

# name -> (values, the segment form expected for them)
CASES = {
    "long": ([0, -(2**63), 2**63 - 1] + list(range(N)), b"q"),
    "long_nulls": ([None, 5, None, -7] * 10, b"q"),
    "huge_int": ([2**63, -(2**64), 1] + [None] * N, b"j"),           # beyond int64: exact JSON
    "real": ([-0.0, 0.0, float("inf"), float("-inf"), 1e-310, 2.5] * 7, b"d"),
    "real_nulls": ([float("nan"), None, -0.0] * 14, b"d"),
    "bool": ([True, False] * N, b"b"),
    "bool_nulls": ([True, None, False] * N, b"b"),
    "string": (["k1", "", "é\u2028\x00", "k1", None] * 10, b"k"),      # few distinct: dictionary
    "string_distinct": ([f"v{i}" for i in range(N)], b"j"),
    "datetime": ([dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
                  None, NOW] * 10, b"t"),
    "datetime_ticks": ([ticks.datetime_from_ticks(ticks.datetime_ticks(NOW) + 3), NOW, None] * 10, b"j"),
    "timespan": ([dt.timedelta(0), dt.timedelta(days=-1, microseconds=1), None,
                  dt.timedelta(days=99_999)] * 10, b"s"),
    "timespan_huge": ([dt.timedelta(days=999_999_999), dt.timedelta(1)] * 10, b"j"),  # beyond int64 us
    "timespan_ticks": ([ticks.timespan_from_ticks(7), dt.timedelta(1)] * 10, b"j"),
    "guid": ([uuid.UUID(int=0), uuid.UUID("74be27de-1e4e-49d9-b579-fe0b331d3642"), None] * 10, b"j"),
    "decimal": ([decimal.Decimal("1.10"), decimal.Decimal("-0"), None] * 10, b"j"),
    "dynamic": ([{"a": [1, {"$b": None}]}, [1, "x", 2.5], None, {"t": dt.timedelta(1)}] * 10, b"j"),
    "mixed": ([1, "one", True, 2.5, None] * 10, b"j"),
}


def same(a, b) -> bool:
    """Equal values of equal types, NaN equal to NaN and -0.0 told from 0.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return a == b


def test_every_type_round_trips_exactly_in_its_compact_form():
    cols = [values for values, _ in CASES.values()]
    blob = encode_chunk(cols)
    forms = segments(io.BytesIO(blob), list(range(len(cols))))
    back = decode_chunk(blob)
    for (name, (values, form)), restored, seg in zip(CASES.items(), back, forms.values()):
        assert seg[:1] == form, name
        restored = as_list(restored)
        assert len(restored) == len(values), name
        assert all(same(a, b) for a, b in zip(values, restored)), name
        if isinstance(values[0], ticks.Datetime) or isinstance(values[0], ticks.Timespan):
            assert ticks.ticks(restored[0]) == ticks.ticks(values[0]), name


def test_numbers_without_nulls_come_back_as_arrays_and_version_2_chunks_still_read():
    cols = [list(range(N)), [i / 4 for i in range(N)], [None] + list(range(N - 1)), ["a", "b"] * (N // 2)]
    back = decode_chunk(encode_chunk(cols))
    assert type(back[0]) is array and back[0].typecode == "q"
    assert type(back[1]) is array and back[1].typecode == "d"
    assert type(back[2]) is list and back[2][0] is None
    assert back[3][0] is back[3][2]  # dictionary-encoded strings share one object
    old = decode_chunk(encode_chunk_v2(cols))
    assert [as_list(c) for c in old] == [as_list(c) for c in back]


def make_table(rows: int) -> Table:
    t = Table("T", [Column("n", "long"), Column("x", "real"), Column("s", "string"),
                    Column("t", "datetime"), Column("b", "bool")])
    t.data = [list(range(rows)), [i * 0.5 for i in range(rows)], [f"k{i % 7}" for i in range(rows)],
              [NOW + dt.timedelta(seconds=i) for i in range(rows)], [i % 3 == 0 for i in range(rows)]]
    t.extents.append(Extent(derived_id("T", "0"), 0, rows, NOW))
    return t


QUERIES = ["T | where n % 2 == 0 | summarize count() by b",
           "T | summarize sum(x), max(t), dcount(s)",
           "T | where s == 'k3' | top 3 by n desc | project n, t",
           "T | count"]


def test_a_reopened_table_reads_only_the_columns_a_query_uses(tmp_path):
    path = str(tmp_path / "lazy.kshell")
    s = open_session(path, now=NOW)
    s.database.tables["T"] = make_table(250_000)  # three chunks
    s.sync()
    expected = [s.execute(q)[0].rows for q in QUERIES]
    close_session(s)

    s = open_session(path)
    store = s.store
    table = s.database.tables["T"]
    assert s.execute("T | count")[0].rows == [[250_000]]
    assert store.columns_loaded == 0  # the row count is metadata
    assert s.execute(QUERIES[0])[0].rows == expected[0]
    assert store.columns_loaded == 2 and store.tables_loaded == 0  # n and b, not x, s, t
    assert not table.rows_loaded
    assert s.execute(QUERIES[0])[0].rows == expected[0]
    assert store.columns_loaded == 2  # read once
    assert [s.execute(q)[0].rows for q in QUERIES] == expected
    assert store.columns_loaded == 5 and store.tables_loaded == 0
    # Loading the whole table reuses the columns already read.
    n_column = s.execute("T | take 1")  # every column, still lazily
    assert n_column[0].rows[0][0] == 0
    data = table.data
    assert store.tables_loaded == 1 and store.columns_loaded == 5
    assert type(data[0]) is array and list(data[0][:3]) == [0, 1, 2]
    # Appending after a partial read writes only the new rows.
    execute_request(ShellState(session=s), ".ingest inline into table T <| 250000,1.5,k1,2026-01-02,true")
    assert store.last_write.get("chunks") == 1
    close_session(s)
    s = open_session(path)
    assert s.execute("T | where n >= 249999 | project n, s, b")[0].rows == [[249_999, "k1", True],
                                                                            [250_000, "k1", True]]
    close_session(s)


def test_a_version_2_file_is_read_and_new_rows_are_written_in_the_new_form(tmp_path):
    path = str(tmp_path / "v2.kshell")
    s = open_session(path, now=NOW)
    s.database.tables["T"] = make_table(1000)
    s.sync()
    expected = [s.execute(q)[0].rows for q in QUERIES]
    close_session(s)
    # What a version-2 kshell wrote: JSON chunks.
    with sqlite3.connect(path) as c:
        for rowid, blob in c.execute("SELECT rowid, payload FROM kshell_rows").fetchall():
            c.execute("UPDATE kshell_rows SET payload=? WHERE rowid=?", (encode_chunk_v2(decode_chunk(blob)), rowid))
        c.execute("PRAGMA user_version=2")
    c.close()

    s = open_session(path)
    assert [s.execute(q)[0].rows for q in QUERIES] == expected
    state = ShellState(session=s)
    execute_request(state, ".ingest inline into table T <| 1000,2.5,k9,2026-02-01,false")
    close_session(s)
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        payloads = [p for (p,) in c.execute("SELECT payload FROM kshell_rows ORDER BY seq")]
    c.close()
    assert payloads[0][:4] != b"KSC3" and payloads[-1][:4] == b"KSC3"  # old chunk kept, new one v3
    s = open_session(path)
    assert s.execute("T | where n >= 999 | project n, x, s, t, b")[0].rows == [
        [999, 499.5, "k5", NOW + dt.timedelta(seconds=999), True],
        [1000, 2.5, "k9", dt.datetime(2026, 2, 1, tzinfo=UTC), False]]
    close_session(s)


def test_a_damaged_column_segment_is_reported_when_read(tmp_path):
    path = str(tmp_path / "bad.kshell")
    s = open_session(path, now=NOW)
    s.database.tables["T"] = make_table(100)
    s.sync()
    close_session(s)
    with sqlite3.connect(path) as c:
        (blob,) = c.execute("SELECT payload FROM kshell_rows").fetchone()
        c.execute("UPDATE kshell_rows SET payload=?", (blob[:-3] + b"xyz",))  # the last column's bytes
    c.close()
    s = open_session(path)
    assert s.execute("T | summarize sum(n)")[0].rows == [[4950]]  # other columns still read
    with pytest.raises(StateFileError, match="damaged"):
        s.execute("T | where b | count")
    close_session(s)


def test_a_reopened_state_file_answers_queries_through_the_real_kshell(run_kshell, tmp_path):
    path = str(tmp_path / "e2e.kshell")
    script = (".create table T (n:long, x:real, s:string, b:bool)\n"
              ".set-or-append T <| range i from 0 to 99999 step 1 "
              "| project n = i, x = i * 0.25, s = strcat('k', i % 5), b = i % 4 == 0\n")
    code, out, err = run_kshell(script, path)
    assert code == 0, err
    code, out, err = run_kshell("T | where n % 2 == 0 | summarize count(), sum(x) by b | order by b asc\n",
                                path, "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == ["b,count_,sum_x", "false,25000,312500000", "true,25000,312487500"]


def test_each_ingestion_appends_only_its_own_rows(tmp_path):
    # Ingestion replaces table.data with a new list of the (grown) column objects: the rows
    # already written are recognised by the column objects, not by the outer list.
    state = ShellState(session=open_session(str(tmp_path / "append.kshell"), now=NOW))
    execute_request(state, ".create table T (n:long, s:string)")
    for k in range(3):
        execute_request(state, f".ingest inline into table T <| {k},a\n{k + 10},b")
    store = state.session.store
    assert [(seq, first, count) for _, seq, first, count in store.row_chunks()] == [(0, 0, 2), (1, 2, 2), (2, 4, 2)]
    close_session(state.session)


def test_numbers_in_a_column_of_another_type_read_back_as_a_list_that_can_grow(tmp_path):
    path = str(tmp_path / "odd.kshell")
    s = open_session(path, now=NOW)
    t = Table("T", [Column("x", "real"), Column("s", "string")])
    t.data = [[1, 2, 3], [4, 5, 6]]  # ints where reals/strings are declared: stored exactly as they are
    t.extents.append(Extent(derived_id("T", "0"), 0, 3, NOW))
    s.database.tables["T"] = t
    s.sync()
    close_session(s)
    s = open_session(path)
    data = s.database.tables["T"].data
    assert data == [[1, 2, 3], [4, 5, 6]] and type(data[0]) is list
    execute_request(ShellState(session=s), ".ingest inline into table T <| 2.5,x")
    assert s.execute("T | summarize sum(x)")[0].rows == [[8.5]]
    close_session(s)
