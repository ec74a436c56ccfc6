"""The bottom toolbar: context database, principal, simulated clock, key hints."""

from __future__ import annotations

from typing import Any


def _clock(session: Any) -> str:
    try:
        now = session.now()
    except Exception:  # a half-built session must not break the prompt
        return "?"
    return now.strftime("%Y-%m-%d %H:%M:%SZ") if now is not None else "?"


def toolbar_fragments(state: Any, key_mode: str = "emacs", multiline: str = "smart") -> list[tuple[str, str]]:
    session = state.session
    run_key, newline_key = ("Enter", "Alt-Enter") if multiline == "smart" else ("Alt-Enter", "Enter")
    parts: list[tuple[str, str]] = [
        ("class:bottom-toolbar.label", " db "),
        ("class:bottom-toolbar.value", str(getattr(session, "database_name", "?"))),
        ("class:bottom-toolbar.label", "  as "),
        ("class:bottom-toolbar.value", str(getattr(session, "principal", "?"))),
        ("class:bottom-toolbar.label", "  clock "),
        ("class:bottom-toolbar.value", _clock(session)),
        ("class:bottom-toolbar.label", "   "),
        ("class:bottom-toolbar.key", f"{run_key}:run {newline_key}:newline Tab:complete "
                                     "Ctrl-R:search Ctrl-D:exit"),
    ]
    if key_mode == "vi":
        parts.append(("class:bottom-toolbar.warn", "  vi"))
    return parts
