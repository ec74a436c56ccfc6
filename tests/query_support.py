"""Helpers shared by the query-engine tests (tests/test_query*.py)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from kshell.engine.session import Session

NOW = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)


def D(text: str) -> dt.datetime:
    """A UTC datetime from ISO text."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)


def TS(**kw: float) -> dt.timedelta:
    return dt.timedelta(**kw)


def schema(spec: str) -> list[tuple[str, str]]:
    """'a:string, b:long' -> [('a', 'string'), ('b', 'long')]."""
    out = []
    for part in spec.split(","):
        part = part.strip()
        if part:
            name, _, typ = part.rpartition(":")
            out.append((name.strip(), typ.strip()))
    return out


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        if math.isnan(a):
            return isinstance(b, float) and math.isnan(b)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    return a == b


def run(text: str, session: Session | None = None):
    s = session or Session(now=NOW)
    results = s.execute(text)
    return results[-1]


def check(text: str, columns: str | None, rows: list[list[Any]], *, session: Session | None = None,
          ordered: bool = True) -> None:
    r = run(text, session)
    if columns is not None:
        assert [(c.name, c.type) for c in r.columns] == schema(columns)
    got = r.rows
    if not ordered:
        key = lambda row: [str(v) for v in row]  # noqa: E731
        got = sorted(got, key=key)
        rows = sorted(rows, key=key)
    assert len(got) == len(rows), f"{len(got)} rows: {got!r}"
    for g, e in zip(got, rows):
        assert same(g, e), f"row {g!r} != expected {e!r}"
