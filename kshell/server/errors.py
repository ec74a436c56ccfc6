"""Error responses: the OneApi error body and the HTTP status of each failure.

`{"error": {"code", "message", "@type", "@message", "@context", "@permanent"}}`;
the Python SDK shows only `@message`, so it always carries kshell's own text
(`Kind: message`, what the shell prints after `Error (line N[, column C]): `).
"""

from __future__ import annotations

import uuid
from typing import Any

from kshell.errors import KustoError

# kshell error kind -> the service exception type (`@type`).
SERVICE_TYPES = {
    "SyntaxError": "Kusto.Data.Exceptions.SyntaxException",
    "SemanticError": "Kusto.Data.Exceptions.SemanticException",
    "BadRequest": "Kusto.Data.Exceptions.KustoBadRequestException",
    "EntityNotFound": "Kusto.Data.Exceptions.EntityNotFoundException",
    "Forbidden": "Kusto.Data.Exceptions.KustoRequestDeniedException",
    "Conflict": "Kusto.Data.Exceptions.KustoConflictException",
    "NotSupported": "Kusto.Data.Exceptions.KustoNotSupportedException",
}

GENERIC_MESSAGES = {
    400: "Request is invalid and cannot be executed.",
    401: "Unauthorized: the request has no valid principal.",
    403: "Forbidden: the principal is not authorized to perform this operation.",
    404: "The requested endpoint does not exist.",
    409: "The request conflicts with the current state.",
    500: "An internal error occurred in kshell.",
}


class HttpError(Exception):
    """A failure that is not the engine's: bad endpoint, missing token, bad body framing."""

    def __init__(self, status: int, message: str, *, code: str | None = None, kind: str = "BadRequest"):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or {401: "Unauthorized", 404: "NotFound", 405: "MethodNotAllowed",
                             413: "PayloadTooLarge", 500: "InternalServiceError"}.get(status, "General_BadRequest")
        self.kind = kind


def error_body(code: str, kind: str, message: str, *, status: int, activity_id: str,
               context: dict[str, Any] | None = None) -> dict:
    ctx = {"timestamp": None, "serviceAlias": "KSHELL", "machineName": "kshell",
           "processName": "kshell", "activityId": activity_id, "clientRequestId": None}
    ctx.update(context or {})
    return {"error": {
        "code": code,
        "message": GENERIC_MESSAGES.get(status, GENERIC_MESSAGES[400]),
        "@type": SERVICE_TYPES.get(kind, "Kusto.Data.Exceptions.KustoServiceException"),
        "@message": f"{kind}: {message}",
        "@context": ctx,
        "@permanent": status < 500,
    }}


def status_of(error: KustoError) -> int:
    status = getattr(error, "http_status", 400) or 400
    # 404 would be shown by the Python SDK as "endpoint does not exist", hiding the
    # message (an unknown database is the service's 400 EntityNotFound).
    return 400 if status == 404 else status


def kusto_error_response(error: KustoError, *, activity_id: str, client_request_id: str | None) -> tuple[int, dict]:
    status = status_of(error)
    context = {"clientRequestId": client_request_id}
    if error.line:
        context["line"] = error.line
    if error.column:
        context["column"] = error.column
    return status, error_body(error.code, error.kind, error.message, status=status,
                              activity_id=activity_id, context=context)


def http_error_response(error: HttpError, *, activity_id: str, client_request_id: str | None) -> tuple[int, dict]:
    return error.status, error_body(error.code, error.kind, error.message, status=error.status,
                                    activity_id=activity_id, context={"clientRequestId": client_request_id})


def internal_error_response(exc: BaseException, *, activity_id: str, client_request_id: str | None) -> tuple[int, dict]:
    """A kshell bug: one line naming it, never a traceback."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    message = f"internal error: {type(exc).__name__}" + (f": {detail}" if detail else "")
    return 500, error_body("InternalServiceError", "InternalError", message, status=500,
                           activity_id=activity_id, context={"clientRequestId": client_request_id})


def new_activity_id() -> str:
    return str(uuid.uuid4())
