"""Shared fixtures for the whole suite.

`run_kshell(script, *args)` runs the real command line (`python -m kshell`)
with `script` on stdin and returns (returncode, stdout, stderr).
`session` is a fresh simulated cluster session with a fixed clock.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXED_NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # Run the working tree's package even when kshell is not installed.
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def run_kshell_raw(stdin: bytes | str, *args: str, timeout: float = 60) -> tuple[int, str, str]:
    """Run `python -m kshell *args` with `stdin` (bytes or text) piped in."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "kshell", *args],
        input=data,
        capture_output=True,
        timeout=timeout,
        cwd=str(PROJECT_ROOT),
        env=_env(),
    )
    return (
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def run_kshell(script: str = "", *args: str, timeout: float = 60) -> tuple[int, str, str]:
    """Run kshell in script mode with `script` on stdin; the clock is fixed unless --now is given."""
    if not any(a == "--now" or a.startswith("--now=") for a in args):
        args = ("--now", "2026-01-01T00:00:00Z", *args)
    return run_kshell_raw(script, *args, timeout=timeout)


@pytest.fixture(name="run_kshell")
def run_kshell_fixture():
    """The `run_kshell(script, *args)` helper as a fixture."""
    return run_kshell


@pytest.fixture
def session():
    from kshell.engine.session import Session

    return Session(now=FIXED_NOW)


@pytest.fixture(name="storage_state")
def storage_state_fixture(session, tmp_path):
    """A ShellState over `session` with the simulated storage account acct1 (tests/storage_support.py)."""
    from storage_support import storage_state

    return storage_state(session, tmp_path)
