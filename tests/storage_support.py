"""Tests over the simulated storage: a shell state whose session has the account `acct1`
(`storage_state`, a fixture in conftest.py), and `run` for a directive or a request."""

from __future__ import annotations

from kshell.directives import ShellState, run_directive


def storage_state(session, tmp_path) -> ShellState:
    session.storage_dir = str(tmp_path / "storage")
    st = ShellState(session=session)
    run_directive(st, "#storage create acct1")
    return st


def run(state: ShellState, text: str):
    """A `#` directive's result, or the first result of a request."""
    if text.startswith("#"):
        return run_directive(state, text)
    return state.session.execute(text)[0]
