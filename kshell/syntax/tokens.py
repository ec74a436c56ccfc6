"""The Kusto tokenizer shared by the parser, splitter, highlighter and completer.

One master regular expression, tried at each position; no backtracking over
the whole text.  ``tokenize(text)`` returns the significant tokens (no
whitespace or comments) and raises KustoSyntaxError on a character or literal
it cannot read.  ``tokenize(text, trivia=True, lenient=True)`` returns every
piece of the text, comments and whitespace included, and turns unreadable
text into ERROR tokens instead of raising: that is what the highlighter wants.
"""

from __future__ import annotations

import re

from kshell.errors import KustoSyntaxError
from kshell.lazy_re import lazy
from kshell.syntax.records import Record
from kshell.syntax.vocabulary import (
    HYPHENATED_WORDS,
    NEGATABLE_OPERATORS,
    RAW_LITERAL_CONSTRUCTORS,
    TIMESPAN_UNITS,
)

# Token kinds
NAME = "NAME"          # identifier or keyword (keywords are contextual in Kusto)
NUMBER = "NUMBER"      # int/long/real literal; value is int or float
TIMESPAN = "TIMESPAN"  # 1h, 30m, 1.5d; value is seconds (float)
STRING = "STRING"      # any string literal; value is the decoded text
RAW = "RAW"            # datetime(...)/guid(...)/timespan(...)/time(...); value is (constructor, content)
OP = "OP"              # punctuation and operators, including `!has`, `in~`, `<|`
COMMENT = "COMMENT"    # `// ...` (trivia)
WS = "WS"              # whitespace (trivia)
ERROR = "ERROR"        # unreadable text (lenient mode only)
EOF = "EOF"


class Token(Record):
    kind: str
    text: str      # raw source text of the token
    value: object  # decoded value (see kinds above); for NAME and OP the text itself
    start: int     # offset in the source
    end: int
    obfuscated: bool = False  # h'...' literal

    def is_word(self, word: str) -> bool:
        """True for a NAME token spelling `word` (keywords are case-insensitive)."""
        return self.kind == NAME and self.text.lower() == word

    def is_op(self, op: str) -> bool:
        return self.kind == OP and self.text == op


_raw = "|".join(RAW_LITERAL_CONSTRUCTORS)

# The token alternatives, in order of preference (whitespace and comments excluded).
# NAME0, OP0 and OP1 come first for speed only: NAME0 is a plain word that no later
# alternative could read (not h'..'/h@'..', not a raw-literal constructor before
# '(', not followed by '-' (hyphenated words) or '~' (in~)), OP0 a bracket or
# separator that starts no longer token, OP1 an operator whose first character
# starts no other kind of token (or a '.' that starts no number and no '..').
# Whatever they decline falls through to the full list below, so the tokens are
# the same; most tokens skip ten tries.  These three are also the small "head"
# scanner (_tokenize_head), which reads most command texts without compiling the
# whole list.  String bodies are written as unrolled loops (runs of plain
# characters between escapes), which match the same text as `(?:plain|escape)*`
# without one alternation per character.
_HEAD_ALTS = (
    r"""
    (?P<NAME0>(?![hH]@?['"])(?!(?:"""
    + _raw
    + r""")\s*\()(?:[^\W\d]|\$)[\w$]*+(?![-~]))
  | (?P<OP0>[()\[\]{},;|])
  | (?P<OP1><\||=>|==|<>|<=|>=|=~|::|[=<>+\-*/%?#^&:]|\.(?![.\d]))
    """
)


