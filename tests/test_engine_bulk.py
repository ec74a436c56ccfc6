"""A 100,000-row CSV ingested inline, then filtered and summarized (issue 4, "Done when")."""

from __future__ import annotations

import datetime as dt
from collections import Counter

N = 100_000
STATES = ["TEXAS", "KANSAS", "IOWA", "OHIO", "UTAH"]


def csv_rows():
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    for i in range(N):
        state = STATES[i % len(STATES)]
        # Every 1000th damage value is malformed: it must become null, not fail the ingestion.
        damage = "n/a" if i % 1000 == 7 else str((i * 37) % 500)
        when = (start + dt.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        yield i, state, damage, when


def test_ingest_100k_rows_inline_then_summarize(session):
    session.execute(".create table Storms (Id:long, State:string, Damage:long, StartTime:datetime)")
    data = "\n".join(f'{i},"{s}",{d},{w}' for i, s, d, w in csv_rows())
    [r] = session.execute(".ingest inline into table Storms <|\n" + data)
    assert len(r.rows) == 1
    table = session.database.tables["Storms"]
    assert table.row_count == N and table.extents[0].row_count == N

    [r] = session.execute("Storms | where Damage > 250 | summarize Events = count() by State | order by State asc")
    expected = Counter(s for i, s, d, w in csv_rows() if d != "n/a" and int(d) > 250)
    assert r.column_names == ["State", "Events"]
    assert [c.type for c in r.columns] == ["string", "long"]
    assert r.rows == [[s, expected[s]] for s in sorted(expected)]

    [r] = session.execute("Storms | where isnull(Damage) | count")
    assert r.rows == [[N // 1000]]
    [r] = session.execute("Storms | where StartTime >= datetime(2025-02-01) | summarize min(Id)")
    assert r.rows == [[31 * 24 * 60]]
