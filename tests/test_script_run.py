"""The script runner in-process: execute_request, run_one, run_requests, the clock directives."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from kshell.directives import DirectiveError, ShellState
from kshell.engine import clock_directives
from kshell.engine.clock_directives import CLOCK_HOOKS, parse_datetime, parse_timespan
from kshell.errors import KustoSyntaxError
from kshell.result import Result
from kshell.script import Request, execute_request, run_one, run_requests, split_requests

UTC = dt.timezone.utc


@pytest.fixture
def state(session):
    return ShellState(session=session, format="csv")


def run(state, text: str, line: int = 1) -> tuple[bool, str, str]:
    out, err = io.StringIO(), io.StringIO()
    ok = run_one(state, Request(text, line), out, err)
    return ok, out.getvalue(), err.getvalue()


def test_execute_request_directive_result_is_a_list(state):
    got = execute_request(state, "#db")
    assert isinstance(got, list) and got[0].rows == [["NetDefaultDB"]]


def test_execute_request_raises_kusto_errors(state):
    with pytest.raises(KustoSyntaxError):
        execute_request(state, ".nonsense")
    with pytest.raises(DirectiveError):
        execute_request(state, "#nonsense")


def test_error_line_adds_the_line_inside_the_request(state):
    # the request starts on input line 10; the bad token is on its third line
    ok, out, err = run(state, ".show\ncluster\n  ;;; policy", line=10)
    assert not ok and out == ""
    # the offending `;` is on the request's third line (input line 12), after two spaces
    assert err.startswith("Error (line 12, column 3): SyntaxError: "), err


def test_error_without_a_line_reports_the_request_line(state):
    ok, _, err = run(state, "#db Missing", line=7)
    assert not ok
    assert err == "Error (line 7): EntityNotFound: Database 'Missing' was not found\n"


def test_notices_go_to_stderr_in_data_formats_and_stdout_in_table(state):
    ok, out, err = run(state, "#format")
    assert ok and out == "" and err == "format: csv\n"
    state.format = "table"
    ok, out, err = run(state, "#format")
    assert ok and "format: table" in out and err == ""


def test_run_requests_stops_at_first_failure_unless_keep_going(state):
    script = "#db\n#db Nope\n#time\n"
    out, err = io.StringIO(), io.StringIO()
    assert run_requests(state, split_requests(script), out, err) == 1
    assert "Now" not in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert run_requests(state, split_requests(script), out, err, keep_going=True) == 1
    assert "Now" in out.getvalue()


def test_run_requests_reports_unterminated_literal(state):
    from kshell.script import iter_requests

    out, err = io.StringIO(), io.StringIO()
    code = run_requests(state, iter_requests(["#db\n", "print ```\n", "\n"]), out, err)
    assert code == 1
    assert "NetDefaultDB" in out.getvalue()
    assert err.getvalue().startswith("Error (line 2): SyntaxError: unterminated ``` literal opened at line 2")


# ------------------------------------------------------------------ clock

def test_time_show_set_advance(state):
    ok, out, _ = run(state, "#time")
    assert out == "Now\n2026-01-01T00:00:00Z\n"
    run(state, "#time advance 1.02:03:04")
    assert state.session.now() == dt.datetime(2026, 1, 2, 2, 3, 4, tzinfo=UTC)
    run(state, "#time set 2025-06-01T12:00:00Z")
    assert state.session.now() == dt.datetime(2025, 6, 1, 12, tzinfo=UTC)
    assert state.session.cluster.now == state.session.now()


def test_advance_never_moves_backwards(state):
    ok, _, err = run(state, "#time advance -1h")
    assert not ok and "never moves backwards" in err
    assert state.session.now() == dt.datetime(2026, 1, 1, tzinfo=UTC)


def test_clock_hooks_run_after_the_move_and_their_results_are_shown(state, monkeypatch):
    calls = []

    def hook(session, old, new):
        calls.append((old, new, session.now()))
        return [Result.of([("Exported", "long")], [[3]])]

    monkeypatch.setattr(clock_directives, "CLOCK_HOOKS", [hook])
    ok, out, _ = run(state, "#time advance 30m")
    assert ok
    t0 = dt.datetime(2026, 1, 1, tzinfo=UTC)
    t1 = t0 + dt.timedelta(minutes=30)
    assert calls == [(t0, t1, t1)]
    assert out == "Now\n2026-01-01T00:30:00Z\nExported\n3\n"


def test_clock_hooks_list_is_module_level():
    assert isinstance(CLOCK_HOOKS, list)


@pytest.mark.parametrize(
    "text, seconds",
    [("1h", 3600), ("30m", 1800), ("2d", 172800), ("1.5h", 5400), ("100ms", 0.1), ("90s", 90),
     ("1.02:00:00", 93600), ("00:30:00", 1800), ("timespan(2h)", 7200), ("-1h", -3600), ("10min", 600)],
)
def test_parse_timespan(text, seconds):
    assert parse_timespan(text).total_seconds() == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "1x", "1:99:00", "h"])
def test_parse_timespan_rejects(text):
    with pytest.raises(ValueError):
        parse_timespan(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-01-01", dt.datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T10:00:00Z", dt.datetime(2026, 1, 1, 10, tzinfo=UTC)),
        ("2026-01-01 10:00", dt.datetime(2026, 1, 1, 10, tzinfo=UTC)),
        ("datetime(2026-01-01 10:00:00.5)", dt.datetime(2026, 1, 1, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2026-01-01T12:00:00+02:00", dt.datetime(2026, 1, 1, 10, tzinfo=UTC)),
    ],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


def test_db_directive_switches_context(state):
    ok, _, err = run(state, "#db ['netdefaultdb']")
    assert ok, err
    assert state.session.database_name == "NetDefaultDB"
    ok, _, err = run(state, "#dbcontext Missing")
    assert not ok and "Missing" in err


def test_time_advance_past_the_calendar_is_a_clean_error(run_kshell):
    code, out, err = run_kshell("#time advance 3000000d\n")
    assert code == 1
    assert err == ("Error (line 1): DirectiveError: advancing the clock by 3000000d goes past "
                   "the last date/time (9999-12-31)\n")


def test_error_position_counts_an_indented_directive_from_the_file_column():
    from kshell.script import error_position

    (request,) = split_requests("\n\n   #nosuch x\n")
    assert (request.text, request.line, request.column) == ("#nosuch x", 3, 4)
    # a position on the directive's own line is shifted by its indentation; later lines are not
    assert error_position(request, KustoSyntaxError("m", line=1, column=2)) == (3, 5)
    assert error_position(request, KustoSyntaxError("m", line=2, column=2)) == (4, 2)
    assert error_position(request, KustoSyntaxError("m")) == (3, None)
