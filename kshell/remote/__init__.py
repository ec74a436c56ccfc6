"""Real clusters: kshell's target interface over Microsoft's Kusto SDK.

    spec.py       what a target text names (URL or connection string), no SDK
    auth.py       --auth modes -> the SDK's connection-string builders
    client.py     RemoteTarget: requests, cancellation, #qp/#crp options
    convert.py    result tables -> kshell Results (every Kusto type)
    schema.py     the remote schema for completion, fetched in the background
    errors.py     SDK exceptions -> Kusto errors
    directives.py #connect, #qp, #crp, #refresh

The SDK (`pip install 'kshell[azure]'`) is imported only when a remote target
is opened: the local shell never loads it.
"""

from __future__ import annotations

import importlib.util
from typing import Any

SDK_HINT = "connecting to a cluster needs the Azure SDK: pip install 'kshell[azure]'"


class RemoteUnavailable(Exception):
    """The Azure extra is not installed (the message is the one-line hint)."""


def sdk_available() -> bool:
    try:
        return importlib.util.find_spec("azure.kusto.data") is not None
    except (ImportError, ValueError):
        return False


def open_target(text: str, auth: str | None = None, *, token_command: str | None = None) -> Any:
    """A RemoteTarget for `text` (URL or connection string).

    Raises RemoteUnavailable without the SDK, spec.TargetSpecError for a text that
    names no cluster, auth.AuthError for an --auth that cannot work.
    """
    from kshell.remote.auth import check_mode
    from kshell.remote.spec import parse_target

    spec = parse_target(text)
    check_mode(auth)
    if not sdk_available():
        raise RemoteUnavailable(SDK_HINT)
    from kshell.remote.client import RemoteTarget

    return RemoteTarget(spec, auth, token_command=token_command)
