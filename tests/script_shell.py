"""`ScriptShell`: runs script text through the real splitter and request runner on one
session (directives included), for tests that drive the engine request by request."""

from __future__ import annotations

from kshell.directives import ShellState
from kshell.script import execute_request, split_requests


class ScriptShell:
    def __init__(self, session):
        self.session = session
        self.state = ShellState(session=session)

    def run(self, script: str):
        """Every request of `script` in order; the last one's results."""
        last = None
        for request in split_requests(script):
            last = execute_request(self.state, request.text)
        return last

    def rows(self, query: str):
        return self.run(query)[0].rows
