"""Runs the documented examples of ../shared/corpus/docs-outputs.jsonl and compares tables.

Shared by tests/test_docs_outputs.py (the ratchet) and tests/docs_outputs_report.py
(the per-family table of docs/query-engine.md).  Every example runs in-process on a
fresh Session with a time limit; the printed table is compared with kshell's:
same column names in order, same rows (a multiset unless the query orders), each
cell compared by the type of kshell's column (numbers with the tolerance the page's
printed digits allow, datetimes and timespans as instants, dynamic as parsed JSON).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
import signal
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any



def _find_shared() -> Path:
    """../shared beside the checkout (a worktree nested one level deeper finds it further up)."""
    for parent in Path(__file__).resolve().parents[1:]:
        if (parent / "shared" / "corpus").is_dir():
            return parent / "shared"
    return Path(__file__).resolve().parents[2] / "shared"


SHARED = _find_shared()
CORPUS = SHARED / "corpus" / "docs-outputs.jsonl"
TIME_LIMIT_S = 10.0  # generous: a loaded machine must not turn a slow example into a miss
NOW = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)

WINDOW_FUNCTIONS = ("prev", "next", "row-cumsum", "row-number", "row-rank", "row-window-session")


def load() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def key(example: dict) -> str:
    """The example's identity in the known-differences list: page name and line."""
    return f"{example['source'].rsplit('/', 1)[-1]}:{example['line']}"


def family(source: str) -> str:
    """A coarse page family for the report (by the page's file name)."""
    page = source.rsplit("/", 1)[-1].removesuffix(".md")
    if page.endswith("-plugin"):
        return "plugins"
    if page.endswith("-aggregation-function"):
        return "aggregates"
    if page.endswith("-operator") or page.endswith("-statement") or page.startswith("join-"):
        return "operators and statements"
    if page.startswith(WINDOW_FUNCTIONS):
        return "window functions"
    if page.endswith("-function") or page.endswith("function"):
        if page.startswith("geo-"):
            return "geo functions"
        if page.startswith("series-"):
            return "series functions"
        if page.startswith(("ipv4-", "ipv6-", "has-ipv4", "has-any-ipv4", "format-ipv4", "parse-ipv4",
                            "parse-ipv6")):
            return "ip functions"
        if page.startswith(("array-", "bag-", "set-", "pack", "zip", "jaccard", "treepath", "repeat")):
            return "array and bag functions"
        if re.match(r"(datetime|date|day|week|month|year|start|end|make-datetime|make-timespan|"
                    r"unix|format-datetime|format-timespan|ago|now|hour|getmonth|getyear|todatetime|"
                    r"totimespan)", page):
            return "datetime functions"
        return "other scalar functions"
    return "other pages"


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - only on a slow example
    raise _Timeout()


@dataclass
class Outcome:
    example: dict
    status: str           # "match" | "mismatch" | "error" | "timeout" | "skip"
    detail: str = ""


def run_example(example: dict) -> Outcome:
    from kshell.engine.session import Session
    from kshell.errors import KustoError

    if example.get("skip"):
        return Outcome(example, "skip", example["skip"])
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    try:
        results = Session(now=NOW).execute(example["query"])
    except _Timeout:
        return Outcome(example, "timeout", f"over {TIME_LIMIT_S:g} s")
    except KustoError as e:
        if "pip install kshell[" in str(e):  # an optional extra is not installed here
            return Outcome(example, "skip", f"optional package missing: {e}")
        return Outcome(example, "error", f"{type(e).__name__}: {e}"[:300])
    except Exception as e:  # a Python error is a defect, but it is one example's miss here
        return Outcome(example, "error", f"internal {type(e).__name__}: {e}"[:300])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    tables = [{"columns": example["expected_columns"], "rows": example["expected_rows"]}]
    tables += example.get("extra_tables") or []
    if not results:
        return Outcome(example, "mismatch", "no result")
    # A page prints one table per tabular statement when it prints several.
    pairs = list(zip(results, tables)) if len(results) == len(tables) else [(results[-1], tables[0])]
    for res, table in pairs:
        why = compare(res, table["columns"], table["rows"], example.get("ordered", False))
        if why:
            return Outcome(example, "mismatch", why)
    return Outcome(example, "match")


# ------------------------------------------------------------------ comparison

def compare(result, columns: list[str], rows: list[list[str]], ordered: bool) -> str:
    """'' when the result equals the printed table, otherwise what differs."""
    got_cols = [c.name for c in result.columns]
    if got_cols != list(columns):
        return f"columns {got_cols} != {list(columns)}"
    types = [c.type for c in result.columns]
    if len(result.rows) != len(rows):
        return f"{len(result.rows)} rows != {len(rows)}"
    got = [[_norm_value(v, t) for v, t in zip(row, types)] for row in result.rows]
    exp = [[_norm_text(c, t) for c, t in zip(row, types)] for row in rows]
    if ordered:
        for i, (g, e) in enumerate(zip(got, exp)):
            if not _row_eq(g, e):
                return f"row {i}: {_show(result.rows[i])} != {rows[i]}"
        return ""
    unused = list(range(len(got)))
    for j, e in enumerate(exp):
        for n, i in enumerate(unused):
            if _row_eq(got[i], e):
                del unused[n]
                break
        else:
            return f"expected row {rows[j]} not found (first unmatched: {_show(result.rows[unused[0]])})"
    return ""


