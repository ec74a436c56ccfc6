"""The cluster state file: one SQLite file holding a whole simulated cluster.

`open_session(path)` opens (or creates) the file and returns a Session whose
every successful state-changing request is written as one SQLite transaction
before its result is shown (the `after_commit` hook).  A failed request
writes nothing (handlers leave the memory state unchanged on failure) except
the failure log entries the service keeps (the `after_rollback` hook).

What is stored where:
- the cluster document (kshell_meta 'cluster'): the Cluster object graph,
  encoded generically (kshell.store.codec), so record types added by any
  command family are stored without changes here; tables appear in it as
  placeholders;
- one document per table (kshell_tables, kshell.store.tables): the Table
  record without its rows;
- table rows (kshell_rows): per table, chunks of consecutive rows
  (kshell.store.rows), appended after ingestion and rewritten only when a
  table's data was replaced.

Detecting what a request changed, cheaply: requests that cannot change state
(queries, `.show`) write nothing; the cluster document is re-encoded and
compared with the last written text; a table is encoded again only for the
fields touched since it was written (kshell.store.tracking); a touched
table's rows are compared by identity (data lists, extents, row count) with
what was last written.

Layout and format: docs/state-file.md.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import operator
import os
import stat
import sqlite3
import tempfile
from array import array
from dataclasses import dataclass
from typing import Any

from kshell.engine.cluster import Cluster, Table, new_cluster
from kshell.engine.session import Session
from kshell.errors import KustoError
from kshell.store.codec import CodecError, Decoder, Encoder
from kshell.store.file import (
    BUSY_TIMEOUT,
    PARTS_TABLE,
    SCHEMA_VERSION,
    SQLITE_MAGIC,
    StateFileError,
    busy_error,
    is_busy_error,
    is_writable,
    check_header,
    check_schema,
    connect,
    create_schema,
    settle,
    sqlite_failure,
)
from kshell.columns import extended, typecode
from kshell.gc_pause import gc_paused
from kshell.store.rows import StoredTable, chunks_of, columns_read, decode_columns, make_lazy, rows_loaded
from kshell.store.tables import ASIDE_FIELD, Encoded, decode_table, encode_table
from kshell.store.parts import ClusterParts, part_key
from kshell.store.tracking import TrackedTable, forget, seal, touched_fields, track
from kshell.store.tracking import clear as clear_touched

# Stores that track changes (open state files): with one, a write may forget
# every noted access; with more, each forgets only its own objects.
_TRACKING_STORES: set[int] = set()

__all__ = ["StateFileError", "Store", "StoredSession", "open_session", "save_cluster"]


@dataclass(slots=True)
class _Written:
    """What the file holds for one table's rows (strong references, compared by identity)."""

    table: Table
    data: Any            # the table.data list object (None: rows not loaded yet)
    columns: tuple       # the column list objects
    extents: tuple       # the Extent objects
    rows: int            # rows written
    chunks: int          # next chunk sequence number


