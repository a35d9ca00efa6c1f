"""Visma's error body and the exception the API handlers raise to produce it.

Body: ``{"ErrorCode": int, "DeveloperErrorMessage": str, "ErrorId": uuid, "Errors": [...]}``.
``Errors`` items are ``{"Field": ..., "Message": ...}`` (an emulator convention; the real
element shape is not documented).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from starlette.responses import Response

from payjournal.emulator import jsonio

VALIDATION = 2000
RESOURCE_NOT_FOUND = 3000
FISCAL_YEAR_MISSING = 3001
ACCOUNT_NOT_FOUND = 3002
NO_ACCESS_TO_MODULE = 4002
STARTUP_GUIDE_NOT_COMPLETED = 4003
COMPANY_NOT_ACTIVE = 4004
NOT_AUTHORIZED = 4005
NO_ACCESS_TO_SCOPES = 4006
RATE_LIMITED = 4010
NO_ACCESS_TO_COMPANY = 4011
LOCKED_PERIOD = 4026

#: Production's 401 text (a live answer quoted in an issue of the ``pwitab/visma`` client).
NOT_AUTHORIZED_MESSAGE = "AuthorizationException - Authorization has been denied for this request."
MODULE_OFF_MESSAGE = "ForbiddenRequestException - No access to module: api_standard"
NO_COMPANY_ACCESS_MESSAGE = (
    "ForbiddenRequestException - The authenticated user does not have access to "
    "eAccounting for this company."
)


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of the request."""

    field: str
    message: str


@dataclass
class ApiError(Exception):
    """Raised by a handler; turned into Visma's error body by the pipeline."""

    status: int
    code: int
    message: str
    errors: Sequence[FieldError] = field(default_factory=tuple)
    headers: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def validation_error(errors: Sequence[FieldError], code: int = VALIDATION) -> ApiError:
    """A 400 with every field problem listed."""
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return ApiError(400, code, f"DataModelValidationError - {summary}", tuple(errors))


def error_body(error: ApiError) -> dict[str, object]:
    """Visma's JSON error document for ``error``."""
    return {
        "ErrorCode": error.code,
        "DeveloperErrorMessage": error.message,
        "ErrorId": str(uuid.uuid4()),
        "Errors": [{"Field": e.field, "Message": e.message} for e in error.errors],
    }


def error_response(error: ApiError) -> Response:
    """Render ``error`` as an HTTP response."""
    return Response(
        jsonio.dumps(error_body(error)),
        status_code=error.status,
        media_type="application/json; charset=utf-8",
        headers=dict(error.headers),
    )
