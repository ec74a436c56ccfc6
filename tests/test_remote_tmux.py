"""The shell in a real terminal (tmux) connected to a `kshell serve`: the toolbar
says where requests go, completion lists the server's tables, Ctrl-C cancels a
long request and the shell goes on."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from remote_server import PROJECT_ROOT, KshellServer, run_remote
from test_repl_tmux import Terminal

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture(scope="module")
def server():
    srv = KshellServer()
    code, out, err = run_remote(f"{srv.url}/NetDefaultDB",
                                ".create table StormEvents (StartTime:datetime, State:string, Damage:long)\n\n"
                                ".create table StormTracks (Id:long)\n\n"
                                ".ingest inline into table StormEvents <|\n2024-01-01,TEXAS,5\n")
    assert code == 0, err
    yield srv
    srv.stop(force=True)  # the cancelled request is still computing on the server


@pytest.fixture
def remote_terminal(server, tmp_path):
    socket = f"kshell-test-{uuid.uuid4().hex[:8]}"
    name = "kshell"
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "TERM": "xterm-256color",
        "PAGER": "cat",
        "PATH": os.environ.get("PATH", ""),
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = (f"cd {shlex.quote(str(PROJECT_ROOT))} && env -i {exports} {shlex.quote(sys.executable)} "
               f"-m kshell {shlex.quote(server.url + '/NetDefaultDB')}")
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", name, "-x", "150", "-y", "40", command],
                   check=True, timeout=10)
    term = Terminal(name, socket)
    try:
        yield term
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)


def test_toolbar_completion_and_a_query_on_the_server(remote_terminal, server):
    term = remote_terminal
    term.wait_for(lambda s: "NetDefaultDB>" in s, "the prompt")
    term.wait_for(lambda s: f"cluster {server.url}" in s and "auth none" in s, "the toolbar naming the server")
    assert "connected to " + server.url in term.screen()

    # the schema arrives in the background; Tab then offers the server's tables
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        term.send("Sto", "Tab")
        time.sleep(0.3)
        screen = term.screen()
        if "StormEvents" in screen and "StormTracks" in screen:
            break
        term.send("C-c")  # (not yet: close the menu and try again)
    else:
        raise AssertionError("the completion menu never listed the server's tables:\n" + term.screen())
    term.send("C-c")
    term.wait_for(lambda s: "Sto" not in s.split("NetDefaultDB>")[-1], "a fresh prompt")

    # columns of a server table after `|`
    term.send("StormEvents | where Da")
    term.send("Tab")
    term.wait_for(lambda s: "Damage" in s, "the column completed")
    term.send("C-c")

    term.send("StormEvents | project State, Damage", "Enter", "Enter")
    term.wait_for(lambda s: "TEXAS" in s, "the server's row")

    # a control command that changes the schema reloads it: the new table completes
    term.send(".create table Stormy (a:long)", "Enter", "Enter")
    term.wait_for(lambda s: "Stormy" in s and "OrderedColumns" in s, "the table created")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        term.send("Storm", "Tab")
        time.sleep(0.3)
        if "Stormy" in term.screen().split("OrderedColumns")[-1]:
            break
        term.send("C-c")
    else:
        raise AssertionError("the new table never completed:\n" + term.screen())
    term.send("C-c")

    # a simulator directive refuses, in the shell too
    term.send("#time advance 1d", "Enter", "Enter")
    term.wait_for(lambda s: "#time applies to the simulated cluster only" in s, "the refusal")


def test_ctrl_c_cancels_a_long_request(remote_terminal, server):
    term = remote_terminal
    term.wait_for(lambda s: "NetDefaultDB>" in s, "the prompt")
    # polynomial backtracking (about 3000^4 steps, little memory): the server would compute for ages
    term.send('print x = strrep("a", 3000) matches regex "a*a*a*a*b"', "Enter", "Enter")
    time.sleep(1.5)  # (pacing: let the request reach the server; nothing is timed)
    term.send("C-c")
    term.wait_for(lambda s: "Cancelled." in s, "the request cancelled")
    term.wait_for(lambda s: s.rstrip().endswith("NetDefaultDB>") or s.count("NetDefaultDB>") >= 2,
                  "the prompt after Ctrl-C")
    # the shell is alive and answers client directives at once
    term.send("#format", "Enter", "Enter")
    term.wait_for(lambda s: "format: table" in s, "a directive after the cancellation")
