"""The prompt_toolkit Completer: a thin adapter over the completion engine.

Functions show their signature from the language catalog beside the name
(kshell.help_topics.signature; nothing when the catalog has none).
"""

from __future__ import annotations

from prompt_toolkit.completion import Completer, Completion

from kshell.repl.completion import CompletionEngine

SIGNED_KINDS = frozenset({"function", "aggregate", "operator"})


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
                             display_meta=_meta(s))


def _meta(s) -> str:
    if s.meta in SIGNED_KINDS:
        from kshell.help_topics import signature

        sig = signature((s.display or s.text).strip(), s.meta)
        if sig:
            return sig
    return s.meta
