"""A cursor over tokens with the small helpers every grammar rule uses.

Grammar rules (query.py and the cmd_*.py command families) take a Cursor,
consume tokens, and raise KustoSyntaxError with a position and what was
expected.  Keywords are matched case-insensitively (spec 0.1).
"""

from __future__ import annotations

from kshell.errors import KustoSyntaxError
from kshell.syntax.tokens import EOF, NAME, NUMBER, OP, STRING, Token, line_col, tokenize
from kshell.syntax.vocabulary import SCALAR_TYPES


class Cursor:
    __slots__ = ("text", "tokens", "i", "depth", "hint", "_eof")

    def __init__(self, text: str, tokens: list[Token] | None = None):
        self.text = text
        self.tokens = tokens if tokens is not None else tokenize(text)
        self.i = 0
        self.depth = 0  # nesting depth, guarded by enter()/leave()
        # (token index, message): the furthest point a command rule reached before
        # declining, so an unknown command gets a useful "expected ..." error.
        self.hint: tuple[int, str] | None = None
        self._eof: Token | None = None

    # ------------------------------------------------------------ looking
    # The hot methods below index self.tokens directly: the command dispatcher tries
    # every family's rules on each command, so these run tens of thousands of times.
    def peek(self, k: int = 0) -> Token:
        j = self.i + k
        toks = self.tokens
        if j < len(toks):
            return toks[j]
        return self.eof_token()

    def eof_token(self) -> Token:
        if self._eof is None:
            self._eof = Token(EOF, "", None, len(self.text), len(self.text))
        return self._eof

    @property
    def at_end(self) -> bool:
        return self.i >= len(self.tokens)

    @property
    def pos(self) -> int:
        return self.peek().start

    def at_word(self, *words: str) -> bool:
        i = self.i
        toks = self.tokens
        if i < len(toks):
            t = toks[i]
            return t.kind == NAME and t.text.lower() in words
        return False

    def at_op(self, *ops: str) -> bool:
        i = self.i
        toks = self.tokens
        if i < len(toks):
            t = toks[i]
            return t.kind == OP and t.text in ops
        return False

    def at_words(self, *seq: str) -> bool:
        """True if the next tokens spell the given keyword sequence."""
        i = self.i
        toks = self.tokens
        if i + len(seq) > len(toks):
            return False
        for k, w in enumerate(seq):
            t = toks[i + k]
            if t.kind != NAME or t.text.lower() != w:
                return False
        return True

    # ---------------------------------------------------------- consuming
    def next(self) -> Token:
        i = self.i
        toks = self.tokens
        if i < len(toks):
            self.i = i + 1
            return toks[i]
        return self.eof_token()

    def accept_word(self, *words: str) -> str | None:
        """Consume and return (lower-cased) one of `words` if next; else None."""
        i = self.i
        toks = self.tokens
        if i < len(toks):
            t = toks[i]
            if t.kind == NAME:
                w = t.text.lower()
                if w in words:
                    self.i = i + 1
                    return w
        return None

    def accept_words(self, *seq: str) -> bool:
        if self.at_words(*seq):
            self.i += len(seq)
            return True
        return False

    def accept_op(self, *ops: str) -> str | None:
        i = self.i
        toks = self.tokens
        if i < len(toks):
            t = toks[i]
            if t.kind == OP and t.text in ops:
                self.i = i + 1
                return t.text
        return None

    def expect_word(self, *words: str, context: str = "") -> str:
        w = self.accept_word(*words)
        if w is None:
            raise self.error(_expected(words, context), self.peek())
        return w

    def expect_op(self, op: str, context: str = "") -> Token:
        t = self.peek()
        if t.kind == OP and t.text == op:
            self.i += 1
            return t
        raise self.error(_expected((op,), context), t)

    def expect_end(self) -> None:
        if not self.at_end:
            raise self.error("unexpected text after the end of the request", self.peek())

    # ------------------------------------------------------ common pieces
    def name(self, what: str = "a name") -> str:
        """An identifier, `['quoted name']` / `["quoted name"]`, or a keyword used as a name."""
        t = self.peek()
        if t.kind == NAME:
            self.i += 1
            return t.text
        if t.kind == OP and t.text == "[" and self.peek(1).kind in (STRING, NAME) and self.peek(2).is_op("]"):
            # `['name']`, `["name"]`, and `[name]` (accepted by the service's parser too)
            self.i += 3
            return self.peek(-2).value
        raise self.error(f"expected {what}", t)

    def at_name(self) -> bool:
        t = self.peek()
        return t.kind == NAME or (t.is_op("[") and self.peek(1).kind in (STRING, NAME) and self.peek(2).is_op("]"))

    def dotted_name(self, what: str = "a name") -> list[str]:
        """`a`, `a.b`, `a.b.c` (e.g. `Db.Table`)."""
        parts = [self.name(what)]
        while self.at_op(".") and (self.peek(1).kind == NAME or self.peek(1).is_op("[")):
            self.i += 1
            parts.append(self.name(what))
        return parts

    def string(self, what: str = "a string literal") -> str:
        """One string literal, concatenating adjacent literals (spec 0.3)."""
        t = self.peek()
        if t.kind != STRING:
            raise self.error(f"expected {what}", t)
        parts = []
        while self.peek().kind == STRING:
            parts.append(self.next().value)
        return "".join(parts)

    def at_string(self) -> bool:
        return self.peek().kind == STRING

    def type_name(self) -> str:
        t = self.peek()
        if t.kind == NAME and t.text.lower() in SCALAR_TYPES:
            self.i += 1
            return SCALAR_TYPES[t.text.lower()]
        raise self.error("expected a type name (string, long, datetime, ...)", t)

    def property_value(self):
        """A value in `with (name=value, ...)`: string, number, bool, name, timespan, dynamic(...)."""
        t = self.peek()
        if t.kind == STRING:
            return self.string()
        if t.kind in (NUMBER,):
            self.i += 1
            return t.value
        if t.kind == OP and t.text == "-" and self.peek(1).kind == NUMBER:
            self.i += 2
            return -self.peek(-1).value
        if t.kind == "TIMESPAN" or t.kind == "RAW":
            self.i += 1
            return t.text
        if t.kind == NAME:
            if t.text.lower() in ("true", "false"):
                self.i += 1
                return t.text.lower() == "true"
            if t.text.lower() == "dynamic" and self.peek(1).is_op("("):
                return self.balanced_text()
            self.i += 1
            # `bin(Timestamp, 1d)`-like values are kept as text
            if self.at_op("("):
                return t.text + self.balanced_text()
            return t.text
        if t.kind == OP and t.text in ("(", "["):
            return self.balanced_text()
        raise self.error("expected a property value", t)

    def with_properties(self) -> dict[str, object]:
        """Optional `with (name = value, ...)`; returns {} when absent.  Names keep their casing."""
        if not self.at_word("with") or not self.peek(1).is_op("("):
            return {}
        self.i += 2
        props: dict[str, object] = {}
        if self.accept_op(")"):
            return props
        while True:
            key = self.name("a property name")
            self.expect_op("=", "after property name")
            props[key] = self.property_value()
            if self.accept_op(")"):
                return props
            self.expect_op(",", "between properties")

    def balanced_text(self) -> str:
        """Consume a bracketed group `( ... )` / `[ ... ]` / `{ ... }` and return its source text."""
        t = self.peek()
        if t.kind == "NAME":  # e.g. dynamic(...)
            self.i += 1
        open_tok = self.next()
        pairs = {"(": ")", "[": "]", "{": "}"}
        if open_tok.kind != OP or open_tok.text not in pairs:
            raise self.error("expected '(', '[' or '{'", open_tok)
        stack = [pairs[open_tok.text]]
        while stack:
            tok = self.next()
            if tok.kind == EOF:
                raise self.error(f"expected '{stack[-1]}' to close the bracket", tok)
            if tok.kind == OP:
                if tok.text in pairs:
                    stack.append(pairs[tok.text])
                elif tok.text in (")", "]", "}"):
                    if tok.text != stack[-1]:
                        raise self.error(f"expected '{stack[-1]}', found '{tok.text}'", tok)
                    stack.pop()
        return self.text[t.start:self.peek(-1).end]

    def schema(self) -> list[tuple[str, str]]:
        """`( name:type, ... )` -> [(name, type)]."""
        self.expect_op("(", "to open the schema")
        cols: list[tuple[str, str]] = []
        if self.accept_op(")"):
            return cols
        while True:
            name = self.name("a column name")
            self.expect_op(":", f"after column name '{name}'")
            cols.append((name, self.type_name()))
            if self.accept_op(")"):
                return cols
            self.expect_op(",", "between columns")

    def rest_text(self) -> str:
        """Consume everything that is left and return its source text (stripped)."""
        if self.at_end:
            return ""
        start = self.peek().start
        self.i = len(self.tokens)
        return self.text[start:].strip()

    def text_after_pipe_arrow(self) -> tuple[str, int]:
        """Expect `<|` and return (the rest of the request text, its offset)."""
        t = self.expect_op("<|")
        rest = self.text[t.end:]
        offset = t.end + (len(rest) - len(rest.lstrip()))
        self.i = len(self.tokens)
        return rest.strip(), offset

    # ------------------------------------------------------------- errors
    def note_expected(self, message: str) -> None:
        """Record what a declining rule expected at the current token (furthest wins)."""
        if self.hint is None or self.i >= self.hint[0]:
            self.hint = (self.i, message)

    def error(self, message: str, token: Token | None = None) -> KustoSyntaxError:
        token = token or self.peek()
        line, col = line_col(self.text, token.start)
        found = "end of input" if token.kind == EOF else f"'{token.text[:40]}'"
        if "found" not in message:
            message = f"{message}, found {found}"
        return KustoSyntaxError(message, line=line, column=col)

    def enter(self) -> None:
        """Guard against pathological nesting (thousands of parentheses)."""
        self.depth += 1
        if self.depth > 200:
            raise self.error("expression nested too deeply")

    def leave(self) -> None:
        self.depth -= 1


def paren_list(p, read_item, opening: str, between: str) -> list:
    """`( item, item, ... )`, possibly empty: the items `read_item(p)` reads.  `p` is a
    Cursor or the query parser (both read operators with accept_op/expect_op);
    `opening` and `between` complete the errors ("expected '(' to open ...")."""
    p.expect_op("(", opening)
    items: list = []
    if p.accept_op(")"):
        return items
    while True:
        items.append(read_item(p))
        if p.accept_op(")"):
            return items
        p.expect_op(",", between)


def _expected(options, context: str) -> str:
    opts = " or ".join(f"'{o}'" for o in options)
    return f"expected {opts}" + (f" {context}" if context else "")
