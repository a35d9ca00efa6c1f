"""The Visma client, wired from Django settings (endpoints, OAuth client, redirect URI).

:func:`client` is how the app talks to Visma for an account outside the browser flow (sends,
pre-flight, the daily checks). One HTTP transport (connection pool, TLS context), one OAuth
client and one rate limiter serve every client of the process: building the first two costs
~85 ms each, more than a voucher's POST. The rate budget belongs to the OAuth client (600
requests/min per endpoint at Visma), so the limiter is set a little under Visma's ceiling
(``PAYJOURNAL_VISMA_PER_MINUTE``, default 540); with PostgreSQL as the app database it is kept
in PostgreSQL and shared by every process. The clients are thin and are never closed;
:func:`reset` closes the shared transport.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx2
from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.urls import reverse

from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.visma import (
    ClientCredentials,
    CompanySelection,
    RateLimit,
    RateLimiter,
    SlotRateLimiter,
    VismaClient,
    VismaEndpoints,
    VismaOAuth,
    http_client,
)

_lock = threading.Lock()
_limiter: RateLimiter | None = None
_transport: httpx2.BaseTransport | None = None
_oauth: tuple[tuple[str, str, str, str], VismaOAuth] | None = None
_http: tuple[httpx2.BaseTransport, float, httpx2.Client] | None = None

#: Tests may route every client through another (shared) transport, e.g. the emulator's.
transport_factory: Callable[[], httpx2.BaseTransport | None] = lambda: None  # noqa: E731


def endpoints() -> VismaEndpoints:
    selection = (
        CompanySelection.FORCE_SELECT_COMPANY
        if settings.VISMA_FORCE_SELECT_COMPANY
        else CompanySelection.SELECT_ACCOUNT
    )
    return VismaEndpoints.at(settings.VISMA_IDENTITY_URL, settings.VISMA_API_URL, selection)


def redirect_uri(request: HttpRequest) -> str:
    """The callback URL registered at Visma: ``PAYJOURNAL_PUBLIC_URL`` based, else the host."""
    path = reverse("visma-callback")
    base = settings.PAYJOURNAL_PUBLIC_URL
    return base.rstrip("/") + path if base else request.build_absolute_uri(path)


def oauth(callback_url: str) -> VismaOAuth:
    credentials = ClientCredentials(
        settings.VISMA_CLIENT_ID, settings.VISMA_CLIENT_SECRET, callback_url
    )
    return VismaOAuth(credentials, endpoints())


def client(account_id: int) -> VismaClient:
    """A client for the account's stored tokens, on the process's shared pieces (not closed)."""
    return VismaClient(
        DatabaseTokenStore(account_id),
        _shared_oauth(),
        rate_limiter=shared_limiter(),
        http=_shared_http(),
    )


def _shared_http() -> httpx2.Client:
    """One HTTP client per (transport, timeout): building one costs ~1 ms, more than a read."""
    global _http
    transport = _shared_transport()
    timeout = float(getattr(settings, "PAYJOURNAL_VISMA_TIMEOUT_S", 30.0))
    with _lock:
        if _http is None or _http[0] is not transport or _http[1] != timeout:
            _http = (transport, timeout, http_client(transport, timeout))
        return _http[2]


def shared_limiter() -> RateLimiter:
    """The process-wide limiter of the OAuth client (PostgreSQL-backed when the app DB is)."""
    global _limiter
    with _lock:
        if _limiter is None:
            limit = RateLimit.smoothed(int(settings.PAYJOURNAL_VISMA_PER_MINUTE))
            if connection.vendor == "postgresql":
                params = connection.get_connection_params()
                conninfo = " ".join(
                    f"{key}={value}"
                    for key, value in params.items()
                    if key in ("host", "port", "dbname", "user", "password") and value
                )
                _limiter = SlotRateLimiter.postgres(
                    conninfo, limit, namespace=settings.VISMA_CLIENT_ID
                )
            else:
                _limiter = SlotRateLimiter.in_memory(limit)
        return _limiter


def reset() -> None:
    """Forget the limiter, the transport and the OAuth client (tests, changed settings)."""
    global _limiter, _transport, _oauth, _http
    with _lock:
        limiter, _limiter = _limiter, None
        transport, _transport = _transport, None
        _oauth = _http = None
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
