"""Management-command dispatch.

Each command family has a module `kshell/syntax/cmd_<family>.py` whose rules
register themselves with `@command_rule`.  A rule receives a Cursor placed
just after the leading '.', and either returns a Command node (having
consumed the whole command) or returns None without committing, when the
leading words are not its own.  Once a rule has recognised its command, it
raises KustoSyntaxError for anything malformed.
"""

from __future__ import annotations

from kshell.errors import KustoSyntaxError
from kshell.syntax.node import Command
from kshell.syntax.cursor import Cursor
from kshell.syntax.tokens import line_col

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from collections.abc import Callable

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


# Lazy loading (script start-up): the families whose rules accept a command, by
# its first two words (else its first word).  Data: a family that adds a command
# adds a line here; tests/test_startup.py checks the index against every command
# of the docs corpus.  A command whose words are not listed, one no listed family
# accepts, and one only the catch-all accepts are parsed again with every family
# loaded, so the index can only make parsing faster, never change its answer.
COMMAND_INDEX: dict[str, tuple[str, ...]] = {
    'add': ('cmd_security',),
    'add database': ('cmd_security',),
    'add external': ('cmd_security',),
    'add function': ('cmd_security',),
    'add materialized-view': ('cmd_security',),
    'add table': ('cmd_security',),
    'alter': ('cmd_policy', 'cmd_database', 'cmd_table', 'cmd_function', 'cmd_ingest', 'cmd_external_table', 'cmd_materialized_view', 'cmd_extents'),
    'alter async': ('cmd_extents',),
    'alter cluster': ('cmd_policy',),
    'alter column': ('cmd_policy', 'cmd_table'),
    'alter database': ('cmd_policy', 'cmd_database', 'cmd_ingest'),
    'alter extent': ('cmd_extents',),
    'alter external': ('cmd_policy', 'cmd_external_table'),
    'alter function': ('cmd_function',),
    'alter materialized-view': ('cmd_policy', 'cmd_materialized_view'),
    'alter table': ('cmd_policy', 'cmd_table', 'cmd_ingest'),
    'alter tables': ('cmd_policy',),
    'alter-merge': ('cmd_policy', 'cmd_table', 'cmd_extents'),
    'alter-merge async': ('cmd_extents',),
    'alter-merge cluster': ('cmd_policy',),
    'alter-merge database': ('cmd_policy',),
    'alter-merge extent': ('cmd_extents',),
    'alter-merge external': ('cmd_policy',),
    'alter-merge materialized-view': ('cmd_policy',),
    'alter-merge table': ('cmd_policy', 'cmd_table'),
    'alter-merge tables': ('cmd_policy',),
    'append': ('cmd_ingest',),
    'append async': ('cmd_ingest',),
    'append missing': ('cmd_ingest',),
    'append oldextents': ('cmd_ingest',),
    'append t': ('cmd_ingest',),
    'cancel': ('cmd_operations',),
    'cancel operation': ('cmd_operations',),
    'cancel query': ('cmd_operations',),
    'clear': ('cmd_table', 'cmd_security'),
    'clear cluster': ('cmd_security',),
    'clear table': ('cmd_table',),
    'create': ('cmd_database', 'cmd_table', 'cmd_function', 'cmd_ingest', 'cmd_external_table', 'cmd_materialized_view'),
    'create async': ('cmd_materialized_view',),
    'create database': ('cmd_database', 'cmd_ingest'),
    'create external': ('cmd_external_table',),
    'create function': ('cmd_function',),
    'create ifnotexists': ('cmd_materialized_view',),
    'create materialized-view': ('cmd_materialized_view',),
    'create table': ('cmd_table', 'cmd_ingest'),
    'create tables': ('cmd_table',),
    'create-merge': ('cmd_table',),
    'create-merge table': ('cmd_table',),
    'create-merge tables': ('cmd_table',),
    'create-or-alter': ('cmd_function', 'cmd_ingest', 'cmd_external_table', 'cmd_continuous_export', 'cmd_materialized_view'),
    'create-or-alter continuous-export': ('cmd_continuous_export',),
    'create-or-alter external': ('cmd_external_table',),
    'create-or-alter function': ('cmd_function',),
    'create-or-alter materialized-view': ('cmd_materialized_view',),
    'create-or-alter table': ('cmd_ingest',),
    'delete': ('cmd_policy', 'cmd_extents'),
    'delete async': ('cmd_extents',),
    'delete cluster': ('cmd_policy',),
    'delete database': ('cmd_policy',),
    'delete external': ('cmd_policy',),
    'delete materialized-view': ('cmd_policy',),
    'delete table': ('cmd_policy', 'cmd_extents'),
    'disable': ('cmd_continuous_export', 'cmd_materialized_view'),
    'disable continuous-export': ('cmd_continuous_export',),
    'disable materialized-view': ('cmd_materialized_view',),
    'drop': ('cmd_database', 'cmd_table', 'cmd_function', 'cmd_ingest', 'cmd_security', 'cmd_external_table', 'cmd_continuous_export', 'cmd_extents', 'cmd_materialized_view'),
    'drop column': ('cmd_table',),
    'drop continuous-export': ('cmd_continuous_export',),
    'drop database': ('cmd_database', 'cmd_ingest', 'cmd_security'),
    'drop extent': ('cmd_table', 'cmd_extents'),
    'drop extents': ('cmd_extents',),
    'drop external': ('cmd_security', 'cmd_external_table'),
    'drop function': ('cmd_function', 'cmd_security'),
    'drop functions': ('cmd_function',),
    'drop materialized-view': ('cmd_security', 'cmd_materialized_view'),
    'drop table': ('cmd_table', 'cmd_ingest', 'cmd_security'),
    'drop tables': ('cmd_table',),
    'drop-pretend': ('cmd_extents',),
    'drop-pretend extents': ('cmd_extents',),
    'enable': ('cmd_continuous_export', 'cmd_materialized_view'),
    'enable continuous-export': ('cmd_continuous_export',),
    'enable materialized-view': ('cmd_materialized_view',),
    'execute': ('cmd_script',),
    'execute database': ('cmd_script',),
    'export': ('cmd_export',),
    'export async': ('cmd_export',),
    'export to': ('cmd_export',),
    'ingest': ('cmd_ingest',),
    'ingest inline': ('cmd_ingest',),
    'ingest into': ('cmd_ingest',),
    'list': ('cmd_storage',),
    'list blobs': ('cmd_storage',),
    'merge': ('cmd_extents',),
    'merge async': ('cmd_extents',),
    'move': ('cmd_extents',),
    'move async': ('cmd_extents',),
    'move extents': ('cmd_extents',),
    'purge': ('cmd_extents',),
    'purge table': ('cmd_extents',),
    'rebuild': ('cmd_extents',),
    'rebuild t': ('cmd_extents',),
    'rename': ('cmd_table', 'cmd_materialized_view'),
    'rename column': ('cmd_table',),
    'rename columns': ('cmd_table',),
    'rename materialized-view': ('cmd_materialized_view',),
    'rename table': ('cmd_table',),
    'rename tables': ('cmd_table',),
    'set': ('cmd_ingest', 'cmd_security'),
    'set async': ('cmd_ingest',),
    'set cluster': ('cmd_security',),
    'set database': ('cmd_security',),
    'set external': ('cmd_security',),
    'set function': ('cmd_security',),
    'set hidden': ('cmd_ingest',),
    'set materialized-view': ('cmd_security',),
    'set ml_models': ('cmd_ingest',),
    'set mytable': ('cmd_ingest',),
    'set n': ('cmd_ingest',),
    'set normal_2d_with_anomalies': ('cmd_ingest',),
    'set occupancydetection': ('cmd_ingest',),
    'set other': ('cmd_ingest',),
    'set plotlytemplate': ('cmd_ingest',),
    'set recenterrors': ('cmd_ingest',),
    'set secret': ('cmd_ingest',),
    'set secrets': ('cmd_ingest',),
    'set t': ('cmd_ingest',),
    'set table': ('cmd_security',),
    'set texas': ('cmd_ingest',),
    'set-or-append': ('cmd_ingest',),
    'set-or-append async': ('cmd_ingest',),
    'set-or-append big': ('cmd_ingest',),
    'set-or-append f': ('cmd_ingest',),
    'set-or-append inventory': ('cmd_ingest',),
    'set-or-append logadmin': ('cmd_ingest',),
    'set-or-append logs': ('cmd_ingest',),
    'set-or-append ml_models': ('cmd_ingest',),
    'set-or-append mytable': ('cmd_ingest',),
    'set-or-append new': ('cmd_ingest',),
    'set-or-append newtable': ('cmd_ingest',),
    'set-or-append raw_table': ('cmd_ingest',),
    'set-or-append samples': ('cmd_ingest',),
    'set-or-append sourcetable1': ('cmd_ingest',),
    'set-or-append sourcetable2': ('cmd_ingest',),
    'set-or-append t': ('cmd_ingest',),
    'set-or-append targettablename': ('cmd_ingest',),
    'set-or-replace': ('cmd_ingest',),
    'set-or-replace async': ('cmd_ingest',),
    'set-or-replace colormapping': ('cmd_ingest',),
    'set-or-replace employees': ('cmd_ingest',),
    'set-or-replace logmine': ('cmd_ingest',),
    'set-or-replace mystagingtable': ('cmd_ingest',),
    'set-or-replace t': ('cmd_ingest',),
    'set-or-replace versionedarticle': ('cmd_ingest',),
    'show': ('cmd_policy', 'cmd_database', 'cmd_table', 'cmd_function', 'cmd_ingest', 'cmd_security', 'cmd_external_table', 'cmd_continuous_export', 'cmd_policy_list', 'cmd_materialized_view', 'cmd_operations', 'cmd_extents'),
    'show cluster': ('cmd_policy', 'cmd_security', 'cmd_operations'),
    'show commands': ('cmd_operations',),
    'show commands-and-queries': ('cmd_operations',),
    'show continuous-export': ('cmd_continuous_export',),
    'show continuous-exports': ('cmd_continuous_export',),
    'show database': ('cmd_policy', 'cmd_database', 'cmd_table', 'cmd_ingest', 'cmd_security', 'cmd_operations'),
    'show databases': ('cmd_database',),
    'show external': ('cmd_policy', 'cmd_security', 'cmd_external_table'),
    'show function': ('cmd_function', 'cmd_security'),
    'show functions': ('cmd_function',),
    'show journal': ('cmd_operations',),
    'show materialized-view': ('cmd_policy', 'cmd_security', 'cmd_materialized_view', 'cmd_extents', 'cmd_policy_list'),
    'show materialized-views': ('cmd_materialized_view',),
    'show operation': ('cmd_operations',),
    'show operations': ('cmd_operations',),
    'show principal': ('cmd_security',),
    'show queries': ('cmd_operations',),
    'show running': ('cmd_operations',),
    'show table': ('cmd_policy', 'cmd_table', 'cmd_ingest', 'cmd_security', 'cmd_policy_list'),
    'show tables': ('cmd_table',),
}
CATCH_ALL = "cmd_misc"

