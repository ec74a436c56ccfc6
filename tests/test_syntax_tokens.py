"""The shared tokenizer: every literal form, operators, positions, both modes."""

from __future__ import annotations

import pytest

from kshell.errors import KustoSyntaxError
from kshell.syntax.tokens import (
    COMMENT,
    ERROR,
    NAME,
    NUMBER,
    OP,
    RAW,
    STRING,
    TIMESPAN,
    WS,
    LineIndex,
    line_col,
    tokenize,
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(text)]


@pytest.mark.parametrize("text, value", [
    ("'single'", "single"),
    ('"double"', "double"),
    ("'esc\\'aped\\n'", "esc'aped\n"),
    ('"\\u00e9"', "\u00e9"),
    ("@'C:\\path\\'", "C:\\path\\"),
    ("@'it''s'", "it's"),
    ('@"say ""hi"""', 'say "hi"'),
    ("h'hidden'", "hidden"),
    ('H@"hidden"', "hidden"),
    ("```line 1\nline 2```", "line 1\nline 2"),
    ("~~~a 'quoted' \"thing\"~~~", "a 'quoted' \"thing\""),
])
def test_string_literal_forms(text, value):
    (tok,) = tokenize(text)
    assert tok.kind == STRING and tok.value == value and tok.text == text
    assert tok.obfuscated == text.lower().startswith("h")


@pytest.mark.parametrize("text, seconds", [
    ("1h", 3600), ("30m", 1800), ("100ms", 0.1), ("2d", 172800), ("1.5h", 5400),
    ("10sec", 10), ("3days", 259200), ("5minutes", 300), ("1tick", 1e-7), (".5d", 43200),
])
def test_timespan_literals(text, seconds):
    (tok,) = tokenize(text)
    assert tok.kind == TIMESPAN and tok.value == pytest.approx(seconds)


@pytest.mark.parametrize("text, value", [("42", 42), ("1.5", 1.5), ("1e3", 1000.0), ("0x10", 16), (".25", 0.25)])
def test_numbers(text, value):
    (tok,) = tokenize(text)
    assert tok.kind == NUMBER and tok.value == value and type(tok.value) is type(value)


@pytest.mark.parametrize("text, ctor, content", [
    ("datetime(2015-12-31 23:59:59.9)", "datetime", "2015-12-31 23:59:59.9"),
    ("guid(74be27de-1e4e-49d9-b579-fe0b331d3642)", "guid", "74be27de-1e4e-49d9-b579-fe0b331d3642"),
    ("time(1.02:03:04)", "time", "1.02:03:04"),
    ("timespan( 1d )", "timespan", "1d"),
    ("datetime (null)", "datetime", "null"),
])
def test_raw_literal_constructors(text, ctor, content):
    (tok,) = tokenize(text)
    assert tok.kind == RAW and tok.value == (ctor, content)


def test_dynamic_is_tokenized_normally():
    assert kinds("dynamic({'a': 1})") == [(NAME, "dynamic"), (OP, "("), (OP, "{"), (STRING, "'a'"),
                                          (OP, ":"), (NUMBER, "1"), (OP, "}"), (OP, ")")]


@pytest.mark.parametrize("op", ["=~", "!~", "==", "!=", "<>", "<=", ">=", "<|", "..", "=>",
                                "in~", "!in", "!in~", "!has", "!contains", "!startswith",
                                "!endswith", "!has_cs", "!between", "!hasprefix"])
def test_operators_are_single_tokens(op):
    assert kinds(f"a {op} b") == [(NAME, "a"), (OP, op), (NAME, "b")]


def test_word_operators_are_names():
    assert kinds("a has b contains c startswith d endswith e matches regex f between g") == [
        (NAME, w) for w in "a has b contains c startswith d endswith e matches regex f between g".split()]


def test_hyphenated_words_and_subtraction():
    assert kinds("T | project-away a | mv-expand b") == [
        (NAME, "T"), (OP, "|"), (NAME, "project-away"), (NAME, "a"), (OP, "|"), (NAME, "mv-expand"), (NAME, "b")]
    assert kinds("a-b") == [(NAME, "a"), (OP, "-"), (NAME, "b")]
    assert kinds(".create-or-alter continuous-export") == [(OP, "."), (NAME, "create-or-alter"),
                                                           (NAME, "continuous-export")]


def test_identifiers_quoted_names_and_dollar():
    assert kinds("$left.a ['my col'] _x1 ü") == [
        (NAME, "$left"), (OP, "."), (NAME, "a"), (OP, "["), (STRING, "'my col'"), (OP, "]"),
        (NAME, "_x1"), (NAME, "ü")]


def test_comments_and_whitespace_are_dropped_unless_trivia():
    text = "a // note\n| b"
    assert kinds(text) == [(NAME, "a"), (OP, "|"), (NAME, "b")]
    pieces = tokenize(text, trivia=True)
    assert [(t.kind, t.text) for t in pieces] == [
        (NAME, "a"), (WS, " "), (COMMENT, "// note"), (WS, "\n"), (OP, "|"), (WS, " "), (NAME, "b")]
    assert "".join(t.text for t in pieces) == text


def test_positions():
    text = "T\n  | where x"
    toks = tokenize(text)
    assert [(t.start, t.end) for t in toks] == [(0, 1), (4, 5), (6, 11), (12, 13)]
    assert line_col(text, toks[2].start) == (2, 5)
    idx = LineIndex(text)
    assert [idx.line_col(t.start) for t in toks] == [line_col(text, t.start) for t in toks]


@pytest.mark.parametrize("text, line, col, message", [
    ("a\n  'open", 2, 3, "unterminated string literal"),
    ("x ```never closed", 1, 3, "unterminated multi-line string literal"),
    ("a ¤", 1, 3, "unexpected character"),
    ("@'unclosed", 1, 1, "unterminated string literal"),
])
def test_errors(text, line, col, message):
    with pytest.raises(KustoSyntaxError) as info:
        tokenize(text)
    assert (info.value.line, info.value.column) == (line, col)
    assert message in info.value.message


def test_lenient_mode_reports_error_tokens_and_keeps_all_text():
    text = "a ¤ 'open\nb"
    pieces = tokenize(text, trivia=True, lenient=True)
    assert "".join(t.text for t in pieces) == text
    assert [t.text for t in pieces if t.kind == ERROR] == ["¤", "'open"]
    assert pieces[-1].text == "b"


def test_fast_and_trivia_modes_agree():
    text = ("let x = datetime(2020-01-01); // c\nT | where a !in~ ('x', @'y') and b > 1.5h\n"
            "| project-away c | extend d = dynamic([1, {\"k\": h'v'}]) | where e between (1 .. 2)")
    significant = [t for t in tokenize(text, trivia=True) if t.kind not in (WS, COMMENT)]
    assert tokenize(text) == significant
