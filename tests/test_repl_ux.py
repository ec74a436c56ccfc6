"""Issue 17's smaller pieces in the shell: the Enter rules, the toolbar's width, the
error caret, the screen's row cap, help words, signatures in completion, charts."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from prompt_toolkit.document import Document

from kshell.directives import ShellState
from kshell.repl.config import parse_config
from kshell.repl.keys import block_ready, block_text
from kshell.repl.runner import run_text
from kshell.repl.toolbar import toolbar_fragments


def make_state(session, **kw):
    return ShellState(session=session, interactive=True, timing=False, pager=False, **kw)


def test_block_mode_enter_rules():
    assert block_ready("")
    assert block_ready(".show tables") and block_ready("#timing off") and block_ready("help")
    assert not block_ready("StormEvents")                     # a query: Enter adds a line
    assert not block_ready("let x = 1;")
    assert not block_ready(".ingest inline into table T <|")   # ends with <|: data follows
    assert block_ready("T\n| take 1\n")                          # Enter on the empty line runs
    assert not block_ready("print x = (1\n")                     # an open bracket never runs
    assert not block_ready(".alter table T policy update ```[\n\n")  # nor an open literal
    assert block_ready(".create table A (x:long)\n\n.create table B (y:long)")  # a paste of two
    assert not block_ready("T\n| take 1\n", at_end=False)
    assert block_text("T\n| take 1\n  \n") == "T\n| take 1"


def test_toolbar_fits_80_columns(session):
    state = make_state(session)
    for width in (80, 100, 150):
        text = "".join(t for _, t in toolbar_fragments(state, width=width))
        assert len(text) < width, (width, text)
    text = "".join(t for _, t in toolbar_fragments(state, width=80))
    assert "NetDefaultDB" in text and "2026-01-01" in text and "kshell-admin" in text


def test_errors_show_the_line_with_a_caret_under_the_column(session):
    out, err = io.StringIO(), io.StringIO()
    assert not run_text(make_state(session), "print a = 1\n| where b > 1", out=out, err=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == "Error (line 2, column 9): SemanticError: Failed to resolve scalar expression named 'b'"
    assert lines[1] == "   2 | | where b > 1"
    assert lines[2].index("^") == lines[1].index("b >")
    err = io.StringIO()
    run_text(make_state(session), "print x = 1 +* 2", out=out, err=err)
    lines = err.getvalue().splitlines()
    assert "SyntaxError" in lines[0] and lines[2].index("^") == lines[1].rindex("2")  # at the token found


def test_screen_row_cap_with_a_note_and_multiline_values_escaped(session):
    state = make_state(session)
    state.extras["max_rows"] = 3
    out, err = io.StringIO(), io.StringIO()
    assert run_text(state, 'range x from 1 to 10 step 1 | extend s = strcat("a\\nb", x)', out=out, err=err)
    text = out.getvalue()
    assert "(7 more rows not shown: max_rows is 3; #out FILE writes them all)" in text
    assert "| a\\nb1 " in text and "a\nb" not in text


def test_help_words_and_exit_at_the_prompt(session):
    state = make_state(session)
    out = io.StringIO()
    assert run_text(state, "?", out=out, err=io.StringIO())
    assert "#help NAME" in out.getvalue() and not state.quit
    run_text(state, "  quit ", out=out, err=io.StringIO())
    assert state.quit


def test_completion_menu_shows_function_signatures(session):
    from kshell.repl.completer import KustoCompleter
    from kshell.repl.completion import CompletionEngine

    completer = KustoCompleter(CompletionEngine(session))
    text = "print format_datet"
    found = list(completer.get_completions(Document(text, len(text)), None))
    meta = {c.text: "".join(t for _, t in c.display_meta) for c in found}
    assert meta["format_datetime"].startswith("format_datetime(")


def test_charts_in_the_shell_and_a_note_for_undrawable_kinds(session):
    state = make_state(session)
    out, err = io.StringIO(), io.StringIO()
    assert run_text(state, "range t from datetime(2026-01-01) to datetime(2026-01-02) step 1h "
                           "| extend v = hourofday(t) | render linechart with (title='L')", out=out, err=err)
    assert "┤" in out.getvalue() and " L " in out.getvalue() and "| 2026" not in out.getvalue()
    out = io.StringIO()
    run_text(state, "print a = 1 | render pivotchart", out=out, err=err)
    assert "render pivotchart: kshell cannot draw" in out.getvalue() and "|   1 |" in out.getvalue()
    state.extras["charts"] = "never"  # config charts = off
    out = io.StringIO()
    run_text(state, "print a = 1, b = 2 | render columnchart", out=out, err=err)
    assert "┤" not in out.getvalue() and "|   1 |" in out.getvalue()


def test_config_reads_the_new_settings():
    cfg = parse_config("multiline = line\nmax_rows = 50\ncharts = off\n")
    assert (cfg.multiline, cfg.max_rows, cfg.charts, cfg.warnings) == ("line", 50, False, [])
    assert parse_config("multiline = smart\n").multiline == "line"
    assert parse_config("").multiline == "block"
    assert parse_config("max_rows = -1\n").warnings


def test_now_with_an_existing_state_file_says_it_is_ignored(tmp_path, run_kshell):
    path = str(tmp_path / "c.kshell")
    code, _, err = run_kshell("#time\n", path)
    assert code == 0 and "ignored" not in err
    code, out, err = run_kshell("#time\n", path, "--now", "2030-01-01")
    assert code == 0 and "2026-01-01" in out
    assert err.startswith("kshell: --now ignored: ") and "keeps its own clock" in err


def test_timing_prints_nothing_after_directives_in_scripts(run_kshell):
    code, out, _ = run_kshell("#timing on\n#db\n#format\nprint a = 1\n")
    assert code == 0 and out.count(" ms)") == 1


def test_help_says_plainly_what_kshell_does_not_run(run_kshell):
    import pytest

    catalog = pytest.importorskip("kshell.catalog")
    missing = next((e for e in catalog.entries() if not e.simulated and e.kind in ("operator", "function")), None)
    if missing is None:
        pytest.skip("the catalog lists nothing kshell does not run")
    code, out, err = run_kshell(f"#help {missing.name}\n\n#help format_datetime\n\n#help .show table\n")
    assert code == 0, err
    kind = {"operator": "tabular operator", "function": "scalar function"}[missing.kind]
    assert f"`{missing.name}` is a Kusto {kind} kshell does not run yet" in out
    assert "format_datetime (scalar function)" in out and "format_datetime(" in out
    assert ".show table <table> principals" in out
    code, _, err = run_kshell("#help no_such_thing_at_all\n")
    assert code == 1 and "is not a directive, command, operator or function kshell knows" in err


def test_the_caret_gutter_counts_lines_of_everything_entered(session):
    err = io.StringIO()
    run_text(make_state(session), "print a = 1\n\nprint b = 2\n| where c > 0", out=io.StringIO(), err=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Error (line 4, column 9): ") and lines[1] == "   4 | | where c > 0"


def test_completion_shows_the_operator_syntax_in_an_operator_slot(session):
    from kshell.repl.completer import KustoCompleter
    from kshell.repl.completion import CompletionEngine

    completer = KustoCompleter(CompletionEngine(session))
    text = "print 1 | cou"
    found = {c.text.strip(): "".join(t for _, t in c.display_meta)
             for c in completer.get_completions(Document(text, len(text)), None)}
    assert found["count"].startswith("T | count")  # the operator, not the count() aggregate


def test_auto_vertical_takes_a_number_of_screens():
    from kshell.repl import results
    from kshell.result import Result

    assert parse_config("auto_vertical = 2\n").auto_vertical == 2
    assert parse_config("auto_vertical = off\n").auto_vertical == 0
    assert parse_config("auto_vertical = sideways\n").warnings
    wide = Result.of([(f"Column{i}", "string") for i in range(12)], [["x" * 8] * 12])  # ~160 columns
    assert "RECORD" not in results.layout(wide, "table", False, 100, 2, can_scroll=True)
    assert "RECORD" in results.layout(wide, "table", False, 50, 2, can_scroll=True)
    assert "RECORD" not in results.layout(wide, "table", False, 50, 0, can_scroll=False)
