"""Scalar expressions of KQL: the lower layer of the query parser.

`ExprParser` holds the token stream of one parse (the Cursor's tokens plus an
EOF sentinel, so the hot paths index a list instead of calling methods) and
parses expressions by precedence climbing.  Precedence, low to high:

    or;  and;  comparison / string operators / in / between;  + -;  * / %;
    unary - +;  postfix .member [index] call(...)

The upper layer (kshell.syntax.query_ops.QueryParser) adds pipes, sources
and operators; parenthesised expressions and call arguments go back up
through `pipe_expr` because `toscalar(T | count)` and `x in (T | project c)`
hold whole tabular expressions.
"""

from __future__ import annotations

import datetime as dt

from kshell.errors import KustoSyntaxError
from kshell.syntax import ast
from kshell.syntax.cursor import Cursor
from kshell.syntax.literals import (
    decode_raw,
    decode_typed_scalar,
    format_datetime,
    format_timespan,
    seconds_to_timespan,
)
from kshell.syntax.tokens import EOF, NAME, NUMBER, OP, RAW, STRING, TIMESPAN, Token, line_col
from kshell.syntax.vocabulary import NEGATABLE_OPERATORS, SCALAR_TYPES, STRING_OPERATORS

# Deepest nesting of brackets / unary operators the parser follows before giving
# a clean error instead of exhausting Python's stack.
MAX_DEPTH = 100

OR, AND, CMP, ADD, MUL = 1, 2, 3, 4, 5

_OP_PREC = {
    "+": ADD, "-": ADD, "*": MUL, "/": MUL, "%": MUL,
    "==": CMP, "!=": CMP, "<>": CMP, "<": CMP, "<=": CMP, ">": CMP, ">=": CMP,
    "=~": CMP, "!~": CMP, "in~": CMP,
}
_OP_PREC.update({"!" + w: CMP for w in NEGATABLE_OPERATORS})

_WORD_PREC = {w: CMP for w in STRING_OPERATORS}
_WORD_PREC.update({"or": OR, "and": AND, "in": CMP, "has_any": CMP, "has_all": CMP,
                   "between": CMP, "matches": CMP})

# Operators whose right side is a parenthesised list.
LIST_OPERATORS = frozenset({"in", "!in", "in~", "!in~", "has_any", "!has_any", "has_all", "!has_all"})

# Typed scalar literal constructors `int(5)`, `real(nan)`, `bool(null)` ...
_TYPED_LITERALS = {w: t for w, t in SCALAR_TYPES.items()
                   if t in ("bool", "int", "long", "real", "decimal")}

# Words that may appear inside a typed literal: `int(null)`, `bool(true)`, `real(nan)`.
_LITERAL_WORDS = frozenset({"null", "true", "false", "nan", "inf"})

# Tokens after which a source keyword (`print`, `union`, ...) is used as a plain name.
_NAME_FOLLOWERS = frozenset({"=", ",", ")", ".", "|", ";", "]", "}", "==", "!=", ":"})


