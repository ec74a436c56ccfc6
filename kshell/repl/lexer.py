"""A pygments lexer for Kusto built on kshell's own tokenizer.

The shared tokenizer (lenient mode, trivia kept) cuts the text; this module
only decides a colour per token from its kind and its neighbours:
dot-command words, `#` directive lines, query operators and keywords,
function calls, type names, every literal form (``` blocks holding JSON are
highlighted as JSON), timespans, operators and comments.  Unreadable text is
the only Error token; a string still being typed (unterminated) stays a string.
"""

from __future__ import annotations

from pygments.lexer import Lexer
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
)

from kshell.syntax.tokens import COMMENT, ERROR, NAME, NUMBER, OP, RAW, STRING, TIMESPAN, WS, tokenize
from kshell.syntax.vocabulary import (
    COMMAND_TEMPLATES,
    NEGATABLE_OPERATORS,
    POLICY_KINDS,
    QUERY_OPERATORS,
    SCALAR_TYPES,
)


def _template_words() -> frozenset[str]:
    words: set[str] = set()
    for t in COMMAND_TEMPLATES:
        for w in t.lstrip(".").split():
            w = w.strip("[]")
            if not w.startswith("<"):
                words.update(w.split("|"))
    return frozenset(words)


# Words coloured as keywords inside a dot-command.
COMMAND_WORDS = _template_words() | frozenset({
    "policy", "with", "into", "to", "from", "on", "over", "kind", "dataformat", "ifexists",
    "ifnotexists", "async", "inline", "none", "partition", "by", "pathformat", "as", "table",
    "storage", "sql", "delta", "principals", "principal", "roles",
    "enable", "disable", "skip-results", "persist", "volatile", "details",
}) | frozenset(POLICY_KINDS)

# Words coloured as keywords inside a query.
QUERY_WORDS = frozenset(QUERY_OPERATORS) | frozenset({
    "let", "print", "range", "datatable", "declare", "set", "materialize", "view", "database",
    "cluster", "by", "on", "and", "or", "not", "in", "in~", "between", "asc", "desc", "nulls",
    "first", "last", "with", "kind", "to", "step", "from", "of", "typeof", "hint.strategy",
    "has", "contains", "startswith", "endswith", "matches", "regex", "like",
    "default", "inner", "innerunique", "leftouter", "rightouter", "fullouter", "leftanti",
    "rightanti", "leftsemi", "rightsemi", "anti", "semi", "outer", "isfuzzy", "withsource",
    "pack_all", "bag_unpack",
}) | frozenset(NEGATABLE_OPERATORS)

CONSTANTS = frozenset({"true", "false", "null"})
PUNCTUATION = frozenset("()[]{},;")


class KustoLexer(Lexer):
    name = "Kusto (kshell)"
    aliases = ["kshell-kusto"]
    filenames: list[str] = []

    def __init__(self, **options):
        options.setdefault("stripnl", False)
        options.setdefault("ensurenl", False)
        super().__init__(**options)

    def get_tokens_unprocessed(self, text: str):
        pos = 0
        n = len(text)
        while pos < n:
            # Lex up to the next directive line, then the directive line itself.
            directive_at = _next_directive(text, pos)
            chunk_end = directive_at if directive_at is not None else n
            if chunk_end > pos:
                yield from _lex_kusto(text[pos:chunk_end], pos)
            if directive_at is None:
                break
            nl = text.find("\n", directive_at)
            end = n if nl < 0 else nl
            yield from _lex_directive(text[directive_at:end], directive_at)
            pos = end


def _next_directive(text: str, pos: int) -> int | None:
    """Offset of the next line starting with `#` outside a literal, or None."""
    for tok in tokenize(text[pos:], lenient=True):
        if tok.kind == OP and tok.text == "#":
            at = pos + tok.start
            line_start = text.rfind("\n", 0, at) + 1
            if not text[line_start:at].strip():
                return at
    return None


def _lex_directive(line: str, offset: int):
    word_end = len(line)
    for i, ch in enumerate(line[1:], 1):
        if ch.isspace():
            word_end = i
            break
    yield offset, Comment.Preproc, line[:word_end]
    if word_end < len(line):
        yield offset + word_end, String.Other, line[word_end:]


def _lex_kusto(text: str, offset: int):
    toks = tokenize(text, trivia=True, lenient=True)
    in_command = False
    at_request_start = True
    prev_sig = None  # previous significant token
    for i, t in enumerate(toks):
        kind = t.kind
        start = offset + t.start
        if kind == WS:
            yield start, Text.Whitespace, t.text
            if t.text.count("\n") >= 2:  # a blank line ends a request
                at_request_start = True
                in_command = False
            continue
        if kind == COMMENT:
            yield start, Comment.Single, t.text
            continue
        if not at_request_start and kind == OP and t.text == "." and _starts_line(text, t.start) \
                and _name_follows(toks, i):
            at_request_start = True  # a line starting with `.word` starts a new command
        first = at_request_start
        if at_request_start:
            in_command = kind == OP and t.text == "."
            at_request_start = False
        nxt = _next_significant(toks, i)
        if kind == NAME:
            yield start, _name_token(t, prev_sig, nxt, in_command), t.text
        elif kind == STRING:
            yield from _lex_string(t, start)
        elif kind in (NUMBER, TIMESPAN):
            yield start, Number, t.text
        elif kind == RAW:
            yield start, String.Other, t.text
        elif kind == OP:
            if in_command and first:
                yield start, Keyword, t.text
            else:
                yield start, Punctuation if t.text in PUNCTUATION else Operator, t.text
        elif kind == ERROR:
            # An unterminated literal is a string still being typed, not an error.
            yield start, String if t.text[:1] in "'\"`~@hH" else Error, t.text
        else:
            yield start, Text, t.text
        prev_sig = t
        if kind == OP and t.text in ("<|", "|"):
            in_command = False  # a query follows


def _starts_line(text: str, at: int) -> bool:
    line_start = text.rfind("\n", 0, at) + 1
    return line_start > 0 and not text[line_start:at].strip()


def _name_follows(toks, i) -> bool:
    return i + 1 < len(toks) and toks[i + 1].kind == NAME


def _next_significant(toks, i):
    for t in toks[i + 1:]:
        if t.kind not in (WS, COMMENT):
            return t
    return None


def _name_token(t, prev, nxt, in_command: bool):
    low = t.text.lower()
    if low in CONSTANTS:
        return Keyword.Constant
    if prev is not None and prev.kind == OP and prev.text == ":" and low in SCALAR_TYPES:
        return Keyword.Type
    if in_command:
        if low in COMMAND_WORDS:
            return Keyword
        return Name
    if nxt is not None and nxt.kind == OP and nxt.text == "(":
        if low in SCALAR_TYPES:
            return Keyword.Type
        return Name.Function
    if low in QUERY_WORDS:
        return Keyword
    return Name


def _lex_string(t, start: int):
    text = t.text
    if text.startswith(("```", "~~~")):
        body = text[3:-3]
        if body.lstrip()[:1] in ("[", "{"):
            json_tokens = list(_json_tokens(body))
            if json_tokens is not None and not any(tt is Error or tt in Error for _, tt, _ in json_tokens):
                yield start, String, text[:3]
                for i, tt, v in json_tokens:
                    yield start + 3 + i, tt, v
                yield start + len(text) - 3, String, text[-3:]
                return
    yield start, String, text


def _json_tokens(body: str):
    from pygments.lexers.data import JsonLexer

    return JsonLexer(stripnl=False, ensurenl=False).get_tokens_unprocessed(body)