_loaded = False
_loaded_some: set[str] = set()


def _sort_rules() -> None:
    # Rules run in FAMILY_MODULES order whatever imported a family first (an engine
    # module importing cmd_misc early must not put its catch-all before later families).
    order = {f"kshell.syntax.{m}": i for i, m in enumerate(FAMILY_MODULES)}
    _RULES.sort(key=lambda r: order.get(r.__module__, len(order)))


def _load_families() -> None:
    global _loaded
    if not _loaded:
        import importlib

        for mod in FAMILY_MODULES:
            importlib.import_module(f"kshell.syntax.{mod}")
        _sort_rules()
        _loaded = True


def _load_some(families: tuple[str, ...]) -> None:
    import importlib

    missing = [f for f in families if f not in _loaded_some]
    for mod in missing:
        importlib.import_module(f"kshell.syntax.{mod}")
        _loaded_some.add(mod)
    if missing:
        _sort_rules()


def index_key(cursor: Cursor) -> tuple[str, str]:
    """The command's first word and its first two words (lower case), cursor after the '.'."""
    words = []
    for k in range(2):
        t = cursor.peek(k)
        if t.kind != "NAME":
            break
        words.append(t.text.lower())
    return (words[0] if words else ""), " ".join(words)


def families_for(cursor: Cursor) -> tuple[str, ...] | None:
    one, two = index_key(cursor)
    return COMMAND_INDEX.get(two) or COMMAND_INDEX.get(one)