def _token_alts() -> str:
    """The whole list of alternatives: the head's, then the rest (built when a full scanner
    is compiled: escaping the word lists alone costs 0.2 ms)."""
    units = "|".join(sorted((re.escape(u) for u in TIMESPAN_UNITS), key=len, reverse=True))
    hyphenated = "|".join(sorted((re.escape(w) for w in HYPHENATED_WORDS), key=len, reverse=True))
    negated = "|".join(re.escape(w) for w in NEGATABLE_OPERATORS)
    return _HEAD_ALTS + (
        r"""
  | (?P<ML>```[^`]*+(?:`(?!``)[^`]*+)*+```|~~~[^~]*+(?:~(?!~~)[^~]*+)*+~~~)
  | (?P<VSTR>[hH]?@'[^']*(?:''[^']*)*'|[hH]?@"[^"]*(?:""[^"]*)*")
  | (?P<STR>[hH]?'[^'\\\n]*+(?:\\.[^'\\\n]*+)*+'|[hH]?"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+")
  | (?P<RAWLIT>(?:"""
    + _raw
    + r""")\s*\([^()\n]*\))
  | (?P<TS>(?:\d+(?:\.\d+)?|\.\d+)(?:"""
    + units
    + r""")(?![\w$]))
  | (?P<NUM>0[xX][0-9a-fA-F]+(?![\w$])|(?:\d+\.\d+|\d+\.(?![.\w])|\.\d+|\d+)(?:[eE][+-]?\d+)?(?![\w$]))
  | (?P<NEG>!(?:"""
    + negated
    + r""")(?![\w$~]|(?<=in)~))
  | (?P<HYPH>(?=[A-Za-z]+-)(?:"""
    + hyphenated
    + r""")(?![\w$-]))
  | (?P<INTILDE>in~)
  | (?P<NAME>(?![hH]@?['"])(?:[^\W\d]|\$)[\w$]*|\d+[^\W\d][\w$]*)
  | (?P<OP><\||=>|==|!=|<>|<=|>=|=~|!~|\.\.|::|@(?!['"])|[()\[\]{},;:.|=<>+\-*/%!?~#^&])
    """
    )


_SPACE = r"[ \t\r\n\f\v\u00a0\ufeff]"
# The whitespace and comments the fast and head scanners skip before a token: runs of
# _SPACE and comments, as `{_SPACE}*+(?://[^\n]*+{_SPACE}*+)*+` reads them, with the BOM
# (_SPACE's one character beyond Latin-1) matched on its own: in the set it alone makes
# compiling cost 0.2 ms, for each scanner (tests/test_startup.py compares the two forms).
_LATIN1_SPACE = _SPACE.replace(r"\ufeff", "")
_SKIP = rf"{_LATIN1_SPACE}*+(?:(?:\ufeff|//[^\n]*+){_LATIN1_SPACE}*+)*+"

# The two scanners are compiled on first use (a few milliseconds each): script
# mode never needs the trivia scanner, and the interactive shell draws its first
# prompt before it tokenizes anything.

# Trivia-preserving scanner: one token (whitespace and comments included) per match.
def _master_pattern() -> str:
    return rf"""
    (?P<WS>{_SPACE}+)
  | (?P<COMMENT>//[^\n]*)
  | {_token_alts()}
    """


_MASTER: re.Pattern | None = None

# Fast scanner for the parser: skips the whitespace and comments before each token
# inside the same match and is driven by finditer, so the per-token Python work is
# one dispatch.  A character no alternative reads lands in ERR; END is the text end.
def _fast_pattern() -> str:
    return rf"""
    {_SKIP}
    (?: {_token_alts()} | (?P<ERR>.) | (?P<END>\Z) )
    """


_FAST: re.Pattern | None = None

# The head scanner: _FAST's whitespace and comment skipping and its first three
# alternatives only, compiled in a tenth of the time.  Until a text needs the full scanner (a string, a number, `!has` ...),
# tokenize() tries this one: where one of these alternatives matches, _FAST would
# pick it too (they come first there, in the same order), so a text it reads to the
# end has the same tokens; at anything else it stops (MORE) and the text goes to
# _FAST.  `.show databases` and most command heads never compile the full list
# (script start-up, issue 18).
_HEAD_PATTERN = rf"""
    {_SKIP}
    (?: {_HEAD_ALTS} | (?P<END>\Z) | (?P<MORE>) )
    """
