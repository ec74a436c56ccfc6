"""The highlighter: token colours, and no Error token on the docs' command blocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pygments.token import Comment, Error, Keyword, Name, Number, String

from kshell.repl.lexer import KustoLexer

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "docs-kusto-blocks.jsonl"
IN_SCOPE = {"managed_identity_policy", "security_roles", "update_policy", "row_level_security",
            "continuous_export", "external_table", "table", "function", "database", "ingestion"}


def lex(text):
    return [(tt, v) for _, tt, v in KustoLexer().get_tokens_unprocessed(text) if v.strip()]


def kind_of(text, value):
    for tt, v in lex(text):
        if v == value:
            return tt
    raise AssertionError(f"{value!r} not among the tokens of {text!r}")


def test_tokens_cover_the_text_exactly():
    text = '.alter table T policy update ```[{"Source": "S"}]```\n\n#db X\nT | where a > 1h // c\n'
    pieces = list(KustoLexer().get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in pieces) == text
    offsets = [i for i, _, _ in pieces]
    assert offsets == sorted(offsets)
    for (i, _, v), (j, _, _) in zip(pieces, pieces[1:]):
        assert i + len(v) == j


def test_dot_command_words_are_keywords():
    text = ".alter-merge cluster policy managed_identity ```[]```"
    assert kind_of(text, "alter-merge") in Keyword
    assert kind_of(text, "cluster") in Keyword
    assert kind_of(text, "managed_identity") in Keyword
    # a name in a command is a name
    assert kind_of(".show table StormEvents principals", "StormEvents") in Name
    assert kind_of(".show table StormEvents principals", "StormEvents") not in Keyword


def test_json_inside_triple_backticks_is_highlighted_as_json():
    text = '.alter cluster policy managed_identity ```[{"ObjectId": "system", "AllowedUsages": "All"}]```'
    assert kind_of(text, '"ObjectId"') in Name.Tag
    assert kind_of(text, '"system"') in String


def test_directive_lines_literals_operators_comments():
    text = "#identity create mi1\nT\n| where Timestamp > ago(1.5h) and Name == 'x' // why\n| summarize count() by Name"
    assert kind_of(text, "#identity") in Comment.Preproc
    assert kind_of(text, "1.5h") in Number
    assert kind_of(text, "'x'") in String
    assert kind_of(text, "// why") in Comment
    assert kind_of(text, "where") in Keyword
    assert kind_of(text, "ago") in Name.Function
    assert kind_of("print datetime(2024-01-01 10:00)", "datetime(2024-01-01 10:00)") in String


def test_a_string_being_typed_is_not_an_error():
    assert all(tt not in Error for tt, _ in lex(".alter cluster policy managed_identity ```[{\"ObjectId\""))
    assert all(tt not in Error for tt, _ in lex("T | where a == 'unfinished"))
    assert any(tt in Error for tt, _ in lex("T | where a == \u00a7"))  # an unreadable character is


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared docs corpus (../shared) is not present")
def test_no_error_token_on_in_scope_corpus_blocks():
    checked = 0
    bad = []
    lexer = KustoLexer()
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        block = json.loads(line)
        if block["family"] not in IN_SCOPE:
            continue
        checked += 1
        errors = [v for _, tt, v in lexer.get_tokens_unprocessed(block["text"]) if tt in Error]
        if errors:
            bad.append((block["id"], errors[:3]))
    assert checked > 400
    assert bad == []


def test_query_after_a_piped_command_is_coloured_as_a_query():
    text = ".show tables | where TableName has 'x'"
    assert kind_of(text, "show") in Keyword
    assert kind_of(text, "where") in Keyword
    assert kind_of(text, "TableName") in Name and kind_of(text, "TableName") not in Keyword