# families -> (len(_RULES) when taken, their rules in _RULES order): every command
# of a script asks again; rules are only ever added (and then re-sorted).
_RULES_OF: dict[tuple[str, ...], tuple[int, list]] = {}


def _rules_of(families: tuple[str, ...]) -> list:
    """The rules of `families` (loaded first), in the order they are tried."""
    hit = _RULES_OF.get(families)
    if hit is not None and hit[0] == len(_RULES):
        return hit[1]
    _load_some(families)
    wanted = {f"kshell.syntax.{f}" for f in families}
    rules = [r for r in _RULES if r.__module__ in wanted]
    _RULES_OF[families] = (len(_RULES), rules)
    return rules


def parse_command(text: str, cursor: Cursor) -> Command:
    """Parse a management command; `cursor` is at the leading '.'."""
    start_tok = cursor.expect_op(".", "to start a management command")
    verb_tok = cursor.peek()
    if verb_tok.kind != "NAME":
        raise cursor.error("expected a command name after '.'", verb_tok)
    start = cursor.i
    if not _loaded:
        families = families_for(cursor)
        if families is not None:
            rules = _rules_of(families)
            hint = cursor.hint
            try:
                node, rule = _dispatch(text, cursor, start, start_tok, verb_tok, rules)
                if rule.__module__ != f"kshell.syntax.{CATCH_ALL}":
                    return node
            except KustoSyntaxError:
                pass
            cursor.i, cursor.hint = start, hint
        _load_families()
    return _dispatch(text, cursor, start, start_tok, verb_tok, _RULES)[0]


def _dispatch(text: str, cursor: Cursor, start: int, start_tok, verb_tok, rules: list) -> tuple[Command, CommandRule]:
    # A rule that recognised its leading words but then raised is not the last word:
    # a later rule may own a longer form (`.show table T extents` after the table
    # family's `.show table T ...`).  When none accepts, the error that got furthest
    # into the text is raised (see _pick_error).
    first_error: KustoSyntaxError | None = None
    for rule in rules:
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
            return node, rule
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
