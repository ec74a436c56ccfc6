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
FLOOR = 693

# page:line -> why kshell's table differs from the printed one (doc erratum, wrong pairing,
# or a deliberate simplification recorded in docs/query-engine.md).
KNOWN_DIFFERENCES: dict[str, str] = {
    'binary-not-function.md:37': 'doc erratum: a bare scalar expression is not a query (the corpus skips this case elsewhere)',
    'binary-shift-left-function.md:39': 'doc erratum: a bare scalar expression is not a query',
    'binary-shift-right-function.md:39': 'doc erratum: a bare scalar expression is not a query',
    'binary-xor-function.md:38': 'doc erratum: a bare scalar expression is not a query',
    'binary-xor-function.md:53': 'doc erratum: a bare scalar expression is not a query',
    'cos-function.md:40': 'doc erratum: the page prints a column name the query does not produce',
    'cot-function.md:37': 'doc erratum: the page prints a column name the query does not produce',
    'sin-function.md:32': 'doc erratum: the page prints a column name the query does not produce',
    'max-of-function.md:64': 'doc erratum: the page prints a column name the query does not produce',
    'min-of-function.md:60': 'doc erratum: the page prints a column name the query does not produce',
    'strlen-function.md:76': 'doc erratum: the page prints a column name the query does not produce',
    'parse-command-line-function.md:38': 'doc erratum: the page prints a column name the query does not produce',
    'zip-function.md:65': 'doc erratum: the page prints a column name the query does not produce',
    'let-statement.md:184': 'doc erratum: the page prints a column name the query does not produce',
    'geo-closest-point-on-line-function.md:81': 'doc erratum: the page prints a column name the query does not produce',
    'geo-line-interpolate-point-function.md:74': 'doc erratum: the page prints a column name the query does not produce',
    'series-product-function.md:37': 'doc erratum: the page prints a column name the query does not produce',
    'series-sum-function.md:37': 'doc erratum: the page prints a column name the query does not produce',
    'mv-apply-operator.md:198': 'doc erratum: the page prints a column name the query does not produce (Val1 for Val)',
    'node-id.md:45': 'doc erratum: the page prints a column name the query does not produce (manager_1 for manager1)',
    'node-degree-out.md:101': 'doc erratum: the page prints a column name the query does not produce (the project names di_m, do_m...; the page prints others)',
    'scan-operator.md:247': "doc erratum: the page's column order is not the order of the query's project",
    'series-acos-function.md:37': "doc erratum: the input column shows another example's array",
    'series-atan-function.md:37': "doc erratum: the input column shows another example's array",
    'series-cos-function.md:37': "doc erratum: the input column shows another example's array",
    'series-sin-function.md:37': "doc erratum: the input column shows another example's array",
    'series-tan-function.md:37': "doc erratum: the input column shows another example's array",
    'series-asin-function.md:39': 'doc erratum: the printed array holds strings',
    'series-fill-linear-function.md:50': "doc erratum: the integer row of with_const prints 74 and 38 where interpolating 111..36 gives 73 (as the row's other columns show)",
    'series-iir-function.md:59': 'partial output: the page prints 4 of the 10 rows',
    'array-iff-function.md:68': 'doc erratum: the printed array is not JSON ([yes, no, yes])',
    'array-iff-function.md:86': "doc erratum: the printed condition column is not the query's input",
    'base64-decode-toguid-function.md:39': "doc erratum: the GUID's third group is printed byte-swapped (754c); .NET's Guid(byte[]) gives 4c75, as base64_encode_fromguid's example confirms",
    'regex-quote-function.md:37': "doc erratum: the page's markdown lost the backslashes before '(', '.' and ')'",
    'zlib-base64-compress-function.md:44': 'doc erratum: the printed value is quoted',
    'gzip-base64-decompress.md:47': 'doc erratum: the printed value is quoted',
    'parse-url-query-function.md:39': 'doc erratum: the printed value is not JSON (the parameters object shown as a quoted string)',
    'geo-line-densify-function.md:65': "doc erratum: tostring() output printed with the input's trailing zero (40.796860)",
    'geo-geohash-to-central-point-function.md:80': 'doc erratum: the cell is printed as a markdown link',
    'geo-polygon-lookup-plugin.md:97': "doc erratum: a location is printed as 'NY National Museum of Mathematics'; the query's data says 'National Museum of Mathematics'",
    'geo-polygon-lookup-plugin.md:165': "doc erratum: a location is printed as 'NY National Museum of Mathematics'; the query's data says otherwise",
    'geo-polygon-to-s2cells-function.md:46': "doc erratum: the page prints 'New York city' for the data's 'New York'",
    'node-degree-in.md:46': "doc erratum: the page prints an employee 'Ellen' that the data does not have",
    'variancepif-aggregation-function.md:44': 'doc erratum: 850 is the sample variance of the even numbers 2..100; the population variance (variancep) is 833',
    'trim-end-function.md:61': "doc erratum: the query uses an undefined 'x'",
    'top-nested-operator.md:157': "corpus pairing: compared as ordered, but the query does not order its rows and top-nested promises no order (the page's other example prints each level by descending aggregate, as kshell does); the same rows",
    'hash-combine-function.md:37': "the service's hash combining function is not documented; kshell's is its own (deterministic)",
    'hash-many-function.md:42': "the service's hash combining function is not documented; kshell's is its own (deterministic)",
    'geo-polygon-centroid-function.md:98': "doc erratum: the printed value is not JSON (its opening brace is missing); kshell's point has the printed coordinates",
    'geo-polygon-to-h3cells-function.md:50': "same 13 cells in another order: the page's order is not sorted, not H3's polygon fill order, nor a hash-slot order of any table size up to 400; kshell keeps H3's fill order",
    'parse-path-function.md:52': 'doc erratum: the printed JSON holds unescaped backslashes ("C:\\temp" reads as a tab)',
    'geo-info-from-ip-address-function.md:55': "not simulated: geo_info_from_ip_address (needs a geolocation database) (see docs/query-engine.md, 'Not simulated')",
    'geo-info-from-ip-address-function.md:72': "not simulated: geo_info_from_ip_address (needs a geolocation database) (see docs/query-engine.md, 'Not simulated')",
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


def test_every_difference_is_listed(outcomes):
    """Every documented example kshell answers differently is in KNOWN_DIFFERENCES with its reason."""
    unlisted = [f"{S.key(o.example)}: {o.detail}" for o in outcomes
                if o.status not in ("match", "skip") and S.key(o.example) not in KNOWN_DIFFERENCES]
    assert not unlisted, unlisted
