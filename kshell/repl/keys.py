"""Key bindings: what Enter and Alt-Enter do.

Whether a request is complete is decided by ONE function, the splitter's
`kshell.script.is_complete` (design.md): an open ``` literal, quote or
bracket keeps the request open.  On top of it, Enter also continues a request
whose last token is `|`, `<|` or `,` (the next line surely continues it);
that only changes the Enter key, never how a script is split.  Enter runs a complete request ("smart"
mode) or inserts a newline; Alt-Enter (Esc Enter) does the other thing.
Ctrl-C (cancel input) and Ctrl-D (exit on an empty line) are prompt_toolkit's
own behaviour; Ctrl-R is its reverse history search.
"""

from __future__ import annotations

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.filters import Condition, has_completions, is_searching
from prompt_toolkit.key_binding import KeyBindings

from kshell.script import is_complete
from kshell.syntax.tokens import OP, tokenize


# A request ending with one of these is still being written (issue 9): Enter continues it.
CONTINUATION_OPS = frozenset({"|", "<|", ","})


def ends_with_continuation(text: str) -> bool:
    """True when the last token of `text` is a trailing `|`, `<|` or `,`."""
    tail = text.rstrip()
    if not tail or tail[-1] not in "|,":
        return False
    toks = tokenize(tail[-200:] if len(tail) > 200 else tail, lenient=True)
    return bool(toks) and toks[-1].kind == OP and toks[-1].text in CONTINUATION_OPS


def ready_to_run(text: str) -> bool:
    """Enter runs the text: empty, or complete per the splitter and not ending with `|`/`<|`/`,`."""
    if not text.strip():
        return True
    return is_complete(text) and (text.lstrip().startswith("#") or not ends_with_continuation(text))


def build_key_bindings(multiline: str = "smart") -> KeyBindings:
    kb = KeyBindings()

    completion_selected = has_completions & Condition(
        lambda: _current_buffer_completion_selected())

    @kb.add("enter", filter=completion_selected & ~is_searching)
    def _apply_completion(event) -> None:
        # Enter on a highlighted menu entry takes it, as in every shell.
        buf = event.current_buffer
        completion = buf.complete_state.current_completion
        buf.apply_completion(completion)

    @kb.add("enter", filter=~completion_selected & ~is_searching)
    def _enter(event) -> None:
        buf = event.current_buffer
        if multiline == "smart" and ready_to_run(buf.text):
            buf.validate_and_handle()
        else:
            buf.newline(copy_margin=False)

    @kb.add("tab", filter=~is_searching)
    def _tab(event) -> None:
        # Completions are computed right here (the engine is fast), so a Tab typed
        # before the complete-while-typing menu caught up still does the right thing.
        buf = event.current_buffer
        if buf.complete_state is not None:
            if len(buf.complete_state.completions) == 1:
                buf.apply_completion(buf.complete_state.completions[0])
            else:
                buf.complete_next()
            return
        if buf.completer is None:
            return
        found = list(buf.completer.get_completions(buf.document, CompleteEvent(completion_requested=True)))
        if len(found) == 1:
            buf.apply_completion(found[0])
        elif found:
            buf.start_completion(insert_common_part=True)

    @kb.add("escape", "enter", filter=~is_searching)
    def _alt_enter(event) -> None:
        buf = event.current_buffer
        if multiline == "smart":
            buf.newline(copy_margin=False)
        else:
            buf.validate_and_handle()

    return kb


def _current_buffer_completion_selected() -> bool:
    from prompt_toolkit.application.current import get_app

    state = get_app().current_buffer.complete_state
    return state is not None and state.current_completion is not None
