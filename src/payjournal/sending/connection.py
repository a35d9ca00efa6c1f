"""The Visma client a send uses: the company's account, one shared rate limiter per process.

The rate budget belongs to the OAuth client (600 requests/min per endpoint at Visma), so every
client of this process shares one limiter, set a little under Visma's ceiling
(``PAYJOURNAL_VISMA_PER_MINUTE``, default 540). With PostgreSQL as the app database the budget
is kept in PostgreSQL and shared by every worker process.
Cost centers are cached per account for a few minutes: a month-end batch costs one
``POST /v2/vouchers`` per journal, not a read of the dimensions each time.

One HTTP transport (connection pool, TLS context) and one OAuth client serve every send of the
process: building them costs ~85 ms each (the TLS context), more than a voucher's POST. The
per-send :class:`VismaClient` objects are thin and are not closed; :func:`reset` closes the
shared transport.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx2
from django.conf import settings
from django.db import connection

from payjournal.integrations.gateway import oauth
from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.payroll.models import PayrollCompany
from payjournal.visma import (
    CostCenter,
    PyrateRateLimiter,
    RateLimit,
    RateLimiter,
    VismaClient,
    VismaOAuth,
)

COST_CENTER_TTL_S = 300.0

_lock = threading.Lock()
_limiter: RateLimiter | None = None
_cost_centers: dict[int, tuple[float, tuple[CostCenter, ...]]] = {}
_transport: httpx2.BaseTransport | None = None
_oauth: tuple[tuple[str, str, str, str], VismaOAuth] | None = None

#: Tests may route every client through another (shared) transport, e.g. the emulator's.
transport_factory: Callable[[], httpx2.BaseTransport | None] = lambda: None  # noqa: E731


class NotConnectedError(Exception):
    """The payroll company has no authorized Visma account, or it points at another company."""

    code = "not_connected"


def shared_limiter() -> RateLimiter:
    """The process-wide limiter of the OAuth client (PostgreSQL-backed when the app DB is)."""
    global _limiter
    with _lock:
        if _limiter is None:
            per_minute = int(getattr(settings, "PAYJOURNAL_VISMA_PER_MINUTE", 540))
            limit = RateLimit(per_minute=per_minute, per_second=max(1, per_minute // 60))
            if connection.vendor == "postgresql":
                params = connection.get_connection_params()
                conninfo = " ".join(
                    f"{key}={value}"
                    for key, value in params.items()
                    if key in ("host", "port", "dbname", "user", "password") and value
                )
                _limiter = PyrateRateLimiter.postgres(
                    conninfo, limit, namespace=settings.VISMA_CLIENT_ID
                )
            else:
                _limiter = PyrateRateLimiter.in_memory(limit)
        return _limiter


def reset() -> None:
    """Forget the limiter, the transport, the OAuth client and the caches (tests, settings)."""
    global _limiter, _transport, _oauth
    with _lock:
        limiter, _limiter = _limiter, None
        transport, _transport = _transport, None
        _oauth = None
        _cost_centers.clear()
    close = getattr(limiter, "close", None)
    if close is not None:
        close()
    if transport is not None:
        transport.close()


def _shared_transport() -> httpx2.BaseTransport:
    global _transport
    injected = transport_factory()
    if injected is not None:
        return injected
    with _lock:
        if _transport is None:
            _transport = httpx2.HTTPTransport(limits=httpx2.Limits(max_connections=64))
        return _transport


def _shared_oauth() -> VismaOAuth:
    """The process's OAuth client (refresh only: the callback URL is not used here)."""
    global _oauth
    callback = (settings.PAYJOURNAL_PUBLIC_URL or "http://127.0.0.1").rstrip("/") + "/"
    key = (settings.VISMA_IDENTITY_URL, settings.VISMA_API_URL, settings.VISMA_CLIENT_ID, callback)
    with _lock:
        if _oauth is None or _oauth[0] != key:
            _oauth = (key, oauth(callback))
        return _oauth[1]


def client_for(company: PayrollCompany) -> VismaClient:
    """A client for the company's Visma account; :class:`NotConnectedError` when there is none."""
    account = company.visma_account
    if account is None or not account.is_authorized:
        raise NotConnectedError(
            f"{company.name} is not connected to an authorized Visma account. "
            "Authorize the account on the Accounts tab and map the company."
        )
    if company.mapping_is_wrong:
        raise NotConnectedError(
            f"The Visma account of {company.name} is now bound to another Visma company; "
            "map the company again."
        )
    timeout = float(getattr(settings, "PAYJOURNAL_VISMA_TIMEOUT_S", 30.0))
    return VismaClient(
        DatabaseTokenStore(account.pk),
        _shared_oauth(),
        rate_limiter=shared_limiter(),
        transport=_shared_transport(),
        timeout=timeout,
    )


def cost_centers(account_id: int, visma: VismaClient) -> tuple[CostCenter, ...]:
    """The account's cost centers with items, from a short-lived per-process cache."""
    now = time.monotonic()
    with _lock:
        cached = _cost_centers.get(account_id)
    if cached is not None and now - cached[0] < COST_CENTER_TTL_S:
        return cached[1]
    fresh = tuple(visma.list_cost_centers())
    with _lock:
        _cost_centers[account_id] = (now, fresh)
    return fresh
