"""#save and #open, state-file behaviour through the real command line, directive persistence."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from kshell.store import close_session, open_session

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

CREATE = ".create table T (a:long, b:string)\n\n.ingest inline into table T <|\n1,one\n2,two\n"


def table_rows(path, name="T", db="NetDefaultDB"):
    s = open_session(str(path))
    try:
        t = s.get_database(db).tables.get(name)
        return None if t is None else [list(r) for r in zip(*t.data)]
    finally:
        close_session(s)


def test_save_writes_an_in_memory_cluster_as_a_state_file(tmp_path, run_kshell):
    target = tmp_path / "saved.kshell"
    code, out, err = run_kshell(CREATE + f"\n#save {target}\n")
    assert code == 0, err
    assert "Saved" in out
    assert table_rows(target) == [[1, "one"], [2, "two"]]
    assert sorted(os.listdir(tmp_path)) == ["saved.kshell"]  # no temporary file left behind


def test_save_replaces_an_existing_state_file_whole(tmp_path, run_kshell):
    target = tmp_path / "saved.kshell"
    code, out, err = run_kshell(".create table Old (x: long)\n\n" + CREATE + "\n.ingest inline into table T <| 9,nine\n"
                                + f"\n#save '{target}'\n")
    assert code == 0, err
    code, out, err = run_kshell(CREATE + f"\n#save '{target}'\n")
    assert code == 0, err
    assert table_rows(target) == [[1, "one"], [2, "two"]]
    assert table_rows(target, "Old") is None


def test_save_refuses_to_replace_a_file_that_is_not_a_state_file(tmp_path, run_kshell):
    target = tmp_path / "notes.txt"
    target.write_text("old content that is not a state file\n")
    code, out, err = run_kshell(CREATE + f"\n#save '{target}'\n")
    assert code == 1
    assert "is not a kshell state file: #save does not overwrite it" in err
    assert target.read_text() == "old content that is not a state file\n"


def test_save_copies_an_open_state_file_and_keeps_working_on_the_original(tmp_path, run_kshell):
    main, copy = tmp_path / "main.kshell", tmp_path / "copy.kshell"
    code, out, err = run_kshell(CREATE + f"\n#save {copy}\n\n.ingest inline into table T <|\n3,three\n", str(main))
    assert code == 0, err
    assert table_rows(copy) == [[1, "one"], [2, "two"]]
    assert table_rows(main) == [[1, "one"], [2, "two"], [3, "three"]]
    # Saving onto the open file itself just writes it.
    code, out, err = run_kshell(f"#save {main}\n", str(main))
    assert code == 0, err
    assert table_rows(main) == [[1, "one"], [2, "two"], [3, "three"]]


def test_save_into_a_missing_directory_fails_cleanly(tmp_path, run_kshell):
    code, out, err = run_kshell(f"#save {tmp_path / 'no' / 'x.kshell'}\n")
    assert code == 1
    assert "does not exist" in err and "Traceback" not in err


def test_save_and_open_need_a_path(run_kshell):
    for d in ("#save", "#open"):
        code, out, err = run_kshell(d + "\n")
        assert code == 1
        assert "usage" in err.lower()


def test_open_switches_the_session_to_another_state_file(tmp_path, run_kshell):
    first, second = tmp_path / "first.kshell", tmp_path / "second.kshell"
    script = (CREATE + f"\n#open {second}\n\n.create table Other (x:long)\n\n"
              ".ingest inline into table Other <|\n42\n")
    code, out, err = run_kshell(script, str(first))
    assert code == 0, err
    assert table_rows(first) == [[1, "one"], [2, "two"]]
    assert table_rows(first, "Other") is None
    assert table_rows(second, "Other") == [[42]]
    assert table_rows(second) is None


def test_open_from_memory_and_back(tmp_path, run_kshell):
    a = tmp_path / "a.kshell"
    code, out, err = run_kshell(CREATE + f"\n#save {a}\n\n#open {a}\n\n.ingest inline into table T <|\n3,three\n")
    assert code == 0, err
    assert table_rows(a) == [[1, "one"], [2, "two"], [3, "three"]]


def test_open_of_a_bad_file_keeps_the_current_session(tmp_path, run_kshell):
    good, bad = tmp_path / "good.kshell", tmp_path / "bad.txt"
    bad.write_text("not a state file\n")
    script = CREATE + f"\n#open {bad}\n\n.ingest inline into table T <|\n3,three\n"
    code, out, err = run_kshell(script, str(good), "--keep-going")
    assert code == 1
    assert "not a kshell state file" in err and str(bad) in err
    assert bad.read_text() == "not a state file\n"
    assert table_rows(good) == [[1, "one"], [2, "two"], [3, "three"]]


def test_a_failed_request_writes_nothing(tmp_path, run_kshell):
    p = tmp_path / "f.kshell"
    code, out, err = run_kshell(CREATE, str(p))
    assert code == 0, err
    before = table_rows(p)
    code, out, err = run_kshell(".ingest inline into table Missing <|\n1\n\n.create table T (x:long, x:long)\n",
                                str(p), "--keep-going")
    assert code == 1
    assert table_rows(p) == before


def test_directive_changes_are_written_at_once(tmp_path):
    # The child moves the clock with #time and dies without any exit handling:
    # the directive itself must have been written.
    p = tmp_path / "clock.kshell"
    s = open_session(str(p), now=NOW)
    close_session(s)
    child = textwrap.dedent(f"""
        import os
        from kshell.directives import ShellState, run_directive
        from kshell.store import open_session
        state = ShellState(session=open_session({str(p)!r}))
        run_directive(state, "#time advance 2h")
        os._exit(0)
    """)
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    r = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    s = open_session(str(p))
    assert s.now() == NOW + dt.timedelta(hours=2)
    close_session(s)


def test_the_clock_and_state_survive_across_command_line_runs(tmp_path, run_kshell):
    p = tmp_path / "c.kshell"
    code, out, err = run_kshell(CREATE + "\n#time advance 1d\n", str(p), "--now", "2025-06-01")
    assert code == 0, err
    code, out, err = run_kshell("#time\n", str(p), "--now", "2030-01-01")
    assert code == 0, err
    assert "2025-06-02" in out
    assert table_rows(p) == [[1, "one"], [2, "two"]]


def test_save_refuses_to_replace_a_file_another_process_uses(tmp_path, run_kshell):
    held = tmp_path / "held.kshell"
    s = open_session(str(held), now=NOW)  # this process holds it
    try:
        code, out, err = run_kshell(CREATE + f"\n#save {held}\n")
        assert code == 1
        assert "busy" in err
    finally:
        close_session(s)
    assert table_rows(held) is None  # still the holder's (empty) cluster


def test_save_over_a_crashed_file_drops_its_old_journal(tmp_path, run_kshell):
    target = tmp_path / "t.kshell"
    (tmp_path / "t.kshell-wal").write_bytes(b"stale write-ahead log of the old content")
    target.write_bytes(b"")
    code, out, err = run_kshell(CREATE + f"\n#save {target}\n")
    assert code == 0, err
    assert not (tmp_path / "t.kshell-wal").exists()
    assert table_rows(target) == [[1, "one"], [2, "two"]]


def test_save_copies_rows_that_were_never_loaded_without_loading_them(tmp_path):
    from kshell.directives import ShellState, run_directive
    from kshell.engine.cluster import Column, Extent, Table, derived_id

    src, copy = tmp_path / "src.kshell", tmp_path / "copy.kshell"
    s = open_session(str(src), now=NOW)
    t = Table("Big", [Column("n", "long")])
    t.data = [list(range(50_000))]
    t.extents.append(Extent(derived_id("big"), 0, 50_000, NOW))
    s.database.tables["Big"] = t
    s.sync()
    close_session(s)

    s = open_session(str(src))
    state = ShellState(session=s)
    assert "Saved" in run_directive(state, f"#save {copy}")
    assert s.store.tables_loaded == 0
    close_session(s)
    c = open_session(str(copy))
    assert list(c.database.tables["Big"].data[0]) == list(range(50_000))
    close_session(c)
