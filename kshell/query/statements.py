"""The `restrict access to (...)` and `alias database` statements (restrict-statement.md,
alias-statement.md) and `let G = entity_group [...]`.

- `restrict access to (...)` opens a marked scope; names bound before the statement and
  stored entities are then reachable only when listed (`check_access`, called where the
  evaluator resolves a table or a let name).  View bodies defined before the statement
  keep their own scope, so a view may read what the caller may not.
- `alias database A = database('D')` wraps the QueryContext so `database('A')` is `D`.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Callable

from kshell.query.kept_text import S, _syntax, ev_error


STATEMENTS: dict[str, Callable[[Any, Any, Any], Any]] = {}


def statement(keyword: str):
    def deco(f):
        STATEMENTS[keyword] = f
        return f
    return deco


def _restrict_scope_class():
    from kshell.query.evaluator import Scope

    global _RestrictScope
    if _RestrictScope is None:
        class RestrictScope(Scope):
            """The scope a `restrict access to` statement opens; `allowed` holds its entities."""

            __slots__ = ("allowed",)

        _RestrictScope = RestrictScope
    return _RestrictScope


_RestrictScope: Any = None


@statement("restrict")
def restrict(ev, st: Any, scope) -> Any:
    r = _syntax(ev, st, S.parse_restrict)
    cls = _restrict_scope_class()
    inner = cls(scope)
    inner.allowed = r.entities
    ev.restricted = True
    return inner


@statement("alias")
def alias(ev, st: Any, scope) -> Any:
    a = _syntax(ev, st, S.parse_alias)
    ctx = ev.ctx
    if not isinstance(ctx, AliasContext):
        ctx = ev.ctx = AliasContext(ctx)
    ctx.aliases[a.alias.lower()] = a.database
    return scope


class AliasContext:
    """A QueryContext in which some database names stand for others (alias-statement.md)."""

    def __init__(self, inner: Any):
        self._inner = inner
        self.aliases: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _db(self, database: str | None) -> str | None:
        if database is None:
            return None
        return self.aliases.get(database.lower(), database)

    def resolve_table(self, name: str, database: str | None) -> Any:
        return self._inner.resolve_table(name, self._db(database))

    def resolve_function(self, name: str, database: str | None) -> Any:
        return self._inner.resolve_function(name, self._db(database))

    def table_exists(self, name: str, database: str | None) -> bool:
        fn = getattr(self._inner, "table_exists", None)
        if fn is None:
            return self._inner.resolve_table(name, self._db(database)) is not None
        return fn(name, self._db(database))

    def table_names(self, database: str | None) -> list[str]:
        return self._inner.table_names(self._db(database))


def check_access(ev: Any, scope: Any, name: str, database: str | None, node: Any = None) -> None:
    """Refuse a name a `restrict access to` statement in force does not list.

    A let name bound after the statement is always reachable; one bound before it, a
    table or a stored function only when listed (`database().*`, `database('D').T`, `*`
    for no stored entity at all)."""
    s = scope
    marker = None
    while s is not None:
        if database is None and name in s.vars:
            break  # bound here: restricted only if the statement came after the binding
        if marker is None and type(s).__name__ == "RestrictScope":
            marker = s
        s = s.parent
    if marker is None:
        return
    bound = s is not None
    current = ev.current_database().lower()
    target = (database or current).lower()
    for spec in marker.allowed:
        if spec.database is None:
            # An unqualified specifier names let-bound views (a pattern: `*` is every one of
            # them, and no stored entity); without a wildcard it is also a reference to a
            # table or function of the context database, as in a union.
            if bound and fnmatch.fnmatchcase(name, spec.name):
                return
            if not bound and "*" not in spec.name and spec.name == name and target == current:
                return
            continue
        if bound:
            continue
        db = (spec.database or current).lower()
        if fnmatch.fnmatchcase(target, db) and fnmatch.fnmatchcase(name, spec.name):
            return
    listed = ", ".join(_spec_text(s) for s in marker.allowed) or "nothing"
    what = f"database('{database}').{name}" if database else name
    raise ev_error(ev, node, f"'{what}' is not accessible: the query's restrict statement allows only ({listed})")


def accessible(ev: Any, scope: Any, name: str, database: str | None) -> bool:
    """Whether `check_access` lets the query reach the name (wildcards skip what it does not)."""
    from kshell.errors import SemanticError

    try:
        check_access(ev, scope, name, database)
    except SemanticError:
        return False
    return True


def _spec_text(spec: Any) -> str:
    if spec.database is None:
        return spec.name
    return f"database({repr(spec.database) if spec.database else ''}).{spec.name}"


def entity_group(ev, value: Any) -> list[str]:
    """`let G = entity_group [...]`: the databases of the group."""
    return _syntax(ev, value, S.parse_entity_group_text)
