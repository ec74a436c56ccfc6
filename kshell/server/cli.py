"""`kshell serve` and `kshell token`: the command lines of the server layer.

    kshell serve [STATE_FILE] [--host 127.0.0.1] [--port 8080] [--storage DIR] [--now T] [--require-auth]
    kshell token FQN

Imported only when one of these subcommands is given (kshell.cli), so the
shell's start-up never pays for it.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import socket
import sys
from typing import Any

from kshell.errors import UsageError
from kshell.gc_pause import end_startup


def build_serve_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kshell serve",
        description="Serve the simulated cluster as a Kusto endpoint (the REST API the official SDKs use).",
        epilog="Without an Authorization header a request runs as the default principal (like the Kusto "
               "emulator) unless --require-auth is given. `kshell token FQN` prints a token for a principal.",
    )
    p.add_argument("state_file", nargs="?", metavar="STATE_FILE",
                   help="cluster state file to open or create (default: a fresh in-memory cluster)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080; 0 = any free port)")
    p.add_argument("--storage", metavar="DIR", help="directory backing the simulated storage accounts")
    p.add_argument("--now", metavar="DATETIME", help="start the simulated clock at DATETIME (a new cluster)")
    p.add_argument("--require-auth", action="store_true",
                   help="refuse requests without an 'Authorization: Bearer' token (401)")
    return p


def build_token_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kshell token",
        description="Print a bearer token for a principal, to send to `kshell serve` "
                    "(an unsigned JWT: kshell reads its claims, it does not check signatures).",
    )
    p.add_argument("fqn", metavar="FQN", help="principal, e.g. aaduser=alice@contoso.com or aadapp=<app id>")
    return p


def token_main(argv: list[str]) -> int:
    from kshell.server.principals import mint

    args = build_token_parser().parse_args(argv)
    from kshell.engine.auth import parse_fqn
    from kshell.errors import KustoError

    try:
        parse_fqn(args.fqn)
        token = mint(args.fqn)
    except (KustoError, ValueError) as e:
        raise UsageError(getattr(e, "message", None) or str(e)) from None
    print(token)
    return 0


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_main(argv: list[str]) -> int:
    args = build_serve_parser().parse_args(argv)
    if not _is_loopback(args.host) and not args.require_auth:
        raise UsageError(f"refusing to serve on non-loopback address '{args.host}' without --require-auth "
                         "(anyone who can reach it would act as the cluster admin)")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a port number")
    from kshell.cli import open_state
    from kshell.target import is_remote_spec

    if is_remote_spec(args.state_file):
        raise UsageError(f"kshell serve serves a simulated cluster: '{args.state_file}' names a real cluster, "
                         "not a state file")
    from kshell.server.http import KustoServer
    from kshell.server.service import Service

    state = open_state(argparse.Namespace(state_file=args.state_file, now=args.now, storage=args.storage,
                                          format="table", echo=False))
    session = state.session
    service = Service(session)
    try:
        server = _bind(args, service)
    except OSError as e:
        _close(session)
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from None
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else host
    where = f"state file {args.state_file}" if args.state_file else "in-memory cluster"
    try:
        # From here on SIGTERM stops the server: a client may stop it right after reading the URL,
        # even while the line is still being flushed.
        _stop_on_sigterm()
        end_startup()  # the server has started: the collector's start-up setting ends here
        print(f"kshell serve: listening on http://{shown}:{port} ({where}; "
              f"{'tokens required' if args.require_auth else 'no token = the default principal'}; Ctrl-C stops)",
              flush=True)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        with service.lock:  # no request is inside the engine while the state file closes
            _close(session)
    print("kshell serve: stopped", file=sys.stderr, flush=True)
    return 0


def _bind(args: Any, service: Any):
    from kshell.server.http import KustoServer

    class Server(KustoServer):
        address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET

    return Server((args.host.strip("[]"), args.port), service, require_auth=args.require_auth)


def _stop_on_sigterm() -> None:
    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (embedded use)
        pass


def _close(session: Any) -> None:
    close = getattr(session, "close", None)
    if close is not None:
        from kshell.errors import KustoError

        try:
            close()
        except KustoError as e:
            print(f"kshell serve: {e.kind}: {e.message}", file=sys.stderr)
