"""Compact stored columns (kshell/columns.py) are a representation, never a semantic:
whatever a table's numbers are stored as, every query, command and state file answers
as if they were plain values."""

from __future__ import annotations

from array import array

from kshell.columns import compact, extended


def _rows(session, query):
    return session.execute(query)[0].rows


def test_a_null_appended_to_a_compact_long_column_is_kept_as_null(session):
    session.execute(".create table T (n:long, r:real)")
    session.execute(".ingest inline into table T <| 1,1.5\n2,2.5")
    assert type(session.database.tables["T"].data[0]) is array  # stored compactly
    session.execute(".ingest inline into table T <| ,\n4,")
    assert _rows(session, "T | order by n asc nulls first") == [[None, None], [1, 1.5], [2, 2.5], [4, None]]
    assert _rows(session, "T | summarize count(), countif(isnull(n)), sum(n), max(r)") == [[4, 1, 7, 2.5]]


def test_a_long_column_keeps_values_beyond_int64_exactly_and_bools_apart():
    col = extended(compact([1, 2], "long"), [2 ** 70], "long")
    assert list(col) == [1, 2, 2 ** 70] and type(col) is list
    col = extended(compact([1], "long"), [True], "long")
    assert [type(v) for v in col] == [int, bool]   # a bool never silently becomes 1
    assert type(extended(compact([0.5], "real"), [3], "real")) is list  # an int in a real column stays an int


def test_a_failed_append_leaves_the_compact_column_whole():
    col = compact([1, 2, 3], "long")
    out = extended(col, [4, 2 ** 64], "long")  # array.extend fails part-way on the big value
    assert list(out) == [1, 2, 3, 4, 2 ** 64]
    assert list(col) == [1, 2, 3]


def test_compact_tables_round_trip_through_the_state_file(run_kshell, tmp_path):
    state = tmp_path / "s.kshell"
    script = (".create table T (n:long, r:real, s:string)\n\n"
              ".ingest inline into table T <| 1,0.5,a\n-9223372036854775808,-0.0,b\n9223372036854775807,1e300,c\n\n"
              "T | summarize min(n), max(n), sum(r), c = count()\n")
    rc, first, err = run_kshell(script, str(state), "--format", "csv")
    assert rc == 0, err
    rc, again, err = run_kshell("T | summarize min(n), max(n), sum(r), c = count()\n", str(state),
                                "--format", "csv")
    assert rc == 0, err
    assert again.strip().splitlines()[-1] == first.strip().splitlines()[-1]
    assert first.strip().splitlines()[-1].startswith("-9223372036854775808,9223372036854775807,")
