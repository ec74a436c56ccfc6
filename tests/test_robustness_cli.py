"""A hostile user at the real command line: every input gets a result or a Kusto-style error.

Each case runs `python -m kshell` with a script on stdin and asserts what the
user sees: the exit code (1 for a failed request, never 70 = internal error),
the error line, and that no Python traceback is printed.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT, _env, run_kshell, run_kshell_raw


def assert_clean(code: int, out: str, err: str, expected_code: int = 1) -> None:
    assert "Traceback" not in out + err, err
    assert "internal error" not in err, err
    assert code == expected_code, (code, out, err)


# ------------------------------------------------------------------ state files

@pytest.mark.parametrize("path", ["/proc/self/x.kshell", "/proc/1/nope/x.kshell"])
def test_save_into_a_directory_where_no_file_can_be_made_is_a_state_file_error(path):
    code, out, err = run_kshell(f"#save {path}\n")
    assert_clean(code, out, err)
    assert err.startswith(f"Error (line 1): StateFileError: cannot write state file '{path}'"), err


def test_open_a_state_file_where_none_can_be_made_is_an_error_and_the_session_goes_on(tmp_path):
    code, out, err = run_kshell("#open /proc/self/x.kshell\n.create table T (a: long)\n.show tables | count\n",
                                "--keep-going")
    assert_clean(code, out, err)
    assert "Error (line 1): StateFileError:" in err
    assert "Error (line 2)" not in err


def test_save_with_a_nul_character_in_the_path_is_a_directive_error():
    from kshell.directives import ShellState, run_directive
    from kshell.engine.session import Session
    from kshell.errors import KustoError

    state = ShellState(session=Session(), format="table", echo=False)
    for directive in ("#save a\x00b", "#open a\x00b"):
        with pytest.raises(KustoError, match="NUL"):
            run_directive(state, directive)


# ------------------------------------------------------------------ update policies

def test_transactional_update_policy_with_a_wildcard_source_is_accepted():
    script = (".create table S1 (a: long)\n\n.create table Target (a: long)\n\n"
              ".alter table Target policy update ```[{\"IsEnabled\": true, \"Source\": \"S*\", \"SourceIsWildCard\": true, "
              "\"Query\": \"S1\", \"IsTransactional\": true}]```\n\n"
              ".ingest inline into table S1 <| 7\n\nTarget\n")
    code, out, err = run_kshell(script, "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines()[-2:] == ["a", "7"]


# ------------------------------------------------------------------ values at the edges

@pytest.mark.parametrize("query, message", [
    ("print 1000000000d", "column 7): SyntaxError: timespan literal '1000000000d' is out of range"),
    ("print now() - 99999999999d", "column 15): SyntaxError: timespan literal '99999999999d' is out of range"),
    ("print time(1000000000d)", "column 7): SyntaxError: time(1000000000d) is out of range"),
    ("print timespan(1000000000.00:00:00)", "column 7): SyntaxError: timespan(1000000000.00:00:00) is out of range"),
])
def test_timespan_literals_beyond_the_range_are_syntax_errors(query, message):
    code, out, err = run_kshell(query + "\n")
    assert_clean(code, out, err)
    assert err.startswith(f"Error (line 1, {message}"), err


@pytest.mark.parametrize("query", [
    "print x = datetime(9999-12-31) + 1d",
    "print x = datetime(0001-01-01) - 1d",
    "print x = 1d * 1e300",
    "print x = 900000000d + 900000000d",
])
def test_datetime_and_timespan_arithmetic_past_the_calendar_is_null(query):
    code, out, err = run_kshell(query + "\n", "--format", "json")
    assert_clean(code, out, err, expected_code=0)
    assert '"rows":[[null]]' in out, out


# ------------------------------------------------------------------ functions given the wrong values

@pytest.mark.parametrize("query, message", [
    ('datatable(a: string)["day"] | extend x = strrep("x", a)', "column 42): SemanticError: function 'strrep': "),
    ('datatable(a: string)["("] | extend x = trim_end(a, "x")', "column 40): SemanticError: function 'trim_end': "),
    ('print trim_end("(", "x")', "column 7): SemanticError: function 'trim_end': "),
    ('datatable(a: dynamic)[dynamic([1, 2])] | extend x = array_slice(a, "", 1)',
     "column 53): SemanticError: function 'array_slice': "),
    ("print a = 1h | summarize stdev(a)", "column 16): SemanticError: summarize: an aggregation cannot be applied to the values of its arguments"),
    ("print a = 'x' | summarize covariance(a, a)",
     "column 27): SemanticError: aggregate 'covariance': argument 1 must be a value of type number"),
])
def test_a_function_given_values_of_the_wrong_kind_row_by_row_is_a_semantic_error(query, message):
    code, out, err = run_kshell(query + "\n")
    assert_clean(code, out, err)
    assert err.startswith(f"Error (line 1, {message}"), err


def test_conversions_out_of_range_are_null_and_strrep_stops_at_1024():
    code, out, err = run_kshell('print a = todatetime(9223372036854775807), b = totime(real(nan)), '
                                'c = totimespan(1e300), d = strlen(strrep("ab", 100000))\n', "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines() == ["a,b,c,d", ",,,2048"]


def test_python_warnings_about_a_users_regex_are_not_printed():
    code, out, err = run_kshell('print x = extract("[[a]", 0, "a")\n', "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert err == "" and out.splitlines() == ["x", "a"]


# ------------------------------------------------------------------ storage directory

def test_storage_account_in_a_directory_where_none_can_be_made_is_an_error_and_creates_no_account():
    code, out, err = run_kshell("#storage create acct\n#storage\n", "--storage", "/proc/self", "--keep-going",
                                "--format", "csv")
    assert_clean(code, out, err)
    assert err.startswith("Error (line 1): DirectiveError: cannot create storage account 'acct' in '/proc/self'"), err
    assert "acct" not in out


@pytest.mark.parametrize("query", [
    "range x from 1 to 1000000000 step 1 | count",
    "range x from 9223372036854775807 to -9223372036854775808 step -1 | count",
])
def test_a_range_too_long_to_simulate_is_refused_before_using_memory(query):
    code, out, err = run_kshell(query + "\n")
    assert_clean(code, out, err)
    assert err.startswith("Error (line 1): LimitsExceeded: range would produce"), err


# ------------------------------------------------------------------ rendering hostile data

def test_control_characters_in_data_are_escaped_in_table_output_and_kept_in_csv():
    query = 'print s = strcat("a", "\\t", "b", "\\r", "\\u001b[31mRED", "\\u0007")\n'
    code, out, err = run_kshell(query)
    assert_clean(code, out, err, expected_code=0)
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out and "\t" not in out
    assert "a\\tb\\r\\u001b[31mRED\\u0007" in out
    code, out, err = run_kshell(query, "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out == 's\n"a\tb\r\x1b[31mRED\x07"\n'


def test_csv_output_with_carriage_returns_reads_back_as_the_same_values():
    import csv
    import io

    code, out, err = run_kshell('datatable(a: string, b: string)["x\\ry", "z", "\\r", ""]\n', "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert list(csv.reader(io.StringIO(out))) == [["a", "b"], ["x\ry", "z"], ["\r", ""]]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_to_a_full_device_is_reported_as_such_not_as_an_internal_error():
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "kshell", "-e", "range x from 1 to 100000 step 1", "--format", "json"],
                              stdout=full, stderr=subprocess.PIPE, cwd=str(PROJECT_ROOT), env=_env(), timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert err == "kshell: cannot write the output: No space left on device\n"


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc/self/mem")
def test_a_script_file_that_fails_while_being_read_is_an_input_error():
    code, out, err = run_kshell("", "-f", "/proc/self/mem")
    assert_clean(code, out, err)
    assert err == "kshell: cannot read /proc/self/mem: Input/output error\n"


def test_save_does_not_overwrite_a_file_that_is_not_a_state_file(tmp_path):
    script = tmp_path / "tour.kql"
    script.write_text("print 1\n")
    code, out, err = run_kshell(f"#save {script}\n")
    assert_clean(code, out, err)
    assert err == f"Error (line 1): DirectiveError: '{script}' exists and is not a kshell state file: #save does not overwrite it\n"
    assert script.read_text() == "print 1\n"
    state = tmp_path / "s.kshell"
    code, out, err = run_kshell(f"#save {state}\n.create table T (a: long)\n#save {state}\n")
    assert_clean(code, out, err, expected_code=0)
    assert out.count(f"Saved to '{state}'.") == 2


def test_a_function_whose_body_is_its_parameter_is_valid():
    code, out, err = run_kshell(".create function Same(x: long = 5) { x }\n\nprint a = Same(3), b = Same()\n",
                                "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines()[-2:] == ["a,b", "3,5"]


def test_a_function_taking_a_parameter_number_of_rows_validates_and_runs():
    script = (".create table T (a: long)\n\n.ingest inline into table T <|\n1\n2\n3\n\n"
              ".create function FirstRows(n: long) { T | take n }\n\nFirstRows(2) | count\n")
    code, out, err = run_kshell(script, "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines()[-2:] == ["Count", "2"]


# ------------------------------------------------------------------ hostile scripts (behaviour pinned)

@pytest.mark.parametrize("script, error", [
    (".show tabels\n", "Error (line 1, column 2): SyntaxError: unknown or unsupported command '.show tabels'"),
    ("print 1\n\n.alter database NetDefaultDB policy managed_identity ```[{\n",
     "Error (line 3): SyntaxError: unterminated ``` literal opened at line 3"),
    ("print " + "(" * 5000 + "1" + ")" * 5000 + "\n",
     "Error (line 1, column 108): SyntaxError: expression nested too deeply"),
    ("print dynamic(" + '{"a":' * 3000 + "1" + "}" * 3000 + ")\n",
     "Error (line 1, column 516): SyntaxError: expression nested too deeply"),
    ("#db nope\n", "Error (line 1): EntityNotFound: Database 'nope' was not found"),
    ("#format yaml\n", "Error (line 1): DirectiveError: unknown format 'yaml'"),
    ("#as carol\n", "Error (line 1): DirectiveError: 'carol' is not a valid principal FQN"),
    ("#time advance -1h\n", "Error (line 1): DirectiveError:"),
    ("#time set yesterday\n", "Error (line 1): DirectiveError: 'yesterday' is not a date/time"),
    ("#identity assign nobody\n", "Error (line 1): "),
    ("#storage grant nope system reader\n", "Error (line 1): "),
    ("#export run Nope\n", "Error (line 1): "),
    ("#group add\n", "Error (line 1): DirectiveError:"),
    ("#nosuch\n", "Error (line 1): DirectiveError: unknown directive '#nosuch'"),
    ("#open\n", "Error (line 1): DirectiveError: usage: #open PATH"),
])
def test_hostile_script_lines_fail_with_one_kusto_style_error(script, error):
    code, out, err = run_kshell(script)
    assert_clean(code, out, err)
    assert err.startswith(error), err
    assert len(err.splitlines()) == 1, err


@pytest.mark.parametrize("data, message", [
    (b"print 1\n\n\x00\x01\x02", "kshell: stdin: line 3: contains a NUL byte"),
    (b"print 1\n\n\xff\xfe garbage\n", "kshell: stdin: line 3, column 1: invalid UTF-8"),
])
def test_binary_input_stops_with_one_line_after_running_what_came_before(data, message):
    code, out, err = run_kshell_raw(data, "--format", "csv")
    assert_clean(code, out, err)
    assert out == "print_0\n1\n"
    assert err.startswith(message), err


def test_json_output_carries_every_value_type():
    import json

    query = ("print b = true, i = int(1), l = long(-9223372036854775808), r = real(nan), r2 = real(-inf), "
             "d = decimal(1.5), s = 'x\"\\n', t = datetime(2026-01-01 10:00:00.5), ts = time(-1.00:00:01), "
             "g = guid(00000000-0000-0000-0000-000000000001), y = dynamic({'a': [1, 2.5, null]}), n = long(null)\n")
    code, out, err = run_kshell(query, "--format", "json")
    assert_clean(code, out, err, expected_code=0)
    doc = json.loads(out)
    assert [c["type"] for c in doc["columns"]] == ["bool", "int", "long", "real", "real", "decimal", "string",
                                                  "datetime", "timespan", "guid", "dynamic", "long"]
    assert doc["rows"] == [[True, 1, -9223372036854775808, "NaN", "-Infinity", "1.5", 'x"\n',
                            "2026-01-01T10:00:00.5Z", "-1.00:00:01", "00000000-0000-0000-0000-000000000001",
                            {"a": [1, 2.5, None]}, None]]


def test_show_policy_results_pipe_into_a_query_as_real_tooling_does():
    script = (".alter cluster policy managed_identity ```[{\"ObjectId\": \"system\", \"AllowedUsages\": \"NativeIngestion, AutomatedFlows\"}]```\n\n"
              ".show cluster policy managed_identity | project Policies = parse_json(Policy) | mv-expand Policies"
              " | project IsSystem = tobool(Policies.IsSystem), Usages = tostring(Policies.AllowedUsages)\n")
    code, out, err = run_kshell(script, "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines()[-2:] == ["IsSystem,Usages", "true,\"NativeIngestion, AutomatedFlows\""]


def test_the_rls_docs_assert_function_can_be_created_and_fails_only_when_queried():
    script = (".create table MyTable (a: long)\n\n"
              ".create-or-alter function RLSForCustomersTables() {\n    MyTable\n"
              "    | where assert(current_principal_is_member_of('aadgroup=mygroup@mycompany.com') == true, \"You don't have access\")\n}\n\n"
              "RLSForCustomersTables()\n")
    code, out, err = run_kshell(script, "--format", "csv")
    assert_clean(code, out, err)
    assert "RLSForCustomersTables,()" in out
    assert err == "Error (line 8): BadRequest: assert() failed: You don't have access\n"


WILDCARD_DOCS_FLOW = """\
.create table SourceTable1(Id:long, Value:string)