_HEAD: re.Pattern | None = None

_TS_PARTS = lazy(globals(), "_TS_PARTS", r"(\d+(?:\.\d+)?|\.\d+)(.*)")
_UNTERMINATED = lazy(globals(), "_UNTERMINATED", r"""```|~~~|[hH]?@?['"]""")


def _decode_escapes(body: str) -> str:
    """Decode the backslash escapes of a normal ('..' or "..") literal body."""
    if "\\" not in body:
        return body
    out = []
    i = 0
    n = len(body)
    simple = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", "/": "/",
              "b": "\b", "f": "\f", "a": "\a", "v": "\v"}
    while i < n:
        c = body[i]
        if c == "\\" and i + 1 < n:
            e = body[i + 1]
            if e in simple:
                out.append(simple[e])
                i += 2
                continue
            if e == "u" and i + 6 <= n:
                try:
                    out.append(chr(int(body[i + 2:i + 6], 16)))
                    i += 6
                    continue
                except ValueError:
                    pass
            out.append(e)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def string_value(text: str) -> tuple[str, bool]:
    """Decode a string literal's source text into (value, obfuscated)."""
    obfuscated = False
    if text[0] in "hH" and len(text) > 1 and text[1] in "@'\"":
        obfuscated = True
        text = text[1:]
    if text.startswith("```") or text.startswith("~~~"):
        return text[3:-3], obfuscated
    if text[0] == "@":
        q = text[1]
        return text[2:-1].replace(q + q, q), obfuscated
    return _decode_escapes(text[1:-1]), obfuscated


def tokenize(text: str, *, trivia: bool = False, lenient: bool = False) -> list[Token]:
    """Split `text` into tokens.  See the module docstring for the two modes."""
    if not trivia and not lenient:
        if _FAST is None:  # (see _HEAD_PATTERN)
            tokens = _tokenize_head(text)
            if tokens is not None:
                return tokens
        return _tokenize_fast(text)
    tokens: list[Token] = []
    append = tokens.append
    match = (_MASTER or _compile_master()).match
    pos = 0
    n = len(text)
    while pos < n:
        m = match(text, pos)
        if m is None:
            end = _error_end(text, pos)
            if not lenient:
                raise _error_at(text, pos)
            append(Token(ERROR, text[pos:end], text[pos:end], pos, end))
            pos = end
            continue
        kind = m.lastgroup
        end = m.end()
        raw = m.group()
        if kind == "WS" or kind == "COMMENT":
            if trivia:
                append(Token(kind, raw, raw, pos, end))
        elif kind == "NAME0" or kind == "NAME" or kind == "HYPH":
            append(Token(NAME, raw, raw, pos, end))
        elif kind in ("STR", "VSTR", "ML"):
            value, obf = string_value(raw)
            append(Token(STRING, raw, value, pos, end, obf))
        elif kind == "NUM":
            append(Token(NUMBER, raw, _number_value(raw), pos, end))
        elif kind == "TS":
            append(Token(TIMESPAN, raw, _timespan_value(raw), pos, end))
        elif kind == "RAWLIT":
            ctor, _, rest = raw.partition("(")
            append(Token(RAW, raw, (ctor.strip().lower(), rest[:-1].strip()), pos, end))
        else:  # OP, NEG, INTILDE
            append(Token(OP, raw, raw, pos, end))
        pos = end
    return tokens


_SIMPLE_KINDS = {"NAME0": NAME, "NAME": NAME, "HYPH": NAME, "OP0": OP, "OP1": OP, "OP": OP, "NEG": OP, "INTILDE": OP}
# Per group number of _FAST: the token kind of the simple groups, the group name of the others.
_GROUP_NAMES: list = []
_SIMPLE_BY_GROUP: list = []


def _compile_master() -> re.Pattern:
    global _MASTER
    _MASTER = re.compile(_master_pattern(), re.VERBOSE | re.DOTALL)
    return _MASTER


