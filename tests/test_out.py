"""`#out FILE [FORMAT]` in script mode: each format written, read back and compared."""

from __future__ import annotations

import csv
import importlib.util
import json

import pytest

from conftest import run_kshell

QUERY = 'datatable(Name:string, Count:long, When:datetime, Note:string)[' \
        '"a", 1, datetime(2026-01-01), "x,y", "b", 2, datetime(2026-01-02 03:04:05), "line\\nbreak"]'
ROWS = [["a", "1", "2026-01-01T00:00:00Z", "x,y"], ["b", "2", "2026-01-02T03:04:05Z", "line\nbreak"]]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_out_delimited_reads_back(tmp_path, fmt):
    path = tmp_path / f"r.{fmt}"
    code, out, err = run_kshell(f"#out {path}\n{QUERY}\n")
    assert code == 0, err
    assert "2 rows written to" in out and fmt in out
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="," if fmt == "csv" else "\t"))
    assert rows == [["Name", "Count", "When", "Note"]] + ROWS
    assert "| a " in out  # the result is still shown


def test_out_json_and_jsonl_read_back(tmp_path):
    j, jl = tmp_path / "r.json", tmp_path / "r.out"
    code, out, err = run_kshell(f"#out {j}\n{QUERY}\n\n#out {jl} jsonl\n{QUERY}\n")
    assert code == 0, err
    obj = json.loads(j.read_text())
    assert [c["name"] for c in obj["columns"]] == ["Name", "Count", "When", "Note"]
    assert obj["rows"][1] == ["b", 2, "2026-01-02T03:04:05Z", "line\nbreak"]
    lines = [json.loads(line) for line in jl.read_text().splitlines()]
    assert lines == [{"Name": "a", "Count": 1, "When": "2026-01-01T00:00:00Z", "Note": "x,y"},
                     {"Name": "b", "Count": 2, "When": "2026-01-02T03:04:05Z", "Note": "line\nbreak"}]


def test_out_markdown_and_out_last(tmp_path):
    md = tmp_path / "r.md"
    code, out, err = run_kshell(f"{QUERY}\n\n#out last {md}\n")
    assert code == 0, err
    text = md.read_text()
    assert text.splitlines()[0].replace(" ", "") == "|Name|Count|When|Note|"
    assert "line<br>break" in text and "x,y" in text
    assert "2 rows written to" in out


def test_out_only_takes_the_next_result_and_refuses_bad_formats(tmp_path):
    path = tmp_path / "one.csv"
    code, out, err = run_kshell(f"#out {path}\nprint a = 1\n\nprint b = 2\n")
    assert code == 0
    assert path.read_text() == "a\n1\n"
    code, _, err = run_kshell(f"#out {tmp_path / 'x.xlsx'}\n")
    assert code == 1 and "say the format" in err
    code, _, err = run_kshell(f"#out {tmp_path / 'x'} yaml\n")
    assert code == 1 and "unknown format 'yaml'" in err
    code, _, err = run_kshell(f"#out last {tmp_path / 'x.csv'}\n")
    assert code == 1 and "no result yet" in err


def test_out_parquet_needs_pyarrow(tmp_path):
    path = tmp_path / "r.parquet"
    code, out, err = run_kshell(f"#out {path}\n{QUERY}\n")
    if importlib.util.find_spec("pyarrow") is None:
        assert code == 1 and "pyarrow" in err and not path.exists()
        return
    import pyarrow.parquet as pq

    assert code == 0, err
    table = pq.read_table(path)
    assert table.column_names == ["Name", "Count", "When", "Note"]
    assert table.column("Count").to_pylist() == [1, 2]


def test_clip_copies_with_a_clipboard_program_and_refuses_without(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    target = tmp_path / "clipboard.txt"
    tool = fake / "xclip"
    tool.write_text(f"#!/bin/sh\ncat > {target}\n")
    tool.chmod(0o755)
    import os
    import subprocess
    import sys

    from conftest import PROJECT_ROOT, _env

    env = _env()
    env["PATH"] = f"{fake}:/usr/bin:/bin"
    proc = subprocess.run([sys.executable, "-m", "kshell", "-e", "print a = 1, b = 'x'", "-e", "#clip"],
                          capture_output=True, text=True, env=env, cwd=str(PROJECT_ROOT), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "1 row copied to the clipboard" in proc.stdout
    assert target.read_text() == "a\tb\n1\tx\n"
    env["PATH"] = str(tmp_path / "empty")
    proc = subprocess.run([sys.executable, "-m", "kshell", "-e", "print a = 1", "-e", "#clip"],
                          capture_output=True, text=True, env=env, cwd=str(PROJECT_ROOT), timeout=60)
    assert proc.returncode == 1 and "no clipboard program found" in proc.stderr
    assert os.path.exists(target)
