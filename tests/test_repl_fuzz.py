"""Any text, any cursor: the completer never raises and the lexer covers the text exactly."""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

from kshell.engine.session import Session  # noqa: E402
from kshell.repl.completion import CompletionEngine  # noqa: E402
from kshell.repl.lexer import KustoLexer  # noqa: E402

PIECES = [".", "#", "show ", "alter-merge ", "cluster ", "database ", "table ", "policy ", "managed_identity ",
          "update ", "T", "|", " where ", " by ", "(", ")", "[", "]", "{", "}", ",", "'", '"', "```", "@'",
          "\n", "\n\n", " ", "<|", "=", ":", "AllowedUsages", "ObjectId", "database(", "x", "1h", "//c\n",
          "viewers ", "('", "identity ", "h'", "~~~", "\\", "\u00e9", "\u00a7"]

_session = Session()
_session.execute(".create table T (a:string, b:long)")
_engine = CompletionEngine(_session)
_lexer = KustoLexer()

texts = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_completer_never_raises(text, data):
    pos = data.draw(st.integers(min_value=0, max_value=len(text)))
    for s in _engine.complete(text, pos):
        assert 0 <= s.replace <= pos


@settings(max_examples=300, deadline=None)
@given(texts)
def test_lexer_covers_the_text(text):
    pieces = list(_lexer.get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in pieces) == text
    at = 0
    for i, _, v in pieces:
        assert i == at
        at += len(v)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_block_mode_enter_never_raises_and_never_runs_an_open_request(text):
    from kshell.repl.keys import PROMPT_WORDS, block_ready
    from kshell.script import is_complete

    for candidate in (text, text + "\n"):
        if block_ready(candidate) and candidate.strip() and candidate.strip().lower() not in PROMPT_WORDS:
            assert is_complete(candidate)  # an open literal or bracket never runs