def _compile_fast() -> re.Pattern:
    global _FAST
    fast = re.compile(_fast_pattern(), re.VERBOSE | re.DOTALL)
    names: list = [None] * (fast.groups + 1)
    for name, index in fast.groupindex.items():
        names[index] = name
    _GROUP_NAMES[:] = names
    _SIMPLE_BY_GROUP[:] = [_SIMPLE_KINDS.get(n) if n else None for n in names]
    _FAST = fast
    return fast


def _tokenize_head(text: str) -> list[Token] | None:
    """The tokens of `text` when the head scanner reads all of it, else None."""
    global _HEAD
    if _HEAD is None:
        _HEAD = re.compile(_HEAD_PATTERN, re.VERBOSE | re.DOTALL)
    tokens: list[Token] = []
    for m in _HEAD.finditer(text):
        kind = m.lastgroup
        if kind == "END":
            return tokens
        if kind == "MORE":
            return None
        start, end = m.span(kind)
        raw = text[start:end]
        tokens.append(Token(NAME if kind == "NAME0" else OP, raw, raw, start, end))
    return tokens


def _tokenize_fast(text: str) -> list[Token]:
    """tokenize() for the parser: significant tokens only, errors raised."""
    tokens: list[Token] = []
    append = tokens.append
    simple_by_group = _SIMPLE_BY_GROUP
    make = Token
    for m in (_FAST or _compile_fast()).finditer(text):
        group = m.lastindex
        simple = simple_by_group[group]
        if simple is not None:
            start, end = m.span(group)
            raw = text[start:end]
            append(make(simple, raw, raw, start, end))
            continue
        kind = _GROUP_NAMES[group]
        if kind == "END":
            break
        start, end = m.span(group)
        if kind == "ERR":
            raise _error_at(text, start)
        raw = text[start:end]
        if kind == "STR" or kind == "VSTR" or kind == "ML":
            value, obf = string_value(raw)
            append(make(STRING, raw, value, start, end, obf))
        elif kind == "NUM":
            append(make(NUMBER, raw, _number_value(raw), start, end))
        elif kind == "TS":
            append(make(TIMESPAN, raw, _timespan_value(raw), start, end))
        else:  # RAWLIT
            ctor, _, rest = raw.partition("(")
            append(make(RAW, raw, (ctor.strip().lower(), rest[:-1].strip()), start, end))
    return tokens


def _number_value(raw: str) -> int | float:
    if raw.isdigit():
        return int(raw)
    if raw[:2] in ("0x", "0X"):
        return int(raw, 16)
    return float(raw)  # has '.', 'e' or 'E


def _timespan_value(raw: str) -> float:
    m = _TS_PARTS.match(raw)
    return float(m.group(1)) * TIMESPAN_UNITS[m.group(2)]


def _error_end(text: str, pos: int) -> int:
    """Where an unreadable stretch starting at `pos` ends (lenient mode)."""
    if _UNTERMINATED.match(text, pos):
        if text.startswith(("```", "~~~"), pos):
            return len(text)
        nl = text.find("\n", pos)
        return len(text) if nl < 0 else nl
    return pos + 1


def _error_at(text: str, pos: int) -> KustoSyntaxError:
    line, col = line_col(text, pos)
    if text.startswith(("```", "~~~"), pos):
        msg = f"unterminated multi-line string literal (opened with {text[pos:pos + 3]})"
    elif _UNTERMINATED.match(text, pos):
        msg = "unterminated string literal"
    else:
        msg = f"unexpected character {text[pos]!r}"
    return KustoSyntaxError(msg, line=line, column=col)


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of offset `pos` in `text`."""
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


class LineIndex:
    """Fast offset -> (line, column) for one text (used when many lookups are needed)."""

    def __init__(self, text: str):
        from bisect import bisect_right  # (not at start-up)

        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._bisect = bisect_right

    def line_col(self, pos: int) -> tuple[int, int]:
        i = self._bisect(self.starts, pos) - 1
        return i + 1, pos - self.starts[i] + 1