class ExprParser:
    __slots__ = ("c", "text", "toks", "i", "depth", "eof", "tabular_start")

    def __init__(self, cursor: Cursor):
        self.c = cursor
        self.text = cursor.text
        self.eof = Token(EOF, "", None, len(cursor.text), len(cursor.text))
        self.toks = cursor.tokens + [self.eof]
        self.i = cursor.i
        self.depth = cursor.depth
        # Token index where the current tabular expression starts: only there may a
        # source keyword (`print`, `union`, `range`, ...) begin a source.
        self.tabular_start = -1

    def sync(self) -> None:
        """Hand the position back to the Cursor."""
        self.c.i = min(self.i, len(self.c.tokens))

    # ------------------------------------------------------------ tokens
    def peek(self, k: int = 0) -> Token:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else self.eof

    def advance(self) -> Token:
        t = self.toks[self.i]
        if t.kind != EOF:
            self.i += 1
        return t

    def at_op(self, op: str) -> bool:
        t = self.toks[self.i]
        return t.kind == OP and t.text == op

    def accept_op(self, op: str) -> bool:
        t = self.toks[self.i]
        if t.kind == OP and t.text == op:
            self.i += 1
            return True
        return False

    def expect_op(self, op: str, context: str = "") -> Token:
        t = self.toks[self.i]
        if t.kind == OP and t.text == op:
            self.i += 1
            return t
        raise self.error(f"expected '{op}'" + (f" {context}" if context else ""), t)

    def at_word(self, *words: str) -> bool:
        t = self.toks[self.i]
        return t.kind == NAME and t.text.lower() in words

    def accept_word(self, *words: str) -> str | None:
        t = self.toks[self.i]
        if t.kind == NAME:
            w = t.text.lower()
            if w in words:
                self.i += 1
                return w
        return None

    def expect_word(self, word: str, context: str = "") -> None:
        if self.accept_word(word) is None:
            raise self.error(f"expected '{word}'" + (f" {context}" if context else ""))

    def timespan_value(self, t: Token):
        """A TIMESPAN token's value; one beyond timedelta's range (~2.7 million years) is a syntax error."""
        try:
            return seconds_to_timespan(t.value)
        except OverflowError:
            raise self.error(f"timespan literal '{t.text}' is out of range", t) from None

    def error(self, message: str, token: Token | None = None) -> KustoSyntaxError:
        return self.c.error(message, token or self.toks[self.i])

    def literal_error(self, message: str, token: Token) -> KustoSyntaxError:
        """An unreadable literal: the message already quotes it, so no "found ..."."""
        line, col = line_col(self.text, token.start)
        return KustoSyntaxError(message, line=line, column=col)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression nested too deeply")

    def leave(self) -> None:
        self.depth -= 1

    def name(self, what: str = "a name") -> str:
        """An identifier (keywords included) or a `['quoted name']`."""
        t = self.toks[self.i]
        if t.kind == NAME:
            self.i += 1
            return t.text
        if t.kind == OP and t.text == "[" and self.peek(1).kind == STRING and self.peek(2).is_op("]"):
            self.i += 3
            return self.toks[self.i - 2].value
        raise self.error(f"expected {what}", t)

    def at_name(self) -> bool:
        t = self.toks[self.i]
        return t.kind == NAME or (t.kind == OP and t.text == "[" and self.peek(1).kind == STRING
                                  and self.peek(2).is_op("]"))

    def word_pattern(self) -> str:
        """Adjacent NAME and `*` tokens read as one wildcard pattern (`Col*`, `*Id`, `*`)."""
        toks = self.toks
        t = toks[self.i]
        parts = [t.text]
        end = t.end
        self.i += 1
        while True:
            n = toks[self.i]
            if n.start != end or not (n.kind == NAME or (n.kind == OP and n.text == "*")):
                return "".join(parts)
            parts.append(n.text)
            end = n.end
            self.i += 1

    def string(self) -> str:
        parts = []
        while self.toks[self.i].kind == STRING:
            parts.append(self.toks[self.i].value)
            self.i += 1
        return "".join(parts)

    def type_name(self) -> str:
        t = self.toks[self.i]
        if t.kind == NAME and t.text.lower() in SCALAR_TYPES:
            self.i += 1
            return SCALAR_TYPES[t.text.lower()]
        raise self.error("expected a type name (string, long, datetime, ...)", t)

    # -------------------------------------------------------- expressions
    def pipe_expr(self):  # pragma: no cover - provided by QueryParser
        raise NotImplementedError

    def expression(self, min_prec: int = OR):
        """Binary expression by precedence climbing (left-associative)."""
        toks = self.toks
        t = toks[self.i]
        left = self.unary() if t.kind == OP and (t.text == "-" or t.text == "+") else self.postfix()
        compared = False
        while True:
            t = toks[self.i]
            if t.kind == OP:
                op = t.text
                prec = _OP_PREC.get(op)
            elif t.kind == NAME:
                op = t.text.lower()
                prec = _WORD_PREC.get(op)
            else:
                break
            if prec is None or prec < min_prec:
                break
            self.i += 1
            if prec == CMP:
                if compared:  # comparisons do not chain: `a == 1 == 2`
                    raise self.error("a comparison cannot follow another; add parentheses", t)
                compared = True
                left = self.comparison(left, op, t)
            else:
                right = self.expression(prec + 1)
                left = ast.Binary(op, left, right, pos=_pos(left, t))
                compared = False
        return left

    def comparison(self, left, op: str, tok: Token):
        pos = _pos(left, tok)
        if op in LIST_OPERATORS:
            self.expect_op("(", f"after '{op}'")
            if self.at_op(")"):
                raise self.error(f"expected at least one value in the list of '{op}'")
            items = self.args_until(")", named=False)
            return ast.InList(op, left, items, pos=pos)
        if op in ("between", "!between", "notbetween"):
            self.expect_op("(", f"after '{op}'")
            low = self.expression(ADD)
            self.expect_op("..", "between the bounds of 'between'")
            high = self.expression(ADD)
            self.expect_op(")", "to close 'between'")
            return ast.Between(left, low, high, negated=op != "between", pos=pos)
        if op == "matches" or op == "!matches":
            self.expect_word("regex", f"after '{op}'")
            op += " regex"
        right = self.expression(ADD)
        return ast.Binary(op, left, right, pos=pos)

    def unary(self):
        t = self.toks[self.i]
        if t.kind == OP and (t.text == "-" or t.text == "+"):
            self.i += 1
            nxt = self.toks[self.i]
            # Fold the sign into a numeric literal: `-5` is a literal, as in Kusto.
            if nxt.kind == NUMBER and not self.postfix_follows(1):
                self.i += 1
                value = nxt.value if t.text == "+" else -nxt.value
                return ast.Literal("real" if isinstance(value, float) else "long", value, pos=t.start)
            if nxt.kind == TIMESPAN and not self.postfix_follows(1):
                self.i += 1
                value = self.timespan_value(nxt)
                return ast.Literal("timespan", value if t.text == "+" else -value, pos=t.start)
            self.enter()
            operand = self.unary()
            self.leave()
            return ast.Unary(t.text, operand, pos=t.start)
        return self.postfix()

    def postfix_follows(self, k: int) -> bool:
        t = self.peek(k)
        return t.kind == OP and t.text in (".", "[")

    def postfix(self):
        node = self.primary()
        toks = self.toks
        while True:
            t = toks[self.i]
            if t.kind != OP:
                return node
            op = t.text
            if op == ".":
                nxt = toks[self.i + 1] if self.i + 1 < len(toks) else self.eof
                if nxt.kind == NAME:
                    self.i += 2
                    node = ast.Member(node, nxt.text, pos=_pos(node, t))
                elif nxt.kind == OP and nxt.text == "[":
                    if self.peek(2).kind == STRING and self.peek(3).is_op("]"):
                        self.i += 4  # `a.['b c']` is the member `b c`
                        node = ast.Member(node, self.toks[self.i - 2].value, pos=_pos(node, t))
                    else:
                        self.i += 1  # `a.[expr]` is `a[expr]`
                        continue
                elif nxt.kind == OP and nxt.text == "*":
                    self.i += 1  # `database("d").*Logs` (union wildcards)
                    node = ast.Member(node, self.word_pattern(), pos=_pos(node, t))
                else:
                    raise self.error("expected a name after '.'", nxt)
            elif op == "[":
                self.i += 1
                self.enter()
                index = self.expression()
                self.leave()
                self.expect_op("]", "to close the index")
                node = ast.Index(node, index, pos=_pos(node, t))
            elif op == "(":
                if isinstance(node, ast.Name):
                    self.i += 1
                    if node.name.lower() == "typeof":
                        node = ast.Call(node.name, self.typeof_args(), pos=node.pos)
                        continue
                    node = ast.Call(node.name, self.args_until(")"), pos=node.pos)
                elif isinstance(node, ast.Member):
                    self.i += 1
                    node = ast.Call(node.name, self.args_until(")"), target=node.target, pos=node.pos)
                else:
                    return node
            else:
                return node

    def typeof_args(self) -> list:
        """`typeof(long)`, `typeof(*, x:int)`: type names (Name) and columns (ColumnDecl)."""
        args: list = []
        while not self.accept_op(")"):
            t = self.toks[self.i]
            if t.kind == OP and t.text == "*":
                self.i += 1
                args.append(ast.Name("*", pos=t.start))
            elif self.peek(1).is_op(":"):
                name = self.name("a column name")
                self.i += 1
                args.append(ast.ColumnDecl(name, self.type_name(), pos=t.start))
            else:
                args.append(ast.Name(self.type_name(), pos=t.start))
            if not self.accept_op(","):
                self.expect_op(")", "to close typeof(...)")
                break
        return args

    def args_until(self, close: str, named: bool = True) -> list:
        """Comma-separated arguments up to `close` (consumed); `name = value` -> NamedArg."""
        self.enter()
        args: list = []
        toks = self.toks
        if not self.accept_op(close):
            while True:
                t = toks[self.i]
                if named and t.kind == NAME and self.peek(1).is_op("="):
                    self.i += 2
                    args.append(ast.NamedArg(t.text, self.pipe_expr(), pos=t.start))
                else:
                    args.append(self.pipe_expr())
                if self.accept_op(close):
                    break
                if not self.accept_op(","):
                    raise self.error(f"expected ',' or '{close}' in the argument list")
        self.leave()
        return args

    def primary(self):
        t = self.toks[self.i]
        kind = t.kind
        if kind == NAME:
            low = t.text.lower()
            special = _PRIMARY_WORDS.get(low)
            if special is not None:
                node = special(self, t)
                if node is not None:
                    return node
            self.i += 1
            return ast.Name(t.text, pos=t.start)
        if kind == NUMBER:
            self.i += 1
            return ast.Literal("real" if isinstance(t.value, float) else "long", t.value, pos=t.start)
        if kind == STRING:
            return ast.Literal("string", self.string(), pos=t.start)
        if kind == TIMESPAN:
            self.i += 1
            return ast.Literal("timespan", self.timespan_value(t), pos=t.start)
        if kind == RAW:
            self.i += 1
            if t.value == ("datetime", "now"):
                # `datetime(now)`, as the docs write it: the current time, i.e. now()
                return ast.Call("now", [], pos=t.start)
            try:
                typ, value = decode_raw(*t.value)
            except ValueError as e:
                raise self.literal_error(str(e), t) from None
            return ast.Literal(typ, value, pos=t.start)
        if kind == OP:
            op = t.text
            if op == "(":
                self.i += 1
                self.enter()
                node = self.pipe_expr()
                self.leave()
                self.expect_op(")", "to close the parenthesis")
                return node
            if op == "[" and self.peek(1).kind == STRING and self.peek(2).is_op("]"):
                self.i += 3
                return ast.Name(self.toks[self.i - 2].value, pos=t.start)
            if op == "*":
                self.i += 1
                return ast.Name("*", pos=t.start)
        raise self.error("expected an expression", t)

    # ---------------------------------------------------------- literals
    def _bool_literal(self, t: Token):
        self.i += 1
        return ast.Literal("bool", t.text.lower() == "true", pos=t.start)

    def _typed_literal(self, t: Token):
        """`int(5)`, `long(-1)`, `real(nan)`, `bool(null)`, `decimal(1.5)`; None if not a literal."""
        if not self.peek(1).is_op("("):
            return None
        j = self.i + 2
        toks = self.toks
        parts = []
        while j < len(toks) and toks[j].kind in (OP, NAME, NUMBER) and not toks[j].is_op(")"):
            if toks[j].kind == OP and toks[j].text not in ("-", "+"):
                return None
            if toks[j].kind == NAME and toks[j].text.lower() not in _LITERAL_WORDS:
                return None  # `int(x)`: a call, not a literal
            parts.append(toks[j].text)
            j += 1
            if len(parts) > 2:
                return None
        if j >= len(toks) or not toks[j].is_op(")") or not parts:
            return None
        typ = _TYPED_LITERALS[t.text.lower()]
        try:
            value = decode_typed_scalar(typ, "".join(parts))
        except ValueError as e:
            raise self.literal_error(str(e), t) from None
        self.i = j + 1
        return ast.Literal(typ, value, pos=t.start)

    def _dynamic_literal(self, t: Token):
        if not self.peek(1).is_op("("):
            return None
        self.i += 2
        if self.accept_op(")"):
            return ast.Literal("dynamic", None, pos=t.start)
        value = self.json_value()
        self.expect_op(")", "to close dynamic(...)")
        return ast.Literal("dynamic", value, pos=t.start)

    def json_value(self):
        """A JSON-ish value inside `dynamic(...)`, read from the tokens."""
        t = self.toks[self.i]
        kind = t.kind
        if kind == STRING:
            return self.string()
        if kind == NUMBER:
            self.i += 1
            return t.value
        if kind == OP:
            if t.text == "{":
                self.i += 1
                self.enter()
                obj = {}
                while not self.accept_op("}"):
                    k = self.toks[self.i]
                    if k.kind != STRING:
                        raise self.error("expected a quoted property name in the dynamic object", k)
                    key = self.string()
                    self.expect_op(":", "after the property name")
                    obj[key] = self.json_value()
                    if not self.accept_op(","):
                        self.expect_op("}", "to close the dynamic object")
                        break
                self.leave()
                return obj
            if t.text == "[":
                self.i += 1
                self.enter()
                arr = []
                while not self.accept_op("]"):
                    arr.append(self.json_value())
                    if not self.accept_op(","):
                        self.expect_op("]", "to close the dynamic array")
                        break
                self.leave()
                return arr
            if t.text in ("-", "+"):
                nxt = self.peek(1)
                if nxt.kind == NUMBER:
                    self.i += 2
                    return -nxt.value if t.text == "-" else nxt.value
        if kind == NAME:
            low = t.text.lower()
            if low in ("true", "false"):
                self.i += 1
                return low == "true"
            if low == "null":
                self.i += 1
                return None
            if low in _TYPED_LITERALS or low == "dynamic":
                lit = self._typed_literal(t) if low != "dynamic" else self._dynamic_literal(t)
                if lit is not None:
                    return lit.value
        if kind == TIMESPAN:
            self.i += 1
            return format_timespan(self.timespan_value(t))
        if kind == RAW:
            self.i += 1
            try:
                typ, value = decode_raw(*t.value)
            except ValueError as e:
                raise self.literal_error(str(e), t) from None
            if isinstance(value, dt.datetime):
                return format_datetime(value)
            if isinstance(value, dt.timedelta):
                return format_timespan(value)
            return None if value is None else str(value)
        raise self.error("expected a JSON value in dynamic(...)", t)

    # ------------------------------------------------------ assignments
    def assignment(self) -> ast.Assignment:
        """`name = expr`, `(a, b) = expr`, or `expr`."""
        t = self.toks[self.i]
        if t.kind == NAME and self.peek(1).is_op("="):
            self.i += 2
            return ast.Assignment(t.text, self.expression(), pos=t.start)
        if t.kind == OP:
            if t.text == "[" and self.peek(1).kind == STRING and self.peek(2).is_op("]") \
                    and self.peek(3).is_op("="):
                name = self.name()
                self.i += 1
                return ast.Assignment(name, self.expression(), pos=t.start)
            if t.text == "(" and self._tuple_assignment_follows():
                self.i += 1
                names = [self.name("a column name")]
                while self.accept_op(","):
                    names.append(self.name("a column name"))
                self.expect_op(")")
                self.expect_op("=")
                return ast.Assignment(None, self.expression(), names=names, pos=t.start)
        return ast.Assignment(None, self.expression(), pos=t.start)

    def _tuple_assignment_follows(self) -> bool:
        j = self.i + 1
        toks = self.toks
        while j + 1 < len(toks):
            tk = toks[j]
            if tk.kind == NAME or (tk.kind == OP and tk.text == ","):
                j += 1
                continue
            if tk.kind == OP and tk.text == "[" and toks[j + 1].kind == STRING:
                j += 3
                continue
            return tk.kind == OP and tk.text == ")" and toks[j + 1].is_op("=")
        return False

    def assignments(self) -> list[ast.Assignment]:
        items = [self.assignment()]
        while self.accept_op(","):
            items.append(self.assignment())
        return items


def _pos(node, tok: Token) -> int:
    return getattr(node, "pos", tok.start)


def _not_source_context(p: ExprParser) -> bool:
    """True when a source keyword here is a plain name (`print` inside an expression,
    or followed by `=`, `,`, `)` ...)."""
    if p.i != p.tabular_start:
        return True
    nxt = p.peek(1)
    return nxt.kind == EOF or (nxt.kind == OP and nxt.text in _NAME_FOLLOWERS)


_PRIMARY_WORDS: dict = {"true": ExprParser._bool_literal, "false": ExprParser._bool_literal,
                        "dynamic": ExprParser._dynamic_literal}
_PRIMARY_WORDS.update({w: ExprParser._typed_literal for w in _TYPED_LITERALS})


def register_primary_word(word: str, fn) -> None:
    """Let the upper layer claim a word at the start of a primary (sources like `print`)."""
    _PRIMARY_WORDS[word] = fn
