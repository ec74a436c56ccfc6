"""The history file: prompt_toolkit's FileHistory, kept to `history_size` entries."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit.history import FileHistory, History, InMemoryHistory


def _trim(path: Path, keep: int) -> None:
    """Rewrite the file with only its last `keep` entries (FileHistory's format)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except (OSError, UnicodeDecodeError):
        return
    entries: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.startswith("#") or (not line.strip() and current and current[-1].startswith("+")):
            if any(l.startswith("+") for l in current):
                entries.append(current)
                current = []
        current.append(line)
    if any(l.startswith("+") for l in current):
        entries.append(current)
    if len(entries) <= keep:
        return
    try:
        path.write_text("".join("".join(e) for e in entries[-keep:]), encoding="utf-8")
    except OSError:
        pass


def open_history(path: Path, size: int) -> History:
    """The persistent history, or an in-memory one when the file cannot be used."""
    if size == 0:
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            _trim(path, size)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError:
        return InMemoryHistory()
    return _RedactingFileHistory(str(path))


class _RedactingFileHistory(FileHistory):
    """FileHistory that writes connection-string secrets (`#connect ...;AppKey=...`) as ****."""

    def store_string(self, string: str) -> None:
        if string.lstrip().lower().startswith("#connect"):
            from kshell.remote.spec import redact

            string = redact(string)
        super().store_string(string)
