"""The KQL query parser: entry points and statements.

Entry points (each takes a Cursor and leaves it after what it consumed):

- `parse_query_tokens(cursor) -> Query`: a whole query request: `let`/`set`/
  `declare`/`alias`/`restrict` statements separated by `;`, then the tabular
  expression (a trailing `;` is fine).
- `parse_params(cursor) -> list[Param]`: at '(': a function parameter list,
  with defaults and tabular parameters `T:(a:string, b:long)` / `T:(*)`.
- `parse_body(cursor) -> Query`: at '{': a function body, through the matching '}'.
- `parse_expression(cursor) -> Expr`: one scalar expression (no top-level pipe).

How names come out: a bare name in a tabular position (the query body, the
source of a pipeline, the operand of join/lookup/union) is a `TableRef`; the
value of `let x = y` stays a `Name` (it may be a scalar), and so does a bare
name in a parenthesised subexpression.  `database("d").T` and friends become
`TableRef` wherever they appear.  A function body `{ T }` gives `TableRef("T")`
even when `T` is a scalar parameter: the engine resolves that.

Layers: kshell.syntax.query_expr (expressions, literals), kshell.syntax.query_ops
(pipes, sources, operators), this module (statements, entry points).
"""

from __future__ import annotations

from kshell.errors import KustoSyntaxError
from kshell.syntax import ast
from kshell.syntax.cursor import Cursor
from kshell.syntax.query_ops import QueryParser, as_source, soft_source
from kshell.syntax.tokens import EOF, NAME, OP, STRING

_STATEMENT_WORDS = frozenset({"let", "set", "declare", "alias", "restrict", "pattern"})


def parse_query_tokens(cursor: Cursor) -> ast.Query:
    p = QueryParser(cursor)
    with _guard(p):
        q = parse_statements_and_body(p, closer=None)
        t = p.toks[p.i]
        if t.kind != EOF:
            raise p.error("expected '|', ';' or the end of the query", t)
        q.text = cursor.text
        q.pos = cursor.tokens[0].start if cursor.tokens else 0
    p.sync()
    return q


def parse_params(cursor: Cursor) -> list[ast.Param]:
    p = QueryParser(cursor)
    with _guard(p):
        params = param_list(p)
    p.sync()
    return params


def parse_body(cursor: Cursor) -> ast.Query:
    p = QueryParser(cursor)
    with _guard(p):
        q = body(p)
    p.sync()
    return q


def parse_operators(cursor: Cursor, leading_pipe: bool = True) -> list:
    """`| op | op ...` (or `op | op ...` with leading_pipe False), up to the end of
    the text: the query operators applied to a command's result, or the
    `<| where ...` predicate of `.purge`/`.delete ... records`."""
    p = QueryParser(cursor)
    with _guard(p):
        ops = []
        if not leading_pipe:
            ops.append(p.operator())
        while p.accept_op("|"):
            ops.append(p.operator())
        t = p.toks[p.i]
        if t.kind != EOF:
            raise p.error("expected '|' or the end of the request", t)
    p.sync()
    return ops


def parse_expression(cursor: Cursor):
    p = QueryParser(cursor)
    with _guard(p):
        expr = p.expression()
    p.sync()
    return expr


class _guard:
    """Turn a Python stack overflow on absurd input into a clean syntax error."""

    __slots__ = ("p",)

    def __init__(self, p: QueryParser):
        self.p = p

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is RecursionError:
            raise self.p.error("expression nested too deeply") from None
        return False


# ------------------------------------------------------------------ statements

def parse_statements_and_body(p: QueryParser, closer: str | None) -> ast.Query:
    """Statements and the result expression, up to EOF or the `closer` (not consumed)."""
    start = p.toks[p.i]
    statements: list = []
    result = None
    batch: list = []
    toks = p.toks
    while True:
        t = toks[p.i]
        if t.kind == EOF or (closer is not None and t.kind == OP and t.text == closer):
            break
        if t.kind == OP and t.text == ";":
            p.i += 1
            continue
        if t.kind == NAME and t.text.lower() in _STATEMENT_WORDS and _statement_follows(p):
            statements.append(statement(p, t))
        else:
            expr = as_source(p.pipe_expr())
            if result is None:
                result = expr
            else:
                batch.append(expr)
        t = toks[p.i]
        if t.kind == OP and t.text == ";":
            p.i += 1
            continue
        if t.kind == EOF or (closer is not None and t.kind == OP and t.text == closer):
            break
        if result is not None:
            raise p.error("expected '|', ';' or the end of the query", t)
        raise p.error("expected ';' after the statement", t)
    return ast.Query(statements, result, batch=batch, pos=start.start)


