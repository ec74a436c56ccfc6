"""The SQLite file itself: recognising it, opening it, locking it, its schema.

A kshell state file is an SQLite database whose header carries
`application_id` = APPLICATION_ID and `user_version` = the schema version.
Both live in the first 100 bytes, which are read directly (no SQLite, no
chance of writing) before SQLite ever opens the file, so a file that is not
ours, is too new, or is visibly truncated is refused untouched.

Locking: the connection runs in `locking_mode=EXCLUSIVE` and takes the write
lock at once, so the file belongs to one kshell process at a time; a second
process waits BUSY_TIMEOUT seconds and is then refused with "busy".  The lock
is an OS file lock, released when the process dies, even by kill -9.

Journal: WAL with `synchronous=NORMAL` (docs/state-file.md says why): each
request is one transaction appended to the -wal file, without an fsync; the
WAL is fsynced at checkpoints.  A killed process (kill -9, a crash of kshell)
loses nothing it committed: the appended frames are in the operating
system's cache and the next open recovers them.  Checkpoints run every
WAL_CHECKPOINT pages (and at close).  A power loss or an
operating-system crash may lose the requests since the last checkpoint, but
never leaves a partial one (frames are checksummed; an incomplete commit is
ignored).  A clean close checkpoints, so at rest the state is one file.
A new file is built beside its path (schema, header marks and first state)
and renamed into place, then opened like any other and switched to WAL.
"""

from __future__ import annotations

import os
import sqlite3
import struct

from kshell.errors import KustoError

APPLICATION_ID = 0x4B53484C  # "KSHL"
# 3: row chunks with one compressed binary segment per column (kshell.store.chunks);
# 2: cluster metadata in kshell_parts; 1: one document in kshell_meta.  All are read.
SCHEMA_VERSION = 3
FORMAT_NAME = "kshell-state"
BUSY_TIMEOUT = 1.0  # seconds
WAL_CHECKPOINT = 10_000  # pages (4 KiB): the WAL grows to about 40 MB between checkpoints

PARTS_TABLE = (
    # The cluster metadata, one document per part (kshell.store.parts); key = the part's path as JSON.
    "CREATE TABLE kshell_parts(key TEXT PRIMARY KEY, doc TEXT NOT NULL)"
)
SCHEMA = (
    "CREATE TABLE kshell_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    PARTS_TABLE,
    # One metadata document per kshell table (the cluster document refers to it by tid).
    "CREATE TABLE kshell_tables(tid INTEGER PRIMARY KEY, doc TEXT NOT NULL)",
    # The extents of each table, one JSON row of field values per extent, in order.
    "CREATE TABLE kshell_extents(tid INTEGER NOT NULL, seq INTEGER NOT NULL, row TEXT NOT NULL,"
    " PRIMARY KEY(tid, seq))",
    # Rows of each kshell table (tid = storage id recorded in the metadata document),
    # in chunks of consecutive rows.
    "CREATE TABLE kshell_rows("
    " tid INTEGER NOT NULL, seq INTEGER NOT NULL, first_row INTEGER NOT NULL,"
    " row_count INTEGER NOT NULL, payload BLOB NOT NULL, PRIMARY KEY(tid, seq))",
)
REQUIRED_TABLES = ("kshell_meta", "kshell_tables", "kshell_extents", "kshell_rows")
SQLITE_MAGIC = b"SQLite format 3\x00"


class StateFileError(KustoError):
    """The state file cannot be opened, read or written."""

    kind = "StateFileError"


def _describe(path: str) -> str:
    return f"state file '{path}'"


def check_header(path: str) -> bool:
    """Validate an existing file by its header alone.

    Returns True when the file is empty (a new state file may be created in
    it), False when it is an existing kshell state file; raises StateFileError
    otherwise.  Reads only.
    """
    try:
        with open(path, "rb") as f:
            header = f.read(100)
        size = os.path.getsize(path)
    except IsADirectoryError:
        raise StateFileError(f"{_describe(path)} is a directory") from None
    except OSError as e:
        raise StateFileError(f"cannot read {_describe(path)}: {e.strerror or e}") from None
    if size == 0:
        return True
    if not header.startswith(SQLITE_MAGIC):
        if SQLITE_MAGIC.startswith(header[: len(SQLITE_MAGIC)]):
            raise StateFileError(f"{_describe(path)} is damaged (truncated to {size} bytes)")
        raise StateFileError(f"{_describe(path)} is not a kshell state file (not an SQLite database)")
    if len(header) < 100:
        raise StateFileError(f"{_describe(path)} is damaged (truncated to {size} bytes)")
    (page_size,) = struct.unpack(">H", header[16:18])
    page_size = 65536 if page_size == 1 else page_size
    change_counter, page_count = struct.unpack(">II", header[24:32])
    (user_version,) = struct.unpack(">i", header[60:64])
    (application_id,) = struct.unpack(">I", header[68:72])
    (valid_for,) = struct.unpack(">I", header[92:96])
    if application_id != APPLICATION_ID:
        raise StateFileError(f"{_describe(path)} is an SQLite database but not a kshell state file")
    if user_version > SCHEMA_VERSION:
        raise StateFileError(
            f"{_describe(path)} was written by a newer kshell (state file version {user_version}; "
            f"this kshell reads versions up to {SCHEMA_VERSION})"
        )
    if user_version < 1:
        raise StateFileError(f"{_describe(path)} is damaged (no state file version)")
    hot_journal = has_journal(path)
    if not hot_journal and (page_size < 512 or size % page_size
                            or (valid_for == change_counter and size < page_count * page_size)):
        raise StateFileError(f"{_describe(path)} is damaged (truncated to {size} bytes)")
    return False


