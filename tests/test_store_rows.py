"""Table rows in the state file: exact values of every type, lazy loading, incremental writes."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid

import pytest

from kshell.columns import as_list
from kshell.engine.cluster import Column, Extent, Table, derived_id
from kshell.store import close_session, open_session
from kshell.store.rows import StoredTable, decode_chunk, encode_chunk, rows_loaded

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
UTC = dt.timezone.utc

COLUMNS = {
    "bool": [True, False, None],
    "long": [0, -(2**63), 2**63 - 1],
    "real": [1.5, float("inf"), None],
    "string": ["", "é\u2028\x00", None],
    "datetime": [dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime(2024, 2, 29, 1, 2, 3, 456789, tzinfo=UTC), None],
    "timespan": [dt.timedelta(0), dt.timedelta(days=-1, microseconds=1), None],
    "guid": [uuid.UUID(int=0), uuid.UUID("74be27de-1e4e-49d9-b579-fe0b331d3642"), None],
    "decimal": [decimal.Decimal("1.10"), decimal.Decimal("-0"), None],
    "dynamic": [{"a": [1, {"$b": None}]}, [1, "x", 2.5], None],
    "dynamic_odd": [{"t": dt.timedelta(1)}, {1: "int key"}, "plain"],
    "mixed": [1, "one", dt.datetime(2020, 1, 1, tzinfo=UTC)],
}


def test_chunks_hold_every_value_type_exactly():
    cols = list(COLUMNS.values())
    back = [as_list(c) for c in decode_chunk(encode_chunk(cols))]
    for name, original, restored in zip(COLUMNS, cols, back):
        assert restored == original, name
        assert [type(v) for v in restored] == [type(v) for v in original], name
    nan = decode_chunk(encode_chunk([[float("nan")]]))[0][0]
    assert math.isnan(nan)


def make_table(name: str, rows: int) -> Table:
    t = Table(name, [Column("n", "long"), Column("s", "string"), Column("t", "datetime")])
    t.data = [list(range(rows)), [f"v{i}" for i in range(rows)],
              [NOW + dt.timedelta(seconds=i) for i in range(rows)]]
    t.extents.append(Extent(derived_id(name, "0"), 0, rows, NOW))
    return t


def chunk_rows(session) -> list[tuple]:
    return session.store.row_chunks()


def test_a_large_table_is_not_read_until_its_rows_are_used(tmp_path):
    path = str(tmp_path / "big.kshell")
    s = open_session(path, now=NOW)
    s.database.tables["Big"] = make_table("Big", 250_000)
    s.sync()
    close_session(s)

    s = open_session(path)
    big = s.database.tables["Big"]
    assert isinstance(big, StoredTable)
    assert not rows_loaded(big) and s.store.tables_loaded == 0
    # What needs no rows answers without loading them.
    assert big.row_count == 250_000
    assert [c.name for c in big.columns] == ["n", "s", "t"]
    assert big.extents[0].row_count == 250_000
    s.execute(".show tables")
    s.execute(".create table Other (x:long)")  # a write elsewhere does not load it either
    assert s.store.tables_loaded == 0
    # First use of the rows reads them, once.
    assert big.data[0][-1] == 249_999 and big.data[2][10] == NOW + dt.timedelta(seconds=10)
    assert big.data[1][5] == "v5"
    assert s.store.tables_loaded == 1 and rows_loaded(big)
    close_session(s)


def test_appends_write_only_the_new_rows_and_renames_rewrite_nothing(tmp_path):
    path = str(tmp_path / "inc.kshell")
    s = open_session(path, now=NOW)
    t = make_table("T", 10)
    s.database.tables["T"] = t
    s.sync()
    assert [r[1:] for r in chunk_rows(s)] == [(0, 0, 10)]
    for col, value in zip(t.data, (10, "v10", NOW)):
        col.append(value)
    t.extents.append(Extent(derived_id("T", "1"), 10, 1, NOW))
    s.sync()
    assert [r[1:] for r in chunk_rows(s)] == [(0, 0, 10), (1, 10, 1)]
    # A rename moves the table, not its rows.
    s.database.tables["U"] = s.database.tables.pop("T")
    t.name = "U"
    s.sync()
    assert [r[1:] for r in chunk_rows(s)] == [(0, 0, 10), (1, 10, 1)]
    close_session(s)
    s = open_session(path)
    assert list(s.database.tables["U"].data[0]) == list(range(11))
    close_session(s)


def test_replaced_or_cleared_data_is_rewritten(tmp_path):
    path = str(tmp_path / "rw.kshell")
    s = open_session(path, now=NOW)
    t = make_table("T", 10)
    s.database.tables["T"] = t
    s.sync()
    # Replaced in place (same lists, new extents): a rewrite, not an append.
    for col in t.data:
        del col[:]
    t.extents = []
    for col, value in zip(t.data, (7, "seven", NOW)):
        col.append(value)
    t.extents.append(Extent(derived_id("T", "r"), 0, 1, NOW))
    s.sync()
    assert [r[1:] for r in chunk_rows(s)] == [(0, 0, 1)]
    # New data lists.
    t.data = [[1, 2], ["a", "b"], [NOW, NOW]]
    s.sync()
    assert [r[1:] for r in chunk_rows(s)] == [(0, 0, 2)]
    close_session(s)
    s = open_session(path)
    assert [list(c) for c in s.database.tables["T"].data] == [[1, 2], ["a", "b"], [NOW, NOW]]
    # Dropped: its rows go too.
    del s.database.tables["T"]
    s.sync()
    assert chunk_rows(s) == []
    close_session(s)


def test_a_reopened_table_can_be_appended_to_and_changed(tmp_path):
    path = str(tmp_path / "again.kshell")
    s = open_session(path, now=NOW)
    s.database.tables["T"] = make_table("T", 5)
    s.sync()
    close_session(s)
    for round_ in range(3):
        s = open_session(path)
        t = s.database.tables["T"]
        for col, value in zip(t.data, (100 + round_, f"r{round_}", NOW)):
            col.append(value)
        s.sync()
        close_session(s)
    s = open_session(path)
    assert list(s.database.tables["T"].data[0]) == [0, 1, 2, 3, 4, 100, 101, 102]
    close_session(s)


def test_a_table_object_replaced_by_a_copy_is_stored_fresh(tmp_path):
    path = str(tmp_path / "copy.kshell")
    s = open_session(path, now=NOW)
    s.database.tables["T"] = make_table("T", 3)
    s.sync()
    s.database.tables["T"] = make_table("T", 2)
    s.sync()
    close_session(s)
    s = open_session(path)
    assert list(s.database.tables["T"].data[0]) == [0, 1]
    assert len(chunk_rows(s)) == 1
    close_session(s)


@pytest.mark.parametrize("rows", [0, 1, 100_001])
def test_row_counts_survive_at_chunk_boundaries(tmp_path, rows):
    path = str(tmp_path / "n.kshell")
    s = open_session(path, now=NOW)
    s.database.tables["T"] = make_table("T", rows)
    s.sync()
    close_session(s)
    s = open_session(path)
    t = s.database.tables["T"]
    assert t.row_count == rows
    assert len(t.data[0]) == rows and t.data[1][-1:] == ([f"v{rows - 1}"] if rows else [])
    close_session(s)


def test_copies_of_a_stored_table_hold_its_rows(tmp_path):
    import copy
    import pickle

    path = str(tmp_path / "cp.kshell")
    s = open_session(path, now=NOW)
    s.database.tables["T"] = make_table("T", 4)
    s.sync()
    close_session(s)
    s = open_session(path)
    for make_copy in (copy.copy, copy.deepcopy, lambda t: pickle.loads(pickle.dumps(t))):
        t = s.database.tables["T"]
        c = make_copy(t)
        assert type(c) is Table
        assert list(c.data[0]) == [0, 1, 2, 3] and c.name == "T" and c.extents == t.extents
    close_session(s)


def test_in_place_changes_to_a_written_table_are_written(tmp_path):
    path = str(tmp_path / "inplace.kshell")
    s = open_session(path, now=NOW)
    t = make_table("T", 2)
    s.database.tables["T"] = t
    s.sync()
    t = s.database.tables["T"]
    t.columns[0].name = "renamed"          # a nested record changed in place
    s.sync()
    t.policies["caching"] = {"DataHotSpan": "1d"}
    s.sync()
    t.extents[0].tags.append("drop-by:x")  # a list inside an extent
    s.sync()
    t.docstring = "set directly"
    assert s.sync() is True
    assert s.sync() is False               # nothing changed since
    close_session(s)
    s = open_session(path)
    t = s.database.tables["T"]
    assert t.columns[0].name == "renamed"
    assert t.policies == {"caching": {"DataHotSpan": "1d"}}
    assert t.extents[0].tags == ["drop-by:x"]
    assert t.docstring == "set directly"
    close_session(s)


def test_extents_survive_appends_removals_and_in_place_changes(tmp_path):
    path = str(tmp_path / "ext.kshell")
    s = open_session(path, now=NOW)
    t = make_table("T", 1)
    s.database.tables["T"] = t
    s.sync()
    t = s.database.tables["T"]
    for i in range(1, 6):  # one extent per "ingestion"
        for col, value in zip(t.data, (i, f"v{i}", NOW)):
            col.append(value)
        t.extents.append(Extent(derived_id("T", str(i)), i, 1, NOW + dt.timedelta(minutes=i)))
        s.sync()
    t.extents[2].tags.append("tagged later")      # an old extent changed in place
    s.sync()
    del t.extents[1]                                # one dropped from the middle
    s.sync()
    t.extents.append(Extent(derived_id("T", "x"), 6, 0, NOW, ["new"]))
    s.sync()
    expected = [(e.extent_id, e.first_row, e.row_count, e.ingestion_time, list(e.tags)) for e in t.extents]
    close_session(s)
    s = open_session(path)
    got = [(e.extent_id, e.first_row, e.row_count, e.ingestion_time, e.tags) for e in s.database.tables["T"].extents]
    assert got == expected
    assert len(got) == 6 and got[1][4] == ["tagged later"]
    assert s.sync() is False
    close_session(s)


# ----------------------------------------------------------- property test
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=10,
)
_value_columns = [
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(),
    st.booleans(),
    st.datetimes(timezones=st.just(UTC)),
    st.timedeltas(),
    st.uuids(),
    st.decimals(allow_nan=False, allow_infinity=False),
    _json,
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(*[st.lists(st.none() | s, max_size=30) for s in _value_columns]), min_size=1, max_size=4))
def test_any_column_values_round_trip_through_a_chunk(columns):
    back = [as_list(c) for c in decode_chunk(encode_chunk(columns))]
    assert back == columns
    for original, restored in zip(columns, back):
        assert [type(v) for v in restored] == [type(v) for v in original]
