"""Reading the simulated storage from a query: `externaldata` and `inline_external_table`.

Both go through the storage family's one path resolver (`storage.local_path` /
`storage.list_files`) and its one access decision (`storage.check_access`, which asks
`managed_identity.identity_allowed` for a `;managed_identity=` connection string), acting
as the query's principal (`;impersonate` is the caller, not the session's owner).

- `externaldata`: managed-identity usage `ExternalDataRequest`; each connection string
  names one blob (a folder or a missing blob is an error, as for `.ingest into`).
- `inline_external_table kind=storage`: usage `ExternalTable` (it is an external table
  written inline); each connection string is a blob or a folder prefix, read like a
  storage external table without partitions (`namePrefix`, `fileExtension`,
  `includeHeaders` as there).
"""

from __future__ import annotations

from typing import Any

from kshell.engine import storage
from kshell.engine.storage_formats import DELIMITERS, decode_rows, format_of_path
from kshell.errors import BadRequest, EntityNotFound, KustoError

INCLUDE_HEADERS = {"all": "All", "firstfile": "FirstFile", "none": "None"}


def _opt(options: dict[str, Any], name: str, default: Any = None) -> Any:
    for k, v in options.items():
        if k.lower() == name.lower():
            return v
    return default


def _true(v: Any) -> bool:
    return v is True or (isinstance(v, str) and v.strip().lower() == "true")


def read(ctx: Any, uris: list[str], columns: list[tuple[str, str]], options: dict[str, Any], *,
         operator: str = "externaldata", data_format: str | None = None) -> list[list[Any]]:
    """Columnar rows of `uris` read as `ctx`'s principal (see the module doc)."""
    session = ctx.session
    inline = operator == "inline_external_table"
    usage = "ExternalTable" if inline else "ExternalDataRequest"
    fmt_option = str(data_format or _opt(options, "format", "") or "").lower()
    mapping = _opt(options, "ingestionMapping")
    skip_first = _true(_opt(options, "ignoreFirstRecord", False))
    headers = INCLUDE_HEADERS.get(str(_opt(options, "includeHeaders", "None")).lower(), "None")
    prefix = str(_opt(options, "namePrefix", "") or "")
    extension = str(_opt(options, "fileExtension", "") or "")
    data: list[list[Any]] = [[] for _ in columns]
    # Every connection string is checked before any is read: a refused one reads nothing.
    parsed = []
    for raw in uris:
        uri = storage.parse_uri(raw)
        try:
            storage.check_access(session, uri, need="read", usage=usage, database=ctx.database_name,
                                 principal=ctx.principal)
        except KustoError as e:
            e.message = f"{operator}: {e.message}"
            raise
        parsed.append((raw, uri))
    for raw, uri in parsed:
        if inline:
            files = [(rel, path) for rel, path in storage.list_files(session, uri)
                     if _wanted(rel.rpartition("/")[2] or path.name, prefix, extension)]
        else:
            path = storage.local_path(session, uri)
            if not path.is_file():
                what = "is a folder, not a blob" if path.is_dir() else "does not exist"
                err = EntityNotFound(f"{operator}: '{storage.mask(raw)}' {what}")
                err.code = "Download_SourceNotFound"
                raise err
            files = [("", path)]
        seen_folders: set[str] = set()
        for rel, path in files:
            fmt = fmt_option or format_of_path(path.name)
            skip = skip_first
            if inline and fmt in DELIMITERS:
                folder = rel.rpartition("/")[0]
                skip = headers == "All" or (headers == "FirstFile" and folder not in seen_folders)
                seen_folders.add(folder)
            try:
                cols = decode_rows(storage.read_text(path), columns, fmt, skip_first=skip, mapping=mapping)
            except BadRequest as e:
                e.message = f"{operator}: '{storage.mask(raw)}': {e.message}"
                raise
            for i, col in enumerate(cols):
                data[i].extend(col)
    return data


def _wanted(base: str, prefix: str, extension: str) -> bool:
    if prefix and not base.startswith(prefix):
        return False
    if extension and not (base.endswith(extension) or base.endswith(extension + ".gz")):
        return False
    return True
