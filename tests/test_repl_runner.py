"""Running entered text: several requests, errors, Ctrl-C during a request, internal bugs."""

from __future__ import annotations

import io

from kshell.directives import ShellState
from kshell.repl.runner import run_text


def make_state(session, **kw):
    return ShellState(session=session, interactive=True, timing=True, pager=False, **kw)


def test_each_request_runs_in_order_and_a_failure_stops_the_rest(session):
    state = make_state(session)
    out, err = io.StringIO(), io.StringIO()
    ok = run_text(state, ".create table A (x:long)\n\n.show table Nope\n\n.create table B (y:long)", out=out, err=err)
    assert not ok
    assert "A" in session.database.tables and "B" not in session.database.tables
    assert "Error (line 3): " in err.getvalue()
    assert "(1 more request not run)" in err.getvalue()


def test_ctrl_c_during_a_request_cancels_it_and_rolls_back(session, monkeypatch):
    state = make_state(session)
    rolled_back = []
    session.after_rollback.append(lambda s: rolled_back.append(s))

    def interrupted(text):
        raise KeyboardInterrupt

    monkeypatch.setattr(session, "execute", interrupted)
    out, err = io.StringIO(), io.StringIO()
    assert run_text(state, ".show tables", out=out, err=err) is False
    assert "Cancelled." in err.getvalue()
    assert rolled_back == [session]


def test_an_internal_bug_is_one_line_and_not_fatal(session, monkeypatch):
    state = make_state(session)

    def broken(text):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(session, "execute", broken)
    out, err = io.StringIO(), io.StringIO()
    assert run_text(state, ".show tables", out=out, err=err) is False
    assert err.getvalue() == "kshell: internal error: ZeroDivisionError: boom\n"


def test_row_count_and_time_follow_each_result_unless_timing_is_off(session):
    session.execute(".create table T (a:long)")
    state = make_state(session)
    out = io.StringIO()
    run_text(state, ".show tables", out=out, err=io.StringIO())
    assert "(1 row, " in out.getvalue() and " ms)" in out.getvalue()
    state.timing = False
    out = io.StringIO()
    run_text(state, ".show tables", out=out, err=io.StringIO())
    assert "TableName" in out.getvalue()
    assert "(1 row" not in out.getvalue() and " ms)" not in out.getvalue()


def test_types_on_shows_column_types(session):
    session.execute(".create table T (a:long)")
    state = make_state(session, types=True)
    out = io.StringIO()
    run_text(state, ".show tables", out=out, err=io.StringIO())
    assert "TableName:string" in out.getvalue()
