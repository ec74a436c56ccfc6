"""State files are data, never code; a request the file cannot take is not kept in
memory; a read-only file gives a clear answer (issue 14, state-file routes)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kshell.directives import ShellState
from kshell.script import execute_request
from kshell.store import StateFileError, close_session, open_session

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def make_file(path: Path) -> None:
    s = open_session(str(path), now=NOW)
    s.execute(".create table T (a:long)")
    close_session(s)


def plant(path: Path, value: object, key: tuple = ("c", "extras", "planted")) -> None:
    """Put a crafted record into the file, as an attacker editing it would."""
    with sqlite3.connect(path) as c:
        keys_key = json.dumps(list(key[:-1]), separators=(",", ":"))
        row = c.execute("SELECT doc FROM kshell_parts WHERE key=?", (keys_key,)).fetchone()
        keys = json.loads(row[0])["$keys"] if row else []
        c.execute("INSERT OR REPLACE INTO kshell_parts(key, doc) VALUES (?, ?)",
                  (keys_key, json.dumps({"$keys": keys + [key[-1]]})))
        c.execute("INSERT OR REPLACE INTO kshell_parts(key, doc) VALUES (?, ?)",
                  (json.dumps(list(key), separators=(",", ":")), json.dumps(value)))
    c.close()


CRAFTED = [
    {"$dc": "kshell.__main__:main", "f": {}},          # would re-run the command line
    {"$nt": "kshell.__main__:X", "v": []},
    {"$dc": "kshell.cli:main", "f": {}},               # outside the engine
    {"$dc": "os:system", "f": {}},
    {"$dc": "kshell.engine.cluster:dt.datetime", "f": {}},  # through a module attribute
    {"$dc": "kshell.engine.session:Session", "f": {}},      # an engine class that is not a record
    {"$obj": "kshell.engine.session:Session", "d": {}},
    {"$enum": "kshell.engine._private:E", "v": 1},
    {"$dc": "kshell.engine.nonexistent:X", "f": {}},
]


@pytest.mark.parametrize("record", CRAFTED, ids=lambda r: next(iter(r.values())))
def test_a_crafted_record_is_refused_without_importing_or_building_it(tmp_path, record):
    path = tmp_path / "crafted.kshell"
    make_file(path)
    plant(path, record)
    before = path.read_bytes()
    # In a child process, so that what was imported can be checked.
    probe = (
        "import sys\n"
        "from kshell.store import open_session, StateFileError\n"
        "try:\n"
        f"    open_session({str(path)!r})\n"
        "except StateFileError as e:\n"
        "    print('refused:', e.message)\n"
        "print('main imported' if 'kshell.__main__' in sys.modules else 'main not imported')\n"
        "print('cli imported' if 'kshell.cli' in sys.modules else 'cli not imported')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT_ROOT,
                         env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "refused:" in out.stdout and "damaged" in out.stdout, out.stdout
    assert "main not imported" in out.stdout and "cli not imported" in out.stdout, out.stdout
    assert path.read_bytes() == before


def test_the_command_line_refuses_a_file_naming_kshell_main_and_runs_nothing_twice(tmp_path, run_kshell):
    path = tmp_path / "main.kshell"
    make_file(path)
    plant(path, {"$dc": "kshell.__main__:main", "f": {}})
    code, out, err = run_kshell("print 'ran'\n", str(path))
    assert code == 2 and "damaged" in err and out.count("ran") == 0, (code, out, err)


def test_a_request_whose_write_fails_is_not_kept_in_memory_nor_saved_later(tmp_path):
    path = tmp_path / "full.kshell"
    state = ShellState(session=open_session(str(path), now=NOW))
    execute_request(state, ".create table T (a:long, s:string)")
    store = state.session.store
    # A disk that is full: SQLite may not grow the file any more.
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count={pages + 2}")
    big = "\n".join(f"{i},{i}{'x' * 200}" for i in range(3000))  # distinct: no dictionary form
    with pytest.raises(StateFileError, match="not applied"):
        execute_request(state, f".ingest inline into table T <|\n{big}")
    # Memory is back at what the file holds.
    assert state.session.database.tables["T"].row_count == 0
    out = execute_request(state, "T | count")
    assert out[0].rows == [[0]]
    # A later request that fits does not carry the failed one with it.
    store._conn.execute("PRAGMA max_page_count=1073741823")
    execute_request(state, ".ingest inline into table T <| 1,small")
    execute_request(state, ".create table U (a:long)")
    close_session(state.session)
    s = open_session(str(path))
    assert s.database.tables["T"].row_count == 1 and set(s.database.tables) == {"T", "U"}
    close_session(s)


def test_a_read_only_state_file_opens_for_queries_and_refuses_changes_clearly(tmp_path, monkeypatch):
    path = tmp_path / "ro.kshell"
    s = open_session(str(path), now=NOW)
    s.execute(".create table T (a:long)")
    s.execute(".ingest inline into table T <| 1")
    close_session(s)
    before = path.read_bytes()
    # (The suite may run as root, for whom permission bits do not apply: ask the
    # one function that decides.)
    import kshell.store as store_module

    monkeypatch.setattr(store_module, "is_writable", lambda p: False)
    state = ShellState(session=open_session(str(path)))
    assert execute_request(state, "T | count")[0].rows == [[1]]
    assert execute_request(state, "T | summarize sum(a)")[0].rows == [[1]]  # a column read from the file
    with pytest.raises(StateFileError, match="read-only.*not applied"):
        execute_request(state, ".create table U (a:long)")
    assert set(state.session.database.tables) == {"T"}
    assert execute_request(state, "T | count")[0].rows == [[1]]
    close_session(state.session)
    assert path.read_bytes() == before