def _show(row: list[Any]) -> str:
    from kshell.query.types import to_string
    return str([to_string(v) for v in row])[:300]


def _row_eq(g: list[Any], e: list[Any]) -> bool:
    return all(_eq(a, b) for a, b in zip(g, e))


class DocNum(float):
    """A number as a page prints it; `tol` is what its printed digits allow."""
    tol: float = 0.0


def _doc_num(text: str) -> DocNum:
    n = DocNum(float(text))
    m = re.search(r"\.(\d+)(?:[eE]([-+]?\d+))?$", text.strip())
    if m and len(m.group(1)) <= 6 and not m.group(2):
        n.tol = 10.0 ** -len(m.group(1))
    return n


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) \
                or isinstance(a, bool) or isinstance(b, bool):
            return False
        tol = max(getattr(a, "tol", 0.0), getattr(b, "tol", 0.0))
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=max(tol, 1e-9))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_eq(a[k], b[k]) for k in a)
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    return a == b


_NUMERIC = ("int", "long", "real", "decimal")


def _norm_value(v: Any, typ: str) -> Any:
    """kshell's value in the comparable form of its column type."""
    from kshell.query import types as T
    if v is None:
        return "" if typ == "string" else None  # a Kusto string is never null
    if typ in _NUMERIC:
        if isinstance(v, float):
            return v
        return float(v) if isinstance(v, decimal.Decimal) or typ != "long" and typ != "int" else float(v)
    if typ == "datetime":
        return _ticks_datetime(T.to_string(v))
    if typ == "timespan":
        return _ticks_timespan(T.to_string(v))
    if typ == "guid":
        return str(v).lower()
    if typ == "dynamic":
        return _json_norm(_to_json(v))
    if typ == "bool":
        return bool(v)
    return _text(T.to_string(v))


def _text(s: str) -> str:
    """A markdown table cell cannot show leading, trailing or repeated white space (nor a
    line break): strings compare with white space runs collapsed to one space."""
    return " ".join(s.split())


def _to_json(v: Any) -> Any:
    from kshell.query import types as T
    if isinstance(v, dict):
        return {str(k): _to_json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_to_json(x) for x in v]
    return T.to_json_value(v)


def _json_norm(v: Any) -> Any:
    """JSON numbers as floats (so 1 and 1.0 compare equal), recursively."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        return v if isinstance(v, DocNum) else float(v)
    if isinstance(v, list):
        return [_json_norm(x) for x in v]
    if isinstance(v, dict):
        return {k: _json_norm(x) for k, x in v.items()}
    return v


def _norm_text(text: Any, typ: str) -> Any:
    """A page's cell text in the comparable form of kshell's column type (the text itself
    when it cannot be read as that type, so that it compares unequal)."""
    from kshell.query import types as T
    if not isinstance(text, str):
        return text
    s = text.strip()
    if typ == "string":
        return _text(s)
    if s == "" or s.lower() == "null":
        return None
    if typ in _NUMERIC:
        low = s.lower().replace("∞", "infinity")
        if low in ("nan", "infinity", "+infinity", "-infinity", "inf", "-inf"):
            return float(low.replace("infinity", "inf"))
        try:
            return _doc_num(s.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s) else s)
        except ValueError:
            return s
    if typ == "bool":
        low = s.lower()
        return {"true": True, "false": False, "1": True, "0": False}.get(low, s)
    if typ == "datetime":
        return _ticks_datetime(s)
    if typ == "timespan":
        return _ticks_timespan(s)
    if typ == "guid":
        try:
            return str(uuid.UUID(s)).lower()
        except ValueError:
            return s
    if typ == "dynamic":
        try:
            return _json_norm(json.loads(s, parse_float=_doc_num, parse_int=_doc_num))
        except ValueError:
            pass
        try:  # some pages print JSON with single quotes
            return _json_norm(json.loads(s.replace("'", '"'), parse_float=_doc_num, parse_int=_doc_num))
        except ValueError:
            return s  # a bare string value printed without quotes
    return s


_DT_TEXT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*Z?$")


def _ticks_datetime(s: str) -> Any:
    """A datetime text as 100 ns ticks since 0001-01-01 UTC (the text itself if unreadable)."""
    from kshell.query import types as T
    m = _DT_TEXT.match(s)
    if m:
        y, mo, d, h, mi, sec, frac = m.groups()
        try:
            base = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0))
        except ValueError:
            return s
        return (base - dt.datetime(1, 1, 1)) // dt.timedelta(microseconds=1) * 10 + int((frac or "0").ljust(7, "0"))
    d = T.parse_datetime(s)
    if d is None:
        return s
    d = d.astimezone(dt.timezone.utc).replace(tzinfo=None) if d.tzinfo else d
    return (d - dt.datetime(1, 1, 1)) // dt.timedelta(microseconds=1) * 10


_TS_TEXT = re.compile(r"(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$")


def _ticks_timespan(s: str) -> Any:
    """A timespan text as 100 ns ticks (the text itself if unreadable)."""
    from kshell.query import types as T
    m = _TS_TEXT.match(s)
    if m:
        neg, days, h, mi, sec, frac = m.groups()
        t = ((int(days or 0) * 24 + int(h)) * 60 + int(mi)) * 60 + int(sec)
        t = t * 10_000_000 + int((frac or "0").ljust(7, "0"))
        return -t if neg else t
    td = T.parse_timespan(s)
    return s if td is None else td // dt.timedelta(microseconds=1) * 10
