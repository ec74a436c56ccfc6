"""Showing text in a terminal: the pager (`less -S`) for results taller or wider than the screen."""

from __future__ import annotations

import os
import re
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


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def widest_line(text: str) -> int:
    """The widest line as the terminal shows it (colour codes of a chart take no room)."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return max((len(line) for line in text.split("\n")), default=0)


def render_result(result: Any, fmt: str, types: bool, columns: int, auto_vertical: bool | int,
                  can_scroll: bool = False) -> str:
    """Render one result in the layout the screen allows (kshell.repl.results.layout)."""
    from kshell.repl.results import layout

    return layout(result, fmt, types, columns, auto_vertical, can_scroll=can_scroll)


def pager_command() -> list[str]:
    raw = os.environ.get("PAGER") or DEFAULT_PAGER
    try:
        return shlex.split(raw)
    except ValueError:
        return shlex.split(DEFAULT_PAGER)


def show(text: str, *, use_pager: bool, rows: int, columns: int | None = None, out=None) -> None:
    """Write `text`; through the pager when asked, on a terminal, and taller or wider than the screen.

    A text wider than the screen is paged by the default pager without -F
    (less would otherwise print it cut at the screen's edge and quit at once,
    leaving nothing to scroll sideways)."""
    out = out or sys.stdout
    if not text.endswith("\n"):
        text += "\n"
    wide = columns is not None and widest_line(text) > columns
    if use_pager and _is_tty(out) and (text.count("\n") > max(rows - 2, 1) or wide):
        if _page(text, wide=wide):
            return
    out.write(text)
    out.flush()


def is_tty(out) -> bool:
    return _is_tty(out)


def _is_tty(out) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _page(text: str, wide: bool = False) -> bool:
    """Run the pager on `text`; False when it cannot be started (then print instead)."""
    cmd = pager_command()
    if not cmd:
        return False
    env = dict(os.environ)
    env.setdefault("LESS", "-SRXF")
    if wide and cmd == shlex.split(DEFAULT_PAGER):
        cmd = ["less", "-SRX"]  # stay open (no -F): the user scrolls sideways, q leaves
        env["LESS"] = "-SRX"
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
