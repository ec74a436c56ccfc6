"""The README's tour and examples still work as written."""

from __future__ import annotations

import re
import shlex

from conftest import PROJECT_ROOT, run_kshell_raw

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks() -> list[str]:
    return re.findall(r"^```\n(.*?)^```$", README, flags=re.S | re.M)


def test_set_up_section_has_exactly_the_two_commands():
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = [l.strip() for l in setup.splitlines() if l.startswith("    ")]
    venv = "python3 -m venv .venv && . .venv/bin/activate && "  # works where pip refuses the system Python
    assert commands == [
        venv + "python3 -m pip install '.[charts]' && kshell",
        venv + "python3 -m pip install '.[test]' && python3 -m pytest -q",
    ]


def test_ci_runs_the_readme_test_command():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ("python3 -m venv .venv && . .venv/bin/activate && python3 -m pip install '.[test]' && "
            "python3 -m pytest -q") in ci
    assert "venv" in ci


def test_tour_script_runs_as_described(tmp_path):
    tour = next(b for b in code_blocks() if b.startswith(".create table Events"))
    path = tmp_path / "tour.kql"
    path.write_text(tour, encoding="utf-8")
    command = next(l for l in README.splitlines() if l.startswith("$ kshell --now") and "tour.kql" in l)
    args = [str(path) if a == "tour.kql" else a for a in shlex.split(command)[2:]]
    code, out, err = run_kshell_raw("", *args)
    assert code == 1  # the refused .drop
    quoted = re.search(r"`(Error \(line \d+\): Forbidden: [^`]*)`", README).group(1)
    assert err.strip() == quoted
    assert "| bob    | 00:05:00 |" in out
    assert "ManagedIdentityPolicy" in out and "NativeIngestion" in out
    assert "2026-01-01T01:10:00Z" in out


def test_execute_example_output_is_exact():
    block = next(b for b in code_blocks() if b.startswith("$ kshell -e 'print"))
    first, *expected = block.splitlines()[:3]
    code, out, err = run_kshell_raw("", *shlex.split(first)[2:])
    assert code == 0, err
    assert out.splitlines() == expected


def test_state_file_example(tmp_path):
    block = next(b for b in code_blocks() if "my-cluster.kshell" in b)
    outs = []
    for line in block.splitlines():
        args = [str(tmp_path / a) if a == "my-cluster.kshell" else a for a in shlex.split(line)[2:]]
        code, out, err = run_kshell_raw("", *args)
        assert code == 0, err
        outs.append(out)
    assert outs[-1].splitlines()[1].startswith("T,")


def test_continuous_export_example(tmp_path):
    block = next(b for b in code_blocks() if b.startswith(".create table T (Timestamp"))
    (tmp_path / "export.kql").write_text(block, encoding="utf-8")
    command = next(l for l in README.splitlines() if l.startswith("$ kshell") and "export.kql" in l)
    args = []
    for a in shlex.split(command)[2:]:
        args.append(str(tmp_path / a) if a in ("export.kql", "exports-dir") else a)
    code, out, err = run_kshell_raw("", *args)
    assert code == 0, err
    runs = [line for line in out.splitlines() if line.startswith("MyExport,NetDefaultDB,")]
    assert len(runs) == 2
    assert ",Failed," in runs[0] and "lacks Storage Blob Data Contributor on storage account 'acct'" in runs[0]
    assert ",Completed," in runs[1]
    files = list((tmp_path / "exports-dir" / "acct" / "exports").glob("MyExport_*.csv"))
    assert len(files) == 1


def test_readme_links_point_to_existing_pages():
    for target in re.findall(r"\]\((docs/[^)]+)\)", README):
        assert (PROJECT_ROOT / target).is_file(), target
