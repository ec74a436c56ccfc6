"""What the completer knows about the live cluster, indexed for fast lookups.

Building an index over 10,000 tables costs a few milliseconds, so it is done
once per change of the cluster, not per keystroke: the catalog hooks the
session's `after_commit` list (every successful request) and the REPL calls
`invalidate()` after each request it runs (directives can change things too).
A cheap fingerprint (which cluster object, how many databases/tables) catches
changes made behind its back, e.g. a test executing on the session directly
before the hook was installed.
"""

from __future__ import annotations

from typing import Any

from kshell.repl.matching import NameIndex


def _principal_fqn(entry: Any) -> str | None:
    """The FQN of one role assignment, whatever shape the security family stores."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        for key in ("fqn", "FQN", "PrincipalFQN", "principal_fqn", "principal"):
            v = entry.get(key)
            if isinstance(v, str):
                return v
        return None
    for attr in ("fqn", "principal_fqn", "principal"):
        v = getattr(entry, attr, None)
        if isinstance(v, str):
            return v
    return None


class Catalog:
    """Indexes of names (databases, tables, columns, functions, principals, identities)."""

    def __init__(self, session: Any):
        self.session = session
        self._generation = 0
        self._cache: dict[tuple, Any] = {}
        self._stamp: tuple | None = None
        hooks = getattr(session, "after_commit", None)
        if isinstance(hooks, list):
            hooks.append(lambda _s: self.invalidate())

    def invalidate(self) -> None:
        self._generation += 1

    # ---------------------------------------------------------------- internals
    def _fingerprint(self) -> tuple:
        cluster = self.session.cluster
        db = cluster.databases.get(str(self.session.database_name).lower())
        return (self._generation, id(cluster), len(cluster.databases), id(db),
                len(db.tables) if db else 0, len(db.functions) if db else 0)

    def _cached(self, key: tuple, build):
        stamp = self._fingerprint()
        if stamp != self._stamp:
            self._cache.clear()
            self._stamp = stamp
        value = self._cache.get(key)
        if value is None:
            value = build()
            self._cache[key] = value
        return value

    def _database(self, name: str | None):
        cluster = self.session.cluster
        if name is None:
            return cluster.databases.get(str(self.session.database_name).lower())
        return cluster.databases.get(name.lower())

    # ------------------------------------------------------------------ public
    @property
    def context_database(self) -> str:
        return str(self.session.database_name)

    def databases(self) -> NameIndex:
        return self._cached(("databases",), lambda: NameIndex(
            db.name for db in self.session.cluster.databases.values()))

    def tables(self, database: str | None = None) -> NameIndex:
        db = self._database(database)
        if db is None:
            return NameIndex(())
        return self._cached(("tables", db.name.lower()), lambda: NameIndex(db.tables))

    def table(self, name: str, database: str | None = None):
        db = self._database(database)
        return None if db is None else db.tables.get(name)

    def columns(self, table_name: str, database: str | None = None) -> list[str]:
        t = self.table(table_name, database)
        return [c.name for c in t.columns] if t is not None else []

    def stored_functions(self, database: str | None = None) -> NameIndex:
        db = self._database(database)
        if db is None:
            return NameIndex(())
        return self._cached(("functions", db.name.lower()), lambda: NameIndex(db.functions))

    def external_tables(self, database: str | None = None) -> NameIndex:
        db = self._database(database)
        return NameIndex(db.external_tables) if db is not None else NameIndex(())

    def materialized_views(self, database: str | None = None) -> NameIndex:
        db = self._database(database)
        return NameIndex(db.materialized_views) if db is not None else NameIndex(())

    def continuous_exports(self, database: str | None = None) -> NameIndex:
        db = self._database(database)
        return NameIndex(db.continuous_exports) if db is not None else NameIndex(())

    def principals(self) -> NameIndex:
        """Every principal FQN named in a role assignment anywhere in the cluster."""
        def build() -> NameIndex:
            cluster = self.session.cluster
            found: list[str] = [str(getattr(self.session, "principal", "") or "")]
            lists = [cluster.principals]
            for db in cluster.databases.values():
                lists.append(db.principals)
                lists.extend(t.principals for t in db.tables.values() if t.principals)
                lists.extend(f.principals for f in db.functions.values() if f.principals)
            for entries in lists:
                for e in entries:
                    fqn = _principal_fqn(e)
                    if fqn:
                        found.append(fqn)
            return NameIndex(f for f in found if f)
        return self._cached(("principals",), build)

    def identities(self) -> list[Any]:
        return list(self.session.cluster.identities.values())

    def identity_names(self) -> list[str]:
        return [str(getattr(i, "name", i)) for i in self.identities()]
