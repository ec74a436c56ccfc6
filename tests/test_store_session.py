"""The stored session: what is written when, and what happens after an internal error."""

from __future__ import annotations

import datetime as dt

import pytest

from kshell.engine import session as session_module
from kshell.store import StateFileError, close_session, open_session
from kshell.syntax import parse

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def node_type(text: str) -> type:
    return type(parse(text))


def test_queries_and_show_commands_write_nothing(tmp_path):
    s = open_session(str(tmp_path / "q.kshell"), now=NOW)
    s.execute(".create table T (a:long)")
    writes = []
    original = s.store.sync
    s.store.sync = lambda cluster: writes.append(1) or original(cluster)
    s.execute("T | count")
    s.execute(".show tables")
    assert writes == []
    s.execute(".create table U (a:long)")
    assert writes == [1]
    close_session(s)


def test_an_internal_error_in_a_state_changing_request_stops_writing(tmp_path, monkeypatch):
    path = str(tmp_path / "broken.kshell")
    s = open_session(path, now=NOW)
    s.execute(".create table T (a:long)")
    create = node_type(".create table X (a:long)")
    real = session_module._HANDLERS[create]

    def half_applied(session, node):
        real(session, node)  # the change is made in memory...
        raise RuntimeError("a bug after the change")  # ...and then the handler crashes

    monkeypatch.setitem(session_module._HANDLERS, create, half_applied)
    with pytest.raises(RuntimeError):
        s.execute(".create table Half (a:long)")
    monkeypatch.setitem(session_module._HANDLERS, create, real)
    with pytest.raises(StateFileError, match="no longer being written"):
        s.execute(".create table Later (a:long)")
    close_session(s)  # does not write the half-applied state either
    s = open_session(path)
    assert set(s.database.tables) == {"T"}
    close_session(s)


def test_an_interrupted_query_does_not_stop_writing(tmp_path, monkeypatch):
    path = str(tmp_path / "ctrlc.kshell")
    s = open_session(path, now=NOW)
    s.execute(".create table T (a:long)")
    query = node_type("T | count")

    def interrupted(session, node):
        raise KeyboardInterrupt

    monkeypatch.setitem(session_module._HANDLERS, query, interrupted)
    with pytest.raises(KeyboardInterrupt):
        s.execute("T | count")
    s.execute(".create table U (a:long)")
    close_session(s)
    s = open_session(path)
    assert set(s.database.tables) == {"T", "U"}
    close_session(s)


def test_a_value_the_file_cannot_hold_fails_the_request_and_keeps_the_file(tmp_path):
    path = str(tmp_path / "odd.kshell")
    s = open_session(path, now=NOW)
    s.execute(".create table T (a:long)")
    s.cluster.extras["cache"] = lambda: None  # not state a file can hold
    with pytest.raises(StateFileError, match="cannot store.*the request was not applied"):
        s.execute(".create table U (a:long)")
    # The failed request is not left applied in memory (the next write would save it):
    # the session is back at what the file holds.
    assert set(s.database.tables) == {"T"} and "cache" not in s.cluster.extras
    s.execute(".create table V (a:long)")
    close_session(s)
    s = open_session(path)
    assert set(s.database.tables) == {"T", "V"}
    close_session(s)


def test_what_a_failed_request_logs_is_written(tmp_path, monkeypatch):
    from kshell.errors import BadRequest

    path = str(tmp_path / "log.kshell")
    s = open_session(path, now=NOW)
    s.execute(".create table T (a:long)")
    create = node_type(".create table X (a:long)")

    def failing_with_a_log_entry(session, node):
        session.cluster.ingestion_failures.append({"Details": "logged by a failed request"})
        raise BadRequest("refused")

    monkeypatch.setitem(session_module._HANDLERS, create, failing_with_a_log_entry)
    with pytest.raises(BadRequest, match="refused"):
        s.execute(".create table Refused (a:long)")
    s.store.close()  # as if killed now: no further write
    s = open_session(path)
    assert s.cluster.ingestion_failures == [{"Details": "logged by a failed request"}]
    assert set(s.database.tables) == {"T"}
    close_session(s)
