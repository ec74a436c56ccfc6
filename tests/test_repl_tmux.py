"""The real `kshell` in a real terminal (tmux): prompt, a command, Tab completion."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    def __init__(self, name: str, socket: str):
        self.name = name
        self.socket = socket

    def tmux(self, *args: str) -> str:
        proc = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        return proc.stdout

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def alive(self) -> bool:
        proc = subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", self.name],
                              capture_output=True, timeout=10)
        return proc.returncode == 0

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, predicate, what: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; screen:\n{screen}")


@pytest.fixture
def terminal(tmp_path):
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
    command = f"cd {shlex.quote(str(PROJECT_ROOT))} && env -i {exports} {shlex.quote(sys.executable)} -m kshell --now 2026-01-01T00:00:00Z"
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", name, "-x", "150", "-y", "40", command],
                   check=True, timeout=10)
    term = Terminal(name, socket)
    try:
        yield term
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)


def test_prompt_show_databases_and_tab_completion(terminal, tmp_path):
    terminal.wait_for(lambda s: "NetDefaultDB>" in s, "the prompt")
    # the bottom toolbar shows the context database, the principal and the simulated clock
    terminal.wait_for(lambda s: "2026-01-01 00:00:00Z" in s and "kshell-admin" in s, "the toolbar")

    terminal.send(".show databases", "Enter")
    terminal.wait_for(lambda s: "DatabaseName" in s and "(1 row" in s, "the .show databases result")

    terminal.send(".alter-m")
    terminal.wait_for(lambda s: ".alter-m" in s, "the typed text")
    terminal.send("Tab")
    terminal.wait_for(lambda s: ".alter-merge" in s, "the completed command word")

    terminal.send("C-c")  # cancel the input: the shell stays
    terminal.wait_for(lambda s: s.count("NetDefaultDB>") == 3 and ".alter-merge" not in s.split("NetDefaultDB>")[-1],
                      "a fresh prompt after Ctrl-C")
    terminal.send("C-d")  # leave on an empty line: the program ends, and tmux closes its session
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and terminal.alive():
        time.sleep(0.1)
    assert not terminal.alive()
    assert ".show databases" in (tmp_path / "data" / "kshell" / "history").read_text()
