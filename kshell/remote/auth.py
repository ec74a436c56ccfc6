"""`--auth`: how kshell authenticates to a cluster, through the SDK's own builders.

    az-cli          the signed-in Azure CLI account
    device          device-code sign-in (the code is printed on stderr)
    browser         interactive sign-in in a browser
    msi[:CLIENT_ID] the managed identity of the machine (user-assigned with CLIENT_ID)
    app             an application: AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET,
                    or AZURE_CLIENT_CERTIFICATE_PATH instead of the secret
    token           a bearer token: $KSHELL_TOKEN, or the output of --token-command CMD
    none            no Authorization header (a loopback http:// server)

Without --auth: a loopback http:// target uses none; a connection string that
carries its own credentials (AppKey, UserToken ...) uses them; anything else
tries what works without prompting, environment credentials then the Azure CLI,
and its error says what it tried.  Tokens are cached by the SDK/azure-identity;
kshell never prints or stores a secret.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from kshell.remote.spec import TargetSpec

AUTH_MODES = ("az-cli", "device", "browser", "msi", "app", "token", "none")
DEFAULT_CHAIN = "environment credentials, then az cli"


class AuthError(ValueError):
    """An --auth choice that cannot work (said before any request is sent)."""


def check_mode(mode: str | None) -> None:
    if mode is None:
        return
    if mode.split(":", 1)[0] not in AUTH_MODES:
        raise AuthError(f"--auth: unknown mode '{mode}'; expected one of: {', '.join(AUTH_MODES)} (msi:CLIENT_ID)")


def effective_mode(spec: TargetSpec, mode: str | None) -> str:
    """The mode used for `spec` when the user chose `mode` (None: the default)."""
    if mode:
        return mode
    if spec.loopback and spec.url.startswith("http://"):
        return "none"
    if spec.has_credentials:
        return "connection-string"
    if spec.federated is False:
        return "none"
    return "default"


def describe(mode: str) -> str:
    """The mode as the toolbar shows it (a CLIENT_ID is not a secret, but it is long)."""
    if mode == "default":
        return "default"
    return mode.split(":", 1)[0]


def token_source(environ: Mapping[str, str], token_command: str | None) -> Callable[[], str]:
    """A function returning the bearer token; the command runs once, on first use."""
    lock = threading.Lock()
    cache: list[str] = []

    def provider() -> str:
        with lock:
            if cache:
                return cache[0]
            if token_command:
                token = _run_token_command(token_command)
            else:
                token = (environ.get("KSHELL_TOKEN") or "").strip()
            if not token:
                raise AuthError("no token: --auth token reads $KSHELL_TOKEN or the output of --token-command CMD")
            cache.append(token)
            return token

    return provider


def _run_token_command(command: str) -> str:
    try:
        proc = subprocess.run(command if os.name == "nt" else shlex.split(command), capture_output=True,
                              text=True, timeout=120)
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        raise AuthError(f"--token-command failed: {getattr(e, 'strerror', None) or e}") from None
    if proc.returncode != 0:
        # its stderr may explain; its stdout might be a token: never shown
        detail = (proc.stderr or "").strip().splitlines()
        raise AuthError(f"--token-command exited with status {proc.returncode}"
                        + (f": {detail[-1]}" if detail else ""))
    return proc.stdout.strip()


def build_kcsb(spec: TargetSpec, mode: str, *, token_command: str | None = None,
               environ: Mapping[str, str] | None = None) -> Any:
    """The SDK's KustoConnectionStringBuilder for `spec` authenticated by `mode` (see effective_mode)."""
    from azure.kusto.data import KustoConnectionStringBuilder as KCSB
    from azure.kusto.data.kcsb import SupportedKeywords

    environ = os.environ if environ is None else environ
    cs = spec.connection_string
    kind, _, arg = mode.partition(":")
    if kind == "none":
        kcsb = KCSB(cs)
        kcsb[SupportedKeywords.FEDERATED_SECURITY] = False
        return kcsb
    if kind == "connection-string":
        kcsb = KCSB(cs)
        kcsb[SupportedKeywords.FEDERATED_SECURITY] = True
        return kcsb
    if kind == "token":
        return KCSB.with_token_provider(cs, token_source(environ, token_command))
    if kind == "az-cli":
        return KCSB.with_az_cli_authentication(cs)
    if kind == "device":
        return KCSB.with_aad_device_authentication(cs, callback=_device_prompt)
    if kind == "browser":
        return KCSB.with_interactive_login(cs)
    if kind == "msi":
        return KCSB.with_aad_managed_service_identity_authentication(cs, client_id=arg or None)
    if kind == "app":
        return _app(KCSB, cs, environ)
    if kind == "default":
        from azure.identity import AzureCliCredential, ChainedTokenCredential, EnvironmentCredential

        return KCSB.with_azure_token_credential(cs, credential=ChainedTokenCredential(EnvironmentCredential(),
                                                                                      AzureCliCredential()))
    raise AuthError(f"--auth: unknown mode '{mode}'")


def _app(KCSB: Any, cs: str, environ: Mapping[str, str]) -> Any:
    client_id = environ.get("AZURE_CLIENT_ID")
    tenant = environ.get("AZURE_TENANT_ID")
    if not client_id or not tenant:
        raise AuthError("--auth app needs AZURE_CLIENT_ID and AZURE_TENANT_ID, and AZURE_CLIENT_SECRET "
                        "or AZURE_CLIENT_CERTIFICATE_PATH, in the environment")
    secret = environ.get("AZURE_CLIENT_SECRET")
    if secret:
        return KCSB.with_aad_application_key_authentication(cs, client_id, secret, tenant)
    certificate = environ.get("AZURE_CLIENT_CERTIFICATE_PATH")
    if certificate:
        from azure.identity import CertificateCredential

        return KCSB.with_azure_token_credential(
            cs, credential=CertificateCredential(tenant, client_id, certificate_path=certificate))
    raise AuthError("--auth app needs AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH in the environment")


def _device_prompt(verification_uri: str, user_code: str, expires_on: Any) -> None:
    print(f"kshell: to sign in, open {verification_uri} and enter the code {user_code}", file=sys.stderr, flush=True)
