"""Attacks on resources: inputs that would exhaust memory or time.

Each answers with a Kusto error (`LimitsExceeded ... (E_RUNAWAY_QUERY)` or
`(E_LOW_MEMORY_CONDITION)`), changes nothing, and the rest of a `--keep-going`
script still runs.  The limits are kshell.query.limits (docs/security.md,
"Resource limits").  A hang would show as the run_kshell timeout.
"""

from __future__ import annotations

import importlib.util
import zlib

import pytest

from kshell.query import limits, regex

ATTACKER = "aaduser=mallory@x.com"
HAVE_RE2 = importlib.util.find_spec("re2") is not None
PRELUDE = f".add database NetDefaultDB users ('{ATTACKER}')\n\n#as {ATTACKER}\n\n"


def run_attack(run_kshell, request: str, *args: str) -> tuple[list[str], str]:
    """Run `request` as a Database User, then a harmless request: (error lines, stdout)."""
    rc, out, err = run_kshell(PRELUDE + request + "\n\nprint after='still running'\n", "--keep-going",
                              "--format", "csv", *args)
    assert "Traceback" not in err and "internal error" not in err, err
    assert out.rstrip().endswith("after\nstill running"), out
    return [line for line in err.splitlines() if line.startswith("Error")], out


@pytest.mark.parametrize("query", [
    "range x from 1 to 1000000000 step 1 | count",
    "range x from 9223372036854775807 to -9223372036854775808 step -1 | count",
    "range t from datetime(1900-01-01) to datetime(2100-01-01) step 1s | count",
    "range t from 0s to 3650d step 1ms | count",
    "range r from 0.0 to 1e15 step 0.5 | count",
])
def test_range_is_counted_before_anything_is_built(run_kshell, query):
    [e], _ = run_attack(run_kshell, query)
    assert "LimitsExceeded: range would produce" in e and "(E_RUNAWAY_QUERY)" in e
    assert f"{limits.MAX_RANGE_ROWS:,}" in e


def test_cartesian_join_is_refused(run_kshell):
    query = "let a = range i from 1 to 20000 step 1 | extend k = 1; a | join kind=inner (a) on k | count"
    [e], _ = run_attack(run_kshell, query)
    assert "LimitsExceeded: join would produce 400,000,000 rows" in e and "E_RUNAWAY_QUERY" in e


def test_join_under_the_limit_still_runs(run_kshell):
    errs, out = run_attack(run_kshell, "let a = range i from 1 to 1000 step 1 | extend k = 1; "
                                       "a | join kind=inner (a) on k | count")
    assert errs == [] and "Count\n1000000" in out


def test_huge_string_literal_is_refused(run_kshell):
    literal = "a" * (limits.MAX_STRING_LITERAL_CHARS * 20)
    [e], _ = run_attack(run_kshell, f'print strlen("{literal}")')
    assert "LimitsExceeded: a string literal has 20,971,520 characters" in e and "E_LOW_MEMORY_CONDITION" in e


def test_decompression_bomb_in_storage_is_refused(run_kshell, tmp_path):
    # 1 MiB of zeros as one gzip member (about 1 KB), repeated: 300 MiB once decompressed
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    one = member.compress(b"0\n" * (512 * 1024)) + member.flush()
    blob = tmp_path / "storage" / "acct" / "c" / "bomb.csv.gz"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(one * 300)
    request = (".create table T (a:long)\n\n"
               ".ingest into table T ('https://acct.blob.core.windows.net/c/bomb.csv.gz;impersonate')\n\n"
               "T | count")
    text = f"#storage create acct\n\n#storage grant acct {ATTACKER} contributor\n\n" + PRELUDE + request
    rc, out, err = run_kshell(text, "--keep-going", "--format", "csv", "--storage", str(tmp_path / "storage"))
    assert "Traceback" not in err and "internal error" not in err, err
    errs = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(errs) == 1 and "LimitsExceeded" in errs[0] and "E_LOW_MEMORY_CONDITION" in errs[0], errs
    assert out.rstrip().endswith("Count\n0")  # nothing landed


def test_small_gzip_blob_still_ingests(run_kshell, tmp_path):
    import gzip

    blob = tmp_path / "storage" / "acct" / "c" / "ok.csv.gz"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(gzip.compress(b"1\n2\n") + gzip.compress(b"3\n"))  # two members
    text = ("#storage create acct\n\n#storage grant acct aaduser=kshell-admin@kshell.local reader\n\n"
            ".create table T (a:long)\n\n"
            ".ingest into table T ('https://acct.blob.core.windows.net/c/ok.csv.gz;impersonate')\n\nT | count\n")
    rc, out, err = run_kshell(text, "--format", "csv", "--storage", str(tmp_path / "storage"))
    assert rc == 0, err
    assert out.rstrip().endswith("Count\n3")


