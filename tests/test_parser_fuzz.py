"""Fuzzing the tokenizer and the parser: whatever the input, the only failure is
a KustoSyntaxError (with a line and column), never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kshell.errors import KustoSyntaxError
from kshell.syntax import parse
from kshell.syntax.tokens import tokenize
from kshell.syntax.vocabulary import HYPHENATED_WORDS, POLICY_KINDS, SCALAR_TYPES

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that make random text look like Kusto, so the fuzzer reaches deep into the grammar.
WORDS = sorted({
    "T", "x", "y", "where", "project", "extend", "summarize", "by", "count", "take", "top", "sort",
    "order", "asc", "desc", "nulls", "first", "last", "join", "kind", "on", "lookup", "union",
    "let", "set", "print", "range", "from", "to", "step", "datatable", "dynamic", "and", "or",
    "not", "in", "has", "contains", "between", "matches", "regex", "with", "as", "render",
    "parse", "invoke", "distinct", "mv-expand", "typeof", "$left", "$right", "view", "true",
    "show", "create", "alter", "drop", "table", "tables", "database", "function", "policy",
    "ingest", "inline", "into", "async", "external", "continuous-export", "principals",
    "admins", "viewers", "cluster", "version", "ingestion", "failures", "materialized-view",
    "ifexists", "ifnotexists", "docstring", "folder", "skip-results", "none", "enable", "disable",
    "hint", "strategy", "decimal", "int", "long", "real", "bool", "null", "nan",
} | set(SCALAR_TYPES) | set(POLICY_KINDS) | set(list(HYPHENATED_WORDS)[:20]))
SYMBOLS = ["(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "..", "|", "<|", "=", "==", "!=", "<",
           ">", "<=", ">=", "=~", "!~", "+", "-", "*", "/", "%", "!in", "in~", "!has", "@", "?", "=>"]
LITERALS = ["1", "2.5", "0x1f", "1e3", "1h", "30m", "100ms", "'s'", '"d"', "@'v'", "h'o'",
            "```m```", "datetime(2020-01-01)", "datetime(2020-13-01)", "time(1.02:03)",
            "guid(00000000-0000-0000-0000-000000000000)", "guid(nope)", "datetime(null)",
            "'unterminated", "```open", "// comment\n", "\n", "['q n']"]

token_text = st.sampled_from(WORDS + SYMBOLS + LITERALS)
token_sequences = st.lists(token_text, max_size=40).map(" ".join)
dot_commands = st.lists(token_text, max_size=30).map(lambda ts: "." + " ".join(ts))


def only_syntax_errors(text: str) -> None:
    try:
        tokenize(text)
        tokenize(text, trivia=True, lenient=True)
    except KustoSyntaxError as e:
        assert e.line is not None and e.column is not None
    try:
        parse(text)
    except KustoSyntaxError as e:
        assert e.line is not None and e.line >= 1


@FAST
@given(st.text(max_size=200))
def test_random_text(text):
    only_syntax_errors(text)


@FAST
@given(token_sequences)
def test_random_token_sequences(text):
    only_syntax_errors(text)


@FAST
@given(dot_commands)
def test_random_commands(text):
    only_syntax_errors(text)


@FAST
@given(st.lists(st.sampled_from(["(", "[", "{", "-", "not(", "dynamic(", "f(", "T | where "]),
                min_size=1, max_size=400))
def test_random_deep_nesting(openers):
    only_syntax_errors("print " + "".join(openers) + "1")


def test_lenient_tokenizer_keeps_every_character():
    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=200))
    def check(text):
        assert "".join(t.text for t in tokenize(text, trivia=True, lenient=True)) == text

    check()
