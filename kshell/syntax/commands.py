"""Management-command dispatch.

Each command family has a module `kshell/syntax/cmd_<family>.py` whose rules
register themselves with `@command_rule`.  A rule receives a Cursor placed
just after the leading '.', and either returns a Command node (having
consumed the whole command) or returns None without committing, when the
leading words are not its own.  Once a rule has recognised its command, it
raises KustoSyntaxError for anything malformed.
"""

from __future__ import annotations

from collections.abc import Callable

from kshell.errors import KustoSyntaxError
from kshell.syntax.ast import Command
from kshell.syntax.cursor import Cursor
from kshell.syntax.tokens import line_col

CommandRule = Callable[[Cursor], Command | None]

_RULES: list[CommandRule] = []

# The family modules, imported once so that their rules register.
FAMILY_MODULES = (
    "cmd_policy",
    "cmd_policy_list",
    "cmd_script",
    "cmd_materialized_view",
    "cmd_operations",
    "cmd_extents",
    "cmd_database",
    "cmd_table",
    "cmd_function",
    "cmd_ingest",
    "cmd_security",
    "cmd_external_table",
    "cmd_continuous_export",
    "cmd_export",
    "cmd_storage",
    "cmd_misc",
)


def command_rule(rule: CommandRule) -> CommandRule:
    _RULES.append(rule)
    return rule


_loaded = False


def _load_families() -> None:
    global _loaded
    if not _loaded:
        import importlib

        for mod in FAMILY_MODULES:
            importlib.import_module(f"kshell.syntax.{mod}")
        # Rules run in FAMILY_MODULES order whatever imported a family first (an engine
        # module importing cmd_misc early must not put its catch-all before later families).
        order = {f"kshell.syntax.{m}": i for i, m in enumerate(FAMILY_MODULES)}
        _RULES.sort(key=lambda r: order.get(r.__module__, len(order)))
        _loaded = True


def parse_command(text: str, cursor: Cursor) -> Command:
    """Parse a management command; `cursor` is at the leading '.'."""
    _load_families()
    start_tok = cursor.expect_op(".", "to start a management command")
    verb_tok = cursor.peek()
    if verb_tok.kind != "NAME":
        raise cursor.error("expected a command name after '.'", verb_tok)
    start = cursor.i
    # A rule that recognised its leading words but then raised is not the last word:
    # a later rule may own a longer form (`.show table T extents` after the table
    # family's `.show table T ...`).  When none accepts, the error that got furthest
    # into the text is raised (see _pick_error).
    first_error: KustoSyntaxError | None = None
    for rule in _RULES:
        cursor.i = start
        try:
            node = rule(cursor)
            if node is not None:
                if cursor.at_op("|", ";"):
                    # `.show journal | where ...`: one mechanism for every family
                    # (families that call cmd_common.finish themselves have consumed it).
                    from kshell.syntax.cmd_common import finish

                    node = finish(cursor, node)
                cursor.expect_end()
        except KustoSyntaxError as e:
            if first_error is None or _further(e, first_error):
                first_error = e
            continue
        if node is not None:
            head_end = getattr(node, "head_end", None)
            if head_end is not None and first_error is not None \
                    and (first_error.line or 0, first_error.column or 0) > line_col(text, head_end):
                # A catch-all accepted only the leading words of a command another
                # family understood further: that family's error is the useful one.
                raise first_error
            node.pos = start_tok.start
            node.text = text
            return node
    hint_error = None
    if cursor.hint is not None:
        cursor.i = cursor.hint[0]
        hint_error = cursor.error(cursor.hint[1])
    if first_error is not None:
        # At the same place, a declining rule's note (`expected 'policy' after the
        # table name`) is as good as a raised error and names the likelier fix.
        if hint_error is not None and not _further(first_error, hint_error):
            raise hint_error
        raise first_error
    if hint_error is not None:
        raise hint_error
    cursor.i = start
    words = []
    k = 0
    while cursor.peek(k).kind == "NAME" and k < 3:
        words.append(cursor.peek(k).text)
        k += 1
    raise cursor.error(f"unknown or unsupported command '.{' '.join(words)}'", verb_tok)


def _further(a: KustoSyntaxError, b: KustoSyntaxError) -> bool:
    """True when error `a` is reported strictly later in the text than `b`."""
    return (a.line or 0, a.column or 0) > (b.line or 0, b.column or 0)