def has_journal(path: str) -> bool:
    for suffix in ("-journal", "-wal"):
        try:
            if os.path.getsize(path + suffix) > 0:
                return True
        except OSError:
            pass
    return False


def is_busy_error(e: sqlite3.Error) -> bool:
    return getattr(e, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or (
        "locked" in str(e) or "busy" in str(e)
    )


def busy_error(path: str) -> StateFileError:
    return StateFileError(
        f"{_describe(path)} is busy: another kshell process has it open (only one process may use a state file at a time)"
    )


def sqlite_failure(path: str, e: sqlite3.Error, doing: str) -> StateFileError:
    if is_busy_error(e):
        return busy_error(path)
    if isinstance(e, sqlite3.DatabaseError) and ("malformed" in str(e) or "not a database" in str(e)):
        return StateFileError(f"{_describe(path)} is damaged ({e})")
    return StateFileError(f"cannot {doing} {_describe(path)}: {e}")


def check_schema(conn: sqlite3.Connection, path: str) -> int:
    """Our tables and format row are there (reads only). Returns the schema version."""
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        required = set(REQUIRED_TABLES) | ({"kshell_parts"} if version >= 2 else set())
        if not required <= names:
            raise StateFileError(f"{_describe(path)} is not a kshell state file (missing kshell tables)")
        row = conn.execute("SELECT value FROM kshell_meta WHERE key='format'").fetchone()
        if row is None or row[0] != FORMAT_NAME:
            raise StateFileError(f"{_describe(path)} is not a kshell state file")
    except sqlite3.Error as e:
        raise sqlite_failure(path, e, "read") from None
    return version


def _uri_path(path: str) -> str:
    from urllib.parse import quote

    return quote(os.path.abspath(path))


def is_writable(path: str) -> bool:
    """Can kshell write the file and create its WAL beside it?"""
    directory = os.path.dirname(os.path.abspath(path))
    return os.access(path, os.W_OK) and os.access(directory, os.W_OK | os.X_OK)


def connect(path: str, read_only: bool = False) -> sqlite3.Connection:
    """The read-write connection, holding the file's lock for the whole session.

    Returns inside an open exclusive transaction in which the caller validates
    and reads the file (reads only: a refused file stays byte-identical), then
    calls `settle()`.  `read_only`: the file (or its directory) cannot be written;
    it is opened for reading only (no lock, no WAL; queries work, changes are refused).
    """
    if read_only:
        if has_journal(path):
            raise StateFileError(f"{_describe(path)} is read-only and holds requests a crash left in its "
                                 "journal, which only a writable file can take in: give the file and its "
                                 "directory write permission")
        try:
            # At rest a state file is one file (a clean close checkpoints its WAL), so
            # it can be read as immutable: SQLite then needs no lock and no -wal/-shm.
            conn = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro&immutable=1", uri=True,
                                   timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as e:
            raise StateFileError(f"{_describe(path)} is read-only and could not be opened for reading ({e}): "
                                 "give the file and its directory write permission") from None
        return conn
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as e:
        raise sqlite_failure(path, e, "open") from None
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("PRAGMA synchronous=NORMAL")  # with WAL: see the module docstring
        # A checkpoint (copying the WAL into the file, with two fsyncs) every
        # WAL_CHECKPOINT pages instead of SQLite's 1,000: a long management script
        # spent about a third of its commit time waiting for them.
        conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT}")
        # Take the lock now: a second process waits BUSY_TIMEOUT, then is refused.
        # (This also rolls back a crash's journal / recovers its WAL.)
        conn.execute("BEGIN EXCLUSIVE")
    except sqlite3.Error as e:
        conn.close()
        raise sqlite_failure(path, e, "open") from None
    return conn


def settle(conn: sqlite3.Connection, path: str) -> None:
    """End the opening transaction and switch our (validated) file to WAL."""
    try:
        if conn.in_transaction:
            conn.execute("COMMIT")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as e:
        raise sqlite_failure(path, e, "open") from None


def create_schema(conn: sqlite3.Connection) -> None:
    """Inside the caller's transaction: the tables, the header marks, the format row."""
    for stmt in SCHEMA:
        conn.execute(stmt)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    conn.execute("INSERT INTO kshell_meta(key, value) VALUES ('format', ?)", (FORMAT_NAME,))