.create table SourceTable2(Id:long, Value:string)

.create table TargetTable(Id:long, Value:string, Source:string)

.create function with(skipValidation=true) IngestToTarget()
{
    $source_table
    | parse Value with "I'm from table " Source
    | project Id, Value, Source
}

.alter table TargetTable policy update
```[{
        "IsEnabled": true,
        "Source": "SourceTable*",
        "SourceIsWildCard" : true,
        "Query": "IngestToTarget()",
        "IsTransactional": true,
        "PropagateIngestionProperties": true
}]```

.set-or-append SourceTable1 <| datatable (Id:long, Value:string) [1, "I'm from table SourceTable1"]

.set-or-append SourceTable2 <| datatable (Id:long, Value:string) [3, "I'm from table SourceTable2"]

TargetTable
"""


def test_the_update_policy_docs_wildcard_source_flow_runs_as_documented():
    code, out, err = run_kshell(WILDCARD_DOCS_FLOW, "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines()[-3:] == ["Id,Value,Source", "1,I'm from table SourceTable1,SourceTable1",
                                     "3,I'm from table SourceTable2,SourceTable2"]


@pytest.mark.parametrize("state_file", [False, True])
def test_a_command_piped_into_a_failing_query_changes_nothing(tmp_path, state_file):
    args = [str(tmp_path / "c.kshell")] if state_file else []
    script = (".create table Y (a: long)\n\n.create table X (a: long) | where nope > 1\n\n"
              ".drop table Y | where nope > 1\n\n.show tables | project TableName\n")
    code, out, err = run_kshell(script, *args, "--keep-going", "--format", "csv")
    assert_clean(code, out, err)
    assert err.count("SemanticError: Failed to resolve scalar expression named 'nope'") == 2
    assert out.splitlines()[-2:] == ["TableName", "Y"]


def test_save_and_open_of_a_blank_quoted_path_are_usage_errors(tmp_path):
    code, out, err = run_kshell('#open "  "\n#save \' \'\n', "--keep-going")
    assert_clean(code, out, err)
    assert err.splitlines() == ["Error (line 1): DirectiveError: usage: #open PATH",
                                "Error (line 2): DirectiveError: usage: #save PATH"]


def test_a_blank_state_file_argument_is_a_usage_error():
    code, out, err = run_kshell("", " ", "-e", "print 1")
    assert_clean(code, out, err, expected_code=2)
    assert err == "kshell: STATE_FILE is blank\n"


def test_tolong_of_a_value_no_long_can_hold_is_null():
    code, out, err = run_kshell('print a = tolong("99999999999999999999999"), b = tolong(1e300), '
                                'c = tolong("9223372036854775807")\n', "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines() == ["a,b,c", ",,9223372036854775807"]


def test_ago_past_the_calendar_is_null():
    code, out, err = run_kshell("print a = ago(-1d), b = ago(1d), c = now(1d)\n", "--now", "9999-12-31T23:59:59Z", "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines() == ["a,b,c", ",9999-12-30T23:59:59Z,"]


@pytest.mark.parametrize("query, rows", [
    ("range x from datetime(9999-12-30) to datetime(9999-12-31) step 1d", ["9999-12-30T00:00:00Z", "9999-12-31T00:00:00Z"]),
    ("range x from datetime(0001-01-02) to datetime(0001-01-01) step -1d", ["0001-01-02T00:00:00Z", "0001-01-01T00:00:00Z"]),
])
def test_a_datetime_range_ending_at_the_calendar_edge_stops_there(query, rows):
    code, out, err = run_kshell(query + "\n", "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines() == ["x", *rows]


def test_the_end_of_the_calendars_last_period_is_its_last_instant():
    code, out, err = run_kshell("print x = datetime(9999-12-31 23:59:59) | project e = endofday(x), y = endofyear(x), "
                                "n = endofday(x, 1)\n", "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    # 100 ns ticks: the calendar's last instant is 23:59:59.9999999
    assert out.splitlines() == ["e,y,n", "9999-12-31T23:59:59.9999999Z,9999-12-31T23:59:59.9999999Z,"]


def test_json_nested_deeper_than_the_decoder_goes_is_bad_data_not_an_internal_error():
    deep = "[" * 100000 + "]" * 100000
    script = (".create table T (a: dynamic)\n\n"
              f".ingest inline into table T with (format='json') <|\n{{\"a\": {deep}}}\n\n"
              f".ingest inline into table T <|\n\"{deep}\"\n\n"
              f"print s = gettype(parse_json('{deep}'))\n")
    code, out, err = run_kshell(script, "--keep-going", "--format", "csv")
    assert_clean(code, out, err)
    assert err == "Error (line 3): BadRequest: malformed JSON data: nested too deeply\n"
    assert out.splitlines()[-2:] == ["s", "string"]


def test_a_csv_field_larger_than_128_kb_is_ingested():
    big = "x" * 300000
    code, out, err = run_kshell(f".create table T (s: string)\n\n.ingest inline into table T <|\n\"{big}\"\n\n"
                                "T | project n = strlen(s)\n", "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines()[-2:] == ["n", "300000"]


def test_exported_files_carry_the_simulated_time_and_a_file_extension_names_no_folder(tmp_path):
    script = ("#storage create acct\n#storage grant acct aaduser=kshell-admin@kshell.local owner\n"
              ".create table T (a: long)\n\n.ingest inline into table T <| 1\n\n"
              ".export to csv (h@\"https://acct.blob.core.windows.net/c;impersonate\") with (fileExtension=\"../x\") <| T\n\n"
              ".export to csv (h@\"https://acct.blob.core.windows.net/c;impersonate\") <| T\n\n"
              "#storage ls https://acct.blob.core.windows.net/c\n")
    code, out, err = run_kshell(script, "--storage", str(tmp_path / "st"), "--keep-going", "--format", "csv")
    assert_clean(code, out, err)
    assert err == "Error (line 7): BadRequest: fileExtension '../x' must not contain a path separator\n"
    listing = out.splitlines()[out.splitlines().index("Uri,SizeInBytes,LastModified") + 1:]
    assert len(listing) == 1 and listing[0].endswith(",2026-01-01T00:00:00Z"), listing


def test_control_characters_quoted_in_an_error_are_escaped():
    code, out, err = run_kshell(".create table ['a\\u001b[31mb\\tc'] (x: long)\n")
    assert_clean(code, out, err)
    assert "\x1b" not in err and "\t" not in err
    assert err.startswith("Error (line 1): BadRequest: The table name 'a\\u001b[31mb\\tc' is not valid"), err


def test_partition_values_that_are_dot_folders_round_trip(tmp_path):
    script = ("#storage create acct\n#storage grant acct aaduser=kshell-admin@kshell.local owner\n"
              ".create table T (a: long, s: string)\n\n.ingest inline into table T <|\n1,..\n2,.\n3,x\n\n"
              ".create external table E (a: long, s: string) kind=storage partition by (p: string = s) pathformat = (p) "
              "dataformat=csv (h@'https://acct.blob.core.windows.net/c;impersonate')\n\n"
              ".export to table E <| T\n\nexternal_table('E') | order by a asc | project a, s\n")
    code, out, err = run_kshell(script, "--storage", str(tmp_path / "st"), "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert out.splitlines()[-4:] == ["a,s", "1,..", "2,.", "3,x"]


def test_decimals_beyond_the_kusto_decimal_range_are_null():
    script = (".create table T (d: decimal)\n\n.ingest inline into table T <|\n1e999\n-79228162514264337593543950335\n"
              "79228162514264337593543950336\n\nT\n\nprint x = todecimal('1e30')\n")
    code, out, err = run_kshell(script, "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    lines = out.splitlines()
    assert lines[lines.index("d") + 1:lines.index("d") + 4] == ['""', "-79228162514264337593543950335", '""']
    assert lines[-2:] == ["x", '""']


def test_as_with_a_principal_holding_a_space_is_refused_and_leaves_no_role_acting():
    code, out, err = run_kshell("#as aaduser=carol@contoso.com extra\n.create table T (a: long)\n", "--keep-going")
    assert_clean(code, out, err)
    first, second = err.splitlines()
    assert first.startswith("Error (line 1): DirectiveError: 'aaduser=carol@contoso.com extra' is not a valid "
                            "principal FQN: it contains a space (usage: #as [FQN|IDENTITY|default]); requests now "
                            "run as aaduser=refused-as@kshell.local")
    # not the admin any more (issue 14): the next command is refused
    assert second.startswith("Error (line 2): Forbidden: Principal 'aaduser=refused-as@kshell.local'")
    assert "TableName" not in out


def test_the_csl_script_brackets_names_that_are_kusto_words_and_runs_again():
    import csv
    import io

    code, out, err = run_kshell(".create table ['where'] (['by']: long, ['string']: string, Ok: long)\n\n"
                                ".show database schema as csl script\n", "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    script = list(csv.reader(io.StringIO(out)))[-1][0]
    assert script == ".create-merge table ['where'] (['by']:long, ['string']:string, Ok:long)"
    code, out, err = run_kshell(script + "\n\n.show table ['where'] cslschema | project Schema\n", "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert list(csv.reader(io.StringIO(out)))[-1] == ["['by']:long,['string']:string,Ok:long"]


def test_external_table_cslschema_brackets_names_kusto_would_refuse_bare():
    import csv
    import io

    code, out, err = run_kshell(".create external table E (['by']: long, ['a b']: string, ok: long) kind=storage "
                                "dataformat=csv (h@'https://acct.blob.core.windows.net/c;impersonate')\n\n"
                                ".show external table E cslschema | project Schema\n", "--format", "csv")
    assert_clean(code, out, err, expected_code=0)
    assert list(csv.reader(io.StringIO(out)))[-1] == ["['by']:long, ['a b']:string, ok:long"]


def test_every_column_star_with_an_arithmetic_operator_is_a_semantic_error():
    code, out, err = run_kshell("print StartTime = now() | extend Duration = * - StartTime\n")
    assert_clean(code, out, err)
    assert err.startswith("Error (line 1, column 45): SemanticError: '*' (every column) goes only with a string operator"), err


def test_a_rows_pattern_that_is_not_a_regular_expression_is_a_semantic_error():
    code, out, err = run_kshell('datatable(a: string, r: string)["x", "("] | where a matches regex r\n')
    assert_clean(code, out, err)
    assert err.startswith("Error (line 1): SemanticError: invalid regular expression '('"), err
