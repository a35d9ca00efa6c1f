"""One error hierarchy for everything Visma can answer (mapped in :mod:`.error_mapping`).

Every class has a stable ``code`` string that the application keys its user-facing
catalogue on (cause and solution, translated); the messages here are short technical text.

::

    VismaError
    ├── NetworkError                       never reached Visma: safe to retry any request
    ├── OutcomeUnknownError                sent, no usable answer: it may have been applied
    ├── ResponseFormatError                an answer this client cannot read
    ├── AuthorizationRequiredError         no usable grant: the user must authorize (again)
    │   └── InvalidGrantError              code or refresh token refused (reused, revoked)
    ├── OAuthError                         another identity-server refusal (``error=...``)
    │   └── AuthorizationDeniedError       the user pressed "deny" on the consent page
    └── ApiError                           the API answered with an error status
        ├── AuthenticationFailedError      401, even after one forced refresh
        ├── PermissionDeniedError          403
        │   ├── ModuleNotActivatedError    4002 "No access to module: api_standard"
        │   ├── StartupGuideNotCompletedError  4003
        │   ├── CompanyNotActiveError      4004
        │   ├── MissingScopeError          4006
        │   └── NoCompanyAccessError       4011
        ├── NotFoundError                  404 / 3000
        │   ├── FiscalYearMissingError     3001
        │   └── AccountNotFoundError       3002
        ├── ValidationFailedError          2000, with ``field_errors``
        ├── ConflictError                  4000
        ├── PeriodLockedError              4026
        ├── RateLimitedError               429 / 4010, with ``retry_after`` seconds
        └── ServerError                    5xx (on a non-idempotent request: OutcomeUnknownError)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "AccountNotFoundError",
    "ApiError",
    "AuthenticationFailedError",
    "AuthorizationDeniedError",
    "AuthorizationRequiredError",
    "CompanyNotActiveError",
    "ConflictError",
    "FieldError",
    "FiscalYearMissingError",
    "InvalidGrantError",
    "MissingScopeError",
    "ModuleNotActivatedError",
    "NetworkError",
    "NoCompanyAccessError",
    "NotFoundError",
    "OAuthError",
    "OutcomeUnknownError",
    "PeriodLockedError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RequestInfo",
    "ResponseFormatError",
    "ServerError",
    "StartupGuideNotCompletedError",
    "ValidationFailedError",
    "VismaError",
]

_SECRET_QUERY_KEYS = frozenset(
    {"code", "code_verifier", "access_token", "refresh_token", "token", "client_secret", "state"}
)


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """The request an error belongs to, without secrets (query values that are secrets
    are replaced by ``***``; headers and bodies are never kept)."""

    method: str
    url: str

    @classmethod
    def of(cls, method: str, url: str) -> RequestInfo:
        parts = urlsplit(url)
        query = [
            (k, "***" if k.lower() in _SECRET_QUERY_KEYS else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        return cls(method.upper(), urlunsplit(parts._replace(query=urlencode(query, safe="*"))))

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One entry of a 2000 ``Errors`` list: which field, and what is wrong with it."""

    field: str | None
    message: str


class VismaError(Exception):
    """Base of every error this client raises."""

    code: ClassVar[str] = "visma_error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: int | None = None,
        oauth_error: str | None = None,
        error_id: str | None = None,
        body: str | None = None,
        request: RequestInfo | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.oauth_error = oauth_error
        self.error_id = error_id
        self.body = body
        self.request = request

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"status={self.status}")
        if self.error_code is not None:
            parts.append(f"ErrorCode={self.error_code}")
        if self.oauth_error is not None:
            parts.append(f"error={self.oauth_error}")
        if self.error_id:
            parts.append(f"ErrorId={self.error_id}")
        if self.request is not None:
            parts.append(f"request={self.request}")
        return " | ".join(parts)


class NetworkError(VismaError):
    """The request never reached Visma (connect, DNS, TLS, pool timeout, write failure)."""

    code = "network_error"


class OutcomeUnknownError(VismaError):
    """The request left but no usable answer came; a voucher may exist. Reconcile first."""

    code = "outcome_unknown"


class ResponseFormatError(VismaError):
    """Visma answered with a body this client cannot read."""

    code = "unexpected_response"


class AuthorizationRequiredError(VismaError):
    """There is no usable grant; the user has to authorize the connection (again)."""

    code = "authorization_required"


class InvalidGrantError(AuthorizationRequiredError):
    """The identity server refused the code or refresh token (reused, revoked, password
    changed); the connection is dead until the user authorizes again."""

    code = "invalid_grant"


class OAuthError(VismaError):
    """The identity server refused a request for another reason (``error`` field)."""

    code = "oauth_error"


class AuthorizationDeniedError(OAuthError):
    """The user declined the consent page (``error=access_denied`` on the callback)."""

    code = "authorization_denied"


class ApiError(VismaError):
    """The API answered with an error status."""

    code = "api_error"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class AuthenticationFailedError(ApiError):
    code = "authentication_failed"


class PermissionDeniedError(ApiError):
    code = "permission_denied"


class ModuleNotActivatedError(PermissionDeniedError):
    code = "module_not_activated"


class StartupGuideNotCompletedError(PermissionDeniedError):
    code = "startup_guide_not_completed"


class CompanyNotActiveError(PermissionDeniedError):
    code = "company_not_active"


class MissingScopeError(PermissionDeniedError):
    code = "missing_scope"


class NoCompanyAccessError(PermissionDeniedError):
    code = "no_company_access"


class NotFoundError(ApiError):
    code = "not_found"


class FiscalYearMissingError(NotFoundError):
    code = "fiscal_year_missing"


class AccountNotFoundError(NotFoundError):
    code = "account_not_found"


class ValidationFailedError(ApiError):
    """2000 DataModelValidationError; ``field_errors`` lists what Visma said per field."""

    code = "validation_failed"

    def __init__(
        self, message: str, *, field_errors: tuple[FieldError, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = field_errors


class ConflictError(ApiError):
    code = "conflict"


class PeriodLockedError(ApiError):
    code = "period_locked"


class RateLimitedError(ApiError):
    """429 / 4010; ``retry_after`` is the wait in seconds Visma asked for (or a default)."""

    code = "rate_limited"


class ServerError(ApiError):
    code = "server_error"
