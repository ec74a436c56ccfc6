"""A state file under the interactive shell (prompt_toolkit driven through a pipe)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

pytest.importorskip("prompt_toolkit")

from prompt_toolkit.application import create_app_session  # noqa: E402
from prompt_toolkit.input import create_pipe_input  # noqa: E402
from prompt_toolkit.output import DummyOutput  # noqa: E402

from kshell.directives import ShellState  # noqa: E402
from kshell.store import close_session, open_session  # noqa: E402

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def drive(state, keys: str) -> int:
    from kshell.repl import app

    result: dict = {}
    with create_pipe_input() as inp:
        with create_app_session(input=inp, output=DummyOutput()):
            def feed():
                for i, chunk in enumerate(keys.split("\x00")):
                    if i:
                        time.sleep(0.3)
                    inp.send_text(chunk)
            t = threading.Thread(target=feed)
            t.start()
            result["code"] = app.run(state)
            t.join(20)
    return result["code"]


def test_requests_typed_at_the_prompt_are_written_and_open_switches_files(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    first, second = tmp_path / "first.kshell", tmp_path / "second.kshell"
    state = ShellState(session=open_session(str(first), now=NOW), interactive=True)
    keys = "\x00".join([
        ".create table T (a:long)\r",
        f"#open {second}\r",
        ".create table U (a:long)\r",
        "#time advance 1h\r",
        "\x04",
    ])
    assert drive(state, keys) == 0
    close_session(state.session)
    s = open_session(str(first))
    assert set(s.database.tables) == {"T"}
    close_session(s)
    s = open_session(str(second))
    assert set(s.database.tables) == {"U"}
    assert s.now() == NOW + dt.timedelta(hours=1)  # the run's clock, then moved by #time
    close_session(s)
