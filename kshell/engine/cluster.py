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

from kshell.engine.guids import ID_NAMESPACE_TEXT, guid_text, name_guid_bytes, uuid_module
from kshell.syntax.records import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as dt
    import uuid
    from typing import Any

CLUSTER_NAME = "kshell"
DEFAULT_DATABASE = "NetDefaultDB"


def __getattr__(name: str):
    # Namespace for every id the simulator invents (design.md: deterministic ids): a
    # uuid.UUID, built on first use so that a script that makes no GUID value never
    # imports `uuid` (issue 18).
    if name == "ID_NAMESPACE":
        global ID_NAMESPACE
        ID_NAMESPACE = uuid_module().UUID(ID_NAMESPACE_TEXT)
        return ID_NAMESPACE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# derived text -> GUID.  uuid5 hashes on every call and result builders derive
# the same ids over and over (role assignments, tenants, extents); UUIDs are
# immutable, so one object per text is safe to share.
_DERIVED: dict[str, uuid.UUID] = {}
# derived text -> its GUID's text (the many ids that are only ever shown or compared as text)
_DERIVED_TEXT: dict[str, str] = {}


def name_uuid(text: str) -> uuid.UUID:
    """uuid.uuid5(ID_NAMESPACE, text) (see kshell.engine.guids.name_guid_bytes)."""
    return uuid_module().UUID(bytes=name_guid_bytes(text))


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


def derived_id_text(*parts: str) -> str:
    """str(derived_id(*parts)), without building a uuid.UUID (principal and tenant ids are text)."""
    text = "/".join(parts)
    value = _DERIVED_TEXT.get(text)
    if value is None:
        value = guid_text(name_guid_bytes(text))
        if len(_DERIVED_TEXT) >= 200_000:
            _DERIVED_TEXT.clear()
        _DERIVED_TEXT[text] = value
    return value


class Column(Record):
    name: str
    type: str  # Kusto type name
    docstring: str = ""


class Extent(Record):
    extent_id: uuid.UUID
    first_row: int
    row_count: int
    ingestion_time: dt.datetime
    tags: list[str] = field(default_factory=list)


class Table(Record):
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


class Function(Record):
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


class Database(Record):
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


class Cluster(Record):
    name: str = CLUSTER_NAME
    databases: dict[str, Database] = field(default_factory=dict)  # key: lower-cased name
    policies: dict[str, Any] = field(default_factory=dict)
    principals: list[Any] = field(default_factory=list)           # cluster role assignments
    groups: dict[str, list[str]] = field(default_factory=dict)    # group FQN -> member FQNs
    identities: dict[str, Any] = field(default_factory=dict)      # simulated Azure identities (azure.py)
    storage_accounts: dict[str, Any] = field(default_factory=dict)
    ingestion_failures: list[Any] = field(default_factory=list)
    now: dt.datetime | None = None                                # simulated clock
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
