"""Key bindings: what Enter, Alt-Enter, Ctrl-Enter and F5 do.

Whether a request is complete is decided by ONE function, the splitter's
`kshell.script.is_complete` (design.md): an open ``` literal, verbatim string
or bracket keeps the request open.  There are two input modes (Kusto.Cli's
names), read from the ShellState at each key press so `#blockmode` /
`#linemode` switch them at once:

- block (the default, as in Kusto Explorer): Enter inserts a newline, so a
  query is written one operator per line; Enter on an empty line, or
  Alt-Enter / Ctrl-Enter / F5, runs the block.  A complete one-line
  dot-command, `#directive` or prompt word (`help`, `exit`, ...) still runs on
  Enter, and so does a pasted text that already holds several requests.
- line: Enter runs a request as soon as it is complete and does not end with
  `|`, `<|` or `,` (the next line surely continues it); Alt-Enter inserts a
  newline.

`multiline = newline` in the config swaps line mode's keys (Enter: newline,
Alt-Enter: run).  An unclosed literal or bracket never runs: the run keys then
insert a newline.  None of this changes how a script is split.
"""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.filters import Condition, has_completions, is_searching
from prompt_toolkit.input.ansi_escape_sequences import ANSI_SEQUENCES
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys

from kshell.script import is_complete, open_literal, split_requests
from kshell.syntax.tokens import OP, tokenize

# A request ending with one of these is still being written (issue 9): Enter continues it.
CONTINUATION_OPS = frozenset({"|", "<|", ","})

# Words typed alone at the prompt that are not KQL (kshell.repl.prompt_words runs them).
PROMPT_WORDS = frozenset({"help", "?", "exit", "quit"})

# Ctrl-Enter: most terminals send the same byte as Enter; those that tell it apart
# (xterm's modifyOtherKeys, the CSI-u protocol of kitty/foot/wezterm) send these.
# prompt_toolkit reads the first as plain Enter; here both become the run key.
CTRL_ENTER_SEQUENCES = ("\x1b[27;5;13~", "\x1b[13;5u")
RUN_KEY = Keys.F24  # stands for Ctrl-Enter (no keyboard has a real F24 in practice)


def ends_with_continuation(text: str) -> bool:
    """True when the last token of `text` is a trailing `|`, `<|` or `,`."""
    tail = text.rstrip()
    if not tail or tail[-1] not in "|,":
        return False
    toks = tokenize(tail[-200:] if len(tail) > 200 else tail, lenient=True)
    return bool(toks) and toks[-1].kind == OP and toks[-1].text in CONTINUATION_OPS


def ready_to_run(text: str) -> bool:
    """Line mode: Enter runs the text when empty, or complete and not ending with `|`/`<|`/`,`."""
    if not text.strip():
        return True
    return is_complete(text) and (text.lstrip().startswith("#") or not ends_with_continuation(text))


def _one_line_command(text: str) -> bool:
    """A one-line dot-command, #directive or prompt word that is complete."""
    line = text.strip()
    if "\n" in line:
        return False
    if line.lower() in PROMPT_WORDS:
        return True
    return line[:1] in (".", "#") and ready_to_run(line)


def _several_requests(text: str) -> bool:
    """A paste of several complete requests (blank lines or dot-lines between them)."""
    try:
        parts = split_requests(text)
    except Exception:  # noqa: BLE001 - an open literal: not runnable yet
        return False
    return len(parts) > 1 and all(is_complete(p.text) for p in parts)


def blank_line_in_open_bracket(text: str) -> bool:
    """Enter on an empty line while only a bracket is open (no literal): adding the blank
    line would make the splitter cut the request there (a blank line ends a request
    even inside brackets), so block mode ignores that Enter."""
    if "\n" not in text or text.rsplit("\n", 1)[-1].strip():
        return False
    return not is_complete(text) and open_literal(text) is None


def block_ready(text: str, at_end: bool = True) -> bool:
    """Block mode: does Enter run `text`?  (`at_end`: the cursor is at its end; elsewhere
    Enter only splits the line, unless the text is a one-line command.)"""
    if not text.strip():
        return True
    if _one_line_command(text):
        return True
    if not at_end or not is_complete(text):
        return False  # an open literal or bracket never runs
    last_line = text.rsplit("\n", 1)[-1]
    if "\n" in text and not last_line.strip():
        return True  # Enter on an empty line runs the block
    return _several_requests(text)  # a paste holding several requests


def block_text(text: str) -> str:
    """The text to run: trailing blank lines dropped (they only said "run")."""
    lines = text.split("\n")
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _install_ctrl_enter() -> None:
    for seq in CTRL_ENTER_SEQUENCES:
        ANSI_SEQUENCES[seq] = RUN_KEY


def build_key_bindings(multiline: str = "block", mode: Callable[[], str] | None = None) -> KeyBindings:
    """`multiline`: the config's setting; `mode()` gives the live input mode
    ("block" or "line", changed by #blockmode / #linemode)."""
    kb = KeyBindings()
    _install_ctrl_enter()

    def current_mode() -> str:
        if mode is not None:
            return mode()
        return "block" if multiline == "block" else "line"

    completion_selected = has_completions & Condition(
        lambda: _current_buffer_completion_selected())

    def run_block(buf) -> None:
        text = buf.text
        if text.strip() and not is_complete(text):
            buf.newline(copy_margin=False)
            return
        cleaned = block_text(text)
        if cleaned != text:
            buf.text = cleaned
        buf.validate_and_handle()

    @kb.add("enter", filter=completion_selected & ~is_searching)
    def _apply_completion(event) -> None:
        # Enter on a highlighted menu entry takes it, as in every shell.
        buf = event.current_buffer
        completion = buf.complete_state.current_completion
        buf.apply_completion(completion)

    @kb.add("enter", filter=~completion_selected & ~is_searching)
    def _enter(event) -> None:
        buf = event.current_buffer
        if current_mode() == "block":
            at_end = buf.document.is_cursor_at_the_end
            if block_ready(buf.text, at_end):
                run_block(buf)
            elif at_end and blank_line_in_open_bracket(buf.text):
                pass  # see blank_line_in_open_bracket: the bracket must be closed first
            else:
                buf.newline(copy_margin=False)
        elif multiline != "newline" and ready_to_run(buf.text):
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
        if current_mode() == "line" and multiline != "newline":
            buf.newline(copy_margin=False)
        else:
            run_block(buf)

    @kb.add("f5", filter=~is_searching)
    @kb.add(RUN_KEY, filter=~is_searching)
    def _run_key(event) -> None:
        run_block(event.current_buffer)

    return kb


def _current_buffer_completion_selected() -> bool:
    from prompt_toolkit.application.current import get_app

    state = get_app().current_buffer.complete_state
    return state is not None and state.current_completion is not None
