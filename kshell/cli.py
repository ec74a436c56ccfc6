"""The command line: picks interactive, script or execute mode.

    kshell [STATE_FILE|CLUSTER] [-f FILE] [-e TEXT]... [--format F] [--keep-going]
           [--echo] [--now DATETIME] [--storage DIR] [--check [FILE...]]
           [--auth MODE] [--token-command CMD]
    kshell serve [STATE_FILE] [--host H] [--port P] ...   (kshell.server.cli)
    kshell token FQN

CLUSTER is a URL (https://..., http://...) or a Kusto connection string
(Data Source=...): requests then go to that cluster (kshell.remote).

Exit codes: 0 every request succeeded, 1 a request failed, 2 usage error,
70 internal error (one line, never a traceback; set KSHELL_TRACEBACK=1 to
see it).  Script mode imports neither prompt_toolkit nor pygments.
"""

from __future__ import annotations

import errno
import os
import sys

# Annotations only: `typing` and `collections.abc` are not loaded at start-up (issue 18).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator
    from typing import BinaryIO

from kshell import __version__
from kshell.errors import KustoError, UsageError
from kshell.formats import FORMATS

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


class InputError(Exception):
    """The input is not UTF-8 text (exit 1)."""


def build_parser() -> argparse.ArgumentParser:
    import argparse  # not at start-up: the usual command lines take _fast_args

    p = argparse.ArgumentParser(
        prog="kshell",
        description="An interactive Kusto (Azure Data Explorer) shell over a simulated cluster "
        "with managed identities, security roles and policies.",
        epilog="Interactive when stdin is a terminal; script mode when stdin is piped or -f is given. "
        "Requests are separated by blank lines; a line starting with '.' or '#' also starts a new one. "
        "Exit codes: 0 ok, 1 a request failed, 2 usage error, 70 internal error. "
        "Also: `kshell serve [STATE_FILE]` serves the cluster to the Kusto SDKs; `kshell token FQN` prints "
        "a token for a principal (see `kshell serve --help`).",
    )
    p.add_argument("state_file", nargs="?", metavar="STATE_FILE|CLUSTER",
                   help="cluster state file to open or create (default: a fresh in-memory cluster); "
                   "or a real cluster: https://CLUSTER.REGION.kusto.windows.net[/DB], http://127.0.0.1:PORT/DB, "
                   "or a connection string 'Data Source=...;Initial Catalog=...'")
    p.add_argument("-f", "--file", metavar="FILE", help="run the requests in FILE ('-' = stdin)")
    p.add_argument("-e", "--execute", action="append", metavar="TEXT", default=[],
                   help="run TEXT as a request and exit (repeatable)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("--keep-going", action="store_true",
                   help="in a script, run the remaining requests after a failure (exit 1 at the end)")
    p.add_argument("--echo", action="store_true", help="print each request before its result")
    p.add_argument("--now", metavar="DATETIME",
                   help="start the simulated clock at DATETIME (default: now, whole seconds, UTC)")
    p.add_argument("--charts", choices=("always", "never", "auto"), default=None,
                   help="draw '| render' charts under the table: always, never, or auto (default: when stdout is "
                        "a terminal; the interactive shell draws them unless its config says charts = off)")
    p.add_argument("--storage", metavar="DIR", help="directory backing the simulated storage accounts")
    p.add_argument("--check", nargs="*", metavar="FILE",
                   help="only check the syntax of the requests in FILEs (or stdin) and exit")
    p.add_argument("--auth", metavar="MODE",
                   help="how to authenticate to a CLUSTER: az-cli, device, browser, msi[:CLIENT_ID], app, "
                   "token, none (default: none for a loopback http:// server, else environment credentials "
                   "then az cli)")
    p.add_argument("--token-command", metavar="CMD",
                   help="with --auth token: run CMD and use its output as the bearer token "
                   "(default: $KSHELL_TOKEN)")
    p.add_argument("--version", action="version", version=f"kshell {__version__}")
    return p


# The options a script usually passes, read without argparse (importing and building
# the parser is a tenth of script start-up, issue 18).  Anything else -- help, --check,
# --auth, abbreviations, `--`, a value starting with '-', a second positional -- goes
# to argparse, so the fast path never answers differently, it only answers sooner.
_FAST_VALUES = {"-e": "execute", "--execute": "execute", "-f": "file", "--file": "file", "--format": "format",
                "--now": "now", "--storage": "storage", "--charts": "charts"}
_FAST_FLAGS = {"--keep-going": "keep_going", "--echo": "echo"}
_FAST_CHOICES = {"format": FORMATS, "charts": ("always", "never", "auto")}


