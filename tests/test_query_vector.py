"""The vector kernels (kshell/query/vector.py) give exactly the Python path's results.

Each property stores the same generated data as compact columns, runs a query once with
the kernels taking every column (vector.MIN_ROWS = 1) and once with none (the Python
path), and compares the results value by value: same types, same bits of every real
(NaN equal to NaN, -0.0 apart from 0.0), same row order.  numpy is the optional `fast`
extra: without it the module is skipped.
"""

from __future__ import annotations

import contextlib
import math
import struct
from array import array

import pytest

pytest.importorskip("numpy")

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from kshell.columns import Bools  # noqa: E402
from kshell.engine.session import Session  # noqa: E402
from kshell.query import types as T  # noqa: E402
from kshell.query import vector  # noqa: E402

# Full-range longs (overflow wraps) once 64-bit wrapping is the Python path's rule too
# (types.wrap_long); small ones make ties, equal keys and zero divisors likely.
_WRAPS = hasattr(T, "wrap_long")
_small = st.integers(-6, 6)
_long = st.one_of(_small, st.integers(-2**63, 2**63 - 1) if _WRAPS else st.integers(-2**31, 2**31),
                  st.sampled_from([-2**63, 2**63 - 1, 2**53, 2**53 + 1, -2**53 - 1] if _WRAPS else [2**31, -2**31]))
_real = st.one_of(st.sampled_from([0.0, -0.0, 0.5, -1.5, 2.0, math.nan, math.inf, -math.inf, 1e308, 5e-324]),
                  st.floats(allow_nan=True, allow_infinity=True), _small.map(float))


@st.composite
def tables(draw):
    n = draw(st.integers(1, 30))
    return {
        "a": draw(st.lists(_long, min_size=n, max_size=n)),
        "b": draw(st.lists(_long, min_size=n, max_size=n)),
        "k": draw(st.lists(_small, min_size=n, max_size=n)),
        "x": draw(st.lists(_real, min_size=n, max_size=n)),
        "y": draw(st.lists(_real, min_size=n, max_size=n)),
        "f": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
    }


_SCHEMA = "(a:long, b:long, k:long, x:real, y:real, f:bool)"


def _session(data: dict) -> Session:
    s = Session()
    s.execute(f".create table T {_SCHEMA}")
    s.execute(".create table D (k:long, label:string)")
    table = s.database.tables["T"]
    table.data = [array("q", data["a"]), array("q", data["b"]), array("q", data["k"]),
                  array("d", data["x"]), array("d", data["y"]), Bools(bytearray(data["f"]))]
    d = s.database.tables["D"]
    d.data = [array("q", [0, 1, 1, -2, 5]), ["zero", "one", "one again", "minus two", "five"]]
    return s


@contextlib.contextmanager
def _threshold(rows: int):
    saved = vector.MIN_ROWS, vector._CHUNKS
    vector.MIN_ROWS = rows
    vector._CHUNKS = 2 if rows == 1 else saved[1]  # top's slice bound on small data too
    try:
        yield
    finally:
        vector.MIN_ROWS, vector._CHUNKS = saved


def _bits(v):
    """A value as comparable data: reals by their bits (NaN payloads aside), bools apart from ints."""
    if type(v) is float:
        return ("real", "nan" if v != v else struct.pack("<d", v))
    return (type(v).__name__, v)


def _results(session: Session, query: str):
    results = session.execute(query)
    r = results[-1]
    return [(c.name, c.type) for c in r.columns], [[_bits(v) for v in row] for row in r.rows]


def _same_both_ways(data: dict, query: str) -> None:
    session = _session(data)
    with _threshold(10**9):
        expected = _results(session, query)
    with _threshold(1):
        got = _results(session, query)
    assert got == expected, query


_ARITH = [
    "T | project a + b, a - b, a * b, a / b, a % b, k / 3, k % -4, -7 / k, a * 2 + k",
    "T | project x + y, x - y, x * y, x / y, x / 0.0, 1.0 / x, x + a, a / y, k * 0.5, a - x",
    "T | extend z = a * k - b | project z, z2 = z / (k + 1), z3 = z % 7",
]
_COMPARE = [
    "T | project a < b, a <= 5, a > k, a >= -2, a == b, a != 3, 7 > k",
    "T | project x < y, x <= 0.5, x > 1000, x >= y, x == 2.0, x != y, 0.0 == x",
    "T | project a < x, k == x, x > 2, a >= 0.5, k != y",
]
_WHERE = [
    "T | where a > b | project a, b, x, f",
    "T | where x < 0.5 | where k != 1 | project k, x, y",
    "T | where f | project a, x",
    "T | where k % 2 == 0 | summarize count() by f",
]
_SUMMARIZE = [
    "T | summarize count(), sum(a), sum(x), avg(k), avg(x), min(a), max(a), min(x), max(y), dcount(a), dcount(x) by f",
    "T | summarize count(), sum(a), sum(x), avg(a), avg(x), min(k), max(x), dcount(y) by k",
    "T | summarize count(), sum(k), min(a), max(b), dcount(f) by x",
    "T | summarize sum(a), sum(x), avg(a), avg(y), min(x), max(x), dcount(a), dcount(x)",
    "T | where x > 0 | summarize avg(k), max(x) by f",
    "T | summarize s = sum(k) / count() by f",
    "T | summarize arg_max(x, a), make_list(k), percentile(a, 50), sum(a), max(x) by f",  # kernels and not
    "T | summarize count() by k",
]
_ORDER = [
    "T | top 3 by x desc",
    "T | top 1 by x desc",  # more than 10 rows a row asked: selection instead of a sort
    "T | top 2 by k asc",
    "T | top 1 by a asc",
    "T | top 4 by k asc",
    "T | top 2 by a desc",
    "T | sort by k desc, a asc",
    "T | order by x asc",
    "T | sort by k asc | take 5",
]
_JOIN = [
    "T | join kind=inner (D) on k | project a, k, label",
    "T | join kind=inner (D) on k | count",
    "T | join (D) on k | project k, label, x",
    "T | project k, x | join kind=inner (T | project k, y) on k | count",
]


