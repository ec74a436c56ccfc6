"""`| render` charts in script mode (`--charts`), `#chart FILE`, and result truncation."""

from __future__ import annotations

import re

from conftest import run_kshell

TIMECHART = ("range Timestamp from datetime(2026-01-01) to datetime(2026-01-02) step 1h\n"
             "| extend Load = hourofday(Timestamp)\n| render timechart with (title='Daily load', ymax=30)\n")
COLUMNS = ('datatable(Fruit:string, Sold:long, Kept:long)["apple", 3, 1, "pear", 5, 2, "plum", 1, 1]\n'
           "| render columnchart with (kind=stacked)\n")


def test_charts_always_draws_under_the_table():
    code, out, err = run_kshell(TIMECHART, "--charts", "always")
    assert code == 0, err
    table_end = out.index("| 2026-01-02T00:00:00Z |")
    chart = out[table_end:]
    assert "Daily load" in chart and "┤" in chart and "└" in chart
    assert "30.0┤" in chart  # ymax honoured on the y axis
    assert "01-01 06:00" in chart and "Timestamp" in chart  # the x axis: time labels and its name
    assert "\x1b[" not in out  # no colours when stdout is not a terminal


def test_charts_auto_and_never_show_only_the_table_when_piped():
    for args in ((), ("--charts", "auto"), ("--charts", "never")):
        code, out, _ = run_kshell(TIMECHART, *args)
        assert code == 0
        assert "| 2026-01-02T00:00:00Z |" in out and "┤" not in out


def test_stacked_columnchart_piechart_card_and_undrawable_kinds():
    code, out, err = run_kshell(COLUMNS + "\n" + COLUMNS.replace("columnchart with (kind=stacked)", "piechart")
                                + "\nprint Total = 42 | render card\n\n"
                                + "print a = 1 | render treemap\n", "--charts", "always")
    assert code == 0, err
    assert "█ Sold" in out and "▒ Kept" in out and "plum" in out  # the legend names each series
    assert re.search(r"pear +█+ 55\.6%", out)  # the pie as proportional bars: 5 of 9 sold
    assert re.search(r"│ +42 +│", out)  # the card
    assert "render treemap: kshell cannot draw this kind of chart" in err


def test_chart_file_html_txt_and_a_clear_refusal_for_svg(tmp_path):
    html, txt, svg = tmp_path / "c.html", tmp_path / "c.txt", tmp_path / "c.svg"
    code, out, err = run_kshell(f"{TIMECHART}\n#chart {html}\n#chart {txt}\n")
    assert code == 0, err
    assert f"chart written to {html}" in out
    assert "<html" in html.read_text().lower() and "Daily load" in html.read_text()
    assert "Daily load" in txt.read_text() and "┤" in txt.read_text()
    code, _, err = run_kshell(f"{TIMECHART}\n#chart {svg}\n")
    assert code == 1 and "cannot write .svg" in err and not svg.exists()
    code, _, err = run_kshell(f"print a = 1\n\n#chart {html}\n")
    assert code == 1 and "has no chart" in err


def test_results_over_500000_rows_are_truncated_unless_notruncation():
    code, out, err = run_kshell("range x from 1 to 500001 step 1\n", "--format", "csv", timeout=120)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 500_001 and lines[-1] == "500000"  # the header and 500,000 records
    assert "Query result set has exceeded the internal record count limit 500000" in err
    assert "E_QUERY_RESULT_SET_TOO_LARGE" in err
    code, out, err = run_kshell("set notruncation;\nrange x from 1 to 500001 step 1\n", "--format", "csv",
                                timeout=120)
    assert code == 0 and len(out.splitlines()) == 500_002 and err == ""
    code, out, err = run_kshell("set truncationmaxrecords = 3;\nrange x from 1 to 10 step 1\n", "--format", "csv")
    assert out.splitlines() == ["x", "1", "2", "3"] and "limit 3 " in err


def test_without_plotext_the_table_and_one_clear_note(tmp_path):
    import subprocess
    import sys

    from conftest import PROJECT_ROOT, _env

    blocker = tmp_path / "plotext"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('plotext is not installed here')\n")
    env = _env()
    env["PYTHONPATH"] = f"{tmp_path}:{PROJECT_ROOT}"
    proc = subprocess.run([sys.executable, "-m", "kshell", "--charts", "always", "--now", "2026-01-01"],
                          input=TIMECHART, capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0
    assert "| 2026-01-02T00:00:00Z |" in proc.stdout and "┤" not in proc.stdout
    assert proc.stderr.strip() == ("kshell: charts need the plotext package (pip install 'kshell[charts]'); "
                                   "showing the table")


def test_plotext_is_imported_only_when_a_chart_is_drawn():
    import subprocess
    import sys

    from conftest import PROJECT_ROOT, _env

    code = ("import sys\n"
            "from kshell.cli import main\n"
            "rc = main(['--charts', 'always', '--now', '2026-01-01'])\n"
            "print('PLOTEXT', 'plotext' in sys.modules, file=sys.stderr)\n")
    for script, loaded in (("print a = 1\n\nprint b = 2 | render table\n", False), (TIMECHART, True)):
        proc = subprocess.run([sys.executable, "-c", code], input=script, capture_output=True, text=True,
                              cwd=str(PROJECT_ROOT), env=_env(), timeout=60)
        assert f"PLOTEXT {loaded}" in proc.stderr, proc.stderr


def test_ysplit_panels_draws_one_chart_per_y_column():
    script = ("range t from datetime(2026-01-01) to datetime(2026-01-02) step 1h\n"
              "| extend a = hourofday(t), b = 100 - hourofday(t)\n"
              "| render timechart with (ysplit=panels, title='Load')\n")
    code, out, err = run_kshell(script, "--charts", "always", "--format", "markdown")
    assert code == 0, err
    chart = out[out.index("Load: a"):]
    assert "Load: b" in chart and chart.count("└") == 2  # two panels, each with its own axes
    assert "100.0┤" in chart and "23.0┤" in chart.split("Load: b")[0]


def test_log_axis():
    code, out, err = run_kshell("range x from 1 to 6 step 1 | extend y = exp10(x) | render linechart with (yaxis=log)\n",
                                "--charts", "always")
    assert code == 0, err
    chart = out[out.index("┌"):]
    ticks = [line.split("┤")[0].strip() for line in chart.splitlines() if "┤" in line]
    assert ticks[0] == "1.0000e6" or float(ticks[0]) == 1e6
    assert float(ticks[1]) < 1e6 / 4  # evenly spaced ticks on a log axis: the second is far below half
