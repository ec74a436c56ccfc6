"""Engine-core commands through the real `kshell` command line (script on stdin)."""

from __future__ import annotations

import json


def test_function_exists_error_is_reported_with_its_line(run_kshell):
    code, out, err = run_kshell(".create function F() { print 1 }\n.create function F() { print 2 }\n",
                                "--format", "csv")
    assert code == 1
    assert out.splitlines()[1] == "F,(),{ print 1 },,"
    assert "Error (line 2): Conflict: Function 'F' already exists" in err


def test_query_syntax_error_inside_set_or_append_points_at_the_script_line(run_kshell):
    script = ".create table T (a:string)\n\n.set-or-append T <|\n  T\n  | where\n"
    code, out, err = run_kshell(script, "--format", "csv")
    assert code == 1
    assert "Error (line 5, column 10): SyntaxError: expected an expression" in err


def test_inline_data_with_quotes_and_brackets_then_a_query(run_kshell):
    script = (".create table T (a:string, b:string)\n\n"
              ".ingest inline into table T <|\nx,(open\nO'Brien,\"a,b\"\n\n"
              "T | order by a asc\n")
    code, out, err = run_kshell(script, "--format", "json")
    assert code == 0, err
    last = json.loads(out.splitlines()[-1])
    assert last["rows"] == [["O'Brien", "a,b"], ["x", "(open"]]
    assert last["columns"] == [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]


def test_show_commands_and_pipes(run_kshell):
    script = ('.create table A (x:int) with (folder="f1")\n'
              ".create table B (y:string)\n"
              ".show tables | where Folder == 'f1' | project TableName\n"
              ".show table A schema as json | project Schema\n")
    code, out, err = run_kshell(script, "--format", "json")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[2]["rows"] == [["A"]]
    assert json.loads(lines[3]["rows"][0][0])["OrderedColumns"][0] == {
        "Name": "x", "Type": "System.Int32", "CslType": "int"}


def test_failing_drop_leaves_tables(run_kshell):
    script = ".create table A (x:int)\n.drop tables (A, Nope)\n"
    code, out, err = run_kshell(script + ".show tables\n", "--format", "csv", "--keep-going")
    assert code == 1
    assert "Error (line 2):" in err and "Nope" in err
    assert out.splitlines()[-1].startswith("A,NetDefaultDB")
