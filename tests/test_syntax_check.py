"""`kshell --check`: parse only, errors as FILE:LINE:COL, summary, exit status."""

from __future__ import annotations

SCRIPT = """// a script with two syntax errors
#db NetDefaultDB
.create table T (a:long, b:string)

T
| where a > 1
| projet b

.show tables

  print x = (1 +
    2 ]
.show version
"""


def test_check_reports_every_error_with_file_line_and_column(tmp_path, run_kshell):
    path = tmp_path / "two-errors.kql"
    path.write_text(SCRIPT, encoding="utf-8")
    code, out, err = run_kshell("", "--check", str(path))
    lines = out.splitlines()
    assert lines == [
        f"{path}:7:3: expected a query operator (where, project, extend, summarize, ...) after '|', found 'projet' (did you mean 'project'?)",
        f"{path}:12:7: expected ')' to close the parenthesis, found ']'",
        "5 requests, 2 syntax errors",
    ]
    assert code == 1


def test_check_reads_stdin_and_executes_nothing(run_kshell):
    code, out, err = run_kshell(".drop database NetDefaultDB\n\nprint 1\n| extend", "--check")
    assert out.splitlines() == ["<stdin>:4:9: expected an expression, found end of input",
                                "2 requests, 1 syntax error"]
    assert code == 1
    # a clean input exits 0 and nothing ran (the .drop would have failed or printed a table)
    code, out, err = run_kshell(".drop database NetDefaultDB\n\nprint 1", "--check")
    assert (code, out.strip()) == (0, "2 requests, 0 syntax errors")


def test_check_several_files_and_unterminated_literal(tmp_path, run_kshell):
    good = tmp_path / "good.kql"
    good.write_text("print 1\n\nT | take 1\n", encoding="utf-8")
    bad = tmp_path / "bad.kql"
    bad.write_text("print 2\n\nprint ```never\nclosed\n", encoding="utf-8")
    code, out, err = run_kshell("", "--check", str(good), str(bad))
    lines = out.splitlines()
    assert lines[0].startswith(f"{bad}:3:1: unterminated")
    assert lines[-1] == "3 requests, 1 syntax error"
    assert code == 1


def test_check_missing_file_is_a_usage_error(tmp_path, run_kshell):
    code, out, err = run_kshell("", "--check", str(tmp_path / "nope.kql"))
    assert code == 2 and "nope.kql" in err


def test_check_handles_bom_and_crlf(tmp_path, run_kshell):
    path = tmp_path / "windows.kql"
    path.write_bytes(b"\xef\xbb\xbfprint 1\r\n\r\nT\r\n| wher x\r\n")
    code, out, err = run_kshell("", "--check", str(path))
    assert out.splitlines() == [
        f"{path}:4:3: expected a query operator (where, project, extend, summarize, ...) after '|', found 'wher' (did you mean 'where'?)",
        "2 requests, 1 syntax error",
    ]
    assert code == 1
