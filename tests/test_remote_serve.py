"""`kshell http://127.0.0.1:PORT/DB` in script mode against a real `kshell serve`:
the official SDK on the wire, kshell's rendering on the screen."""

from __future__ import annotations

import pytest

from conftest import run_kshell
from remote_server import KshellServer, run_remote, token

SETUP = """\
.create table T (b:bool, i:int, l:long, r:real, d:decimal, s:string, t:datetime, ts:timespan, g:guid, dy:dynamic)

.ingest inline into table T <|
true,1,2,1.5,3.25,hello,2024-01-02T03:04:05.123456Z,1.02:03:04.5,0b7e2b4c-4c8e-4b5a-9f4e-2f4c8d3b9a11,"{""a"":[1,2]}"
false,-7,-9223372036854775808,-0.001,-12345678901234567890.125,"with ""quotes"", commas",1601-01-01T00:00:00Z,-00:00:00.000001,00000000-0000-0000-0000-000000000000,"[1,""x"",null,{""k"":true}]"
,,,,,,,,,
"""

QUERIES = """\
T

T | extend n = strlen(s), half = r / 2, day = startofday(t), neg = -ts | order by l asc

print nan = real(nan), inf = real(+inf), ninf = real(-inf), tiny = 1e-5, big = 1e15, z = todecimal(1) / 3

print j = dynamic({"a": {"b": [1, 2.5, "x"]}}), e = dynamic([]), str = dynamic("text"), num = dynamic(3)

datatable(a:long, b:string) [1, "x", 2, "y"] | summarize c = count(), s = make_list(b)

range x from 1 to 3 step 1 | project x, y = x * 1.5, z = tostring(x), w = x > 1

print t = datetime(2024-01-01 10:11:12.5), span = 36h, g = toguid("0b7e2b4c-4c8e-4b5a-9f4e-2f4c8d3b9a11")

.show tables

.show table T schema as json
"""


@pytest.fixture(scope="module")
def server():
    srv = KshellServer()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def loaded(server):
    code, out, err = run_remote(f"{server.url}/NetDefaultDB", SETUP)
    assert code == 0, err
    return server


FORMATS = ["table", "csv", "tsv", "json", "markdown", "vertical"]


def test_every_type_renders_as_it_does_locally_in_every_format(loaded):
    script = "".join(f"#format {fmt}\n\n{QUERIES}\n" for fmt in FORMATS)
    code, remote_out, remote_err = run_remote(f"{loaded.url}/NetDefaultDB", script)
    local_code, local_out, local_err = run_kshell(SETUP + "\n" + script)
    assert (code, remote_err) == (0, "")
    assert local_code == 0, local_err
    # the local run also prints the setup's results first: the remote output is its tail
    assert len(remote_out) > 5000 and local_out.endswith(remote_out)
    assert "1.02:03:04.5" in remote_out and "2024-01-02T03:04:05.123456Z" in remote_out


def test_every_100ns_tick_crosses_the_wire(server):
    query = "print t = datetime(2024-01-02T03:04:05.1234567Z), ts = -1tick\n"
    code, out, err = run_remote(f"{server.url}/NetDefaultDB", query, "--format", "csv")
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == "2024-01-02T03:04:05.1234567Z,-00:00:00.0000001"


def test_result_types_cross_the_wire(loaded):
    code, out, err = run_remote(f"{loaded.url}/NetDefaultDB", "#types on\n\nT | take 1\n", "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[0] == ("b:bool,i:int,l:long,r:real,d:decimal,s:string,t:datetime,ts:timespan,"
                                   "g:guid,dy:dynamic")


def test_a_control_command_changes_the_servers_cluster(server):
    url = f"{server.url}/NetDefaultDB"
    code, out, err = run_remote(url, ".create table Fresh (a:long)\n\n.ingest inline into table Fresh <|\n41\n42\n")
    assert code == 0, err
    # another client (another process) sees the table and its rows: they live in the server
    code, out, err = run_remote(url, "Fresh | summarize n = count(), s = sum(a)\n", "--format", "csv")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["n,s", "2,83"]


