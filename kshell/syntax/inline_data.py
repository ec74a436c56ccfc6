"""Where the data of an `.ingest inline` request starts.

Inline data is not Kusto text (spec 7.3): quotes, `//` and backticks in it mean
what the data format says.  `parse()` asks `inline_ingest_tokens` for the tokens
of the command head only, so data such as `O'Brien,5` or a 100,000-row CSV is
never run through the Kusto tokenizer.  (A module of its own, without command
rules, so that importing it from `parse()` does not register rules early.)
"""

from __future__ import annotations

import re

from kshell.errors import KustoSyntaxError
from kshell.syntax.tokens import COMMENT, NAME, OP, Token, tokenize

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Optional

# Possessive quantifiers: a comment line with trailing spaces made the plain form
# backtrack exponentially (a hang in parse() for any request starting so).
_INLINE_HEAD = re.compile(r"(?:\s++|//[^\n]*+)*+\.\s*ingest\s+inline\b", re.IGNORECASE)
_DATA_START = re.compile(r"<\||\[")


# `.execute database script <| ...`: the script after `<|` is commands (which may hold
# inline data of their own): its head alone is tokenized, the body is split and parsed
# command by command when it runs.
_SCRIPT_HEAD = re.compile(r"(?:\s++|//[^\n]*+)*+\.\s*execute\s+(?:database|cluster)\s+script\b", re.IGNORECASE)


def inline_ingest_tokens(text: str) -> Optional[list[Token]]:
    """The tokens of an `.ingest inline` command up to where its data starts
    (and of an `.execute database script` command up to its script).

    None when `text` is not such a command (or its data start cannot be
    found): the caller then tokenizes the whole text as usual.
    """
    script = _SCRIPT_HEAD.match(text) is not None
    if not script and not _INLINE_HEAD.match(text):
        return None
    for m in _DATA_START.finditer(text):
        if script and m.group() != "<|":
            continue
        p = m.start()
        try:
            pieces = tokenize(text[:p], trivia=True)
        except KustoSyntaxError:
            continue  # inside a string literal
        if pieces and pieces[-1].kind == COMMENT and pieces[-1].end == p:
            continue  # inside a comment
        tokens = [t for t in pieces if t.kind not in ("WS", COMMENT)]
        if m.group() == "<|":
            return tokens + [Token(OP, "<|", "<|", p, p + 2)]
        last = tokens[-1] if tokens else None
        depth = sum(1 if t.kind == OP and t.text == "(" else -1 if t.kind == OP and t.text == ")" else 0
                    for t in tokens)
        if depth == 0 and last is not None and (
                (last.kind == NAME and last.text.lower() not in ("table", "into", "inline"))
                or (last.kind == OP and last.text in (")", "]"))):
            return tokens
    return None
