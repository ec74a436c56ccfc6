"""Showing results in a terminal: vertical layout when too wide, a pager when too tall."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from typing import Any

DEFAULT_PAGER = "less -SRXF"


def terminal_size() -> tuple[int, int]:
    """(columns, rows) of the terminal the prompt runs in."""
    try:
        from prompt_toolkit.application.current import get_app_session

        size = get_app_session().output.get_size()
        return size.columns, size.rows
    except Exception:  # noqa: BLE001 - no terminal: a classic size
        import shutil

        s = shutil.get_terminal_size((80, 24))
        return s.columns, s.lines


def widest_line(text: str) -> int:
    return max((len(line) for line in text.split("\n")), default=0)


def render_result(result: Any, fmt: str, types: bool, columns: int, auto_vertical: bool) -> str:
    """Render one result; a table wider than the terminal becomes the vertical layout."""
    from kshell.render import render

    text = render(result, fmt, types=types)
    if auto_vertical and fmt == "table" and widest_line(text) > columns and result.columns:
        text = render(result, "vertical", types=types)
    return text


def pager_command() -> list[str]:
    raw = os.environ.get("PAGER") or DEFAULT_PAGER
    try:
        return shlex.split(raw)
    except ValueError:
        return shlex.split(DEFAULT_PAGER)


def show(text: str, *, use_pager: bool, rows: int, out=None) -> None:
    """Write `text`; through the pager when asked, on a terminal, and taller than the screen."""
    out = out or sys.stdout
    if not text.endswith("\n"):
        text += "\n"
    if use_pager and _is_tty(out) and text.count("\n") > max(rows - 2, 1):
        if _page(text):
            return
    out.write(text)
    out.flush()


def _is_tty(out) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _page(text: str) -> bool:
    """Run the pager on `text`; False when it cannot be started (then print instead)."""
    cmd = pager_command()
    if not cmd:
        return False
    env = dict(os.environ)
    env.setdefault("LESS", "-SRXF")
    # Ctrl-C belongs to the pager while it runs (less uses it to stop a search).
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, env=env)
    except OSError:
        signal.signal(signal.SIGINT, previous)
        return False
    try:
        try:
            proc.communicate(text.encode("utf-8", "backslashreplace"))
        except (BrokenPipeError, OSError):
            pass  # the user quit the pager before reading everything
        proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return True