class Store:
    """One open state file and what it last wrote."""

    def __init__(self, path: str, conn: sqlite3.Connection, *, track_tables: bool = True):
        self.path = path
        self._track_tables = track_tables
        self._conn = conn
        self.read_only = False                     # opened read-only: a change is refused
        self._reset()
        self._broken: str | None = None
        if track_tables:
            _TRACKING_STORES.add(id(self))
        self.last_write: dict[str, int] = {}       # observable: what the last write wrote
        self.tables_loaded = 0                     # observable: stored tables whose rows were read
        self.columns_loaded = 0                    # observable: stored columns read (one by one or all)
        self.closed = False

    def _reset(self) -> None:
        """Forget what was written (before reading the file again)."""
        self._written: dict[int, _Written] = {}   # tid -> _Written
        self._tid_of: dict[int, int] = {}          # id(table) -> tid
        self._parts = ClusterParts(self._tid_for, watch=self._track_tables)  # the cluster metadata the file holds
        self._untracked: dict[int, Table] = {}     # tid -> table of a class that cannot be tracked
        self._version = SCHEMA_VERSION
        self._table_docs: dict[int, Encoded] = {}  # tid -> last table document (and extents) written
        self._flat_caches: dict[int, dict] = {}    # tid -> encodings of its Column/Extent records
        self._next_tid = 1

    def reload(self) -> Cluster:
        """The cluster as the file holds it (after a write failed: memory is ahead of the file)."""
        if self.closed:
            raise StateFileError(f"state file '{self.path}' is closed")
        self._reset()
        return self._read()

    # ------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: str, now: dt.datetime | None = None) -> tuple["Store", Cluster]:
        """Open the state file at `path`, creating it (a fresh cluster) when it is
        missing or empty.  A new file is built beside `path` and renamed into
        place, so a crash while creating it never leaves a half-made file."""
        path = os.fspath(path)
        if os.path.exists(path):
            new = check_header(path)  # reads the header only; refuses what is not ours
        else:
            parent = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(parent):
                raise StateFileError(f"cannot create state file '{path}': directory '{parent}' does not exist")
            new = True
        if new:
            save_cluster(new_cluster(now=now or _utc_now_seconds()), path)
        read_only = not is_writable(path)
        conn = connect(path, read_only=read_only)
        store = cls(path, conn)
        store.read_only = read_only
        try:
            store._version = check_schema(conn, path)
            cluster = store._read()
            if not read_only:
                settle(conn, path)
            elif conn.in_transaction:
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            raise
        return store, cluster

    def _read(self) -> Cluster:
        try:
            meta = dict(self._conn.execute("SELECT key, value FROM kshell_meta"))
            parts = {}
            if self._version >= 2:
                parts = {tuple(json.loads(k)): doc for k, doc in self._conn.execute("SELECT key, doc FROM kshell_parts")}
            table_docs = dict(self._conn.execute("SELECT tid, doc FROM kshell_tables"))
            extent_rows: dict[int, list] = {}
            for tid, row in self._conn.execute("SELECT tid, row FROM kshell_extents ORDER BY tid, seq"):
                extent_rows.setdefault(tid, []).append(row)
            counts = dict(self._conn.execute("SELECT tid, count(*) FROM kshell_rows GROUP BY tid"))
        except sqlite3.Error as e:
            raise sqlite_failure(self.path, e, "read") from None
        except ValueError as e:  # a part key that is not JSON
            raise StateFileError(f"state file '{self.path}' is damaged (unreadable cluster metadata: {e!r})") from None

        def table_from_doc(tid: Any) -> Table:
            doc = json.loads(table_docs[tid])
            rows = [json.loads(r) for r in extent_rows.get(tid, ())]
            table = decode_table(doc, rows, self._new_stored_table)
            aside = isinstance(doc["f"].get(ASIDE_FIELD), dict) and "$aside" in doc["f"][ASIDE_FIELD]
            self._table_docs[tid] = Encoded(doc, rows if aside else None)
            return table

        try:
            self._next_tid = int(meta.get("next_tid", "1"))
            with gc_paused():
                if self._version >= 2:
                    cluster = self._parts.load(parts, table_from_doc)
                else:  # schema version 1: one cluster document (rewritten as parts on the first write)
                    cluster = Decoder(external=table_from_doc).decode(json.loads(meta["cluster"]))
        except StateFileError:
            raise
        except Exception as e:  # anything unreadable in the stored documents
            raise StateFileError(f"state file '{self.path}' is damaged (unreadable cluster metadata: {e!r})") from None
        if not isinstance(cluster, Cluster):
            raise StateFileError(f"state file '{self.path}' is damaged (no cluster in it)")
        for tid, w in self._written.items():
            w.chunks = counts.get(tid, 0)
        for record in self._parts.fresh:
            track(record)
        self._parts.fresh.clear()
        self._forget_touched()  # as read: nothing to write
        return cluster

    def _new_stored_table(self, tid: int, row_count: int) -> Table:
        """An empty lazily loaded table for a stored document (its fields are set by the caller)."""
        table = StoredTable.__new__(StoredTable)
        make_lazy(table, row_count, self._load_rows, self._read_columns)
        self._written[tid] = _Written(table, None, (), (), row_count, 0)
        self._tid_of[id(table)] = tid
        return table

    def _load_rows(self, table: Table) -> list[list[Any]]:
        """Read a stored table's rows (first use of table.data); columns a query already
        read one by one are reused."""
        tid = self._tid_of.get(id(table))
        w = self._written.get(tid) if tid is not None else None
        done = columns_read(table)
        missing = [i for i in range(len(table.columns)) if i not in done]
        got = self._read_columns(table, missing) if missing else {}
        data = [done[i] if i in done else got[i] for i in range(len(table.columns))]
        if w is None or w.table is not table:
            return data
        self.tables_loaded += 1
        n = len(data[0]) if data else 0
        w.data, w.columns, w.extents, w.rows = data, tuple(data), tuple(table.extents), n
        return data

    def _read_columns(self, table: Table, wanted: list[int]) -> dict[int, Any]:
        """Columns `wanted` of a stored table, from every chunk (a column a chunk lacks,
        which should not happen, reads as nulls)."""
        tid = self._tid_of.get(id(table))
        w = self._written.get(tid) if tid is not None else None
        types = [c.type for c in table.columns]
        out: dict[int, Any] = {i: [] for i in wanted}
        if w is None or w.table is not table:
            return out
        if self.closed:
            raise StateFileError(f"state file '{self.path}' was closed; the rows of table '{table.name}' are not loaded")
        try:
            with gc_paused():
                conn = self._conn
                stored = conn.execute("SELECT rowid, row_count FROM kshell_rows WHERE tid=? ORDER BY seq",
                                      (tid,)).fetchall()
                for rowid, count in stored:
                    # Incremental blob reading: only the wanted columns' bytes leave the file.
                    with conn.blobopen("kshell_rows", "payload", rowid, readonly=True) as blob:
                        got = decode_columns(blob, wanted)
                    for i, values in got.items():
                        if values is None:
                            values = [None] * count
                        elif len(values) != count:
                            raise ValueError(f"column {i + 1} of a chunk holds the wrong number of values")
                        elif type(values) is array and values.typecode != typecode(types[i]):
                            values = values.tolist()  # numbers in a column of another type: a list
                        out[i] = extended(out[i], values, types[i])
        except sqlite3.Error as e:
            raise sqlite_failure(self.path, e, "read") from None
        except Exception as e:  # a chunk that does not decode (zlib, JSON, values)
            raise StateFileError(f"state file '{self.path}' is damaged (rows of table '{table.name}': {e})") from None
        self.columns_loaded += len(wanted)
        return out

    # ------------------------------------------------------------- writing
    def sync(self, cluster: Cluster) -> bool:
        """Write what changed since the last write as one transaction. True if anything was written."""
        if self.closed:
            raise StateFileError(f"state file '{self.path}' is closed")
        if self._broken:
            raise StateFileError(self._broken)
        return self._write(cluster)

    def mark_broken(self, why: str) -> None:
        """Stop writing: memory may hold a half-applied request (an internal error interrupted it)."""
        self._broken = f"state file '{self.path}' is no longer being written: {why}; restart kshell"

    def _write(self, cluster: Cluster, initial: bool = False) -> bool:
        with gc_paused():
            try:
                return self._write_paused(cluster, initial)
            except BaseException:
                self._parts.forget_fast()
                raise

    def _tid_for(self, table: Table) -> int:
        """The storage id of a table met while encoding the metadata (a new id for a new table)."""
        key = id(table)
        tid = self._w_tid_of.get(key)
        if tid is None:
            tid = self._tid_of.get(key)
            w = self._written.get(tid) if tid is not None else None
            if w is None or w.table is not table:
                tid, self._w_next_tid = self._w_next_tid, self._w_next_tid + 1
            self._w_tid_of[key] = tid
        self._w_seen[tid] = table
        return tid

    def _write_paused(self, cluster: Cluster, initial: bool) -> bool:
        touched_now = touched_fields() if self._track_tables else {}
        full = initial or not self._track_tables or not self._parts.texts
        self._w_tid_of: dict[int, int] = {}
        self._w_seen: dict[int, Table] = {}
        self._w_next_tid = self._next_tid
        try:
            out = self._parts.changes(cluster, touched_now, full)
        except CodecError as e:
            raise StateFileError(f"cannot write state file '{self.path}': {e.message}") from None
        seen = self._w_seen
        # Tables changed through their own attributes (rows ingested, policies set ...),
        # and tables that cannot be tracked (examined every time).
        for oid in touched_now:
            tid = self._tid_of.get(oid)
            if tid is not None and tid not in seen:
                w = self._written.get(tid)
                if w is not None and id(w.table) == oid:
                    seen[tid] = w.table
        for tid, table in self._untracked.items():
            seen.setdefault(tid, table)
        next_tid = self._w_next_tid
        gone = self._parts.dropped(out)
        for tid in gone:
            seen.pop(tid, None)
        table_docs: dict[int, Any] = {}
        rows_untouched: set[int] = set()
        for tid, table in seen.items():
            w = self._written.get(tid)
            cached = self._table_docs.get(tid) if w is not None and w.table is table else None
            if cached is not None and isinstance(table, TrackedTable):
                fields = touched_now.get(id(table), set())
                if "data" not in fields and "extents" not in fields and "row_count" not in fields:
                    rows_untouched.add(tid)
                # Not touched since written: the same document; else only touched fields again.
                table_docs[tid] = (cached if not fields else
                                   encode_table(table, tid, cached, fields, self._flat_caches.setdefault(tid, {})))
            else:
                try:
                    table_docs[tid] = encode_table(table, tid, flat_cache=self._flat_caches.setdefault(tid, {}))
                except CodecError as e:
                    raise StateFileError(f"cannot write state file '{self.path}': {e.message}") from None
        changed_docs = {}
        extent_plans = {}
        for tid, e in table_docs.items():
            old = self._table_docs.get(tid)
            if old is None or (e.doc is not old.doc and e.doc != old.doc):
                changed_docs[tid] = e.doc
            plan = _extent_plan(e.extent_rows, old.extent_rows if old is not None else None)
            if plan is not None:
                extent_plans[tid] = plan
        plans = self._row_plans(seen, rows_untouched)
        migrate = self._version < SCHEMA_VERSION and not initial
        if not out and not changed_docs and not extent_plans and not plans and not gone and not initial and not migrate:
            self._untouch(seen)
            return False
        if self.read_only:
            raise StateFileError(f"state file '{self.path}' is read-only: kshell opened it for queries only "
                                 "and cannot save changes (give the file and its directory write permission, "
                                 "or #save a copy elsewhere)")
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if initial:
                    create_schema(conn)
                if migrate:
                    if self._version < 2:  # version 1: the metadata becomes parts
                        conn.execute(PARTS_TABLE)
                        conn.execute("DELETE FROM kshell_meta WHERE key='cluster'")
                    # version 2 -> 3: new chunks are written in the version-3 form (old ones stay)
                    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                dels = [(part_key(p),) for p, text in out.items() if text is None]
                if dels:
                    conn.executemany("DELETE FROM kshell_parts WHERE key=?", dels)
                puts = [(part_key(p), text) for p, text in out.items() if text is not None]
                if puts:
                    conn.executemany("INSERT OR REPLACE INTO kshell_parts(key, doc) VALUES (?, ?)", puts)
                if next_tid != self._next_tid or initial:
                    conn.execute(
                        "INSERT OR REPLACE INTO kshell_meta(key, value) VALUES ('next_tid', ?)", (str(next_tid),)
                    )
                for tid in gone:
                    conn.execute("DELETE FROM kshell_rows WHERE tid=?", (tid,))
                    conn.execute("DELETE FROM kshell_tables WHERE tid=?", (tid,))
                    conn.execute("DELETE FROM kshell_extents WHERE tid=?", (tid,))
                for tid, (rewrite, start, rows) in extent_plans.items():
                    if rewrite:
                        conn.execute("DELETE FROM kshell_extents WHERE tid=?", (tid,))
                    conn.executemany(
                        "INSERT INTO kshell_extents(tid, seq, row) VALUES (?, ?, ?)",
                        [(tid, start + k, json.dumps(r, separators=(",", ":"))) for k, r in enumerate(rows)],
                    )
                if changed_docs:
                    conn.executemany(
                        "INSERT OR REPLACE INTO kshell_tables(tid, doc) VALUES (?, ?)",
                        [(tid, json.dumps(d, separators=(",", ":"))) for tid, d in changed_docs.items()],
                    )
                for tid, (rewrite, first_seq, chunks, _) in plans.items():
                    if rewrite:
                        conn.execute("DELETE FROM kshell_rows WHERE tid=?", (tid,))
                    conn.executemany(
                        "INSERT INTO kshell_rows(tid, seq, first_row, row_count, payload) VALUES (?,?,?,?,?)",
                        [(tid, first_seq + k, lo, n, blob) for k, (lo, n, blob) in enumerate(chunks)],
                    )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            raise sqlite_failure(self.path, e, "write") from None
        # Committed: remember what the file now holds.
        self.last_write = {"parts": len(out), "tables": len(changed_docs),
                           "chunks": sum(len(c) for _, _, c, _ in plans.values())}
        if migrate:
            self._version = SCHEMA_VERSION
        self._parts.commit(out)
        self._next_tid = next_tid
        self._table_docs.update(table_docs)
        for tid in gone:
            self._table_docs.pop(tid, None)
            self._flat_caches.pop(tid, None)
            self._untracked.pop(tid, None)
            w = self._written.pop(tid, None)
            if w is not None and self._tid_of.get(id(w.table)) == tid:
                del self._tid_of[id(w.table)]
        for tid, (_, first_seq, chunks, written) in plans.items():
            written.chunks = first_seq + len(chunks)
            old = self._written.get(tid)
            if old is not None and old.table is not written.table:
                self._tid_of.pop(id(old.table), None)
            self._written[tid] = written
            self._tid_of[id(written.table)] = tid
        self._untouch(seen)
        return True

    def _untouch(self, seen: dict[int, Table]) -> None:
        """The file now holds these tables and records as they are: track changes from here."""
        if not self._track_tables:
            return
        for tid, table in seen.items():
            if not track(table):
                self._untracked[tid] = table
        for record in self._parts.fresh:
            track(record)
        self._parts.fresh.clear()
        for record, open_names in self._parts.resealed():
            seal(record, open_names)  # reads of fields holding only noting values cost nothing now
        self._forget_touched()

    def _forget_touched(self) -> None:
        if len(_TRACKING_STORES) <= 1:
            clear_touched()  # the only store: everything touched has been examined
        else:
            forget(set(self._tid_of) | set(self._parts.records))

    def _row_plans(self, seen: dict[int, Table], untouched: set[int]) -> dict[int, tuple[bool, int, list, _Written]]:
        """tid -> (rewrite?, first chunk seq, chunks, what will have been written)."""
        plans = {}
        for tid, table in seen.items():
            if tid in untouched:
                continue  # neither rows nor extents touched since written
            w = self._written.get(tid)
            if w is not None and w.table is table and not rows_loaded(table):
                continue  # rows still only in the file: unchanged
            data = table.data
            n = len(data[0]) if data else 0
            extents = table.extents
            if (
                w is not None
                and w.table is table
                and len(data) == len(w.columns)
                and all(map(operator.is_, data, w.columns))
                and n >= w.rows
                and len(extents) >= len(w.extents)
                and all(map(operator.is_, extents, w.extents))
            ):
                if n == w.rows and len(extents) == len(w.extents):
                    continue
                rewrite, start, first_seq = False, w.rows, w.chunks
            else:
                rewrite, start, first_seq = True, 0, 0
            chunks = chunks_of(data, start, n) if n > start else []
            if not chunks and not rewrite:
                # Only extents were added (no rows): remember them, nothing to write.
                w.extents = tuple(extents)
                continue
            plans[tid] = (rewrite, first_seq, chunks, _Written(table, data, tuple(data), tuple(extents), n, 0))
        return plans

    def row_chunks(self) -> list[tuple[int, int, int, int]]:
        """(tid, seq, first_row, row_count) of every stored chunk: what was written (diagnostics, tests)."""
        try:
            return self._conn.execute(
                "SELECT tid, seq, first_row, row_count FROM kshell_rows ORDER BY tid, seq"
            ).fetchall()
        except sqlite3.Error as e:
            raise sqlite_failure(self.path, e, "read") from None

    # ------------------------------------------------------------- copies
    def backup_to(self, path: str) -> None:
        """Copy the file as it stands (after a sync) to `path`, atomically."""
        _atomic_write(path, lambda dest: self._conn.backup(dest))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            _TRACKING_STORES.discard(id(self))
            try:
                self._conn.close()
            except sqlite3.Error:
                pass


