"""The bottom toolbar: context database, principal, simulated clock, key hints.

It fits the terminal's width (80 columns included): key hints are dropped
from the end first, then the principal is shortened with an ellipsis.  While
a request runs, kshell.repl.progress shows its spinner on stderr instead.
"""

from __future__ import annotations

from typing import Any


def _clock(session: Any) -> str:
    try:
        now = session.now()
    except Exception:  # a half-built session must not break the prompt
        return "?"
    return now.strftime("%Y-%m-%d %H:%M:%SZ") if now is not None else "?"


def _width() -> int:
    try:
        from prompt_toolkit.application.current import get_app

        return get_app().output.get_size().columns
    except Exception:  # noqa: BLE001 - no application: a classic terminal
        return 80


def key_hints(input_mode: str, multiline: str = "block") -> list[str]:
    if input_mode == "block":
        return ["Enter Enter:run", "F5:run", "Tab:complete", "Ctrl-R:search", "Ctrl-D:exit"]
    run_key, newline_key = ("Alt-Enter", "Enter") if multiline == "newline" else ("Enter", "Alt-Enter")
    return [f"{run_key}:run", f"{newline_key}:newline", "Tab:complete", "Ctrl-R:search", "Ctrl-D:exit"]


def toolbar_fragments(state: Any, key_mode: str = "emacs", multiline: str = "block",
                      width: int | None = None) -> list[tuple[str, str]]:
    session = state.session
    width = width or _width()
    mode = state.extras.get("input_mode", "block" if multiline == "block" else "line")
    db = str(getattr(session, "database_name", "?"))
    principal = str(getattr(session, "principal", "?"))
    clock = _clock(session)
    vi = "  vi" if key_mode == "vi" else ""
    fixed = len(" db ") + len(db) + len("  as ") + len("  clock ") + len(clock) + len(vi)
    room = width - 1 - fixed  # the last column stays free (some terminals scroll when it is written)
    if len(principal) > room and "=" in principal:
        principal = principal.partition("=")[2]  # aaduser=x@y -> x@y: the kind is the least telling part
    if len(principal) > max(room, 12):
        principal = principal[: max(room, 12) - 1] + "…"
    room -= len(principal)
    hints = key_hints(mode, multiline)
    while hints and len("  " + " ".join(hints)) > room:
        hints.pop()
    parts: list[tuple[str, str]] = [
        ("class:bottom-toolbar.label", " db "),
        ("class:bottom-toolbar.value", db),
        ("class:bottom-toolbar.label", "  as "),
        ("class:bottom-toolbar.value", principal),
        ("class:bottom-toolbar.label", "  clock "),
        ("class:bottom-toolbar.value", clock),
    ]
    if hints:
        parts.append(("class:bottom-toolbar.key", "  " + " ".join(hints)))
    if vi:
        parts.append(("class:bottom-toolbar.warn", vi))
    return parts
