"""No input reaches the user as a Python exception: whatever a script holds, every
request either succeeds or fails with a Kusto error (exit codes 0/1, never 70)."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kshell.directives import ShellState
from kshell.engine.session import Session
from kshell.script import iter_requests, run_requests, text_lines

from conftest import FIXED_NOW

_PIECES = [
    ".create table T (a:int, b:string)", ".create table U (x:dynamic)", ".drop table T", ".show tables",
    ".ingest inline into table T <|", "1,x", "2,\"y\"", ".show version", ".show databases",
    ".alter cluster policy managed_identity", "```[{\"ObjectId\":\"system\",\"AllowedUsages\":\"All\"}]```",
    ".show cluster policy managed_identity", ".add database NetDefaultDB viewers ('aaduser=a@b.com')",
    "T", "| where a > 1", "| summarize count() by b", "| project a, c = b", "| extend d = a * 2",
    "| take 3", "| join (T) on a", "print", "1", "'s'", "now()", "ago(1h)", "datetime(2026-01-01)",
    "dynamic({\"k\":[1,2]})", "(", ")", "[", "]", "{", "}", ",", "=", "==", "|", "<|", ";", "let x = 1;",
    "#db", "#time advance 1h", "#format json", "#types on", "#as aaduser=a@b.com", "#as default",
    "range i from 1 to 5 step 1", "| order by i desc", "| top 2 by i", "@'v'", "\"", "'", "```", "//c",
    "toscalar(T | count)", "int(null)", "1/0", "1.5e300 * 1e300", "bag_pack('a', 1)", "tostring(a)",
]


def _script():
    line = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6).map(" ".join)
    return st.lists(st.one_of(line, st.just("")), min_size=1, max_size=12).map("\n".join)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_script())
def test_any_script_fails_only_with_kusto_errors(script):
    state = ShellState(session=Session(now=FIXED_NOW), format="csv")
    out, err = io.StringIO(), io.StringIO()
    # an exception other than a KustoError escaping here would be exit 70 for a user
    code = run_requests(state, iter_requests(text_lines(script)), out, err, keep_going=True)
    assert code in (0, 1)
    assert "Traceback" not in err.getvalue()