def _extent_plan(new: list | None, old: list | None) -> tuple[bool, int, list] | None:
    """How to bring a table's stored extent rows from `old` to `new`:
    (rewrite?, first seq, rows to insert), or None when nothing changes."""
    if new is old:
        return None
    if new is None:
        return (True, 0, [])  # the extents went back into the document
    before = old or []
    if len(new) >= len(before) and new[: len(before)] == before:
        return None if len(new) == len(before) else (False, len(before), new[len(before):])
    return (True, 0, new)


def _utc_now_seconds() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _atomic_write(path: str, fill) -> None:
    """Build an SQLite file beside `path` with fill(conn), then rename it into place."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    _require_regular_or_missing(path)
    if not os.path.isdir(directory):
        raise StateFileError(f"cannot write state file '{path}': directory '{directory}' does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".kshell-save-", suffix=".tmp", dir=directory)
    except OSError as e:  # a read-only or special directory (/proc, /sys, ...)
        raise StateFileError(f"cannot write state file '{path}': {e.strerror or e}") from None
    os.close(fd)
    try:
        dest = sqlite3.connect(tmp, isolation_level=None)
        try:
            fill(dest)
        finally:
            dest.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        _claim_target(path)
        os.replace(tmp, path)
        # A journal or WAL left beside the old file by a crash belongs to the old
        # content: SQLite must never apply it to the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            _unlink(path + suffix)
    except sqlite3.Error as e:
        _unlink(tmp)
        raise StateFileError(f"cannot write state file '{path}': {e}") from None
    except OSError as e:
        _unlink(tmp)
        raise StateFileError(f"cannot write state file '{path}': {e.strerror or e}") from None
    except BaseException:
        _unlink(tmp)
        raise


def _require_regular_or_missing(path: str) -> None:
    """Never rename over a device, a FIFO or a directory (e.g. `kshell /dev/null`)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        raise StateFileError(f"cannot use '{path}' as a state file: it is not a regular file")


