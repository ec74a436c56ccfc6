"""Command rules for the function family (see kshell.syntax.commands).

    .create function [ifnotexists] [with (docstring=.., folder=.., skipvalidation=.., view=..)] F(params) { body }
    .create-or-alter function [with (...)] F(params) { body }
    .alter function [with (...)] F(params) { body }
    .alter function F docstring "..."        .alter function F folder "..."
    .drop function F [ifexists]              .drop functions (F, G) [ifexists]
    .show functions                          .show function F

The parameter list and the body are parsed with the query grammar
(kshell.syntax.query.parse_params / parse_body) so that syntax errors surface
at creation with their position; the node keeps their source text too, which
is what the service stores and shows.
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.commands import command_rule
from kshell.syntax.cmd_common import at_command_end, finish
from kshell.syntax.cursor import Cursor

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Any, Optional

CREATE_MODES = {"create": "create", "create-or-alter": "create-or-alter", "alter": "alter"}


class CreateFunction(Command):
    mode: str                    # create | create-or-alter | alter
    name: str
    parameters: str              # source text "(a:long, T:(x:string))"
    body: str                    # source text "{ ... }"
    properties: dict = field(default_factory=dict)
    ifnotexists: bool = False
    params: Optional[list[Any]] = None   # parsed kshell.syntax.ast.Param list, when available
    body_query: Any = None               # parsed body (kshell.syntax.ast.Query), when available
    body_pos: int = 0


class AlterFunctionAttribute(Command):
    name: str
    attribute: str               # docstring | folder
    value: str


class DropFunctions(Command):
    names: list[str]
    ifexists: bool = False
    plural: bool = False


class ShowFunctions(Command):
    name: Optional[str] = None   # None: all functions


@command_rule
def create_function(c: Cursor) -> Command | None:
    verb = c.accept_word(*CREATE_MODES)
    if verb is None or not c.accept_word("function"):
        return None
    start = c.i
    if verb == "alter" and c.peek().kind == "NAME" and c.peek(2).kind == "STRING" \
            and (c.peek(1).is_word("docstring") or c.peek(1).is_word("folder")):
        name = c.name()
        attribute = c.next().text.lower()
        return AlterFunctionAttribute(name=name, attribute=attribute, value=c.string())
    ifnotexists = verb == "create" and bool(c.accept_word("ifnotexists"))
    properties = c.with_properties()
    name = c.name("a function name")
    if not c.at_op("("):
        # `.alter function F principals ...` etc. belong elsewhere
        c.note_expected("expected '(' and the function parameters after the function name")
        c.i = start
        return None
    params, params_text = _parameters(c)
    if not c.at_op("{"):
        raise c.error("expected '{' to open the function body")
    body_pos = c.peek().start
    body_query, body_text = _body(c)
    c.accept_op(";")  # a trailing semicolon is tolerated by the service
    return CreateFunction(mode=CREATE_MODES[verb], name=name, parameters=params_text, body=body_text,
                          properties=properties, ifnotexists=ifnotexists, params=params,
                          body_query=body_query, body_pos=body_pos)


def _parameters(c: Cursor) -> tuple[Optional[list[Any]], str]:
    start = c.peek().start
    parse_params = _query_grammar("parse_params")
    params = parse_params(c) if parse_params else (c.balanced_text() and None)
    return params, c.text[start:c.peek(-1).end]


def _body(c: Cursor) -> tuple[Any, str]:
    start = c.peek().start
    parse_body = _query_grammar("parse_body")
    body = parse_body(c) if parse_body else (c.balanced_text() and None)
    return body, c.text[start:c.peek(-1).end]


def _query_grammar(name: str):
    """The syntax engineer's query-grammar helper, or None while it does not exist."""
    try:
        from kshell.syntax import query
    except ImportError:
        return None
    return getattr(query, name, None)


@command_rule
def drop_functions(c: Cursor) -> Command | None:
    if not c.accept_word("drop"):
        return None
    if c.accept_word("functions"):
        c.expect_op("(", "after 'functions'")
        names = []
        while True:
            names.append(c.name("a function name"))
            if c.accept_op(")"):
                break
            c.expect_op(",", "between function names")
        return DropFunctions(names=names, ifexists=bool(c.accept_word("ifexists")), plural=True)
    if not c.accept_word("function"):
        return None
    name = c.name("a function name")
    ifexists = bool(c.accept_word("ifexists"))
    if not at_command_end(c):
        c.note_expected("expected 'ifexists' or the end of the command after the function name")
        return None
    return DropFunctions(names=[name], ifexists=ifexists)


@command_rule
def show_functions(c: Cursor) -> Command | None:
    if not c.accept_word("show"):
        return None
    if c.accept_word("functions"):
        return finish(c, ShowFunctions()) if at_command_end(c) else None
    if not c.accept_word("function"):
        return None
    name = c.name("a function name")
    c.with_properties()  # e.g. with (ShowObfuscatedStrings = true): nothing is obfuscated here
    if not at_command_end(c):
        c.note_expected("expected the end of the command after the function name")
        return None
    return finish(c, ShowFunctions(name=name))
