"""The interactive shell: a prompt_toolkit PromptSession loop.

`run(state)` is what the command line calls in interactive mode.  The pieces
live in their own modules: key bindings (keys.py), highlighting (lexer.py),
completion (completion.py + completer.py), toolbar, style, config, history,
and running/showing results (runner.py, pager.py).
"""

from __future__ import annotations

import sys
from typing import Any

from kshell.repl import config as config_mod
from kshell.repl.config import Config


def _apply_config(state: Any, cfg: Config) -> None:
    # A --format given on the command line wins; "table" is the command line's default.
    if state.format == "table":
        state.format = cfg.format
    state.timing = cfg.timing
    state.types = state.types or cfg.types
    state.pager = cfg.pager
    state.extras.setdefault("input_mode", "block" if cfg.multiline == "block" else "line")
    state.extras.setdefault("max_rows", cfg.max_rows)
    state.extras.setdefault("charts", "always" if cfg.charts else "never")


def build_prompt_session(state: Any, cfg: Config, *, engine=None):
    """The PromptSession with everything wired in (kept separate for tests)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.enums import EditingMode
    from prompt_toolkit.lexers import PygmentsLexer

    from kshell.repl.completer import KustoCompleter
    from kshell.repl.completion import CompletionEngine
    from kshell.repl.history import open_history
    from kshell.repl.keys import build_key_bindings
    from kshell.repl.lexer import KustoLexer
    from kshell.repl.style import build_style
    from kshell.repl.toolbar import toolbar_fragments

    from kshell.target import CurrentTarget

    # the completer reads whichever target is current (#connect switches it)
    engine = engine or CompletionEngine(CurrentTarget(state))
    style, warnings = build_style(cfg.style)
    cfg.warnings.extend(warnings)
    lexer = None if cfg.style.lower() == "none" else PygmentsLexer(KustoLexer, sync_from_start=True)

    def prompt_message():
        return [("class:prompt", f"{state.target.database_name}> ")]

    def continuation(width, line_number, is_soft_wrap):
        return [("class:continuation", "." * max(width - 1, 0) + " ")]

    session = PromptSession(
        message=prompt_message,
        multiline=True,
        prompt_continuation=continuation,
        lexer=lexer,
        completer=KustoCompleter(engine),
        complete_while_typing=cfg.complete_while_typing,
        auto_suggest=AutoSuggestFromHistory(),
        history=open_history(config_mod.history_path(), cfg.history_size),
        enable_history_search=False,
        key_bindings=build_key_bindings(cfg.multiline, mode=lambda: state.extras.get("input_mode", "block")),
        editing_mode=EditingMode.VI if cfg.key_mode == "vi" else EditingMode.EMACS,
        bottom_toolbar=lambda: toolbar_fragments(state, cfg.key_mode, cfg.multiline),
        style=style,
        include_default_pygments_style=False,
        mouse_support=False,
    )
    return session, engine


def run(state: Any, *, cfg: Config | None = None) -> int:
    """The read-run loop; returns the exit code (0: the user left with Ctrl-D or #quit)."""
    from kshell.repl.runner import run_text

    cfg = cfg or config_mod.load_config()
    _apply_config(state, cfg)
    state.interactive = True
    session, engine = build_prompt_session(state, cfg)
    _load_engine_after_first_prompt(session)
    _start_schema_after_first_prompt(session, state)
    for w in cfg.warnings:
        print(f"kshell: config: {w}", file=sys.stderr)
    _banner(state)
    while not state.quit:
        try:
            # In raw mode Ctrl-C arrives as a key (handled by the prompt); a SIGINT
            # handler of the prompt's own would only race with the request that
            # follows (a signal landing after the prompt exited).
            text = session.prompt(handle_sigint=False)
        except KeyboardInterrupt:
            continue  # Ctrl-C drops the current input
        except EOFError:
            break  # Ctrl-D on an empty line
        if not text.strip():
            continue
        try:
            run_text(state, text, auto_vertical=cfg.auto_vertical)
        except KeyboardInterrupt:  # Ctrl-C while a result was being shown
            print("Cancelled.", file=sys.stderr)
        engine.invalidate()  # directives and commands may have changed the cluster
    return 0


def _start_schema_after_first_prompt(session: Any, state: Any) -> None:
    """Ask the target for its schema once the prompt is drawn: a remote one starts
    fetching it in the background (kshell.remote.schema), so completion has it by
    the time the user presses Tab; the simulated cluster's is just there."""
    def after_render(_app: Any) -> None:
        try:
            state.target.cluster
        except Exception:  # noqa: BLE001 - completion is a convenience, never a crash
            pass

    session.app.after_render += after_render


def _load_engine_after_first_prompt(session: Any) -> None:
    """Import the engine's command families once the first prompt is on the screen.

    The command line creates an interactive session without them (a few
    hundred milliseconds of imports, kshell.engine.session), so the prompt
    appears sooner; they load right after it is drawn, and keys typed
    meanwhile wait in the terminal's buffer.  Session.run loads them anyway
    before any request.
    """
    from kshell.engine import session as session_mod

    def after_render(_app: Any) -> None:
        session_mod.load_families()  # returns at once once loaded

    session.app.after_render += after_render


def _banner(state: Any) -> None:
    try:
        from kshell import __version__
    except ImportError:
        __version__ = ""
    print(f"kshell {__version__} - {state.target.title}. Type help for help, Ctrl-D to leave."
          .replace("  ", " "))
