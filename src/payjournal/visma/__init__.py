"""The Visma eAccounting API v2 client. Self-contained: stdlib, httpx2, Authlib (psycopg for a shared rate limit).

Public surface:

* configuration: :class:`VismaEndpoints` (production by default, legacy sandbox, any base URL),
  :class:`CompanySelection`, :data:`DEFAULT_SCOPES`;
* OAuth2: :class:`VismaOAuth` (authorize URL with state + PKCE, callback, code exchange,
  refresh, revoke), :class:`ClientCredentials`, :class:`AuthorizationRequest`;
* tokens: :class:`TokenSet`, the :class:`TokenStore` port, :class:`InMemoryTokenStore`;
* resources: :class:`VismaClient` and the models it returns;
* policies: :class:`RetryPolicy`, :class:`RateLimit`, :class:`SlotRateLimiter`,
  :class:`NoRateLimit`, :class:`Clock`, :class:`SystemClock`.

Exceptions: one tree rooted at :class:`VismaError`, written out in :mod:`payjournal.visma.errors`
(each class has a stable ``code``; :func:`error_from_response` is the one mapping).
"""

from payjournal.visma.client import VismaClient, http_client
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
from payjournal.visma.observer import CallObserver
from payjournal.visma.ratelimit import NoRateLimit, RateLimit, RateLimiter, SlotRateLimiter
from payjournal.visma.retry import RetryMode, RetryPolicy, backoff_ceiling
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
    "CallObserver",
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
    "RateLimit",
    "RateLimitedError",
    "RateLimiter",
    "RefreshFn",
    "RequestInfo",
    "ResponseFormatError",
    "RetryMode",
    "RetryPolicy",
    "ServerError",
    "SlotRateLimiter",
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
    "backoff_ceiling",
    "http_client",
]
