"""The real interactive application, driven through prompt_toolkit's pipe input."""

from __future__ import annotations

import re
import threading
import time

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from kshell.directives import ShellState
from kshell.repl import app
from kshell.repl.config import parse_config

ENTER = "\r"
ALT_ENTER = "\x1b\r"
CTRL_C = "\x03"
CTRL_D = "\x04"


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("PAGER", raising=False)
    return tmp_path


class Recorder:
    """Wraps Session.execute to see exactly which requests reach the engine."""

    def __init__(self, session):
        self.texts: list[str] = []
        self._execute = session.execute
        session.execute = self

    def __call__(self, text):
        self.texts.append(text)
        return self._execute(text)


def drive(state, keys: str, *, cfg_text: str = "", timeout: float = 20) -> int:
    """Run the shell on `keys` (ending with Ctrl-D) and return its exit code."""
    cfg = parse_config(cfg_text) if cfg_text else None
    result: dict = {}
    with create_pipe_input() as inp:
        with create_app_session(input=inp, output=DummyOutput()):
            # Feed the keys from another thread so the prompt sees them arrive as typed.
            def feed():
                # "\x00" marks a pause: let the application catch up (history
                # loading, async completion) as it would between a person's keys.
                for i, chunk in enumerate(keys.split("\x00")):
                    if i:
                        time.sleep(0.3)
                    inp.send_text(chunk)
            t = threading.Thread(target=feed)
            t.start()
            result["code"] = app.run(state, cfg=cfg)
            t.join(timeout)
    return result["code"]


@pytest.fixture
def state(session, xdg):
    return ShellState(session=session, interactive=True)


def test_multi_line_policy_typed_line_by_line_runs_exactly_once(state, capsys):
    rec = Recorder(state.session)
    lines = [
        ".alter-merge cluster policy managed_identity ```[",
        "  {",
        '    "ObjectId": "system",',
        "",
        '    "AllowedUsages": "NativeIngestion, ExternalTable"',
        "  }",
        "]```",
    ]
    # block mode: Enter inside the literal adds lines; Enter on the empty line after it runs
    code = drive(state, "".join(line + ENTER for line in lines) + ENTER + CTRL_D)
    assert code == 0
    assert len(rec.texts) == 1
    assert rec.texts[0] == "\n".join(lines)
    out = capsys.readouterr().out
    assert out.count("ManagedIdentityPolicy") == 1
    policy = state.session.execute(".show cluster policy managed_identity")[0]
    assert "ExternalTable" in str(policy.rows)


def test_line_mode_enter_on_incomplete_query_continues(state, capsys):
    rec = Recorder(state.session)
    state.session.execute(".create table T (a:long)")
    rec.texts.clear()
    keys = "T" + ALT_ENTER + "| where a > (1" + ENTER + "+ 2)" + ENTER + CTRL_D
    drive(state, keys, cfg_text="multiline = line\n")
    # `T` + Alt-Enter: newline; the open bracket kept the request open at the first Enter.
    assert rec.texts == ["T\n| where a > (1\n+ 2)"]


def test_line_mode_enter_after_a_trailing_pipe_or_comma_continues(state):
    rec = Recorder(state.session)
    state.session.execute(".create table T (a:long, b:long)")
    rec.texts.clear()
    drive(state, "T |" + ENTER + "project a," + ENTER + "b" + ENTER + CTRL_D, cfg_text="multiline = smart\n")
    assert rec.texts == ["T |\nproject a,\nb"]


def test_pasted_text_with_several_requests_runs_each_in_order(state, capsys):
    rec = Recorder(state.session)
    paste = ".create table A (x:long)\n\n.create table B (y:string)\n\n.show tables"
    drive(state, "\x1b[200~" + paste + "\x1b[201~" + ENTER + CTRL_D)
    assert rec.texts == [".create table A (x:long)", ".create table B (y:string)", ".show tables"]
    out = capsys.readouterr().out
    assert "TableName" in out


def test_history_is_written(state, xdg):
    drive(state, "#db" + ENTER + CTRL_D)
    history = xdg / "data" / "kshell" / "history"
    assert history.exists()
    assert "+#db" in history.read_text()


def test_config_template_written_on_first_run(state, xdg):
    drive(state, CTRL_D)
    text = (xdg / "config" / "kshell" / "config").read_text()
    assert "key_mode = emacs" in text and "multiline = block" in text and text.startswith("#")


def test_ctrl_c_cancels_the_input_and_the_shell_goes_on(state):
    rec = Recorder(state.session)
    drive(state, ".show data" + CTRL_C + "\x00" + ".show databases" + ENTER + CTRL_D)
    assert rec.texts == [".show databases"]


def test_results_with_row_count_and_timing_and_timing_off(state, capsys):
    state.session.execute(".create table T (a:long)")
    drive(state, ".show tables" + ENTER + "#timing off" + ENTER + ".show tables" + ENTER + CTRL_D)
    out = capsys.readouterr().out
    assert out.count("(1 row, ") == 1