def _statement_follows(p: QueryParser) -> bool:
    nxt = p.peek(1)
    return nxt.kind == NAME or nxt.is_op("[")


def statement(p: QueryParser, t):
    word = t.text.lower()
    p.i += 1
    if word == "let":
        name = p.name("a name after 'let'")
        p.expect_op("=", f"after 'let {name}'")
        return ast.Let(name, let_value(p), pos=t.start)
    if word == "set":
        name = p.name("an option name after 'set'")
        value = None
        if p.accept_op("="):
            value = _option_value(p.expression())
        return ast.SetOption(name, value, pos=t.start)
    if word == "declare" and p.at_word("query_parameters") and p.peek(1).is_op("("):
        p.i += 1
        return ast.DeclareParams(param_list(p), pos=t.start)
    # alias / restrict / declare pattern / pattern: accepted, kept as text.
    return ast.OtherStatement(word, p.other_text(t), pos=t.start)


def _option_value(expr):
    if isinstance(expr, ast.Literal):
        return expr.value
    if isinstance(expr, ast.Name):
        return expr.name
    return expr


def let_value(p: QueryParser):
    t = p.toks[p.i]
    if t.kind == NAME and t.text.lower() == "view" and p.peek(1).is_op("("):
        p.i += 1
        return _lambda(p, t, is_view=True)
    if t.kind == OP and t.text == "(" and _lambda_follows(p):
        return _lambda(p, t, is_view=False)
    return soft_source(p.pipe_expr())


def _lambda_follows(p: QueryParser) -> bool:
    a, b = p.peek(1), p.peek(2)
    if a.is_op(")"):
        return b.is_op("{")
    if a.kind == NAME:
        return b.is_op(":")
    return a.is_op("[") and p.peek(2).kind == STRING and p.peek(4).is_op(":")


def _lambda(p: QueryParser, t, is_view: bool) -> ast.FunctionDef:
    params = param_list(p)
    return ast.FunctionDef(params, body(p), is_view=is_view, pos=t.start)


def param_list(p: QueryParser) -> list[ast.Param]:
    p.expect_op("(", "to open the parameter list")
    params: list[ast.Param] = []
    if p.accept_op(")"):
        return params
    while True:
        t = p.toks[p.i]
        name = p.name("a parameter name")
        p.expect_op(":", f"after parameter name '{name}'")
        if p.at_op("("):
            param = ast.Param(name, "table", schema=_tabular_schema(p), pos=t.start)
        else:
            param = ast.Param(name, p.type_name(), pos=t.start)
        if p.accept_op("="):
            param.default = p.expression()
        params.append(param)
        if p.accept_op(")"):
            return params
        p.expect_op(",", "between parameters")


def _tabular_schema(p: QueryParser) -> list[ast.ColumnDecl] | None:
    """`(*)` -> None; `(a:string, b:long)` (optionally with a trailing `*`) -> columns."""
    p.expect_op("(")
    cols: list[ast.ColumnDecl] = []
    star = False
    if not p.accept_op(")"):
        while True:
            t = p.toks[p.i]
            if t.kind == OP and t.text == "*":
                p.i += 1
                star = True
            else:
                name = p.name("a column name")
                p.expect_op(":", f"after column name '{name}'")
                cols.append(ast.ColumnDecl(name, p.type_name(), pos=t.start))
            if p.accept_op(")"):
                break
            p.expect_op(",", "between columns")
    if star and not cols:
        return None
    return cols


def body(p: QueryParser) -> ast.Query:
    """`{ statements; expression }` -> Query whose text is what is between the braces."""
    open_tok = p.expect_op("{", "to open the function body")
    p.enter()
    q = parse_statements_and_body(p, closer="}")
    p.leave()
    close_tok = p.expect_op("}", "to close the function body")
    q.text = p.text[open_tok.end:close_tok.start].strip()
    q.pos = open_tok.start
    return q


__all__ = ["parse_query_tokens", "parse_params", "parse_body", "parse_expression", "parse_operators",
           "KustoSyntaxError"]
