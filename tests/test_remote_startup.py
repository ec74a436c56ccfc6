"""The Azure SDK is an optional extra: the local shell never imports it, and a
remote target without it is a one-line hint."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from conftest import PROJECT_ROOT, _env

HINT = "kshell: connecting to a cluster needs the Azure SDK: pip install 'kshell[azure]'\n"


def _python(code: str, *, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], input=stdin, capture_output=True,
                          text=True, timeout=60, cwd=str(PROJECT_ROOT), env=env or _env())


def test_script_mode_imports_nothing_of_the_azure_sdk():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "kshell", "-e", "print 1", "-e", "#help"],
                          capture_output=True, text=True, timeout=60, cwd=str(PROJECT_ROOT), env=_env())
    assert proc.returncode == 0, proc.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert "kshell.cli" in imported  # (the measurement works)
    assert not [m for m in imported if m.split(".")[0] in ("azure", "msal", "requests")]


def test_interactive_start_up_imports_nothing_of_the_azure_sdk():
    # what `kshell` does in a terminal up to its first prompt: open the state and build the
    # prompt session (completion, toolbar, the directive registry); no terminal needed
    proc = _python("""
        import sys
        from kshell import cli
        from kshell.repl import app, config
        from kshell.directives import all_directives
        state = cli.open_state(cli.build_parser().parse_args([]), interactive=True)
        state.interactive = True
        cfg = config.Config()
        from prompt_toolkit.input import create_pipe_input
        from prompt_toolkit.output import DummyOutput
        with create_pipe_input() as inp:
            from prompt_toolkit.application.current import create_app_session
            with create_app_session(input=inp, output=DummyOutput()):
                session, engine = app.build_prompt_session(state, cfg)
                engine.complete("St")
                from kshell.repl.toolbar import toolbar_fragments
                toolbar_fragments(state)
        all_directives()
        print(sorted({m.split(".")[0] for m in sys.modules} & {"azure", "msal", "requests"}))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_remote_target_without_the_sdk_is_a_one_line_hint(tmp_path):
    # a regular package named `azure` earlier on the path hides the installed namespace package
    (tmp_path / "azure").mkdir()
    (tmp_path / "azure" / "__init__.py").write_text("")
    env = _env()
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT_ROOT), str(tmp_path)])
    for target in ("https://help.kusto.windows.net/Samples", "Data Source=http://127.0.0.1:9;Initial Catalog=db"):
        proc = subprocess.run([sys.executable, "-m", "kshell", target, "-e", "print 1"], capture_output=True,
                              text=True, timeout=60, cwd=str(PROJECT_ROOT), env=env)
        assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", HINT)
    # and in the shell, #connect says the same as a directive error
    proc = subprocess.run([sys.executable, "-m", "kshell", "-e", "#connect https://help.kusto.windows.net"],
                          capture_output=True, text=True, timeout=60, cwd=str(PROJECT_ROOT), env=env)
    assert proc.returncode == 1
    assert proc.stderr == "Error (line 1): DirectiveError: " + HINT.removeprefix("kshell: ")


def test_a_state_file_named_like_a_word_is_still_a_state_file(tmp_path, run_kshell):
    path = tmp_path / "https.kshell"
    code, out, err = run_kshell(".create table T (a:long)\n", str(path))
    assert code == 0 and path.exists()


def _kshell(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "kshell", *args, "-e", "print 1"], capture_output=True, text=True,
                          timeout=60, cwd=str(PROJECT_ROOT), env=_env())
    return proc.returncode, proc.stdout, proc.stderr


def test_bad_cluster_arguments_are_usage_errors():
    assert _kshell("https://c.kusto.windows.net/a/b") == (
        2, "", "kshell: a cluster URL names at most one database: https://CLUSTER/DATABASE\n")
    code, out, err = _kshell("http://127.0.0.1:9/db", "--auth", "kerberos")
    assert code == 2 and "unknown mode 'kerberos'" in err
    assert _kshell("http://127.0.0.1:9/db", "--now", "2026-01-01") == (
        2, "", "kshell: --now applies to the simulated cluster, not to a remote one\n")