@pytest.mark.parametrize("query", [
    'print r = strcat(strrep(strrep("a", 1000), 100), "!") matches regex "(a+)+$"',
    'print r = extract("(a|aa)+$", 0, strcat(strrep(strrep("a", 1000), 100), "!"))',
    'print r = countof(strcat(strrep(strrep("a", 1000), 100), "!"), "(a*)*b", "regex")',
])
def test_backtracking_regex_does_not_hang(run_kshell, query):
    errs, out = run_attack(run_kshell, query)
    if HAVE_RE2:  # linear-time matching: the answer comes back
        assert errs == []
        assert "\nr\n" in out  # the result (false / empty / 0) came back
    else:  # refused before matching, with the reason
        assert len(errs) == 1 and "exponential time without RE2" in errs[0], errs


def test_ingested_data_cannot_hang_an_update_policy(run_kshell):
    text = """
.create table Src (s:string)

.create table Dst (s:string)

.alter table Dst policy update @'[{"IsEnabled": true, "Source": "Src", "Query": "Src | where s matches regex \\"(a+)+$\\"", "IsTransactional": false}]'

.set-or-append Src <| print s = strcat(strrep(strrep("a", 1000), 100), "!")

Dst | count
"""
    rc, out, err = run_kshell(text, "--format", "csv", "--keep-going")
    assert "Traceback" not in err
    if HAVE_RE2:
        assert rc == 0, err
    else:  # the policy is refused when set
        assert "Update policy" in err and "exponential time without RE2" in err
    assert out.rstrip().endswith("Count\n0")


@pytest.fixture
def stdlib_regex(monkeypatch):
    """The engine without RE2: Python's re behind the safety check."""
    monkeypatch.setattr(regex, "USE_RE2", False)
    regex._compile.cache_clear()
    yield
    regex._compile.cache_clear()


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)*b", "(a*)*b", "(?:x+y?)+z", "((ab)+c)*"])
def test_without_re2_exponential_patterns_are_refused(stdlib_regex, pattern):
    with pytest.raises(regex.RegexRefused, match="exponential time without RE2"):
        regex.compile(pattern)


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?<=a)b", r"(?=a)", r"(?>a+)", r"a++"])
def test_constructs_re2_lacks_are_invalid_in_both_engines(stdlib_regex, pattern):
    with pytest.raises(regex.RegexError):
        regex.compile(pattern)


def test_re2_rejects_the_same_constructs():
    pytest.importorskip("re2", reason="the RE2 engine (extra kshell[re2]) is not installed")
    regex._compile.cache_clear()
    for pattern in (r"(a)\1", r"(?<=a)b"):
        with pytest.raises(regex.RegexError):
            regex.compile(pattern)


@pytest.mark.parametrize("pattern,text,found", [
    (r"\d+-\d+", "x 12-34", "12-34"), (r"(?i)AB", "xab", "ab"), ("a.c", "abc", "abc"),
    (r"(\w+)@(\w+)\.com", "mail bob@x.com", "bob@x.com"),
])
def test_ordinary_patterns_work_in_both_engines(stdlib_regex, pattern, text, found):
    assert regex.compile(pattern).search(text).group(0) == found


def test_an_unforeseen_memory_error_is_a_kusto_error(session, monkeypatch):
    # Whatever no limit foresaw still ends the request, not the program (Session.run).
    import kshell.query

    def exhausted(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(kshell.query, "run_all", exhausted)  # what the Query handler runs
    with pytest.raises(limits.LimitExceeded, match="ran out of memory.*E_LOW_MEMORY_CONDITION"):
        session.execute("print 1")


@pytest.mark.parametrize("rx,text,start,end", [(r"\s+", "  ab  ", "ab  ", "  ab"), ("x", "xxaxx", "axx", "xxa"),
                                               (r"\d", "12a34", "a34", "12a")])
def test_trim_works_in_both_engines(rx, text, start, end, monkeypatch):
    from kshell.query.functions import _trim_regex

    for use_re2 in (None, False):
        if use_re2 is None and importlib.util.find_spec("re2") is None:
            continue
        monkeypatch.setattr(regex, "USE_RE2", use_re2)
        regex._compile.cache_clear()
        assert _trim_regex(rx, True, False)(text) == start
        assert _trim_regex(rx, False, True)(text) == end
    regex._compile.cache_clear()
