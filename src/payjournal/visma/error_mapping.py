"""The one function that decides which error class an error response becomes.

HTTP status, Visma's ``ErrorCode`` and the OAuth ``error`` field are read here and nowhere
else: ``ErrorCode`` wins over the status for 4xx, 429 and 5xx decide by status alone, and the
ambiguous 4002 (``NoAccessToModule`` / ``CanNotBeCreatedOrUpdated``) is told apart by status
403 or its message.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx2

from payjournal.visma.errors import (
    AccountNotFoundError,
    ApiError,
    AuthenticationFailedError,
    AuthorizationDeniedError,
    CompanyNotActiveError,
    ConflictError,
    FieldError,
    FiscalYearMissingError,
    InvalidGrantError,
    MissingScopeError,
    ModuleNotActivatedError,
    NoCompanyAccessError,
    NotFoundError,
    OAuthError,
    OutcomeUnknownError,
    PeriodLockedError,
    PermissionDeniedError,
    RateLimitedError,
    RequestInfo,
    ServerError,
    StartupGuideNotCompletedError,
    ValidationFailedError,
    VismaError,
)

__all__ = [
    "DEFAULT_RATE_LIMIT_WAIT",
    "error_from_http_response",
    "error_from_response",
    "parse_retry_after",
]

_BY_ERROR_CODE: dict[int, type[ApiError]] = {
    2000: ValidationFailedError,
    3000: NotFoundError,
    3001: FiscalYearMissingError,
    3002: AccountNotFoundError,
    4000: ConflictError,
    4003: StartupGuideNotCompletedError,
    4004: CompanyNotActiveError,
    4006: MissingScopeError,
    4010: RateLimitedError,
    4011: NoCompanyAccessError,
    4026: PeriodLockedError,
}
_BY_STATUS: dict[int, type[ApiError]] = {
    401: AuthenticationFailedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}
_TRY_AGAIN_IN = re.compile(r"try again in (\d+(?:\.\d+)?) second", re.IGNORECASE)
#: Wait used for a 429 that states neither ``Retry-After`` nor "Try again in N seconds".
DEFAULT_RATE_LIMIT_WAIT = 60.0


def parse_retry_after(header: str | None, message: str | None) -> float | None:
    """Seconds to wait: the ``Retry-After`` header (delta-seconds), else the number in
    Visma's "Try again in N seconds." message, else ``None``."""
    if header:
        try:
            return max(0.0, float(header.strip()))
        except ValueError:
            pass  # an HTTP-date; Visma's throttle sends seconds, fall back to the message
    if message and (match := _TRY_AGAIN_IN.search(message)):
        return float(match.group(1))
    return None


def _field_errors(raw: object) -> tuple[FieldError, ...]:
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        if isinstance(item, dict):
            field = item.get("Field") or item.get("PropertyName") or item.get("field")
            message = item.get("Message") or item.get("ErrorMessage") or item.get("message")
            found.append(FieldError(str(field) if field else None, str(message or "")))
        elif isinstance(item, str):
            found.append(FieldError(None, item))
    return tuple(found)


def _api_class(status: int, error_code: int | None, message: str) -> type[ApiError]:
    if status >= 500:
        return ServerError
    if status == 429:
        return RateLimitedError
    if error_code == 4002:
        # 4002 is listed twice by Visma: NoAccessToModule and CanNotBeCreatedOrUpdated.
        if status == 403 or "no access to module" in message.lower():
            return ModuleNotActivatedError
        return ApiError
    if error_code is not None and error_code in _BY_ERROR_CODE:
        return _BY_ERROR_CODE[error_code]
    return _BY_STATUS.get(status, ApiError)


def _oauth_class(oauth_error: str) -> type[VismaError]:
    if oauth_error == "invalid_grant":
        return InvalidGrantError
    if oauth_error == "access_denied":
        return AuthorizationDeniedError
    return OAuthError


def error_from_response(
    status: int,
    body: str,
    parsed: object,
    *,
    request: RequestInfo,
    retry_after_header: str | None = None,
    idempotent: bool = True,
) -> VismaError:
    """Map one error response (status, raw body, parsed JSON or ``None``) to its class.

    The single place where HTTP status, Visma ``ErrorCode`` and the OAuth ``error`` field
    decide the class. A 5xx on a non-idempotent request becomes :class:`OutcomeUnknownError`,
    because the server may have committed before failing.
    """
    data = parsed if isinstance(parsed, dict) else {}
    oauth_error = data.get("error")
    if isinstance(oauth_error, str) and "ErrorCode" not in data and status < 500:
        description = data.get("error_description")
        message = f"identity server refused the request: {oauth_error}"
        if isinstance(description, str) and description:
            message += f" ({description})"
        return _oauth_class(oauth_error)(
            message, status=status, oauth_error=oauth_error, body=body, request=request
        )

    raw_code = data.get("ErrorCode")
    error_code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    developer_message = data.get("DeveloperErrorMessage")
    message = developer_message if isinstance(developer_message, str) and developer_message else ""
    raw_id = data.get("ErrorId")
    error_id = str(raw_id) if raw_id else None
    common: dict[str, Any] = {
        "status": status,
        "error_code": error_code,
        "error_id": error_id,
        "body": body,
        "request": request,
    }
    cls = _api_class(status, error_code, message)
    if cls is ServerError and not idempotent:
        return OutcomeUnknownError(
            f"server error {status} after the request was sent; it may have been applied",
            **common,
        )
    text = message or f"HTTP {status}"
    retry_after = parse_retry_after(retry_after_header, message)
    if cls is RateLimitedError and retry_after is None:
        retry_after = DEFAULT_RATE_LIMIT_WAIT
    if cls is ValidationFailedError:
        return ValidationFailedError(
            text, field_errors=_field_errors(data.get("Errors")), retry_after=retry_after, **common
        )
    return cls(text, retry_after=retry_after, **common)


def error_from_http_response(
    response: httpx2.Response, request: RequestInfo, *, idempotent: bool
) -> VismaError:
    """:func:`error_from_response` of an HTTP error answer: its status, its body (parsed when
    it is JSON) and its ``Retry-After`` header."""
    body = response.text
    try:
        parsed: object = json.loads(body) if body else None
    except ValueError:
        parsed = None
    return error_from_response(
        response.status_code,
        body,
        parsed,
        request=request,
        retry_after_header=response.headers.get("Retry-After"),
        idempotent=idempotent,
    )
