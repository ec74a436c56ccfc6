"""#save PATH and #open PATH: state files from the shell."""

from __future__ import annotations

import os

from kshell.directives import DirectiveError, ShellState, directive


def _path_argument(args: str, usage: str) -> str:
    text = args.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    if not text.strip():  # `#open "  "` would make a file named by spaces
        raise DirectiveError(f"usage: {usage}")
    if "\x00" in text:  # the OS refuses such paths with a ValueError
        raise DirectiveError(f"a path cannot contain a NUL character (usage: {usage})")
    return os.path.expanduser(text)


def _refuse_foreign_file(path: str) -> None:
    """#save replaces kshell state files (even damaged ones) and empty files, never other
    files: `#save tour.kql` must not destroy the user's script."""
    import struct

    from kshell.store.file import APPLICATION_ID, SQLITE_MAGIC

    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError:
        return  # missing, a directory, unreadable: the save itself reports it
    if not header or SQLITE_MAGIC.startswith(header[: len(SQLITE_MAGIC)]) and len(header) < 72:
        return
    if header.startswith(SQLITE_MAGIC) and struct.unpack(">I", header[68:72])[0] == APPLICATION_ID:
        return
    raise DirectiveError(f"'{path}' exists and is not a kshell state file: #save does not overwrite it")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


@directive(
    "save",
    "#save PATH",
    "Write the current cluster (in memory or from a state file) to the state file PATH, atomically. "
    "The session keeps using its current cluster.",
)
def save_directive(state: ShellState, args: str) -> str:
    from kshell.store import StoredSession, save_cluster

    path = _path_argument(args, "#save PATH")
    _refuse_foreign_file(path)
    session = state.session
    if isinstance(session, StoredSession):
        session.sync()
        if _same_file(path, session.store.path):
            return f"Saved to '{path}' (the open state file)."
        session.store.backup_to(path)
    else:
        save_cluster(session.cluster, path)
    return f"Saved to '{path}'."


@directive(
    "open",
    "#open PATH",
    "Switch to the cluster in the state file PATH (created when missing). "
    "The current state file, if any, is written and closed.",
)
def open_directive(state: ShellState, args: str) -> str:
    from kshell.store import StoredSession, close_session, open_session

    path = _path_argument(args, "#open PATH")
    old = state.session
    if isinstance(old, StoredSession) and not old.store.closed and _same_file(path, old.store.path):
        return f"'{path}' is already open."
    if isinstance(old, StoredSession):
        # Write what is pending before opening, so nothing is lost if the new file is refused.
        old.sync()
    # A new file continues the simulated clock of this run (so --now scripts stay
    # deterministic); an existing file keeps its own clock.
    new = open_session(path, now=old.now())
    # The same user continues in the other cluster: keep the principal and, when the
    # other cluster has it, the context database.
    new.principal = old.principal
    if state.extras.get("storage_dir"):  # --storage DIR holds for every cluster of this run
        new.storage_dir = state.extras["storage_dir"]
    try:
        new.use_database(old.database_name)
    except Exception:
        pass
    state.session = new
    if isinstance(old, StoredSession):
        close_session(old)
        return f"Opened '{path}'."
    return f"Opened '{path}' (the in-memory cluster was left behind: #save PATH keeps a cluster)."