def test_errors_are_the_usual_error_lines_with_the_request_line(server):
    script = "print 1\n\nprint x = 1 | where nosuch > 0\n\nprint 2\n"
    code, out, err = run_remote(f"{server.url}/NetDefaultDB", script)
    local = run_kshell(script)
    assert code == local[0] == 1
    assert err == local[2]
    assert err.startswith("Error (line 3, column 21): SemanticError: ")


def test_bearer_token_runs_the_request_as_its_principal(server):
    url = f"{server.url}/NetDefaultDB"
    alice, bob = "aaduser=alice@contoso.com", "aaduser=bob@contoso.com"
    code, out, err = run_remote(url, f".add database NetDefaultDB viewers ('{alice}')\n")
    assert code == 0, err
    env = {"KSHELL_TOKEN": token(alice)}
    who = "print p = current_principal(), d = current_principal_details().UserPrincipalName\n"
    code, out, err = run_remote(url, who, "--auth", "token", "--format", "csv", env=env)
    assert (code, err) == (0, "")
    assert out.splitlines()[1].endswith(",alice@contoso.com")
    # the same principal as the simulated cluster names for alice
    local = run_kshell(f".add database NetDefaultDB viewers ('{alice}')\n\n#as {alice}\n\n{who}", "--format", "csv")
    assert local[1].endswith(out)
    # a viewer may not create tables: the service's 403 is the usual error line, exit 1
    code, out, err = run_remote(url, ".create table Nope (a:long)\n", "--auth", "token", env=env)
    assert code == 1
    assert err.startswith("Error (line 1): Forbidden: ") and alice in err
    # the same refusal as the simulated cluster gives that principal
    local = run_kshell(f".add database NetDefaultDB viewers ('{alice}')\n\n#as {alice}\n\n.create table Nope (a:long)\n")
    assert err.split(": ", 1)[1] == local[2].split(": ", 1)[1]
    # --token-command: the token is the command's output; bob has no role at all
    code, out, err = run_remote(url, "print 1\n", "--auth", "token", "--token-command", f"echo {token(bob)}")
    assert code == 1 and err.startswith("Error (line 1): Forbidden: ") and bob in err


def test_token_auth_without_a_token_is_a_usage_error(server):
    code, out, err = run_remote(f"{server.url}/NetDefaultDB", "print 1\n", "--auth", "token")
    assert code == 2
    assert "KSHELL_TOKEN" in err and "Traceback" not in err


SIMULATOR_DIRECTIVES = ["#identity create app1", "#as aaduser=bob@contoso.com", "#time advance 1d", "#storage",
                        "#save /tmp/never-written.kshell", "#open /tmp/never-read.kshell", "#group", "#export E"]


def test_simulator_directives_refuse_on_a_remote_target(server, tmp_path):
    script = "".join(f"{line}\n\n" for line in SIMULATOR_DIRECTIVES) + "print done = 1\n"
    code, out, err = run_remote(f"{server.url}/NetDefaultDB", script, "--keep-going", "--format", "csv")
    assert code == 1
    assert err.splitlines() == [
        f"Error (line {2 * n + 1}): DirectiveError: {line.split()[0]} applies to the simulated cluster only; "
        f"requests now go to {server.url} (#connect local returns to the simulated cluster)"
        for n, line in enumerate(SIMULATOR_DIRECTIVES)]
    assert out == "done\n1\n"  # and the shell went on


def test_client_directives_work_on_a_remote_target(server):
    script = "#format csv\n\n#timing on\n\nprint a = 1\n\n#db\n\n#dbcontext NetDefaultDB\n\n#help format\n"
    code, out, err = run_remote(f"{server.url}/NetDefaultDB", script)
    assert code == 0
    # (in csv the notices, the query's timing included, go to stderr)
    assert [ln.split(",")[0] for ln in err.splitlines()] == ["(1 row"]
    lines = out.splitlines()
    assert lines[:2] == ["a", "1"]
    assert "DatabaseName" in out and "NetDefaultDB" in out
    assert "#format" in out


