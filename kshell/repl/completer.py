"""The prompt_toolkit Completer: a thin adapter over the completion engine."""

from __future__ import annotations

from prompt_toolkit.completion import Completer, Completion

from kshell.repl.completion import CompletionEngine


class KustoCompleter(Completer):
    def __init__(self, engine: CompletionEngine):
        self.engine = engine

    def get_completions(self, document, complete_event):
        try:
            suggestions = self.engine.complete(document.text, document.cursor_position)
        except Exception:  # noqa: BLE001 - a completion bug must never break typing
            return
        for s in suggestions:
            yield Completion(s.text, start_position=-s.replace, display=s.display or s.text,
                             display_meta=s.meta)
