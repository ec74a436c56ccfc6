"""The documented examples with printed outputs (../shared/corpus/docs-outputs.jsonl).

Every self-contained example is run in-process and its table compared with the one
the page prints (tests/docs_outputs_support.py says how).  The match count is a
ratchet: it may only go up (raise FLOOR when it does).  KNOWN_DIFFERENCES lists the
examples kshell deliberately answers differently, each with its reason; the rate by
page family is printed by `python tests/docs_outputs_report.py` and recorded in
docs/query-engine.md.
"""

from __future__ import annotations

import pytest

import docs_outputs_support as S

pytestmark = pytest.mark.skipif(not S.CORPUS.exists(), reason=f"corpus not found at {S.CORPUS} (../shared absent)")

# The number of examples whose table matches today; raise it as kshell improves.
FLOOR = 645

# page:line -> why kshell's table differs from the printed one (doc erratum, wrong pairing,
# or a deliberate simplification recorded in docs/query-engine.md).
KNOWN_DIFFERENCES: dict[str, str] = {
}


@pytest.fixture(scope="module")
def outcomes() -> list[S.Outcome]:
    return [S.run_example(ex) for ex in S.load()]


def test_match_count_does_not_drop(outcomes):
    matched = sum(o.status == "match" for o in outcomes)
    comparable = sum(o.status != "skip" for o in outcomes)
    # Examples that need an optional extra (h3, s2sphere) cannot match where it is missing.
    missing = sum(o.detail.startswith("optional package missing") for o in outcomes)
    print(f"\n{matched}/{comparable} documented examples give the printed table")
    assert matched >= FLOOR - missing, f"{matched} < FLOOR {FLOOR}: a documented example that matched no longer does"


def test_no_internal_errors(outcomes):
    """A documented example either runs or fails with a Kusto error, never a Python one."""
    internal = [f"{S.key(o.example)}: {o.detail}" for o in outcomes if o.detail.startswith("internal ")]
    assert not internal, internal


def test_known_differences_are_real(outcomes):
    """An entry of KNOWN_DIFFERENCES that now matches must be removed (the list stays honest)."""
    by_key = {S.key(o.example): o for o in outcomes}
    stale = [k for k in KNOWN_DIFFERENCES if k in by_key and by_key[k].status == "match"]
    missing = [k for k in KNOWN_DIFFERENCES if k not in by_key]
    assert not stale and not missing, (stale, missing)


def test_comparison_is_type_aware():
    """The comparison itself: tolerance from printed digits, datetimes by instant, dynamic as JSON."""
    from kshell.result import Result
    r = Result.of([("a", "real"), ("d", "datetime"), ("j", "dynamic"), ("s", "string")],
                  [[0.3333333, S.NOW, {"x": [1, 2.0]}, "t"]])
    assert S.compare(r, ["a", "d", "j", "s"], [["0.333", "2024-05-06 07:08:09.0000000",
                                                '{"x": [1.0, 2]}', "t"]], True) == ""
    assert S.compare(r, ["a", "d", "j", "s"], [["0.35", "2024-05-06T07:08:09Z", '{"x":[1,2]}', "t"]], True)
    assert S.compare(r, ["a", "d", "j", "s"], [["0.333", "2024-05-06 07:08:10", '{"x":[1,2]}', "t"]], True)
    assert S.compare(r, ["a", "d", "j"], [["0.333", "2024-05-06 07:08:09", '{"x":[1,2]}']], True)
    two = Result.of([("n", "long")], [[1], [2]])
    assert S.compare(two, ["n"], [["2"], ["1"]], False) == ""
    assert S.compare(two, ["n"], [["2"], ["1"]], True)
    assert S.compare(two, ["n"], [["1"], ["1"]], False)
