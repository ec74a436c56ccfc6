"""What the query engine needs from its surroundings.

The query engine (kshell.query) never imports the engine's Session: it is
given a QueryContext.  kshell.engine.session provides the implementation that
resolves names against the cluster, enforces read permissions and row level
security, and scopes a source table to new rows during update policies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Protocol


@dataclass(frozen=True)
class StorageFile:
    """A file (blob) of the simulated storage as a query sees it."""

    uri: str                 # without credentials
    name: str                # the path under the connection string's prefix
    modified: dt.datetime    # last write, UTC (naive)
    size: int
    read: Callable[[], str]  # its text (gzip undone)


class TableSource(Protocol):
    """A stored table as the query engine sees it (kshell.engine.cluster.Table fits)."""

    name: str
    columns: list  # objects with .name and .type
    data: list[list[Any]]  # columnar
    extents: list  # objects with .first_row, .row_count, .ingestion_time


class FunctionSource(Protocol):
    name: str
    parameters: str  # "(a:long, T:(x:string))"
    body: str        # "{ ... }"


class QueryContext(Protocol):
    @property
    def current_database(self) -> str: ...

    def now(self) -> dt.datetime:
        """The simulated clock (now(), ago())."""

    def resolve_table(self, name: str, database: str | None) -> TableSource | None:
        """A table by name in `database` (None = current).  Raises kshell.errors
        (DatabaseNotFound, Forbidden) as needed; returns None when the table does not exist
        so the engine can try functions / let names / report "not found".  Row level
        security is applied here: the returned source may be the RLS query's result."""

    def resolve_function(self, name: str, database: str | None) -> FunctionSource | None:
        """A stored function by name, or None."""

    def resolve_external_table(self, name: str) -> TableSource:
        """`external_table("E")` rows (raises when not simulated / not allowed)."""

    def read_external_data(self, uris: list[str], columns: list[tuple[str, str]],
                           options: dict[str, Any]) -> list[list[Any]]:
        """`externaldata`: the columnar rows of the connection strings, read with the query
        principal's rights through the storage family's one path resolver and access
        decision (raises Forbidden / EntityNotFound / BadRequest)."""

    def read_inline_external_table(self, definition: str, uris: list[str]) -> TableSource:
        """`inline_external_table`: `definition` is a `.create external table` text whose
        connection strings are `uris`; read as a stored external table would be (nothing
        is stored)."""

    def database_names(self) -> list[str]:
        """Every database name (find in (database('*').*))."""
    def storage_files(self, connection_string: str, usage: str = "ExternalDataRequest") -> list[StorageFile]:
        """Files under a storage URI, with the caller's rights (infer_storage_schema).  Raises
        Forbidden / EntityNotFound / BadRequest as the storage access check decides."""

    def principal_details(self) -> dict[str, Any]:
        """For current_principal(), current_principal_details(), current_principal_is_member_of()."""

    def is_member_of(self, group_fqn: str) -> bool | None: ...
