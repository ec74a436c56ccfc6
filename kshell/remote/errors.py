"""The SDK's exceptions as kshell's Kusto errors.

A service error keeps the service's own message (`@message`); its kind (the
word the error line prints: SemanticError, Forbidden ...) is read from the
error's `@type` and `code`, then from the HTTP status, with one table below.
Client-side failures (network, authentication, an unreadable response) get
kinds of their own and a one-line message; nothing from the SDK reaches the
user as a traceback.
"""

from __future__ import annotations

import re
from typing import Any

from kshell.errors import KustoError

# (pattern searched in "@type code", kind), first match wins.
_KIND_BY_TYPE = (
    (re.compile(r"Semantic", re.I), "SemanticError"),
    (re.compile(r"Syntax", re.I), "SyntaxError"),
    (re.compile(r"Unauthorized|Forbidden|RequestDenied|AccessDenied", re.I), "Forbidden"),
    (re.compile(r"NotFound|NotExist|DoesNotExist", re.I), "EntityNotFound"),
    (re.compile(r"Conflict|AlreadyExists", re.I), "Conflict"),
    (re.compile(r"NotSupported", re.I), "NotSupported"),
    (re.compile(r"Throttl", re.I), "Throttled"),
    (re.compile(r"LimitsExceeded|E_QUERY_RESULT_SET_TOO_LARGE", re.I), "LimitsExceeded"),
    (re.compile(r"Cancel", re.I), "Cancelled"),
    (re.compile(r"Timeout", re.I), "Timeout"),
    (re.compile(r"BadRequest|Invalid", re.I), "BadRequest"),
)
_KIND_BY_STATUS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "EntityNotFound",
                   409: "Conflict", 429: "Throttled", 504: "Timeout"}


class RemoteError(KustoError):
    """An error a cluster (or the way to it) reported; `kind` is set per instance."""

    def __init__(self, kind: str, message: str, *, http_status: int | None = None):
        super().__init__(message)
        self.kind = kind
        if http_status:
            self.http_status = http_status


def kind_of(error_type: str | None, code: str | None, status: int | None, message: str = "") -> str:
    text = f"{error_type or ''} {code or ''}"
    if status == 403:
        return "Forbidden"
    for pattern, kind in _KIND_BY_TYPE:
        if pattern.search(text):
            # the service reports semantic errors as SyntaxException "Semantic error: ..."
            if kind == "SyntaxError" and "semantic error" in message.lower():
                return "SemanticError"
            return kind
    if "semantic error" in message.lower():
        return "SemanticError"
    return _KIND_BY_STATUS.get(status or 0, "ServiceError")


# `Kind: message`, as kshell serve writes `@message` (and the shell prints errors)
_KIND_PREFIX = re.compile(r"^([A-Z][A-Za-z]*(?:Error|Exception)|BadRequest|Forbidden|EntityNotFound|Conflict|"
                          r"NotSupported|Unauthorized|Throttled|Timeout|Cancelled|LimitsExceeded): (.*)$", re.DOTALL)


def _service_error(error_type: str | None, code: str | None, status: int | None, message: str,
                   context: Any = None) -> RemoteError:
    m = _KIND_PREFIX.match(message or "")
    if m:
        kind, message = m.group(1), m.group(2)
    else:
        kind = kind_of(error_type, code, status, message or "")
    error = RemoteError(kind, message or "the request failed", http_status=status)
    if isinstance(context, dict):  # a position within the request, when the service gives one
        for attr in ("line", "column"):
            value = context.get(attr)
            if isinstance(value, int) and value > 0:
                setattr(error, attr, value)
    return error


def _status(e: Any) -> int | None:
    response = getattr(e, "http_response", None)
    return getattr(response, "status_code", None) or getattr(response, "status", None)


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in str(text).strip().splitlines() if ln.strip()]
    return lines[0] if lines else ""


def _root_cause(e: BaseException) -> BaseException:
    seen = set()
    while e.__cause__ is not None and id(e) not in seen:
        seen.add(id(e))
        e = e.__cause__
    return e


def _network_reason(e: BaseException) -> str:
    text = str(_root_cause(e))
    for needle, reason in (("Connection refused", "connection refused"), ("Name or service not known", "unknown host"),
                           ("nodename nor servname", "unknown host"), ("timed out", "timed out"),
                           ("Temporary failure in name resolution", "unknown host"),
                           ("CERTIFICATE_VERIFY_FAILED", "the server's TLS certificate is not trusted"),
                           ("Remote end closed connection", "the server closed the connection")):
        if needle in text:
            return reason
    return _one_line(text) or type(_root_cause(e)).__name__


def _attempted_credentials(text: str) -> str:
    """"EnvironmentCredential (reason), AzureCliCredential (reason)" from azure-identity's
    chained-credential failure, or "" when the text is not one."""
    if "Attempted credentials:" not in text:
        return ""
    tried = []
    for line in text.split("Attempted credentials:", 1)[1].splitlines():
        m = re.match(r"^\s+(\w+):\s*(.*)$", line)
        if m:
            reason = m.group(2).split(". ")[0].rstrip(".")
            tried.append(f"{m.group(1)} ({reason})")
    return ", ".join(tried)


def from_sdk(e: BaseException, *, url: str = "", auth: str = "") -> KustoError:
    """The KustoError a user sees for an exception the SDK raised."""
    from azure.kusto.data import exceptions as x

    if isinstance(e, x.KustoAuthenticationError):
        inner = str(getattr(e, "exception", "") or e)
        tried = _attempted_credentials(inner)
        if tried:
            return RemoteError("AuthenticationError", f"cannot get a token for {url or 'the cluster'}; tried {tried}")
        return RemoteError("AuthenticationError", f"cannot get a token for {url or 'the cluster'} "
                                                  f"with --auth {auth or e.authentication_method}: {_one_line(inner)}")
    if isinstance(e, x.KustoNetworkError):
        return RemoteError("ConnectionError", f"cannot reach {url or e.endpoint}: {_network_reason(e)}")
    if isinstance(e, x.KustoMultiApiError):
        errors = e.get_api_errors()
        first = errors[0] if errors else None
        if first is None:
            return _service_error(None, None, None, _one_line(e.message_text))
        return _service_error(first.type, first.code, None, first.description or first.message or "", first.context)
    if isinstance(e, x.KustoApiError):
        api = e.get_api_error()
        return _service_error(api.type, api.code, _status(e), api.description or api.message or e.message_text,
                              api.context)
    if isinstance(e, x.KustoThrottlingError):
        return RemoteError("Throttled", "the cluster throttled the request; try again later", http_status=429)
    if isinstance(e, x.KustoServiceError):
        status = _status(e)
        return _service_error(None, None, status, _one_line(e.message_text) or f"the cluster answered HTTP {status}")
    if isinstance(e, x.KustoClientInvalidConnectionStringException):
        return RemoteError("ConnectionError", _one_line(str(e)))
    if isinstance(e, x.KustoError):
        return RemoteError("ClientError", _one_line(str(e)) or type(e).__name__)
    return RemoteError("ClientError", f"unexpected response from {url or 'the cluster'}: "
                                      f"{type(e).__name__}: {_one_line(str(e))}".rstrip(": "))
