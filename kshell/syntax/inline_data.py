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
from kshell.lazy_re import lazy
from kshell.syntax.tokens import NAME, OP, Token, tokenize

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Optional

# Possessive quantifiers: a comment line with trailing spaces made the plain form
# backtrack exponentially (a hang in parse() for any request starting so).
_INLINE_HEAD = lazy(globals(), "_INLINE_HEAD", r"(?:\s++|//[^\n]*+)*+\.\s*ingest\s+inline\b", re.IGNORECASE)
_DATA_START = lazy(globals(), "_DATA_START", r"<\||\[")


# `.execute database script <| ...`: the script after `<|` is commands (which may hold
# inline data of their own): its head alone is tokenized, the body is split and parsed
# command by command when it runs.
_SCRIPT_HEAD = lazy(globals(), "_SCRIPT_HEAD", r"(?:\s++|//[^\n]*+)*+\.\s*execute\s+(?:database|cluster)\s+script\b",
                    re.IGNORECASE)


def _may_hold_data(text: str) -> bool:
    """False when `text` can be neither command (most requests): what the two head
    patterns need first, read without them (script start-up compiles neither, issue 18).
    A leading comment, or non-ASCII letters (which ignore-case matching may fold onto
    ASCII ones), leave the answer to the patterns."""
    i = _skip_space(text, 0)  # (not lstrip: the text may be megabytes of inline data)
    if text.startswith("//", i):
        return True
    if not text.startswith(".", i):
        return False
    i = _skip_space(text, i + 1)
    word = text[i:i + 7]
    return not word.isascii() or word.lower() == "execute" or word[:6].lower() == "ingest"


def _skip_space(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i].isspace():  # str.isspace is the patterns' \s
        i += 1
    return i


def ends_in_comment(text: str, gap_start: int, end: int) -> bool:
    """Whether `text[:end]` ends inside a `//` comment, given where the whitespace and
    comments after its last token start.  (The parser's scanner, not the trivia one:
    a script of commands then compiles only the tokenizer's head, issue 18.)  A comment
    runs to its line end, so only the gap's last line can hold one reaching `end`; on
    that line the gap is whitespace, then at most one comment."""
    line_start = text.rfind("\n", gap_start, end) + 1 or gap_start
    return text.find("//", line_start, end) >= 0


def inline_ingest_tokens(text: str) -> Optional[list[Token]]:
    """The tokens of an `.ingest inline` command up to where its data starts
    (and of an `.execute database script` command up to its script).

    None when `text` is not such a command (or its data start cannot be
    found): the caller then tokenizes the whole text as usual.
    """
    if not _may_hold_data(text):
        return None
    script = _SCRIPT_HEAD.match(text) is not None
    if not script and not _INLINE_HEAD.match(text):
        return None
    for m in _DATA_START.finditer(text):
        if script and m.group() != "<|":
            continue
        p = m.start()
        try:
            tokens = tokenize(text[:p])
        except KustoSyntaxError:
            continue  # inside a string literal
        if ends_in_comment(text, tokens[-1].end if tokens else 0, p):
            continue  # inside a comment
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
