"""The bottom toolbar: where requests go (the target's own status fields), key hints."""

from __future__ import annotations

from typing import Any


def _status(state: Any) -> list[tuple[str, str]]:
    try:
        from kshell.directives import target_of

        return target_of(state).status()
    except Exception:  # noqa: BLE001 - a half-built session must not break the prompt
        return [("db", "?")]


def toolbar_fragments(state: Any, key_mode: str = "emacs", multiline: str = "smart") -> list[tuple[str, str]]:
    run_key, newline_key = ("Enter", "Alt-Enter") if multiline == "smart" else ("Alt-Enter", "Enter")
    parts: list[tuple[str, str]] = []
    # the target describes itself: db/as/clock locally, cluster/db/auth remotely
    for n, (label, value) in enumerate(_status(state)):
        parts.append(("class:bottom-toolbar.label", (" " if n == 0 else "  ") + label + " "))
        parts.append(("class:bottom-toolbar.value", value))
    parts += [
        ("class:bottom-toolbar.label", "   "),
        ("class:bottom-toolbar.key", f"{run_key}:run {newline_key}:newline Tab:complete "
                                     "Ctrl-R:search Ctrl-D:exit"),
    ]
    if key_mode == "vi":
        parts.append(("class:bottom-toolbar.warn", "  vi"))
    return parts
