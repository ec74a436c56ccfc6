"""The Kusto-style error model shared by every layer.

Every failure a user can cause is a ``KustoError``: it carries a *kind* (the
name printed to the user, mirroring the service's exception families), a
message, and optionally a source position (line and column within the request).
The CLI prints them as ``Error (line N, column C): <Kind>: <message>``, or
``Error (line N): ...`` when there is no column (kshell.script.error_position).  Anything that is not a KustoError is an
internal bug (exit code 70).
"""

from __future__ import annotations


class KustoError(Exception):
    """Base of all user-facing errors."""

    kind = "Error"
    http_status = 400
    code = "General_BadRequest"

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line          # 1-based line within the request, when known
        self.column = column      # 1-based column, when known

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


class KustoSyntaxError(KustoError):
    """Malformed request text (the service's SyntaxException)."""

    kind = "SyntaxError"
    code = "BadRequest_SyntaxError"


class SemanticError(KustoError):
    """A well-formed query or command that cannot be resolved or typed."""

    kind = "SemanticError"


class BadRequest(KustoError):
    """Generic invalid request, e.g. an invalid policy (KustoBadRequestException)."""

    kind = "BadRequest"


class EntityNotFound(KustoError):
    """Unknown database, table, function, external table, export ..."""

    kind = "EntityNotFound"


class DatabaseNotFound(EntityNotFound):
    code = "BadRequest_DatabaseNotExist"


class TableNotFound(EntityNotFound):
    code = "BadRequest_TableNotExist"


class EntityNameInvalid(KustoError):
    kind = "BadRequest"
    code = "BadRequest_EntityNameIsNotValid"


class Forbidden(KustoError):
    """Failed authorization check (KustoRequestDeniedException, 403)."""

    kind = "Forbidden"
    http_status = 403
    code = "Forbidden"


class Conflict(KustoError):
    """State conflict (KustoConflictException, 409)."""

    kind = "Conflict"
    http_status = 409
    code = "Conflict"


class NotSupported(KustoError):
    """Something the simulator deliberately does not simulate."""

    kind = "NotSupported"


class UsageError(Exception):
    """Command-line usage error (exit code 2); not a Kusto error."""