def _fast_args(words: list[str]):
    """The parsed options as argparse would give them, or None when argparse must decide."""
    from types import SimpleNamespace

    args = SimpleNamespace(state_file=None, file=None, execute=[], format="table", keep_going=False, echo=False,
                           now=None, charts=None, storage=None, check=None, auth=None, token_command=None)
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in _FAST_FLAGS and not eq:
            setattr(args, _FAST_FLAGS[name], True)
        elif name in _FAST_VALUES:
            if not eq:
                i += 1
                if i == len(words):
                    return None
                value = words[i]
            dest = _FAST_VALUES[name]
            if value.startswith("-") or (dest in _FAST_CHOICES and value not in _FAST_CHOICES[dest]):
                return None
            if dest == "execute":
                args.execute.append(value)
            else:
                setattr(args, dest, value)
        elif word.startswith("-") or args.state_file is not None:
            return None
        else:
            args.state_file = word
        i += 1
    return args


# ------------------------------------------------------------------ input

def decoded_lines(stream: BinaryIO, source: str) -> Iterator[str]:
    """Lines of a byte stream as text; InputError on invalid UTF-8, binary data or a read error."""
    for lineno, raw in enumerate(_read_lines(stream, source), 1):
        if b"\x00" in raw:
            raise InputError(f"{source}: line {lineno}: contains a NUL byte; kshell reads UTF-8 text, not binary data")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(
                f"{source}: line {lineno}, column {e.start + 1}: invalid UTF-8 "
                f"(byte 0x{raw[e.start]:02x}); kshell reads UTF-8 text"
            ) from None


def _read_lines(stream: BinaryIO, source: str) -> Iterator[bytes]:
    # A read that fails midway (/proc/self/mem, a vanished network file) is the input's
    # fault: said as such, not mistaken for an output error or an internal one.
    try:
        yield from stream
    except OSError as e:
        raise InputError(f"cannot read {source}: {e.strerror or e}") from None


# ---------------------------------------------------------------- session

def _parse_now(text: str | None):
    if text is None:
        return None
    from kshell.engine.clock_directives import parse_datetime

    try:
        return parse_datetime(text)
    except ValueError as e:
        raise UsageError(f"--now: {e}") from None


def open_state(args: argparse.Namespace, *, interactive: bool = False):
    """The ShellState of this run: a fresh cluster, or the one in STATE_FILE.

    The session loads the engine's command families on first use; the REPL
    preloads them all once its first prompt is on the screen.
    """
    from kshell.directives import ShellState
    from kshell.target import is_remote_spec

    if is_remote_spec(args.state_file):
        return open_remote_state(args)
    now = _parse_now(args.now)
    if args.state_file is not None and args.state_file and not args.state_file.strip():
        raise UsageError("STATE_FILE is blank")
    if args.state_file:
        existed = os.path.exists(args.state_file)
        import importlib.util  # (not at start-up: a script without a state file never needs it)

        if importlib.util.find_spec("kshell.store") is None:
            raise UsageError("state files are not supported by this version of kshell yet; run without STATE_FILE")
        from kshell import store

        try:
            session = store.open_session(args.state_file, now=now, defer_families=True)
        except KustoError as e:  # the store names the file in its message
            raise UsageError(f"{e.kind}: {e.message}") from None
        except OSError as e:
            raise UsageError(f"cannot open state file '{args.state_file}': {e.strerror or e}") from None
        if now is not None and existed:
            print(f"kshell: --now ignored: '{args.state_file}' already exists and keeps its own clock "
                  "(#time set moves it)", file=sys.stderr)
    else:
        from kshell.engine.session import Session

        # Families load on first use (kshell.engine.session.HANDLER_INDEX); the REPL
        # also preloads them all once its first prompt is drawn.
        session = Session(now=now, defer_families=True)
    state = ShellState(session=session, format=args.format, echo=args.echo)
    # for #connect (callers such as `kshell serve` may pass a Namespace without them)
    state.extras.update(auth=getattr(args, "auth", None), token_command=getattr(args, "token_command", None))
    if getattr(args, "charts", None):
        state.extras["charts"] = args.charts
    if args.storage:
        state.extras["storage_dir"] = args.storage
        # read by kshell.engine.storage.storage_root (the engine never sees the ShellState)
        session.storage_dir = os.path.abspath(args.storage)
    return state


