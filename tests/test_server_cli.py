"""The `serve` and `token` command lines: binding rules, --require-auth, lazy import."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from server_support import PROJECT_ROOT, KshellServer, env, run_cli, token


def test_refuses_a_non_loopback_address_without_require_auth():
    code, out, err = run_cli("serve", "--host", "0.0.0.0", "--port", "0")
    assert code == 2
    assert "refusing to serve on non-loopback address '0.0.0.0' without --require-auth" in err


def test_port_in_use_is_a_usage_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, out, err = run_cli("serve", "--port", str(port))
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err


def test_bad_state_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "not-a-state-file"
    bad.write_text("hello")
    code, out, err = run_cli("serve", str(bad), "--port", "0")
    assert code == 2 and "not-a-state-file" in err and "Traceback" not in err


def test_help_names_the_options():
    code, out, err = run_cli("serve", "--help")
    assert code == 0 and "--require-auth" in out and "--storage" in out
    code, out, err = run_cli("token", "--help")
    assert code == 0 and "FQN" in out


def test_require_auth_answers_401_without_a_token():
    pytest.importorskip("azure.kusto.data")
    from azure.kusto.data.exceptions import KustoServiceError

    server = KshellServer("--require-auth")
    try:
        with pytest.raises(KustoServiceError, match="401"):
            server.client().execute("NetDefaultDB", "print 1")
        with pytest.raises(KustoServiceError, match="401"):
            server.client("aaduser=nobody").execute("NetDefaultDB", "print 1")  # not a valid FQN
        admin = server.client(token("aaduser=kshell-admin@kshell.local"))
        assert admin.execute("NetDefaultDB", "print 1").primary_results[0].rows[0][0] == 1
    finally:
        server.close()


def test_script_mode_does_not_import_the_server():
    code = ("import sys\nfrom kshell.cli import main\nrc = main(['--now', '2026-01-01', '-e', 'print 1'])\n"
            "print('SERVER', 'kshell.server' in sys.modules, 'HTTP', 'http.server' in sys.modules, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=str(PROJECT_ROOT), env=env(),
                          timeout=60)
    assert "SERVER False HTTP False" in proc.stderr.decode(), proc.stderr.decode()


def test_a_state_file_named_serve_is_opened_with_a_path(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kshell", "./serve", "--format", "csv", "-e", "print x=1"],
                          capture_output=True, cwd=str(tmp_path), env=env(), timeout=60)
    assert proc.returncode == 0 and proc.stdout.decode().splitlines() == ["x", "1"]
    assert (tmp_path / "serve").exists()


def test_readme_python_examples_run_against_a_server(capsys):
    pytest.importorskip("azure.kusto.data")
    import os
    import re

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Serving the cluster to the Kusto SDKs", 1)[1].split("\n## ", 1)[0]
    assert "    kshell serve my-cluster.kshell --port 8080" in section
    blocks = re.findall(r"^```python\n(.*?)^```$", section, flags=re.S | re.M)
    assert len(blocks) == 2 and len(blocks[0].strip().splitlines()) == 3
    server = KshellServer()
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = env()["PYTHONPATH"]  # the example's `kshell token` subprocess
    try:
        namespace: dict = {}
        for block in blocks:
            code = block.replace("http://127.0.0.1:8080", server.url)
            code = code.replace('["kshell", ', f'[{sys.executable!r}, "-m", "kshell", ')
            exec(compile(code, "README.md", "exec"), namespace)
        assert "world" in capsys.readouterr().out
        from azure.kusto.data.exceptions import KustoApiError

        with pytest.raises(KustoApiError, match="aaduser=alice@contoso.com"):
            namespace["alice"].execute("NetDefaultDB", "print 1")
        namespace["client"].execute_mgmt("NetDefaultDB", ".add database NetDefaultDB viewers ('aaduser=alice@contoso.com')")
        who = namespace["alice"].execute("NetDefaultDB", "print current_principal_details().UserPrincipalName")
        assert who.primary_results[0].rows[0][0] == "alice@contoso.com"
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
        server.close()


def test_serving_a_real_cluster_is_refused():
    code, out, err = run_cli("serve", "https://mycluster.westeurope.kusto.windows.net", "--port", "0")
    assert code == 2 and "serves a simulated cluster" in err
