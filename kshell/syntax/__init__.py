"""The syntax layer: tokenizer, AST, parsers.  Imports nothing from the engine.

`parse(text)` is the one entry point: it returns the AST of one request
(a Command subclass for `.commands`, a Query otherwise) or raises
kshell.errors.KustoSyntaxError with line and column.
"""

from __future__ import annotations

from kshell.errors import KustoSyntaxError

TYPE_CHECKING = False
if TYPE_CHECKING:  # importing the AST costs start-up time; `import kshell.syntax.tokens` must not pay it
    from kshell.syntax.ast import Command, Query


def parse(text: str) -> Command | Query:
    # (`import a.b as m`: a from-import of a module looks for its __path__ and builds an
    # AttributeError each time in Python 3.11; this runs for every request)
    import kshell.syntax.cursor as cursors
    import kshell.syntax.inline_data as inline_data

    # `.ingest inline` data is not Kusto text: tokenize only the command head.
    cursor = cursors.Cursor(text, inline_data.inline_ingest_tokens(text))
    if cursor.at_end:
        raise KustoSyntaxError("empty request", line=1, column=1)
    if cursor.at_op("."):
        import kshell.syntax.commands as commands

        return commands.parse_command(text, cursor)
    from kshell.syntax.query import parse_query_tokens

    return parse_query_tokens(cursor)


def parse_query(text: str) -> Query:
    """Parse query text (e.g. a function body or an update-policy query)."""
    from kshell.syntax.cursor import Cursor
    from kshell.syntax.query import parse_query_tokens

    return parse_query_tokens(Cursor(text))
