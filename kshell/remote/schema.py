"""A remote cluster's names for completion and highlighting, fetched in the background.

`.show databases schema as json` gives every database the principal may see
with its tables (ordered columns), functions, external tables and materialized
views; a principal allowed less gets the context database's
`.show database DB schema as json` instead.  The answer becomes a
kshell.engine.cluster.Cluster holding names only (no rows, no policies), the
shape the completer already reads for the simulated cluster.

Fetching runs on a daemon thread; until it lands the schema is empty, so typing
never waits for the network.  One RemoteSchema belongs to one connection
(cached with it), and `#refresh` or a successful control command reloads it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from kshell.engine.cluster import Cluster, Column, Database, Function, Table
from kshell.remote.convert import kusto_type


def cluster_from_schema_json(document: Any) -> Cluster:
    """A names-only Cluster from the JSON of `.show database(s) ... schema as json`."""
    if isinstance(document, str):
        document = json.loads(document)
    cluster = Cluster(name="remote")
    databases = (document or {}).get("Databases") or {}
    for db_name, db_doc in databases.items():
        db_doc = db_doc or {}
        name = db_doc.get("Name") or db_name
        db = Database(name=name)
        for t_name, t_doc in (db_doc.get("Tables") or {}).items():
            t_doc = t_doc or {}
            columns = [Column(str(c.get("Name", "")), kusto_type(c.get("CslType") or c.get("Type")))
                       for c in t_doc.get("OrderedColumns") or []]
            db.tables[t_doc.get("Name") or t_name] = Table(name=t_doc.get("Name") or t_name, columns=columns)
        for f_name, f_doc in (db_doc.get("Functions") or {}).items():
            f_doc = f_doc or {}
            fname = f_doc.get("Name") or f_name
            db.functions[fname] = Function(name=fname, parameters=f_doc.get("Parameters") or "()",
                                           body=f_doc.get("Body") or "{}")
        for kind in ("ExternalTables", "MaterializedViews"):
            target = db.external_tables if kind == "ExternalTables" else db.materialized_views
            for e_name, e_doc in (db_doc.get(kind) or {}).items():
                target[(e_doc or {}).get("Name") or e_name] = e_doc
        cluster.databases[name.lower()] = db
    return cluster


class RemoteSchema:
    """The schema of one connection: empty until the first fetch lands."""

    def __init__(self, run_mgmt: Callable[[str], list], database: Callable[[], str]):
        self._run_mgmt = run_mgmt      # text -> list[Result], raises KustoError
        self._database = database      # the context database, read at fetch time
        self.cluster = Cluster(name="remote")
        self.error: str | None = None  # why the last fetch failed
        self.loaded = threading.Event()
        self._lock = threading.Lock()
        self._pending = False
        self.wanted = False  # someone (the completer, #refresh) asked for the schema
        self.complete = False  # every database is listed (not only the context database's schema)

    def fetch_in_background(self) -> None:
        self.wanted = True
        with self._lock:
            if self._pending:
                return
            self._pending = True
        threading.Thread(target=self._fetch, name="kshell-schema", daemon=True).start()

    def fetch_now(self) -> None:
        self.wanted = True
        with self._lock:
            self._pending = True
        self._fetch()

    def _fetch(self) -> None:
        try:
            self.cluster = self._load()
            self.error = None
        except Exception as e:  # noqa: BLE001 - a failed fetch leaves completion as it was
            self.error = str(getattr(e, "message", e)) or type(e).__name__
        finally:
            with self._lock:
                self._pending = False
            self.loaded.set()

    def _load(self) -> Cluster:
        from kshell.errors import KustoError

        try:
            cluster = cluster_from_schema_json(_single_cell(self._run_mgmt(".show databases schema as json")))
            self.complete = True
            return cluster
        except KustoError:
            name = self._database().replace("'", "\\'")
            cluster = cluster_from_schema_json(_single_cell(self._run_mgmt(f".show database ['{name}'] schema as json")))
            self.complete = False
            return cluster

    def summary(self) -> str:
        dbs = self.cluster.databases.values()
        tables = sum(len(d.tables) for d in dbs)
        functions = sum(len(d.functions) for d in dbs)
        return (f"{len(self.cluster.databases)} database{'s' if len(self.cluster.databases) != 1 else ''}, "
                f"{tables} table{'s' if tables != 1 else ''}, {functions} function{'s' if functions != 1 else ''}")


def _single_cell(results: list) -> Any:
    if not results or not results[0].rows or not results[0].rows[0]:
        return {}
    return results[0].rows[0][0]
