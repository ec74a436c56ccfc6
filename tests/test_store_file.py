"""Opening state files: refusals that name the file and leave it byte-identical, and locking."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kshell.engine.cluster import Column, Extent, Table, derived_id
from kshell.errors import KustoError
from kshell.store import StateFileError, close_session, open_session

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def make_state_file(path: Path, rows: int = 5000) -> None:
    s = open_session(str(path), now=NOW)
    t = Table("T", [Column("a", "long"), Column("b", "string")])
    t.data = [list(range(rows)), [f"row {i}" for i in range(rows)]]
    t.extents.append(Extent(derived_id("x"), 0, rows, NOW))
    s.database.tables["T"] = t
    s.sync()
    close_session(s)


def assert_refused(path: Path, *words: str) -> StateFileError:
    before = path.read_bytes()
    with pytest.raises(StateFileError) as info:
        open_session(str(path))
    message = str(info.value)
    assert str(path) in message
    for w in words:
        assert w in message, message
    assert isinstance(info.value, KustoError)
    assert path.read_bytes() == before
    assert sorted(os.listdir(path.parent)) == [path.name]  # no journal or lock file left behind
    return info.value


def test_a_file_written_by_a_newer_kshell_is_refused(tmp_path):
    p = tmp_path / "newer.kshell"
    make_state_file(p)
    with sqlite3.connect(p) as c:
        c.execute("PRAGMA user_version=99")
    c.close()
    assert_refused(p, "newer kshell", "99")


def test_an_sqlite_file_of_another_application_is_refused(tmp_path):
    p = tmp_path / "other.db"
    c = sqlite3.connect(p)
    c.execute("CREATE TABLE customers(id INTEGER, name TEXT)")
    c.execute("INSERT INTO customers VALUES (1, 'x')")
    c.commit()
    c.close()
    assert_refused(p, "not a kshell state file")


def test_an_sqlite_file_claiming_to_be_ours_without_our_tables_is_refused(tmp_path):
    p = tmp_path / "fake.kshell"
    c = sqlite3.connect(p)
    c.execute("PRAGMA application_id=1263749196")  # our id, but nothing else of ours
    c.execute("PRAGMA user_version=1")
    c.execute("CREATE TABLE something(x)")
    c.commit()
    c.close()
    assert_refused(p, "not a kshell state file")


@pytest.mark.parametrize("keep", [0.5, 0.9, 100, 40, 10])
def test_a_truncated_file_is_refused(tmp_path, keep):
    p = tmp_path / "cut.kshell"
    make_state_file(p)
    data = p.read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else keep
    p.write_bytes(data[:n])
    assert_refused(p, "damaged")


@pytest.mark.parametrize("content", [b"hello, I am a text file\n", b".create table T (a:long)\n" * 100,
                                     "\u00e9t\u00e9".encode() * 40])
def test_a_text_file_is_refused(tmp_path, content):
    p = tmp_path / "notes.txt"
    p.write_bytes(content)
    assert_refused(p, "not a kshell state file")


def test_damaged_metadata_is_refused(tmp_path):
    p = tmp_path / "meta.kshell"
    make_state_file(p)
    with sqlite3.connect(p) as c:
        c.execute("""UPDATE kshell_parts SET doc='{not json' WHERE key='["c","now"]'""")
    c.close()
    assert_refused(p, "damaged")


def test_a_missing_cluster_part_is_refused(tmp_path):
    p = tmp_path / "meta.kshell"
    make_state_file(p)
    with sqlite3.connect(p) as c:
        c.execute("""DELETE FROM kshell_parts WHERE key='["c"]'""")
    c.close()
    assert_refused(p, "damaged")


def test_a_directory_is_refused(tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    with pytest.raises(StateFileError, match="directory"):
        open_session(str(d))


def test_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(StateFileError, match="does not exist"):
        open_session(str(tmp_path / "nope" / "x.kshell"))
    assert not (tmp_path / "nope").exists()


def test_an_empty_file_becomes_a_new_state_file(tmp_path):
    p = tmp_path / "empty.kshell"
    p.write_bytes(b"")
    s = open_session(str(p), now=NOW)
    close_session(s)
    s = open_session(str(p))
    assert s.now() == NOW
    close_session(s)


def test_the_clock_start_applies_only_to_a_new_file(tmp_path):
    p = tmp_path / "clock.kshell"
    s = open_session(str(p), now=NOW)
    close_session(s)
    s = open_session(str(p), now=NOW + dt.timedelta(days=3))
    assert s.now() == NOW
    close_session(s)


def test_the_cli_reports_a_refused_file_and_leaves_it_alone(tmp_path, run_kshell):
    p = tmp_path / "text.txt"
    p.write_bytes(b"just text\n")
    code, out, err = run_kshell("print 1\n", str(p))
    assert code == 2
    assert str(p) in err and "not a kshell state file" in err
    assert "Traceback" not in err
    assert p.read_bytes() == b"just text\n"


HOLDER = textwrap.dedent("""
    import sys, time
    from kshell.store import open_session
    s = open_session(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()
""")


def test_a_second_process_is_refused_while_the_first_holds_the_file(tmp_path):
    p = tmp_path / "shared.kshell"
    make_state_file(p)
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(p)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StateFileError, match="busy"):
            open_session(str(p))
        code = subprocess.run([sys.executable, "-m", "kshell", str(p), "-e", "print 1"], capture_output=True,
                              text=True, env=env, timeout=60)
        assert code.returncode == 2
        assert "busy" in code.stderr and str(p) in code.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    # Once the holder is gone the file opens, intact.
    s = open_session(str(p))
    assert s.database.tables["T"].row_count == 5000
    close_session(s)


def test_corrupted_pages_give_a_clean_error_never_a_crash(tmp_path):
    import random

    from kshell.errors import KustoError

    base = tmp_path / "base.kshell"
    make_state_file(base, rows=60_000)
    data = base.read_bytes()
    rng = random.Random(7)
    outcomes = set()
    for attempt in range(12):
        p = tmp_path / f"bad{attempt}.kshell"
        damaged = bytearray(data)
        start = rng.randrange(4096, len(data) - 4096)
        for i in range(start, start + 2048):
            damaged[i] = rng.randrange(256)
        p.write_bytes(bytes(damaged))
        try:
            s = open_session(str(p))
        except KustoError as e:
            outcomes.add("refused")
            assert str(p) in str(e)
            continue
        try:
            s.database.tables["T"].data  # the rows may be where the damage is
            outcomes.add("read")
        except KustoError as e:
            assert "damaged" in str(e) or "cannot" in str(e), str(e)
            outcomes.add("rows refused")
            with pytest.raises(KustoError):  # and again on the next use
                s.database.tables["T"].data
        finally:
            s.store.close()
    assert outcomes


def test_a_device_or_fifo_is_refused_and_left_alone(tmp_path):
    """`kshell /dev/null` once renamed a new state file over the device."""
    import os
    import stat

    from conftest import run_kshell

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in ("/dev/null", str(fifo)):
        before = os.stat(path).st_mode
        code, out, err = run_kshell("", path, "-e", ".show databases", timeout=20)
        assert code == 2
        assert "is not a regular file" in err
        assert os.stat(path).st_mode == before
    code, out, err = run_kshell("#save /dev/null\n")
    assert code == 1 and "is not a regular file" in err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
