"""Config file, history file, pager and output layout helpers of the REPL."""

from __future__ import annotations

import io
import sys

from kshell.repl import config as cfgmod
from kshell.repl import pager
from kshell.repl.history import open_history
from kshell.repl.keys import ready_to_run
from kshell.result import Result


def test_first_run_writes_a_commented_template_that_parses_to_the_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    cfg = cfgmod.load_config()
    path = tmp_path / "cfg" / "kshell" / "config"
    assert path.exists()
    assert cfg.warnings == []
    assert cfg == cfgmod.Config()
    for key in ("format", "pager", "timing", "history_size", "style", "key_mode", "multiline"):
        assert f"\n{key} = " in path.read_text()


def test_values_are_read_and_bad_ones_warn_without_stopping(tmp_path):
    cfg = cfgmod.parse_config(
        "[main]\nformat = json\npager = off\ntiming = no\nhistory_size = 50\nkey_mode = vi\n"
        "multiline = newline\nstyle = monokai\nkey_mode = dvorak\ncolour = red\nhistory_size = lots\n")
    assert (cfg.format, cfg.pager, cfg.timing, cfg.history_size, cfg.key_mode, cfg.multiline, cfg.style) == \
        ("json", False, False, 50, "vi", "newline", "monokai")
    assert len(cfg.warnings) == 3
    assert any("key_mode" in w for w in cfg.warnings)
    assert any("colour" in w for w in cfg.warnings)


def test_existing_config_is_not_overwritten(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = tmp_path / "kshell" / "config"
    path.parent.mkdir(parents=True)
    path.write_text("timing = off\n")
    assert cfgmod.load_config().timing is False
    assert path.read_text() == "timing = off\n"


def test_history_is_trimmed_to_its_size(tmp_path):
    path = tmp_path / "history"
    h = open_history(path, 100)
    for i in range(10):
        h.append_string(f"request {i}")
    open_history(path, 3)
    text = path.read_text()
    assert "+request 9" in text and "+request 7" in text and "+request 6" not in text
    assert list(reversed(list(open_history(path, 3).load_history_strings()))) == \
        ["request 7", "request 8", "request 9"]


def test_enter_readiness():
    assert ready_to_run("")
    assert ready_to_run(".show databases")
    assert not ready_to_run(".alter cluster policy managed_identity ```[")
    assert not ready_to_run("T |")
    assert not ready_to_run("T | project a,")
    assert not ready_to_run(".set-or-append T <|")
    assert not ready_to_run("T | where (a")
    assert ready_to_run("T | where a == '|'")
    assert ready_to_run("#echo a,")  # directives are one line


def test_vertical_layout_only_when_wider_than_the_terminal():
    r = Result.of([("Name", "string"), ("Value", "long")], [["a" * 30, 1]])
    narrow = pager.render_result(r, "table", False, columns=200, auto_vertical=True)
    wide = pager.render_result(r, "table", False, columns=20, auto_vertical=True)
    assert "RECORD" not in narrow and "RECORD" in wide
    assert "RECORD" not in pager.render_result(r, "table", False, columns=20, auto_vertical=False)
    assert "RECORD" not in pager.render_result(r, "csv", False, columns=5, auto_vertical=True)


class FakeTty(io.StringIO):
    def isatty(self):
        return True


def test_pager_runs_for_tall_output_on_a_terminal(monkeypatch, tmp_path):
    paged = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"{sys.executable} -c \"import sys; open({str(paged)!r}, 'w').write(sys.stdin.read())\"")
    out = FakeTty()
    tall = "\n".join(f"row {i}" for i in range(100))
    pager.show(tall, use_pager=True, rows=24, out=out)
    assert out.getvalue() == ""
    assert paged.read_text().startswith("row 0\nrow 1")
    # short output, pager off, or not a terminal: printed directly
    for kwargs, stream in (({"use_pager": True, "rows": 200}, FakeTty()),
                           ({"use_pager": False, "rows": 24}, FakeTty()),
                           ({"use_pager": True, "rows": 24}, io.StringIO())):
        pager.show(tall, out=stream, **kwargs)
        assert stream.getvalue().startswith("row 0")


def test_missing_pager_falls_back_to_printing(monkeypatch):
    monkeypatch.setenv("PAGER", "/nonexistent/pager-binary")
    out = FakeTty()
    pager.show("\n".join(map(str, range(100))), use_pager=True, rows=10, out=out)
    assert out.getvalue().startswith("0\n1\n")


def test_default_pager_is_less_with_its_flags(monkeypatch):
    monkeypatch.delenv("PAGER", raising=False)
    assert pager.pager_command() == ["less", "-SRXF"]