def test_errors_are_one_line_on_stderr_and_the_shell_goes_on(state, capsys):
    drive(state, ".show table Nope" + ENTER + "#pager off" + ENTER + "#pager" + ENTER + CTRL_D)
    captured = capsys.readouterr()
    assert "Error (line 1): " in captured.err
    assert "Traceback" not in captured.err
    assert "pager: off" in captured.out


def test_wide_table_switches_to_vertical_layout(state, capsys):
    drive(state, "#db" + ENTER + '.create table Wide (' + ", ".join(f"LongColumnName{i}:string" for i in range(12))
          + ")" + ENTER + CTRL_D)
    out = capsys.readouterr().out
    # `#db` is a narrow table; the .create result (its Schema column) is wider than
    # DummyOutput's 80 columns, so it comes out one record per block.
    assert "| NetDefaultDB |" in out or "NetDefaultDB" in out.split("RECORD")[0]
    assert out.count("RECORD 1") == 1
    assert max(len(line) for line in out.splitlines() if "LongColumnName" not in line) <= 80


def test_quit_directive_leaves(state):
    assert drive(state, "#quit" + ENTER) == 0


def test_vi_mode_and_newline_mode_from_config(state):
    rec = Recorder(state.session)
    cfg = "key_mode = vi\nmultiline = newline\ntiming = off\n"
    # newline mode: Enter inserts a newline, Alt-Enter runs.
    drive(state, "#db" + ENTER + ALT_ENTER + CTRL_D, cfg_text=cfg)
    assert rec.texts == []  # a directive does not reach the engine
    assert state.timing is False


def test_ctrl_r_searches_the_history(state):
    rec = Recorder(state.session)
    drive(state, ".show tables" + ENTER + "\x00" + "\x12" + "show t" + "\x00" + ENTER + "\x00" + ENTER + CTRL_D)
    assert rec.texts == [".show tables", ".show tables"]


def test_auto_suggestion_from_history_is_taken_with_right_arrow(state):
    rec = Recorder(state.session)
    drive(state, ".show databases" + ENTER + "\x00" + ".show da" + "\x00" + "\x1b[C" + "\x00" + ENTER + CTRL_D)
    assert rec.texts == [".show databases", ".show databases"]


def test_tab_completes_a_command_word_in_the_application(state):
    rec = Recorder(state.session)
    drive(state, ".show ver" + "\t" + "\x00" + ENTER + CTRL_D)
    assert rec.texts == [".show version "]


# ------------------------------------------------------------ block mode (issue 17)

def test_block_mode_a_query_typed_line_by_line_runs_once_on_the_empty_line(state, capsys):
    rec = Recorder(state.session)
    drive(state, "range x from 1 to 5 step 1" + ENTER + "| where x > 2" + ENTER + "| count" + ENTER + ENTER + CTRL_D)
    assert rec.texts == ["range x from 1 to 5 step 1\n| where x > 2\n| count"]
    assert re.search(r"\|\s+3 \|", capsys.readouterr().out)


def test_block_mode_let_then_query_and_the_run_keys(state, capsys):
    rec = Recorder(state.session)
    F5 = "\x1b[15~"
    CTRL_ENTER = "\x1b[27;5;13~"
    drive(state, "let n = 41;" + ENTER + "print answer = n + 1" + ENTER + ENTER
          + "print b = 2" + ALT_ENTER + "print c = 3" + F5 + "print d = 4" + CTRL_ENTER + CTRL_D)
    assert rec.texts == ["let n = 41;\nprint answer = n + 1", "print b = 2", "print c = 3", "print d = 4"]
    assert "42" in capsys.readouterr().out


def test_block_mode_inline_ingestion_typed_row_by_row_ingests_every_row(state):
    state.session.execute(".create table T (a:long, b:string)")
    rec = Recorder(state.session)
    drive(state, ".ingest inline into table T <|" + ENTER + "1,x" + ENTER + "2,y" + ENTER + "3,z" + ENTER + ENTER
          + CTRL_D)
    assert rec.texts == [".ingest inline into table T <|\n1,x\n2,y\n3,z"]
    assert state.session.execute("T | count")[0].rows == [[3]]


def test_block_mode_an_open_bracket_or_literal_never_runs(state):
    rec = Recorder(state.session)
    # Enter on the empty line inside the bracket neither runs nor adds a blank line
    # (which would cut the request for the splitter); inside a ``` literal it adds one.
    drive(state, "print x = (1" + ENTER + ENTER + "+ 2)" + ENTER + ENTER
          + "print y = ```a" + ENTER + ENTER + "b```" + ENTER + ENTER + CTRL_D)
    assert rec.texts == ["print x = (1\n+ 2)", "print y = ```a\n\nb```"]


def test_linemode_and_blockmode_directives_switch_enter(state):
    rec = Recorder(state.session)
    drive(state, "#linemode" + ENTER + "print a = 1" + ENTER + "#blockmode" + ENTER + "print b = 2" + ENTER
          + ENTER + CTRL_D)
    assert rec.texts == ["print a = 1", "print b = 2"]


def test_help_and_exit_at_the_prompt(state, capsys):
    assert drive(state, "help" + ENTER + "exit" + ENTER) == 0
    out = capsys.readouterr().out
    assert "#help" in out and "Enter on an empty line" in out
