"""Command rules for the security family (spec 3.3 - 3.5).

    .add|.drop|.set <securable> <role> ( 'fqn' [, ...] ) [skip-results] ['notes']
    .set <securable> <role> none [skip-results]
    .show <securable> principals [| query]
    .show cluster alldatabasesadmins|alldatabasesviewers|alldatabasesmonitors [| query]
    .show [<securable>] principal [ 'fqn' ] roles [| query]
    .clear cluster cache groupmembership with ( group='fqn' [, principal='fqn'] )

<securable> is `cluster`, `database [Db]`, `table T`, `function F`,
`external table X` or `materialized-view V`; the role words per securable are
kshell.syntax.vocabulary.ROLE_WORDS (the cluster roles are kshell's stand-in
for ARM role assignments).  `async` is not part of these commands (spec 3.3).
"""

from __future__ import annotations

from kshell.syntax.records import field

from kshell.syntax.node import Command
from kshell.syntax.cmd_common import at_command_end, finish
from kshell.syntax.commands import command_rule
from kshell.syntax.cursor import Cursor
from kshell.syntax.vocabulary import ROLE_WORDS

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: no `typing` at start-up (issue 18)
    from typing import Optional

SECURABLE_WORDS = ("cluster", "database", "table", "function", "external", "materialized-view")


class RoleChange(Command):
    """`.add|.drop|.set <securable> <role> (principals) [skip-results] [notes]`."""

    action: str                 # add | drop | set
    securable_kind: str         # cluster | database | table | function | external table | materialized-view
    securable: list[str]        # name parts ([] = cluster / context database)
    role: str                   # role word as in ROLE_WORDS, lower-case
    principals: list[str] = field(default_factory=list)
    none: bool = False          # `.set ... none`
    skip_results: bool = False
    notes: Optional[str] = None


class ShowPrincipals(Command):
    """`.show <securable> principals`; `.show cluster alldatabasesadmins` (role set) lists one cluster role."""

    securable_kind: str
    securable: list[str]
    role: Optional[str] = None


class ShowPrincipalRoles(Command):
    """`.show [<securable>] principal ['fqn'] roles` (securable_kind None = bare form)."""

    securable_kind: Optional[str]
    securable: list[str]
    principal: Optional[str] = None


class ClearGroupMembershipCache(Command):
    """`.clear cluster cache groupmembership with (group='fqn' [, principal='fqn'])`."""

    properties: dict = field(default_factory=dict)


def _securable_name(c: Cursor) -> str:
    """An entity name; `{Name}` (a client-side placeholder some docs use) is taken literally."""
    if c.at_op("{") and c.peek(1).kind == "NAME" and c.peek(2).is_op("}"):
        c.i += 3
        return "{" + c.peek(-2).text + "}"
    return c.name("a name")


def _at_securable_name(c: Cursor) -> bool:
    return c.at_name() or (c.at_op("{") and c.peek(1).kind == "NAME" and c.peek(2).is_op("}"))


def _securable(c: Cursor, *, name_optional_for_database: bool) -> tuple[str, list[str]] | None:
    """`cluster` | `database [Db]` | `table T` | ... ; None (nothing consumed) when not a securable."""
    start = c.i
    word = c.accept_word(*SECURABLE_WORDS)
    if word is None:
        return None
    if word == "cluster":
        return "cluster", []
    if word == "external":
        if not c.accept_word("table"):
            c.i = start
            return None
        word = "external table"
    if word == "database" and name_optional_for_database and _database_name_omitted(c):
        return "database", []
    if not _at_securable_name(c):
        c.i = start
        return None
    parts = [_securable_name(c)]
    while c.at_op(".") and c.peek(1).kind == "NAME":
        c.i += 1
        parts.append(c.name())
    return word, parts


def _database_name_omitted(c: Cursor) -> bool:
    """`.add database admins (...)` / `.show database principals`: no database name given."""
    if c.at_word(*ROLE_WORDS["database"]) and (c.peek(1).is_op("(") or c.peek(1).is_word("none")):
        return True
    if c.at_word("principals") and at_command_end(c, 1):
        return True
    if c.at_word("principal") and (c.peek(1).is_word("roles") or c.peek(1).kind == "STRING"):
        return True
    return False


@command_rule
def role_change(c: Cursor) -> RoleChange | None:
    action = c.accept_word("add", "drop", "set")
    if action is None:
        return None
    after_verb = c.i
    sec = _securable(c, name_optional_for_database=True)
    if sec is None:
        return None
    kind, name = sec
    roles = ROLE_WORDS[kind]
    role = c.accept_word(*roles)
    if role is None:
        # Not ours when the word after the securable is not a role word and not a list:
        # other families own e.g. `.drop table T` and `.set T <| query`.
        if c.at_op("(") or c.at_word(*_ALL_ROLE_WORDS):
            raise c.error(f"expected a {kind} role ({', '.join(roles)})")
        c.note_expected(f"expected a {kind} role ({', '.join(roles)})")
        c.i = after_verb
        return None
    node = RoleChange(action=action, securable_kind=kind, securable=name, role=role)
    if c.accept_word("none"):
        if action != "set":
            raise c.error(f"'none' is only valid with .set (use .{action} {kind} ... {role} ('fqn', ...))",
                          c.peek(-1))
        node.none = True
        node.skip_results = c.accept_word("skip-results") is not None
        return node
    c.expect_op("(", f"(a list of principals) after '{role}'")
    while True:
        node.principals.append(c.string("a principal FQN string literal, e.g. 'aaduser=alice@contoso.com'"))
        if c.accept_op(")"):
            break
        c.expect_op(",", "between principals")
    node.skip_results = c.accept_word("skip-results") is not None
    if c.at_string():
        node.notes = c.string()
    return node


_ALL_ROLE_WORDS = tuple(sorted({w for words in ROLE_WORDS.values() for w in words}))


@command_rule
def show_principals(c: Cursor) -> Command | None:
    if not c.accept_word("show"):
        return None
    after_verb = c.i
    if c.at_word("principal"):
        return finish(c, _principal_roles(c, None, []))
    sec = _securable(c, name_optional_for_database=True)
    if sec is None:
        c.i = after_verb
        return None
    kind, name = sec
    if c.accept_word("principals"):
        return finish(c, ShowPrincipals(securable_kind=kind, securable=name))
    if kind == "cluster" and c.at_word(*ROLE_WORDS["cluster"]):
        return finish(c, ShowPrincipals(securable_kind=kind, securable=name, role=c.next().text.lower()))
    if c.at_word("principal"):
        return finish(c, _principal_roles(c, kind, name))
    c.i = after_verb
    return None


def _principal_roles(c: Cursor, kind: str | None, name: list[str]) -> ShowPrincipalRoles:
    c.expect_word("principal")
    fqn = c.string() if c.at_string() else None
    c.expect_word("roles", context="after 'principal'")
    return ShowPrincipalRoles(securable_kind=kind, securable=name, principal=fqn)


@command_rule
def clear_group_membership(c: Cursor) -> ClearGroupMembershipCache | None:
    if not c.accept_words("clear", "cluster", "cache", "groupmembership"):
        return None
    props = c.with_properties()
    if not props:
        raise c.error("expected 'with (group=...)' after 'groupmembership'")
    return ClearGroupMembershipCache(properties=props)
