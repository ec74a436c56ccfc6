"""The command line, end to end: the real `python -m kshell` with a script on stdin."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT, _env, run_kshell, run_kshell_raw


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr


# --------------------------------------------------------------- basics

def test_help_directive_lists_the_directives():
    code, out, err = run_kshell("#help\n")
    assert code == 0, err
    for name in ("#help", "#quit", "#format", "#timing", "#db", "#dbcontext", "#types", "#echo", "#time"):
        assert name in out


def test_execute_help_as_csv():
    code, out, err = run_kshell("", "-e", "#help", "--format", "csv")
    assert code == 0, err
    rows = csv_rows(out)
    assert rows[0] == ["Directive", "Usage", "Description"]
    assert any(r[0].startswith("#format") for r in rows[1:])
    assert err == ""


def test_help_for_one_directive():
    code, out, _ = run_kshell("#help format\n", "--format", "csv")
    assert code == 0
    rows = csv_rows(out)
    assert len(rows) == 2 and rows[1][0] == "#format"


def test_version_and_help_options():
    code, out, _ = run_kshell_raw("", "--version")
    assert code == 0 and out.startswith("kshell ")
    code, out, _ = run_kshell_raw("", "--help")
    assert code == 0 and "--format" in out and "--keep-going" in out


@pytest.mark.parametrize(
    "args",
    [["--format", "xml"], ["--bogus"], ["--now", "not-a-date"], ["-f", "/nonexistent/script.kql"]],
)
def test_usage_errors_exit_2(args):
    code, out, err = run_kshell_raw("", *args)
    assert code == 2
    assert err.strip()
    no_traceback(err)


def test_empty_script_succeeds():
    assert run_kshell("")[0] == 0
    assert run_kshell("\n\n// only comments\n")[0] == 0


# --------------------------------------------------- failures and exit codes

FOUR_REQUESTS = (
    "#db\n"                      # line 1
    "\n"
    "#time\n"                    # line 3
    "\n"
    "// the third request fails\n"
    "#db NoSuchDatabase\n"       # line 6
    "\n"
    "#db NetDefaultDB\n"         # line 8
    "#time advance 1h\n"         # line 9
)


def test_third_request_fails_first_two_printed_exit_1():
    code, out, err = run_kshell(FOUR_REQUESTS, "--format", "csv")
    assert code == 1
    assert csv_rows(out) == [["DatabaseName"], ["NetDefaultDB"], ["Now"], ["2026-01-01T00:00:00Z"]]
    assert err.strip().splitlines() == [
        "Error (line 6): EntityNotFound: Database 'NoSuchDatabase' was not found",
        "(2 more requests not run)",  # the stopped script says what it skipped (issue 17)
    ]


def test_keep_going_runs_the_rest_and_still_exits_1():
    code, out, err = run_kshell(FOUR_REQUESTS, "--format", "csv", "--keep-going")
    assert code == 1
    assert csv_rows(out)[-2:] == [["Now"], ["2026-01-01T01:00:00Z"]]
    assert "Error (line 6)" in err


def test_syntax_error_names_the_line_within_the_script():
    script = "#db\n\n.show cluster\n  policy\n  nonsense_kind_x y\n"
    code, out, err = run_kshell(script)
    assert code == 1
    assert err.startswith("Error (line ")
    line = int(err.split("(line ")[1].split(")")[0])
    assert 3 <= line <= 5
    no_traceback(err)


def test_unknown_command_is_a_syntax_error():
    code, _, err = run_kshell(".nonsense\n")
    assert code == 1
    assert err.startswith("Error (line 1, column 2): SyntaxError: ")


def test_generic_policy_command_runs_through_the_pipeline():
    code, out, err = run_kshell(".show cluster policy managed_identity\n", "--format", "json")
    assert code == 0, err
    obj = json.loads(out)
    names = [c["name"] for c in obj["columns"]]
    assert names[:3] == ["PolicyName", "EntityName", "Policy"]


def test_unterminated_literal_at_end_is_an_error_naming_where_it_opened():
    script = "#db\n\nprint x = ```abc\n\nstill inside\n"
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 1
    assert "NetDefaultDB" in out  # the request before it ran
    assert "Error (line 3): SyntaxError: unterminated ``` literal opened at line 3" in err


def test_unknown_directive():
    code, _, err = run_kshell("#frobnicate\n")
    assert code == 1
    assert "Error (line 1): DirectiveError: unknown directive '#frobnicate'" in err


# ------------------------------------------------------------ input checks

def test_invalid_utf8_on_stdin_is_a_clear_error():
    code, out, err = run_kshell_raw(b"#db\n\xff\xfe print 1\n", "--now", "2026-01-01")
    assert code == 1
    assert "invalid UTF-8" in err and "line 2" in err
    no_traceback(err)


def test_binary_stdin_is_a_clear_error():
    code, _, err = run_kshell_raw(bytes(range(256)) * 4)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("kshell: stdin: line 1")
    no_traceback(err)


def test_nul_byte_is_refused():
    code, _, err = run_kshell_raw(b"print 'a\x00b'\n")
    assert code == 1 and "NUL byte" in err


def test_crlf_script_without_final_newline(tmp_path):
    script = tmp_path / "s.kql"
    script.write_bytes(b"#db\r\n\r\n#db NoSuchDb\r\n#time")
    code, out, err = run_kshell("", "-f", str(script), "--format", "csv", "--keep-going")
    assert code == 1
    assert "Error (line 3):" in err
    assert csv_rows(out)[-1] == ["2026-01-01T00:00:00Z"]


# ------------------------------------------------------------------ modes

def test_file_and_stdin_dash(tmp_path):
    script = tmp_path / "s.kql"
    script.write_text("#db\n", encoding="utf-8")
    code, out, _ = run_kshell("", "-f", str(script), "--format", "csv")
    assert code == 0 and out == "DatabaseName\nNetDefaultDB\n"
    code, out, _ = run_kshell("#db\n", "-f", "-", "--format", "csv")
    assert code == 0 and out == "DatabaseName\nNetDefaultDB\n"


def test_repeated_execute_runs_each_in_order_and_ignores_stdin():
    code, out, _ = run_kshell("#db NoSuchDb\n", "-e", "#time advance 2h", "-e", "#time", "--format", "csv")
    assert code == 0
    assert csv_rows(out) == [["Now"], ["2026-01-01T02:00:00Z"], ["Now"], ["2026-01-01T02:00:00Z"]]


def test_execute_stops_at_the_first_failing_text():
    code, out, err = run_kshell("", "-e", "#db Nope", "-e", "#time", "--format", "csv")
    assert code == 1 and out == "" and "Error (line 1)" in err


def test_quit_stops_the_script():
    code, out, _ = run_kshell("#db\n#quit\n#time\n", "--format", "csv")
    assert code == 0
    assert "Now" not in out and "NetDefaultDB" in out


def test_now_option_sets_the_clock():
    code, out, _ = run_kshell("#time\n", "--now", "2030-05-06 07:08:09", "--format", "csv")
    assert code == 0 and csv_rows(out)[1] == ["2030-05-06T07:08:09Z"]


def test_default_clock_is_the_current_time_in_whole_seconds():
    code, out, _ = run_kshell_raw("#time\n", "--format", "csv")
    assert code == 0
    value = csv_rows(out)[1][0]
    assert value.endswith("Z") and "." not in value


# --------------------------------------------------------- output streams

@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_data_formats_keep_notices_off_stdout(fmt):
    script = "#timing on\n#format\n#db\nprint x = 1\n\n#echo on\n#db\n"
    code, out, err = run_kshell(script, "--format", fmt)
    assert code == 0
    assert "format:" in err and "row" in err and "> #db" in err
    assert "format:" not in out and "ms)" not in out and ">" not in out
    if fmt == "json":
        objs = [json.loads(line) for line in out.splitlines()]
        db = {"columns": [{"name": "DatabaseName", "type": "string"}], "rows": [["NetDefaultDB"]]}
        assert objs == [db, {"columns": [{"name": "x", "type": "long"}], "rows": [[1]]}, db]


def test_echo_prints_each_request_before_its_result():
    code, out, _ = run_kshell("#db\n\n#time\n", "--echo")
    assert code == 0
    assert out.index("> #db") < out.index("NetDefaultDB") < out.index("> #time") < out.index("2026-01-01T00:00:00Z")


def test_format_directive_switches_format_midway():
    code, out, _ = run_kshell("#format csv\n#db\n#format json\n#db\n")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == ["DatabaseName", "NetDefaultDB"]
    assert json.loads(lines[2])["rows"] == [["NetDefaultDB"]]


def test_types_directive_shows_column_types():
    code, out, _ = run_kshell("#types on\n#time\n", "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "Now:datetime"


def test_bad_directive_arguments_are_directive_errors():
    script = "#format xml\n#timing maybe\n#time advance -1h\n#time advance soon\n#time set yesterday\n#time fly\n"
    code, out, err = run_kshell(script, "--keep-going")
    assert code == 1
    assert [l.split(":")[0] for l in err.splitlines()] == [f"Error (line {n})" for n in range(1, 7)]
    assert "never moves backwards" in err


# ------------------------------------------------------ robustness, imports

def _run_python(code: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], input=stdin.encode(), capture_output=True,
                          cwd=str(PROJECT_ROOT), env=_env(), timeout=60)


def test_script_mode_imports_no_prompt_toolkit_pygments_or_tabulate():
    code = (
        "import sys\n"
        "from kshell.cli import main\n"
        "rc = main(['--format', 'csv', '--now', '2026-01-01'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'prompt_toolkit', 'pygments', 'tabulate'})\n"
        "print('HEAVY', heavy, 'RC', rc, file=sys.stderr)\n"
    )
    proc = _run_python(code, "#help\n\n#db\n\n.show cluster policy managed_identity\n")
    assert "HEAVY [] RC 0" in proc.stderr.decode(), proc.stderr.decode()


def test_internal_error_is_one_line_exit_70():
    code = (
        "import sys\n"
        "import kshell.script as s\n"
        "def boom(state, text): raise ZeroDivisionError('division by zero')\n"
        "s.execute_request = boom\n"
        "from kshell.cli import main\n"
        "sys.exit(main(['--now', '2026-01-01']))\n"
    )
    proc = _run_python(code, "#db\n")
    assert proc.returncode == 70
    assert proc.stderr.decode() == "kshell: internal error: ZeroDivisionError: division by zero\n"


def test_state_file_is_created_and_reopened(tmp_path):
    path = tmp_path / "cluster.kshell"
    code, out, err = run_kshell("#db\n", str(path), "--format", "csv")
    assert code == 0, err
    assert out == "DatabaseName\nNetDefaultDB\n"
    assert path.exists()
    code, out, err = run_kshell("#time advance 1h\n", str(path), "--format", "csv")
    assert code == 0, err
    # a directive's change (here the clock) is in the file for the next run
    code, out, err = run_kshell("#time\n", str(path), "--format", "csv")
    assert code == 0, err
    assert csv_rows(out)[1] == ["2026-01-01T01:00:00Z"]


def test_a_file_that_is_not_a_state_file_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, not a cluster\n" * 50, encoding="utf-8")
    code, _, err = run_kshell("#db\n", str(path))
    assert code == 2
    assert err.startswith("kshell: ") and err.count("\n") == 1
    no_traceback(err)


def test_check_option_parses_without_executing(tmp_path):
    good = tmp_path / "good.kql"
    good.write_text(".drop table Missing\n\nprint 1\n", encoding="utf-8")
    bad = tmp_path / "bad.kql"
    bad.write_text("print 1\n\n.nonsense\n", encoding="utf-8")
    code, out, err = run_kshell("", "--check", str(good))
    assert code == 0, out + err  # .drop of a missing table parses: nothing is executed
    code, out, err = run_kshell("", "--check", str(good), str(bad))
    assert code == 1 and f"{bad}:3:" in out
    code, out, err = run_kshell("print 1\n", "--check")
    assert code == 0



# ------------------------------------------------- real commands end to end

ENGINE_SCRIPT = (
    ".create table T (a:int, b:string)\n"      # line 1
    "\n"
    ".ingest inline into table T <|\n"          # line 3
    "1,x\n"
    '2,"y, with (comma"\n'
    "\n"
    ".drop table Missing\n"                     # line 7: fails
    "\n"
    ".show tables\n"                            # line 9
)


def test_engine_script_stops_at_the_failing_third_request():
    code, out, err = run_kshell(ENGINE_SCRIPT, "--format", "json")
    assert code == 1
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 2  # the .create table and the .ingest results
    assert results[0]["rows"][0][0] == "T"
    assert err.splitlines()[1:] == ["(1 more request not run)"]
    assert err.startswith("Error (line 7): EntityNotFound: ") and "Missing" in err


def test_engine_script_keep_going_runs_the_fourth():
    code, out, err = run_kshell(ENGINE_SCRIPT, "--format", "json", "--keep-going")
    assert code == 1
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 3
    last = results[-1]
    names = [c["name"] for c in last["columns"]]
    assert last["rows"][0][names.index("TableName")] == "T"
    assert "Error (line 7)" in err


QUERY_SCRIPT = (
    "print a = 1\n"            # line 1
    "\n"
    "print b = 'two'\n"        # line 3
    "\n"
    "print c = 1 +\n"          # line 5: the query fails on its second line
    "  no_such_column\n"
    "\n"
    "print d = 4\n"            # line 8
)


def test_third_query_fails_with_its_line_first_two_printed():
    code, out, err = run_kshell(QUERY_SCRIPT, "--format", "csv")
    assert code == 1
    assert csv_rows(out) == [["a"], ["1"], ["b"], ["two"]]
    assert err.splitlines()[1:] == ["(1 more request not run)"]
    # the offending token: `no_such_column`, on the request's second line, after two spaces
    assert err.startswith("Error (line 6, column 3): SemanticError: ")


def test_third_query_fails_keep_going_prints_the_fourth():
    code, out, err = run_kshell(QUERY_SCRIPT, "--format", "csv", "--keep-going")
    assert code == 1
    assert csv_rows(out) == [["a"], ["1"], ["b"], ["two"], ["d"], ["4"]]


def test_query_values_print_as_kusto_prints_them():
    script = (
        "print d = datetime(2026-01-01 10:00:00.5), t = 1h, t2 = -90s, r = 2.0, r2 = 1.5, b = true, "
        "g = guid(7A1D9D3E-0000-4000-8000-00000000ABCD), dyn = dynamic({\"a\":[1,2]}), n = int(null)\n"
    )
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 0, err
    assert csv_rows(out)[1] == [
        "2026-01-01T10:00:00.5Z", "01:00:00", "-00:01:30", "2", "1.5", "true",
        "7a1d9d3e-0000-4000-8000-00000000abcd", '{"a":[1,2]}', "",
    ]
    code, out, err = run_kshell(script, "--format", "json")
    obj = json.loads(out)
    assert [c["type"] for c in obj["columns"]] == [
        "datetime", "timespan", "timespan", "real", "real", "bool", "guid", "dynamic", "int"]
    assert obj["rows"][0][7] == {"a": [1, 2]} and obj["rows"][0][8] is None


def test_now_is_the_simulated_clock_in_queries():
    code, out, _ = run_kshell("#time advance 1d\nprint now()\n", "--format", "csv")
    # `#time advance` prints the new time first, then the query sees it
    assert code == 0 and csv_rows(out)[-1] == ["2026-01-02T00:00:00Z"]


def test_show_version_through_the_cli():
    code, out, err = run_kshell(".show version\n", "--format", "json")
    assert code == 0, err
    obj = json.loads(out)
    assert [c["name"] for c in obj["columns"]][:2] == ["BuildVersion", "BuildTime"]


def test_storage_option_is_accepted(tmp_path):
    code, out, err = run_kshell("#db\n", "--storage", str(tmp_path), "--format", "csv")
    assert code == 0, err
    assert out == "DatabaseName\nNetDefaultDB\n"


def test_storage_option_backs_the_storage_accounts(tmp_path):
    (tmp_path / "acct" / "c").mkdir(parents=True)
    (tmp_path / "acct" / "c" / "f.csv").write_text("1,x\n2,y\n", encoding="utf-8")
    script = (
        ".create table T (a:int, b:string)\n"
        ".ingest into table T (h'https://acct.blob.core.windows.net/c/f.csv?sv=1&sig=x')\n"
        "\n"
        "T | count\n"
    )
    code, out, err = run_kshell(script, "--storage", str(tmp_path), "--format", "csv")
    assert code == 0, err
    assert csv_rows(out)[-2:] == [["Count"], ["2"]]


def test_vertical_and_markdown_formats_end_to_end():
    code, out, _ = run_kshell("print a = 1, b = 'x|y'\n", "--format", "vertical")
    assert code == 0 and "RECORD 1" in out and "| x|y" in out
    code, out, _ = run_kshell("print a = 1, b = 'x|y'\n", "--format", "markdown")
    assert code == 0 and out.splitlines()[0].startswith("|") and "x\\|y" in out


@pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a pseudo-terminal")
def test_a_terminal_on_stdin_starts_the_interactive_shell(tmp_path):
    import os
    import re
    import select
    import time

    master, slave = os.openpty()
    env = {**_env(), "TERM": "xterm", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "kshell", "--now", "2026-01-01"], stdin=slave, stdout=slave,
                            stderr=slave, cwd=str(PROJECT_ROOT), env=env)
    os.close(slave)
    seen = b""

    def read_until(pattern: bytes, timeout: float = 30) -> bool:
        nonlocal seen
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pattern in re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]", b"", seen):
                return True
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    return False
        return False

    try:
        assert read_until(b"NetDefaultDB"), seen[-500:]
        os.write(master, b"print answer = 41 + 1\r\r")  # block mode: Enter on the empty line runs
        assert read_until(b"answer"), seen[-500:]
        assert read_until(b"42"), seen[-500:]
        os.write(master, b"#quit\r")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
