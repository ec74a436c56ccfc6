"""The bottom toolbar: where requests go (the target's own status fields), key hints.

It fits the terminal's width (80 columns included): key hints are dropped from
the end first, then the longest status value (usually the principal) is
shortened with an ellipsis.  While a request runs, kshell.repl.progress shows
its spinner on stderr instead.
"""

from __future__ import annotations

from typing import Any


def _status(state: Any) -> list[tuple[str, str]]:
    try:
        from kshell.directives import target_of

        return target_of(state).status()
    except Exception:  # noqa: BLE001 - a half-built session must not break the prompt
        return [("db", "?")]


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


def _shorten(value: str, room: int) -> str:
    if len(value) > room and "=" in value:
        value = value.partition("=")[2]  # aaduser=x@y -> x@y: the kind is the least telling part
    limit = max(room, 12)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def toolbar_fragments(state: Any, key_mode: str = "emacs", multiline: str = "block",
                      width: int | None = None) -> list[tuple[str, str]]:
    width = width or _width()
    mode = state.extras.get("input_mode", "block" if multiline == "block" else "line")
    # the target describes itself: db/as/clock locally, cluster/db/auth remotely
    status = [(label, str(value)) for label, value in _status(state)]
    vi = "  vi" if key_mode == "vi" else ""
    labels = sum(len(label) + 3 for label, _ in status)
    room = width - 1 - labels - len(vi)  # the last column stays free (some terminals scroll when it is written)
    values = [v for _, v in status]
    if values and sum(map(len, values)) > room:
        longest = max(range(len(values)), key=lambda i: len(values[i]))
        others = sum(len(v) for i, v in enumerate(values) if i != longest)
        values[longest] = _shorten(values[longest], room - others)
    room -= sum(map(len, values))
    hints = key_hints(mode, multiline)
    while hints and len("  " + " ".join(hints)) > room:
        hints.pop()
    parts: list[tuple[str, str]] = []
    for n, ((label, _), value) in enumerate(zip(status, values)):
        parts.append(("class:bottom-toolbar.label", (" " if n == 0 else "  ") + label + " "))
        parts.append(("class:bottom-toolbar.value", value))
    if hints:
        parts.append(("class:bottom-toolbar.key", "  " + " ".join(hints)))
    if vi:
        parts.append(("class:bottom-toolbar.warn", vi))
    return parts