_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(tables())
def test_arithmetic_kernels_equal_python(data):
    for q in _ARITH:
        _same_both_ways(data, q)


@_SETTINGS
@given(tables())
def test_comparison_and_filter_kernels_equal_python(data):
    for q in _COMPARE + _WHERE:
        _same_both_ways(data, q)


@_SETTINGS
@given(tables())
def test_grouped_aggregate_kernels_equal_python(data):
    for q in _SUMMARIZE:
        _same_both_ways(data, q)


@_SETTINGS
@given(tables())
def test_top_sort_and_join_equal_python(data):
    for q in _ORDER + _JOIN:
        _same_both_ways(data, q)


def test_kernel_results_are_compact_columns_of_plain_values():
    """A kernel's column is an array/Bools (a copy, not a numpy view); its values are
    plain Python ints, floats and bools."""
    s = _session({"a": [1, 2, 3], "b": [4, 5, 6], "k": [0, 1, 0], "x": [0.5, 1.5, -2.0],
                  "y": [1.0, 2.0, 3.0], "f": [True, False, True]})
    with _threshold(1):
        r = s.execute("T | extend s = a + b, q = x / y, c = a > 1 | project s, q, c")[-1]
    assert r.rows == [[5, 0.5, False], [7, 0.75, True], [9, -2.0 / 3.0, True]]
    assert [type(v) for v in r.rows[1]] == [int, float, bool]


def test_compact_columns_without_numpy_take_the_python_path(monkeypatch):
    monkeypatch.setattr(vector, "_numpy", None)  # as if the `fast` extra were absent
    s = _session({"a": [5, -7], "b": [2, 2], "k": [1, 1], "x": [1.0, 2.0], "y": [0.0, 1.0], "f": [True, False]})
    with _threshold(1):
        r = s.execute("T | extend q = a / b, m = a % b, r = x / y, p = a > 0 | top 1 by a asc | project q, m, r, p")[-1]
    assert r.rows == [[-3, 1, 2.0, False]]


def test_bools_column_reads_as_a_list_of_bools():
    b = Bools(bytearray([1, 0, 1]))
    assert list(b) == [True, False, True] and b[1] is False and b[-1] is True
    assert b.count(True) == 2 and b.count(None) == 0 and None not in b and True in b
    assert b[0:2] == [True, False] and b == [True, False, True]
    assert b + [None] == [True, False, True, None]


def test_end_to_end_through_kshell(run_kshell, monkeypatch):
    """A stored table large enough for the kernels (vector.MIN_ROWS rows) queried by the
    real `kshell`: the same output as with the kernels off, and the numbers expected."""
    n = vector.MIN_ROWS + 5
    script = (
        ".create table T (i:long, x:real, f:bool)\n\n"
        f".set-or-append T <| range i from 0 to {n - 1} step 1 | project i, x = i * 0.5, f = i % 3 == 0\n\n"
        "T | extend y = i * 2 + x / 4 | summarize sum(y), avg(i), max(x), count() by f | order by f asc\n\n"
        "T | where x > 100.0 | top 2 by i desc | project i, x, f\n\n"
        "T | join kind=inner (T | where i < 3 | project i, Label = strcat('L', i)) on i | count\n")
    monkeypatch.delenv("KSHELL_VECTOR_MIN_ROWS", raising=False)
    code, fast, err = run_kshell(script, "--format", "csv")
    assert code == 0, err
    monkeypatch.setenv("KSHELL_VECTOR_MIN_ROWS", str(10**9))  # every column the Python way
    code, slow, err = run_kshell(script, "--format", "csv")
    assert code == 0, err
    assert fast == slow
    lines = fast.splitlines()
    trues = len(range(0, n, 3))
    assert any(line.startswith("false,") and line.endswith(f",{n - trues}") for line in lines), fast
    assert any(line.startswith("true,") and line.endswith(f",{trues}") for line in lines), fast
    assert f"{n - 1},{(n - 1) * 0.5:g},{str((n - 1) % 3 == 0).lower()}" in lines
    assert f"{n - 2},{(n - 2) * 0.5:g},{str((n - 2) % 3 == 0).lower()}" in lines
    assert lines[-1] == "3"
