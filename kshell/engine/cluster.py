"""The state of the simulated cluster.

Cluster -> databases -> tables / functions / external tables / continuous
exports, plus the cluster-wide parts (identities, principals, policies,
ingestion failures).  Plain data: behaviour lives in the engine modules of
each command family.

Tables are columnar (design.md): `data[i]` is the list of values of column i.
Rows arrive in extents (one per ingestion); an extent remembers its first row,
row count and ingestion time, which is what `ingestion_time()` and
continuous-export cursors read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

CLUSTER_NAME = "kshell"
DEFAULT_DATABASE = "NetDefaultDB"
# Namespace for every id the simulator invents (design.md: deterministic ids).
ID_NAMESPACE = uuid.UUID("6b9a3f0e-3d1c-4c55-9e53-8f2d6c1a7b40")


# derived text -> GUID.  uuid5 hashes on every call and result builders derive
# the same ids over and over (role assignments, tenants, extents); UUIDs are
# immutable, so one object per text is safe to share.
_DERIVED: dict[str, uuid.UUID] = {}


def name_uuid(text: str) -> uuid.UUID:
    """uuid.uuid5(ID_NAMESPACE, text), hashed with the interpreter's built-in SHA-1:
    `uuid.uuid5` imports hashlib, whose OpenSSL binding is a tenth of script start-up
    (issue 18), for the one digest a short script needs."""
    global _sha1
    if _sha1 is None:
        try:
            from _sha1 import sha1 as _sha1
        except ImportError:  # an interpreter built without it
            from hashlib import sha1 as _sha1
    digest = _sha1(_NAMESPACE_BYTES + text.encode("utf-8")).digest()
    return uuid.UUID(bytes=digest[:16], version=5)


_sha1 = None
_NAMESPACE_BYTES = ID_NAMESPACE.bytes


def derived_id(*parts: str) -> uuid.UUID:
    """A deterministic GUID derived from names (uuid5 under the cluster namespace)."""
    text = "/".join(parts)
    value = _DERIVED.get(text)
    if value is None:
        value = name_uuid(text)
        if len(_DERIVED) >= 200_000:
            _DERIVED.clear()
        _DERIVED[text] = value
    return value


@dataclass(slots=True)
class Column:
    name: str
    type: str  # Kusto type name
    docstring: str = ""


@dataclass(slots=True)
class Extent:
    extent_id: uuid.UUID
    first_row: int
    row_count: int
    ingestion_time: dt.datetime
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Table:
    name: str
    columns: list[Column]
    data: list[list[Any]] = field(default_factory=list)   # one list per column
    extents: list[Extent] = field(default_factory=list)
    folder: str = ""
    docstring: str = ""
    policies: dict[str, Any] = field(default_factory=dict)  # policy kind -> policy object
    principals: list[Any] = field(default_factory=list)    # role assignments (security family)
    created_by: str = ""

    def __post_init__(self) -> None:
        if not self.data:
            self.data = [[] for _ in self.columns]

    @property
    def row_count(self) -> int:
        return len(self.data[0]) if self.data else sum(e.row_count for e in self.extents)

    def column_index(self, name: str) -> int | None:
        for i, c in enumerate(self.columns):
            if c.name == name:
                return i
        return None


@dataclass(slots=True)
class Function:
    name: str
    parameters: str   # parameter list as text, e.g. "(x:long, T:(a:string))"; "()" when none
    body: str         # body text including the braces, e.g. "{ T | take 1 }"
    folder: str = ""
    docstring: str = ""
    skipvalidation: bool = False
    view: bool = False
    principals: list[Any] = field(default_factory=list)
    created_by: str = ""
    parsed: Any = None  # cache of the parsed FunctionDef (not state; rebuilt on demand)


@dataclass(slots=True)
class Database:
    name: str
    tables: dict[str, Table] = field(default_factory=dict)        # case-sensitive names
    functions: dict[str, Function] = field(default_factory=dict)
    external_tables: dict[str, Any] = field(default_factory=dict)
    continuous_exports: dict[str, Any] = field(default_factory=dict)
    materialized_views: dict[str, Any] = field(default_factory=dict)
    policies: dict[str, Any] = field(default_factory=dict)        # policy kind -> policy object
    principals: list[Any] = field(default_factory=list)           # role assignments
    persistent: bool = True
    pretty_name: str = ""


@dataclass(slots=True)
class Cluster:
    name: str = CLUSTER_NAME
    databases: dict[str, Database] = field(default_factory=dict)  # key: lower-cased name
    policies: dict[str, Any] = field(default_factory=dict)
    principals: list[Any] = field(default_factory=list)           # cluster role assignments
    groups: dict[str, list[str]] = field(default_factory=dict)    # group FQN -> member FQNs
    identities: dict[str, Any] = field(default_factory=dict)      # simulated Azure identities (azure.py)
    storage_accounts: dict[str, Any] = field(default_factory=dict)
    ingestion_failures: list[Any] = field(default_factory=list)
    now: Optional[dt.datetime] = None                             # simulated clock
    extras: dict[str, Any] = field(default_factory=dict)          # slots for later families

    def database(self, name: str) -> Database | None:
        return self.databases.get(name.lower())

    def add_database(self, db: Database) -> Database:
        self.databases[db.name.lower()] = db
        return db


def new_cluster(now: dt.datetime | None = None) -> Cluster:
    """A fresh cluster: one database, NetDefaultDB (design.md, Contracts)."""
    cluster = Cluster(now=now)
    cluster.add_database(Database(DEFAULT_DATABASE))
    return cluster
