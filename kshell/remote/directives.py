"""Directives for choosing and tuning the target: #connect, #refresh, #qp, #crp.

#connect and #refresh work on every target; #qp and #crp set options of a
remote request (scope "remote": the simulated cluster refuses them).  Nothing
here imports the SDK: kshell.remote.open_target does, when a cluster is named.
"""

from __future__ import annotations

import re
from typing import Any

from kshell.directives import DirectiveError, ShellState, directive, target_of
from kshell.result import Result
from kshell.target import REMOTE

_NAME = re.compile(r"^[A-Za-z_][\w.]*$")


@directive("connect", "#connect [TARGET|local]",
           "Send requests to a cluster: a URL (https://CLUSTER.REGION.kusto.windows.net/DB, "
           "http://127.0.0.1:PORT/DB) or a connection string (Data Source=...;Initial Catalog=...), "
           "authenticated as --auth says; 'local' returns to the simulated cluster. Alone: where requests go.")
def connect_directive(state: ShellState, args: str) -> Any:
    text = args.strip()
    if not text:
        target = target_of(state)
        return Result.of([("Target", "string"), ("Property", "string"), ("Value", "string")],
                         [[target.name, k, v] for k, v in target.status()])
    if text.lower() == "local":
        state.connection = None
        target = target_of(state)
        return f"Connected to the {target.title} (db {target.database_name})."
    state.connection = remote_target(state, text)
    target = state.connection
    return f"Connected to {target.name} (db {target.database_name}, auth {dict(target.status()).get('auth', '?')})."


def remote_target(state: ShellState, text: str) -> Any:
    """The connection for `text`, reused when the shell connected to it before
    (its schema, #qp and #crp kept); errors as DirectiveError."""
    from kshell.remote import RemoteUnavailable, open_target
    from kshell.remote.auth import AuthError
    from kshell.remote.spec import TargetSpecError, parse_target

    auth = state.extras.get("auth")
    token_command = state.extras.get("token_command")
    try:
        key = (parse_target(text).connection_string, auth, token_command)
    except TargetSpecError as e:
        raise DirectiveError(f"#connect: {e}") from None
    cache = state.extras.setdefault("connections", {})
    if key in cache:
        return cache[key]
    try:
        target = open_target(text, auth, token_command=token_command)
    except (RemoteUnavailable, AuthError, TargetSpecError) as e:
        raise DirectiveError(str(e)) from None
    except Exception as e:  # noqa: BLE001 - the SDK's own checks of a connection string
        raise DirectiveError(f"#connect: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from None
    cache[key] = target
    return target


@directive("refresh", "#refresh", "Reload the schema completion uses (tables, columns, functions) from the cluster.")
def refresh_directive(state: ShellState, args: str) -> str:
    if args.strip():
        raise DirectiveError("#refresh takes no arguments")
    return target_of(state).refresh_schema()


def _assignment(directive_name: str, args: str) -> tuple[str, str | None] | None:
    """NAME = VALUE -> (NAME, VALUE); NAME = -> (NAME, None) (remove); empty -> None (list)."""
    text = args.strip()
    if not text:
        return None
    name, eq, value = text.partition("=")
    name = name.strip()
    if not eq or not _NAME.match(name):
        raise DirectiveError(f"expected #{directive_name} NAME = VALUE (or NAME = to remove it)")
    value = value.strip()
    if not value:
        return name, None
    return name, value


def _options_table(values: dict) -> Result:
    return Result.of([("Name", "string"), ("Value", "string")], [[k, str(v)] for k, v in values.items()])


@directive("qp", "#qp [NAME = VALUE]",
           "Set a query parameter sent with each query (declare it: declare query_parameters(NAME:type); ...). "
           "VALUE is a Kusto literal ('text', 5, datetime(2024-01-01)); 'NAME =' removes it. Alone: the list.",
           scope=REMOTE)
def qp_directive(state: ShellState, args: str) -> Any:
    target = target_of(state)
    parsed = _assignment("qp", args)
    if parsed is None:
        return _options_table(target.query_parameters)
    name, value = parsed
    if value is not None and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]  # a string parameter is sent as its text
    target.set_parameter(name, value)
    return None


@directive("crp", "#crp [NAME = VALUE]",
           "Set a client request property sent with each request (servertimeout = 00:10:00, "
           "query_language = kql, truncationmaxrecords = 1000 ...); 'NAME =' removes it. Alone: the list.",
           scope=REMOTE)
def crp_directive(state: ShellState, args: str) -> Any:
    target = target_of(state)
    parsed = _assignment("crp", args)
    if parsed is None:
        return _options_table(target.request_properties)
    name, value = parsed
    target.set_property(name, value)
    return None
