"""The Visma eAccounting API v2 client. Self-contained: stdlib, httpx2, Authlib, pyrate-limiter.

Public surface:

* configuration: :class:`VismaEndpoints` (production by default, legacy sandbox, any base URL),
  :class:`CompanySelection`, :data:`DEFAULT_SCOPES`;
* OAuth2: :class:`VismaOAuth` (authorize URL with state + PKCE, callback, code exchange,
  refresh, revoke), :class:`ClientCredentials`, :class:`AuthorizationRequest`;
* tokens: :class:`TokenSet`, the :class:`TokenStore` port, :class:`InMemoryTokenStore`;
* resources: :class:`VismaClient` and the models it returns;
* policies: :class:`RetryPolicy`, :class:`RateLimit`, :class:`PyrateRateLimiter`,
  :class:`NoRateLimit`, :class:`Clock`, :class:`SystemClock`.

Exceptions (all from :mod:`payjournal.visma.errors`; each has a stable ``code``)::

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

from payjournal.visma.client import VismaClient
from payjournal.visma.clock import Clock, SystemClock
from payjournal.visma.config import (
    DEFAULT_SCOPES,
    EACCOUNTING_SERVICE_ID,
    CompanySelection,
    VismaEndpoints,
)
from payjournal.visma.errors import (
    AccountNotFoundError,
    ApiError,
    AuthenticationFailedError,
    AuthorizationDeniedError,
    AuthorizationRequiredError,
    CompanyNotActiveError,
    ConflictError,
    FieldError,
    FiscalYearMissingError,
    InvalidGrantError,
    MissingScopeError,
    ModuleNotActivatedError,
    NetworkError,
    NoCompanyAccessError,
    NotFoundError,
    OAuthError,
    OutcomeUnknownError,
    PeriodLockedError,
    PermissionDeniedError,
    RateLimitedError,
    RequestInfo,
    ResponseFormatError,
    ServerError,
    StartupGuideNotCompletedError,
    ValidationFailedError,
    VismaError,
)
from payjournal.visma.models import (
    Account,
    Attachment,
    AttachmentLink,
    CompanySettings,
    CostCenter,
    CostCenterItem,
    DocumentType,
    FiscalYear,
    NewAttachment,
    Project,
)
from payjournal.visma.oauth import AuthorizationRequest, ClientCredentials, VismaOAuth
from payjournal.visma.ratelimit import NoRateLimit, PyrateRateLimiter, RateLimit, RateLimiter
from payjournal.visma.retry import RetryMode, RetryPolicy
from payjournal.visma.tokens import InMemoryTokenStore, RefreshFn, TokenSet, TokenStore
from payjournal.visma.vouchers import NewVoucher, Voucher, VoucherDraft, VoucherRow

__all__ = [
    "DEFAULT_SCOPES",
    "EACCOUNTING_SERVICE_ID",
    "Account",
    "AccountNotFoundError",
    "ApiError",
    "Attachment",
    "AttachmentLink",
    "AuthenticationFailedError",
    "AuthorizationDeniedError",
    "AuthorizationRequest",
    "AuthorizationRequiredError",
    "ClientCredentials",
    "Clock",
    "CompanyNotActiveError",
    "CompanySelection",
    "CompanySettings",
    "ConflictError",
    "CostCenter",
    "CostCenterItem",
    "DocumentType",
    "FieldError",
    "FiscalYear",
    "FiscalYearMissingError",
    "InMemoryTokenStore",
    "InvalidGrantError",
    "MissingScopeError",
    "ModuleNotActivatedError",
    "NetworkError",
    "NewAttachment",
    "NewVoucher",
    "NoCompanyAccessError",
    "NoRateLimit",
    "NotFoundError",
    "OAuthError",
    "OutcomeUnknownError",
    "PeriodLockedError",
    "PermissionDeniedError",
    "Project",
    "PyrateRateLimiter",
    "RateLimit",
    "RateLimitedError",
    "RateLimiter",
    "RefreshFn",
    "RequestInfo",
    "ResponseFormatError",
    "RetryMode",
    "RetryPolicy",
    "ServerError",
    "StartupGuideNotCompletedError",
    "SystemClock",
    "TokenSet",
    "TokenStore",
    "ValidationFailedError",
    "VismaClient",
    "VismaEndpoints",
    "VismaError",
    "VismaOAuth",
    "Voucher",
    "VoucherDraft",
    "VoucherRow",
]
