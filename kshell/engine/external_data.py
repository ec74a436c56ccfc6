"""Reading the simulated storage from a query: `externaldata` and `inline_external_table`.

Both go through the storage family's one path resolver (`storage.local_path` /
`storage.list_files`) and its one access decision (`storage.check_access`, which asks
`managed_identity.identity_allowed` for a `;managed_identity=` connection string), acting
as the query's principal (`;impersonate` is the caller, not the session's owner).

- `externaldata`: managed-identity usage `ExternalDataRequest`; each connection string
  names one blob (a folder or a missing blob is an error, as for `.ingest into`).
- `inline_external_table`: an external table defined in the query.  Its definition is
  the `.create external table` grammar, so it is parsed and validated by that family
  (`external_tables.build`) and read by its one loader (`external_tables.read_rows`:
  usage `ExternalTable`, partitions, path formats, `includeHeaders`, `namePrefix`...);
  nothing is stored.
"""

from __future__ import annotations

from kshell.engine import storage
from kshell.engine.storage_formats import decode_rows, format_of_path
from kshell.errors import BadRequest, EntityNotFound, KustoError, KustoSyntaxError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

OPERATOR = "externaldata"


def _opt(options: dict[str, Any], name: str, default: Any = None) -> Any:
    for k, v in options.items():
        if k.lower() == name.lower():
            return v
    return default


def _true(v: Any) -> bool:
    return v is True or (isinstance(v, str) and v.strip().lower() == "true")


def read(ctx: Any, uris: list[str], columns: list[tuple[str, str]], options: dict[str, Any]) -> list[list[Any]]:
    """`externaldata`: columnar rows of `uris` (one blob each) read as `ctx`'s principal."""
    session = ctx.session
    fmt_option = str(_opt(options, "format", "") or "").lower()
    mapping = _opt(options, "ingestionMapping")
    skip_first = _true(_opt(options, "ignoreFirstRecord", False))
    data: list[list[Any]] = [[] for _ in columns]
    # Every connection string is checked before any is read: a refused one reads nothing.
    parsed = []
    for raw in uris:
        uri = storage.parse_uri(raw)
        try:
            storage.check_access(session, uri, need="read", usage="ExternalDataRequest",
                                 database=ctx.database_name, principal=ctx.principal)
        except KustoError as e:
            e.message = f"{OPERATOR}: {e.message}"
            raise
        parsed.append((raw, uri))
    for raw, uri in parsed:
        path = storage.local_path(session, uri)
        if not path.is_file():
            what = "is a folder, not a blob" if path.is_dir() else "does not exist"
            err = EntityNotFound(f"{OPERATOR}: '{storage.mask(raw)}' {what}")
            err.code = "Download_SourceNotFound"
            raise err
        fmt = fmt_option or format_of_path(path.name)
        try:
            with storage.open_text(path) as text:
                cols = decode_rows(text, columns, fmt, skip_first=skip_first, mapping=mapping)
        except BadRequest as e:
            e.message = f"{OPERATOR}: '{storage.mask(raw)}': {e.message}"
            raise
        for i, col in enumerate(cols):
            data[i].extend(col)
    return data


INLINE_NAME = "inline_external_table"


def read_inline(ctx: Any, definition: str, uris: list[str]) -> Any:
    """`inline_external_table`: `definition` is the operator's text as a `.create external
    table inline_external_table ...` command with its connection strings left out; `uris`
    are the resolved connection strings.  Returns a Table (columns, columnar data)."""
    from kshell.engine import external_tables
    from kshell.syntax import parse

    try:
        node = parse(definition)
    except KustoSyntaxError as e:
        raise KustoSyntaxError(f"{INLINE_NAME}: {e.message}") from None
    if type(node).__name__ != "CreateExternalTable":
        raise BadRequest(f"{INLINE_NAME}: not an external table definition")
    node.connection_strings = list(uris)
    db = ctx.database(None)
    try:
        ext = external_tables.build(ctx.session, db, node, None)
        return external_tables.read_rows(ctx.session, db, ext, principal=ctx.principal)
    except KustoError as e:
        e.message = e.message.replace(f"external table '{INLINE_NAME}'", INLINE_NAME)
        if not e.message.startswith(INLINE_NAME):
            e.message = f"{INLINE_NAME}: {e.message}"
        raise