def open_remote_state(args: argparse.Namespace):
    """The ShellState of a run against a real cluster (kshell.remote); no local
    session until `#connect local` asks for one."""
    from kshell.directives import ShellState
    from kshell.remote import RemoteUnavailable, open_target
    from kshell.remote.auth import AuthError
    from kshell.remote.spec import TargetSpecError

    for option, value in (("--now", args.now), ("--storage", args.storage)):
        if value is not None:
            raise UsageError(f"{option} applies to the simulated cluster, not to a remote one")
    try:
        target = open_target(args.state_file, args.auth, token_command=args.token_command)
    except (RemoteUnavailable, AuthError, TargetSpecError) as e:
        raise UsageError(str(e)) from None
    except Exception as e:  # the SDK's own checks of a connection string: one line
        raise UsageError(f"cannot use that cluster: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from None
    state = ShellState(session=None, format=args.format, echo=args.echo, connection=target)
    state.extras.update(auth=args.auth, token_command=args.token_command)
    # `#connect` back to this cluster later finds it again (schema, #qp, #crp kept)
    state.extras["connections"] = {(target.spec.connection_string, args.auth, args.token_command): target}
    return state


# ------------------------------------------------------------------ modes

def run_check(paths: list[str]) -> int:
    import importlib.util

    if importlib.util.find_spec("kshell.syntax.check") is None:
        raise UsageError("--check is not available in this version of kshell yet")
    from kshell.syntax import check

    return check.main(paths)


def run_script_mode(state, args: argparse.Namespace) -> int:
    from kshell.script import iter_requests, run_requests, text_lines

    out, err = sys.stdout, sys.stderr
    status = EXIT_OK
    sources: list[tuple[str, object]] = []
    if args.file:
        sources.append(("file", args.file))
    for text in args.execute:
        sources.append(("text", text))
    if not sources:
        sources.append(("file", "-"))
    for kind, value in sources:
        if kind == "text":
            lines = text_lines(value)
            code = run_requests(state, iter_requests(lines), out, err, keep_going=args.keep_going)
        elif value == "-":
            code = _run_stream(state, sys.stdin.buffer, "stdin", args)
        else:
            try:
                stream = open(value, "rb")
            except OSError as e:
                raise UsageError(f"cannot read '{value}': {e.strerror or e}") from None
            with stream:
                code = _run_stream(state, stream, value, args)
        status = max(status, code)
        if (code and not args.keep_going) or state.quit:
            break
    return status


def _run_stream(state, stream: BinaryIO, source: str, args: argparse.Namespace) -> int:
    from kshell.script import iter_requests, run_requests

    try:
        return run_requests(state, iter_requests(decoded_lines(stream, source)), sys.stdout, sys.stderr,
                            keep_going=args.keep_going)
    except InputError as e:
        sys.stdout.flush()
        print(f"kshell: {e}", file=sys.stderr)
        return EXIT_FAILED


def run_interactive(state) -> int:
    state.interactive = True
    from kshell.repl import app  # only here: script mode never loads prompt_toolkit

    return app.run(state)


# ------------------------------------------------------------------- main

def _prepare_streams() -> None:
    # Never die on a character the terminal's encoding cannot show.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass


def _quiet_python_warnings() -> None:
    # Python's own warnings (e.g. re's "FutureWarning: Possible nested set" for a
    # user's regex '[[a]') are not the user's business: Kusto would not print them.
    import warnings

    warnings.simplefilter("ignore")


# `kshell serve ...` / `kshell token ...`: the server layer, imported only for them
# (a state file named like a subcommand is opened as ./serve).
SUBCOMMANDS = ("serve", "token")


def main(argv: list[str] | None = None) -> int:
    _prepare_streams()
    _quiet_python_warnings()
    words = sys.argv[1:] if argv is None else argv
    if words and words[0] in SUBCOMMANDS:
        return _guarded(lambda: _subcommand(words[0], words[1:]))
    args = _fast_args(words)
    if args is None:
        args = build_parser().parse_args(words)  # usage errors exit 2 here
    return _guarded(lambda: _main(args))


def _subcommand(name: str, argv: list[str]) -> int:
    from kshell.server import cli as server_cli

    return server_cli.serve_main(argv) if name == "serve" else server_cli.token_main(argv)


def _guarded(run) -> int:
    try:
        return run()
    except UsageError as e:
        print(f"kshell: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("kshell: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `kshell ... | head`): stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_FAILED
    except OSError as e:
        if e.errno not in _OUTPUT_ERRNOS:
            return _internal_error(e)
        # stdout/stderr on a full disk or a broken device: the environment, not a bug
        try:
            print(f"kshell: cannot write the output: {e.strerror or e}", file=sys.stderr)
        except OSError:
            pass
        return EXIT_FAILED
    except Exception as e:  # an internal bug: one line, no traceback
        return _internal_error(e)


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}


def _internal_error(e: Exception) -> int:
    """An internal bug: one line naming it, no traceback (KSHELL_TRACEBACK=1 shows it)."""
    if os.environ.get("KSHELL_TRACEBACK"):
        import traceback

        traceback.print_exc()
    message = str(e).strip().splitlines()[0] if str(e).strip() else ""
    try:
        sys.stdout.flush()
    except Exception:
        pass
    detail = f": {message}" if message else ""
    print(f"kshell: internal error: {type(e).__name__}{detail}", file=sys.stderr)
    return EXIT_INTERNAL


def _main(args: argparse.Namespace) -> int:
    if args.check is not None:
        # `kshell FILE --check`: argparse took FILE for STATE_FILE
        from kshell.target import is_remote_spec

        named = args.state_file and not is_remote_spec(args.state_file)
        paths = args.check or ([args.state_file] if named else [])
        return run_check(paths)
    scripted = bool(args.file or args.execute) or not _stdin_is_tty()
    state = open_state(args, interactive=not scripted)
    if scripted:
        return run_script_mode(state, args)
    return run_interactive(state)


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
