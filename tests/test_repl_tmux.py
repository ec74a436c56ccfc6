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


def start_kshell(tmp_path, *, pager: str | None = "cat", width: int = 150, height: int = 40) -> Terminal:
    socket = f"kshell-test-{uuid.uuid4().hex[:8]}"
    name = "kshell"
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
    }
    if pager is not None:
        env["PAGER"] = pager
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"cd {shlex.quote(str(PROJECT_ROOT))} && env -i {exports} {shlex.quote(sys.executable)} -m kshell --now 2026-01-01T00:00:00Z"
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height),
                    command], check=True, timeout=10)
    return Terminal(name, socket)


def stop(term: Terminal) -> None:
    subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True, timeout=10)


@pytest.fixture
def terminal(tmp_path):
    term = start_kshell(tmp_path)
    try:
        yield term
    finally:
        stop(term)


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


def type_lines(term: Terminal, *lines: str) -> None:
    """Type each line key by key, with Enter after each (an empty string: Enter alone)."""
    for line in lines:
        if line.endswith(";"):  # tmux reads an argument's trailing ';' as its command separator
            term.send("-l", line[:-1])
            term.send("-H", "3b")
        elif line:
            term.send("-l", line)
        term.send("Enter")


def after_last_prompt(screen: str) -> str:
    return screen.rsplit("NetDefaultDB>", 1)[0] if screen.count("NetDefaultDB>") else screen


def test_block_mode_queries_let_inline_ingestion_help_and_caret(terminal):
    terminal.wait_for(lambda s: "NetDefaultDB>" in s, "the prompt")
    # a three-line query, Enter between the lines, then Enter on the empty line: runs once
    type_lines(terminal, "range x from 1 to 5 step 1", "| where x > 2", "| summarize Found = count()")
    time.sleep(0.3)
    assert "Found" not in after_last_prompt(terminal.screen())  # not run yet: Enter only added lines
    type_lines(terminal, "")
    screen = terminal.wait_for(lambda s: "(1 row" in s, "the query's result")
    assert screen.count("(1 row") == 1 and "|       3 |" in screen

    type_lines(terminal, "let k = 40;", "print answer = k + 2", "")
    terminal.wait_for(lambda s: "|       42 |" in s, "the let + print result")

    type_lines(terminal, ".create table T (a:long, b:string)")  # one-line command: runs on Enter
    terminal.wait_for(lambda s: "TableName" in s or s.count("(1 row") >= 3, "the .create result")
    type_lines(terminal, ".ingest inline into table T <|", "1,x", "2,y", "3,z", "")
    type_lines(terminal, "T | summarize Rows = count()", "")
    terminal.wait_for(lambda s: "Rows" in s and "|      3 |" in s, "three rows ingested")

    type_lines(terminal, "clear")  # not a command: just lines; Ctrl-C drops them
    terminal.send("C-c")
    type_lines(terminal, "help")
    terminal.wait_for(lambda s: "Enter on an empty line, Alt-Enter, F5" in s, "the help text")
    type_lines(terminal, "#help summarize")
    terminal.wait_for(lambda s: "summarize (tabular operator)" in s, "#help summarize")

    type_lines(terminal, "print x = 1", "| where y > 1", "")
    screen = terminal.wait_for(lambda s: "Failed to resolve scalar expression named 'y'" in s, "the error")
    lines = screen.splitlines()
    at = max(i for i, line in enumerate(lines) if "| where y > 1" in line and line.lstrip().startswith("2 |"))
    assert lines[at + 1].index("^") == lines[at].index("y >")  # the caret under the offending name

    type_lines(terminal, "print z = 1 +* 2", "")  # a syntax error: the caret under the token found
    screen = terminal.wait_for(lambda s: "SyntaxError" in s, "the syntax error")
    lines = screen.splitlines()
    at = max(i for i, line in enumerate(lines) if line.lstrip().startswith("1 | print z = 1 +* 2"))
    assert lines[at + 1].index("^") == lines[at].rindex("2")


def test_render_timechart_and_columnchart_draw_charts_with_labelled_axes(terminal):
    terminal.wait_for(lambda s: "NetDefaultDB>" in s, "the prompt")
    type_lines(terminal, "range Timestamp from datetime(2026-01-01) to datetime(2026-01-02) step 1h",
               "| extend Load = hourofday(Timestamp)", "| render timechart with (title='Daily load')", "")
    screen = terminal.wait_for(lambda s: "Daily load" in s and "└" in s, "the time chart")
    assert "┤" in screen and "01-01 06:00" in screen  # the y axis ticks and the time axis labels
    assert any(line.strip() == "Load" or line.strip().endswith(" Timestamp") or "Timestamp" in line
               for line in screen.splitlines()[-12:])
    terminal.send("C-l")
    type_lines(terminal, 'datatable(Fruit:string, Sold:long)["apple", 3, "pear", 5, "plum", 1]',
               "| render columnchart", "")
    screen = terminal.wait_for(lambda s: "plum" in s and "█" in s, "the column chart")
    assert "┤" in screen and "Fruit" in screen and "Sold" in screen


def test_a_twenty_column_result_scrolls_sideways_in_less(tmp_path):
    if shutil.which("less") is None:
        pytest.skip("less is not installed")
    term = start_kshell(tmp_path, pager=None, width=100, height=30)
    try:
        term.wait_for(lambda s: "NetDefaultDB>" in s, "the prompt")
        columns = ", ".join(f"Column{i:02d} = {i}00000" for i in range(1, 21))
        type_lines(term, f"print {columns}", "")
        def header(screen: str) -> str:
            return next((line for line in screen.splitlines() if line.count("|") >= 3 and "Column" in line), "")

        screen = term.wait_for(lambda s: "Column04" in header(s), "the table in the pager")
        assert "Column20" not in header(screen) and "RECORD" not in screen  # horizontal, cut at the edge
        for _ in range(4):
            term.send("Right")  # less -S scrolls half a screen to the right
        term.wait_for(lambda s: "Column20" in header(s) and "Column01" not in header(s),
                      "the last columns after scrolling")
        term.send("q")
        term.wait_for(lambda s: "(1 row" in s, "the prompt back after the pager")
    finally:
        stop(term)


def test_a_long_request_shows_a_spinner_then_its_result(terminal):
    terminal.wait_for(lambda s: "NetDefaultDB>" in s, "the prompt")
    type_lines(terminal, "range x from 1 to 9000000 step 1 | extend y = x % 7 | summarize Total = count()", "")
    terminal.wait_for(lambda s: "running..." in s and " s (Ctrl-C cancels)" in s, "the spinner", timeout=30)
    screen = terminal.wait_for(lambda s: "(1 row" in s, "the result", timeout=120)
    assert "9000000 |" in screen
    assert "running..." not in screen  # the spinner line is erased before the result