def test_query_parameters_and_request_properties(server):
    script = ("#qp n = 3\n\n#qp who = 'it''s'\n\n"
              "declare query_parameters(n:long, who:string); range x from 1 to n step 1 | extend who\n\n"
              "#crp truncationmaxrecords = 2\n\n#crp\n\nrange x from 1 to 5 step 1\n")
    code, out, err = run_remote(f"{server.url}/NetDefaultDB", script, "--format", "csv", "--keep-going")
    lines = out.splitlines()
    assert lines[:4] == ["x,who", "1,it''s", "2,it''s", "3,it''s"]
    assert "truncationmaxrecords,2" in lines
    assert code == 1 and err.startswith("Error (line 11): LimitsExceeded: ") and "2 records" in err


def test_qp_and_crp_refuse_on_the_simulated_cluster(run_kshell):
    code, out, err = run_kshell("#qp n = 1\n", "--keep-going")
    assert code == 1
    assert err == ("Error (line 1): DirectiveError: #qp applies to a remote cluster; this is the simulated "
                   "cluster (#connect TARGET first)\n")


def test_connect_switches_between_the_server_and_the_local_cluster(server):
    url = f"{server.url}/NetDefaultDB"
    run_remote(url, ".create table OnServer (a:long)\n")
    script = (f"#connect local\n\n.create table OnlyLocal (a:long)\n\n#connect {url}\n\n"
              ".show tables | where TableName startswith 'Only' or TableName == 'OnServer'\n\n"
              "#connect local\n\n.show tables | where TableName startswith 'Only' or TableName == 'OnServer'\n\n"
              "#connect\n")
    code, out, err = run_remote(url, script, "--format", "csv")
    assert code == 0
    assert err.splitlines() == ["Connected to the simulated Kusto cluster (db NetDefaultDB).",
                                f"Connected to {server.url} (db NetDefaultDB, auth none).",
                                "Connected to the simulated Kusto cluster (db NetDefaultDB)."]
    blocks = out.split("TableName,")  # [.create table's result, the server's tables, the local ones]
    assert "OnServer" in blocks[2] and "OnlyLocal" not in blocks[2]
    assert "OnlyLocal" in blocks[3] and "OnServer" not in blocks[3]
    assert out.splitlines()[-3:-1] == ["local,db,NetDefaultDB", "local,as,aaduser=kshell-admin@kshell.local"]


def test_an_unreachable_cluster_is_one_error_line(server):
    code, out, err = run_remote("http://127.0.0.1:1/db", "print 1\n")
    assert code == 1
    assert err == "Error (line 1): ConnectionError: cannot reach http://127.0.0.1:1: connection refused\n"


def test_an_unknown_database_on_the_server(server):
    code, out, err = run_remote(f"{server.url}/NoSuchDb", "print 1\n")
    assert code == 1 and err.startswith("Error (line 1): EntityNotFound: ") and "NoSuchDb" in err


def test_a_credential_that_cannot_get_a_token_is_one_error_line(server):
    # no Azure CLI on this PATH: the SDK's az-cli provider fails; azure-identity's own
    # warnings stay out of the output
    code, out, err = run_remote(f"{server.url}/NetDefaultDB", "print 1\n", "--auth", "az-cli",
                                env={"PATH": "/nonexistent", "AZURE_CONFIG_DIR": "/nonexistent"})
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"Error (line 1): AuthenticationError: cannot get a token for {server.url} with --auth az-cli")


def test_a_connection_string_target(loaded):
    cs = f"Data Source={loaded.url};Initial Catalog=NetDefaultDB;Fed=false"
    code, out, err = run_remote(cs, "T | count\n", "--format", "csv")
    assert (code, out, err) == (0, "Count\n3\n", "")
    # the SDK's aliases; a database named in the connection string wins over the URL's path
    cs = f"server={loaded.url}/NoSuchDb; database=NetDefaultDB"
    code, out, err = run_remote(cs, "T | count\n", "--format", "csv")
    assert (code, out, err) == (0, "Count\n3\n", "")