def _claim_target(path: str) -> None:
    """Refuse to replace a state file another process is using (its writes would be lost)."""
    try:
        with open(path, "rb") as f:
            if not f.read(16).startswith(SQLITE_MAGIC):
                return
    except OSError:
        return  # missing or unreadable: os.replace decides
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    except sqlite3.Error:
        return
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlite3.Error as e:
        if is_busy_error(e):
            raise busy_error(path) from None
    finally:
        conn.close()


def _unlink(p: str) -> None:
    try:
        os.unlink(p)
    except OSError:
        pass


def save_cluster(cluster: Cluster, path: str) -> None:
    """Write `cluster` (e.g. an in-memory one) as a new state file at `path`, atomically."""

    def fill(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA journal_mode=DELETE")
        store = Store(path, conn, track_tables=False)
        store._write(cluster, initial=True)

    _atomic_write(path, fill)


# ------------------------------------------------------------------ session

def _is_read_only(node: Any) -> bool:
    """Requests that never change state: queries and `.show` commands."""
    if type(node).__name__ == "Query":
        return True
    text = getattr(node, "text", None)
    return isinstance(text, str) and text.lstrip()[:6].lower() == ".show " and _is_command(node)


def _is_command(node: Any) -> bool:
    from kshell.syntax.ast import Command

    return isinstance(node, Command) and getattr(node, "verb", "show") == "show"


class StoredSession(Session):
    """A Session backed by a state file."""

    def __init__(self, cluster: Cluster, store: Store, *, now: dt.datetime | None = None, **options: Any):
        super().__init__(cluster, now=now, **options)
        self.store = store
        self._request_node: Any = None
        self.after_commit.append(_persist)
        self.after_rollback.append(_persist_failure_log)

    def run(self, node: Any) -> list:
        self._request_node = node
        try:
            return super().run(node)
        except KustoError:
            raise
        except BaseException as e:
            # Not a Kusto error: a state-changing handler may have stopped half-way,
            # so the memory state is not one the file may hold.  (A query or a
            # .show interrupted by Ctrl-C changed nothing.)
            if not _is_read_only(node):
                self.store.mark_broken(f"a request was interrupted ({type(e).__name__})")
            raise
        finally:
            self._request_node = None

    def sync(self) -> bool:
        """Write pending changes now (after a request or a directive changed state).

        If they cannot be written (disk full, I/O error, a read-only file, a value
        the file cannot hold), the request must not stay applied in memory, where
        the next successful write would save it: the session goes back to the
        state the file holds and the request fails."""
        try:
            return self.store.sync(self.cluster)
        except StateFileError as e:
            if self.store.closed or self.store._broken:
                raise
            self._revert(e)
            raise StateFileError(f"{e.message}; the request was not applied") from None

    def _revert(self, error: KustoError) -> None:
        try:
            cluster = self.store.reload()
        except KustoError as e:
            self.store.mark_broken(f"after a failed write ({error.message}) the file could not be read again ({e.message})")
            raise error from None
        self.cluster = cluster
        if cluster.database(self.database_name) is None:
            self.database_name = next(iter(cluster.databases.values())).name

    def close(self) -> None:
        """Write what is pending and release the file."""
        if self.store.closed:
            return
        try:
            if not self.store._broken and not self.store.read_only:
                self.store.sync(self.cluster)
        finally:
            self.store.close()


def _persist(session: Session) -> None:
    node = getattr(session, "_request_node", None)
    if node is not None and _is_read_only(node):
        return
    if isinstance(session, StoredSession):
        session.sync()


def _persist_failure_log(session: Session) -> None:
    """After a failed request: memory is unchanged, except what the service logs
    about failures (e.g. `.show ingestion failures`), which is written now.
    Never masks the request's own error: a write that fails is retried later."""
    store = getattr(session, "store", None)
    if store is None or store.closed or store._broken:
        return
    try:
        store.sync(session.cluster)
    except KustoError:
        pass


_OPEN_SESSIONS: list[StoredSession] = []


def open_session(path: str, now: dt.datetime | None = None, **session_options: Any) -> StoredSession:
    """Open or create the state file at `path` and a session over its cluster.

    `now` is the clock start of a new file; an existing file keeps its clock.
    Other keyword arguments go to Session (e.g. its options for the REPL).
    Raises StateFileError (a KustoError) naming the file when it cannot be used.
    """
    _require_regular_or_missing(path)  # before any read: a FIFO would block, a device be replaced
    store, cluster = Store.open(path, now)
    try:
        session = StoredSession(cluster, store, **session_options)
    except BaseException:
        store.close()
        raise
    if not _OPEN_SESSIONS:
        atexit.register(_close_all)
    _OPEN_SESSIONS.append(session)
    return session


def close_session(session: StoredSession) -> None:
    try:
        session.close()
    finally:
        if session in _OPEN_SESSIONS:
            _OPEN_SESSIONS.remove(session)


def _close_all() -> None:
    """At exit: write state changed outside requests (directives) and release files."""
    for s in list(_OPEN_SESSIONS):
        try:
            close_session(s)
        except KustoError:
            pass
