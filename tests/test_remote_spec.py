"""Reading targets and choosing authentication (no network, no server)."""

from __future__ import annotations

import datetime as dt

import pytest

from kshell.remote.auth import AuthError, check_mode, effective_mode, token_source
from kshell.remote.client import _option_value
from kshell.remote.spec import TargetSpecError, parse_target
from kshell.target import is_remote_spec


@pytest.mark.parametrize("text", [
    "https://help.kusto.windows.net", "https://mycluster.westeurope.kusto.windows.net/Samples",
    "http://127.0.0.1:8080/db", "HTTPS://X.kusto.windows.net",
    "Data Source=https://help.kusto.windows.net;Initial Catalog=Samples;Fed=true",
    "server=https://c.kusto.windows.net", "  Addr = http://localhost:1 ",
])
def test_cluster_arguments_are_remote(text):
    assert is_remote_spec(text)


@pytest.mark.parametrize("text", ["state.kshell", "./https-notes.db", "data source.kshell", "", None,
                                  "dir/Data Source=x", "https:/half"])
def test_other_arguments_are_state_files(text):
    assert not is_remote_spec(text)


def test_url_with_database():
    spec = parse_target("https://mycluster.westeurope.kusto.windows.net/Samples")
    assert spec.url == "https://mycluster.westeurope.kusto.windows.net"
    assert spec.database == "Samples"
    assert spec.connection_string == "Data Source=https://mycluster.westeurope.kusto.windows.net;Initial Catalog=Samples"
    assert not spec.loopback and not spec.has_credentials


def test_url_without_database_and_loopback_hosts():
    assert parse_target("http://127.0.0.1:8080").database is None
    for url in ("http://127.0.0.1:8080/db", "http://localhost:1/db", "http://[::1]:9/db", "http://127.9.8.7/x"):
        assert parse_target(url).loopback, url
    assert not parse_target("http://10.0.0.1/db").loopback


def test_connection_string_with_aliases():
    spec = parse_target("server=https://c.kusto.windows.net/FromPath; database = Named ;Fed=True")
    assert spec.url == "https://c.kusto.windows.net"
    assert spec.database == "Named"  # an explicit catalog wins over the path
    assert spec.federated is True
    assert spec.connection_string == "Data Source=https://c.kusto.windows.net;Initial Catalog=Named;Fed=True"


def test_connection_string_credentials_are_kept_but_never_displayed():
    spec = parse_target("Data Source=https://c.kusto.windows.net;AppClientId=abc;AppKey=s3cret;Authority Id=t")
    assert spec.has_credentials
    assert "s3cret" in spec.connection_string  # handed to the SDK ...
    assert "s3cret" not in spec.display        # ... never shown
    assert spec.display == "https://c.kusto.windows.net"


@pytest.mark.parametrize("text, message", [
    ("https://", "a cluster URL looks like"),
    ("ftp://x/db", "a cluster URL looks like"),
    ("https://c.kusto.windows.net/a/b", "at most one database"),
    ("http://localhost:99999/db", "invalid port"),
    ("Initial Catalog=x;Fed=true", "no Data Source"),
    ("Data Source=https://c.kusto.windows.net;Fed=maybe", "true or false"),
    ("Data Source=https://c;AppKey=s3cret;garbage", "KEY=VALUE"),
])
def test_bad_targets(text, message):
    with pytest.raises(TargetSpecError) as e:
        parse_target(text)
    assert message in str(e.value)
    assert "s3cret" not in str(e.value)


def test_default_authentication():
    assert effective_mode(parse_target("http://127.0.0.1:8080/db"), None) == "none"
    assert effective_mode(parse_target("https://c.kusto.windows.net/db"), None) == "default"
    assert effective_mode(parse_target("http://10.1.2.3/db"), None) == "default"
    assert effective_mode(parse_target("Data Source=https://c;AppClientId=a;AppKey=k"), None) == "connection-string"
    assert effective_mode(parse_target("Data Source=https://c;Fed=false"), None) == "none"
    assert effective_mode(parse_target("http://127.0.0.1:8080/db"), "token") == "token"


def test_auth_modes_are_checked():
    for mode in ("az-cli", "device", "browser", "msi", "msi:1234", "app", "token", "none"):
        check_mode(mode)
    with pytest.raises(AuthError, match="unknown mode 'kerberos'"):
        check_mode("kerberos")


def test_token_source_reads_the_environment_then_caches():
    env = {"KSHELL_TOKEN": "  tok-1\n"}
    provider = token_source(env, None)
    assert provider() == "tok-1"
    env["KSHELL_TOKEN"] = "tok-2"
    assert provider() == "tok-1"
    with pytest.raises(AuthError, match="KSHELL_TOKEN"):
        token_source({}, None)()


def test_token_command(tmp_path):
    assert token_source({}, "echo from-command")() == "from-command"
    with pytest.raises(AuthError, match="exited with status 3: nope"):
        token_source({}, "sh -c 'echo secret-on-stdout; echo nope >&2; exit 3'")()
    with pytest.raises(AuthError) as e:
        token_source({}, "sh -c 'echo secret-on-stdout; exit 1'")()
    assert "secret-on-stdout" not in str(e.value)


def test_request_property_values():
    assert _option_value("true") is True
    assert _option_value("1000") == 1000
    assert _option_value("00:10:00") == dt.timedelta(minutes=10)
    assert _option_value("1.00:00:30.5") == dt.timedelta(days=1, seconds=30, microseconds=500000)
    assert _option_value("kql") == "kql"


def test_secrets_typed_in_the_shell_never_reach_the_history_file(tmp_path):
    from kshell.repl.history import open_history

    path = tmp_path / "history"
    history = open_history(path, 100)
    history.store_string("#connect Data Source=https://c.kusto.windows.net;AppClientId=a;AppKey=s3cret;Authority Id=t")
    history.store_string("print pwd = 'a query, kept as typed'")
    text = path.read_text()
    assert "s3cret" not in text
    assert "AppKey=****;Authority Id=t" in text
    assert "AppClientId=a" in text
    assert "print pwd = 'a query, kept as typed'" in text


@pytest.mark.parametrize("text, url, database", [
    ("cluster('help').database('Samples')", "https://help.kusto.windows.net", "Samples"),
    ('cluster("mycluster.westeurope")', "https://mycluster.westeurope.kusto.windows.net", None),
    ("cluster('help.kusto.windows.net')", "https://help.kusto.windows.net", None),
    ("cluster('http://127.0.0.1:8080').database('db')", "http://127.0.0.1:8080", "db"),
    ("'Data Source=https://c.kusto.windows.net;Initial Catalog=x'", "https://c.kusto.windows.net", "x"),
])
def test_kusto_cli_forms(text, url, database):
    spec = parse_target(text)
    assert (spec.url, spec.database) == (url, database)
    assert is_remote_spec(text.strip("'"))
