"""kshell/ticks.py: datetimes and timespans behave as their 100 ns tick counts.

scalar-data-types/datetime.md and timespan.md: a value is a count of 100 ns ticks.  These
properties check that the representation (plain datetime/timedelta when the count is whole
microseconds, a subclass carrying the extra ticks otherwise) is invisible: every operation
agrees with integer arithmetic on the tick counts, whichever kinds are mixed.
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from kshell import ticks as K
from kshell.query import types as T

# 1900-01-01 .. 2100-01-01 in ticks, and spans of up to ~30 years either way.
_DT_TICKS = st.integers(K.datetime_ticks(dt.datetime(1900, 1, 1, tzinfo=K.UTC)),
                        K.datetime_ticks(dt.datetime(2100, 1, 1, tzinfo=K.UTC)))
_TS_TICKS = st.integers(-10**16, 10**16)


@settings(max_examples=300, deadline=None)
@given(a=_DT_TICKS, b=_DT_TICKS, s=_TS_TICKS, u=_TS_TICKS)
def test_arithmetic_and_order_follow_the_tick_counts(a, b, s, u):
    da, db = K.datetime_from_ticks(a), K.datetime_from_ticks(b)
    ts, tu = K.timespan_from_ticks(s), K.timespan_from_ticks(u)
    assert K.ticks(da) == a and K.ticks(ts) == s
    assert K.ticks(da - db) == a - b
    assert K.ticks(K.add(da, ts)) == a + s
    assert K.ticks(K.subtract(da, ts)) == a - s
    assert K.ticks(ts + tu) == s + u and K.ticks(ts - tu) == s - u and K.ticks(-ts) == -s
    assert (da < db) == (a < b) and (da == db) == (a == b) and (ts <= tu) == (s <= u)
    assert sorted([da, db]) == [K.datetime_from_ticks(x) for x in sorted([a, b])]
    if u:
        assert ts // tu == s // u
        assert K.ticks(ts % tu) == s % u


@given(a=_DT_TICKS, s=_TS_TICKS)
def test_equal_values_hash_alike_and_survive_copies(a, s):
    da, ts = K.datetime_from_ticks(a), K.timespan_from_ticks(s)
    # the same instant built another way (plain arithmetic when it is whole microseconds)
    again = K.add(K.datetime_from_ticks(a - a % 10), K.timespan_from_ticks(a % 10))
    assert again == da and hash(again) == hash(da)
    assert len({da, again}) == 1
    for v in (da, ts):
        assert copy.deepcopy(v) == v and pickle.loads(pickle.dumps(v)) == v


@given(a=_DT_TICKS, s=_TS_TICKS)
def test_text_round_trips_every_tick(a, s):
    da, ts = K.datetime_from_ticks(a), K.timespan_from_ticks(s)
    assert T.to_datetime(T.format_datetime(da)) == da
    assert T.to_timespan(T.format_timespan(ts)) == ts
    assert K.fromisoformat(K.isoformat(da)) == da


@given(a=_DT_TICKS, s=_TS_TICKS)
def test_rest_json_round_trips_every_tick(a, s):
    """The REST server's JSON cells (kshell.server.values) carry the seventh digit both ways."""
    from kshell.server import values as V
    da, ts = K.datetime_from_ticks(a), K.timespan_from_ticks(s)
    assert V.decode_datetime(V.encode_datetime(da)) == da
    assert V.decode_timespan(V.encode_timespan(ts)) == ts
