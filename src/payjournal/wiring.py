"""The process's wiring, built once at start-up: settings → the Visma endpoints, the OAuth
client, the shared HTTP transport, the rate limiter, the token stores, and the job backend.

:func:`payjournal.site.bootstrap.start_django` installs :func:`from_settings`'s wiring;
starting the executor (:func:`payjournal.sending.workflows.start`) installs the same wiring with
its job backend; a test installs one of its own (``tests/wiring.py``). The entry points — the
views, the DBOS workflows, the default collaborators of the services — read it with
:func:`current`; the services take what they need as arguments (``process_submission``,
``check_run`` …).

One HTTP transport (connection pool, TLS context), one OAuth client and one rate limiter serve
every Visma client of the process (:class:`SharedParts`): building the transport costs ~90 ms
and the OAuth client ~35 ms, more than a voucher's POST, so each is built on first use and then
kept. The rate budget belongs to the OAuth client (600 requests/min per endpoint at Visma), so
the limiter is set a little under Visma's ceiling (``PAYJOURNAL_VISMA_PER_MINUTE``, default
540); with PostgreSQL as the app database it is kept in PostgreSQL and shared by every process.
The clients are thin and are never closed; :meth:`Wiring.close` closes the shared parts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Protocol

import httpx2
from django.conf import settings
from django.db import connection

from payjournal.integrations.models import VismaAccount
from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.integrations.watch import AccountWatch
from payjournal.jobs import JobBackend
from payjournal.visma import (
    ClientCredentials,
    CompanySelection,
    RateLimit,
    RateLimiter,
    SlotRateLimiter,
    TokenStore,
    VismaClient,
    VismaEndpoints,
    VismaOAuth,
    http_client,
)
from payjournal.visma.http_transport import StdlibTransport

__all__ = [
    "SharedParts",
    "TokenStoreFactory",
    "VismaSettings",
    "Wiring",
    "current",
    "from_settings",
    "install",
    "install_from_settings",
]


class TokenStoreFactory(Protocol):
    """The token store of a Visma account, by the account's id (and its row, when the caller
    has just read it: :class:`~payjournal.integrations.tokenstore.DatabaseTokenStore`)."""

    def __call__(self, account_id: int, *, row: VismaAccount | None = None) -> TokenStore: ...


@dataclass(frozen=True, slots=True)
class VismaSettings:
    """What the Visma side is built from: ``VISMA_*`` and ``PAYJOURNAL_VISMA_*`` settings."""

    identity_url: str
    api_url: str
    client_id: str
    client_secret: str = field(repr=False)
    force_select_company: bool = False
    public_url: str | None = None
    per_minute: int = 540
    timeout_s: float = 30.0

    @classmethod
    def from_django(cls) -> VismaSettings:
        return cls(
            identity_url=settings.VISMA_IDENTITY_URL,
            api_url=settings.VISMA_API_URL,
            client_id=settings.VISMA_CLIENT_ID,
            client_secret=settings.VISMA_CLIENT_SECRET,
            force_select_company=bool(settings.VISMA_FORCE_SELECT_COMPANY),
            public_url=settings.PAYJOURNAL_PUBLIC_URL or None,
            per_minute=int(settings.PAYJOURNAL_VISMA_PER_MINUTE),
            timeout_s=float(getattr(settings, "PAYJOURNAL_VISMA_TIMEOUT_S", 30.0)),
        )

    @property
    def endpoints(self) -> VismaEndpoints:
        selection = (
            CompanySelection.FORCE_SELECT_COMPANY
            if self.force_select_company
            else CompanySelection.SELECT_ACCOUNT
        )
        return VismaEndpoints.at(self.identity_url, self.api_url, selection)

    def oauth(self, callback_url: str) -> VismaOAuth:
        """A new OAuth client whose callback is ``callback_url`` (the caller closes it)."""
        credentials = ClientCredentials(self.client_id, self.client_secret, callback_url)
        return VismaOAuth(credentials, self.endpoints)


class SharedParts:
    """The parts every Visma client of the process shares, each built on first use.

    ``transport`` routes every client through another transport (tests: the emulator's); its
    owner closes it.
    """

    def __init__(self, visma: VismaSettings, transport: httpx2.BaseTransport | None = None) -> None:
        self._visma = visma
        self._injected = transport
        self._lock = threading.Lock()
        self._transport: httpx2.BaseTransport | None = None
        self._http: httpx2.Client | None = None
        self._oauth: VismaOAuth | None = None
        self._limiter: RateLimiter | None = None

    def http(self) -> httpx2.Client:
        """One HTTP client on the shared transport: building one costs ~1 ms, more than a read."""
        with self._lock:
            if self._http is None:
                transport = self._injected
                if transport is None:
                    self._transport = StdlibTransport(max_idle=64)
                    transport = self._transport
                self._http = http_client(transport, self._visma.timeout_s)
            return self._http

    def oauth(self) -> VismaOAuth:
        """The process's OAuth client, for refreshes (its callback URL is never used)."""
        with self._lock:
            if self._oauth is None:
                callback = (self._visma.public_url or "http://127.0.0.1").rstrip("/") + "/"
                self._oauth = self._visma.oauth(callback)
            return self._oauth

    def limiter(self) -> RateLimiter:
        """The OAuth client's limiter: in PostgreSQL when the app database is (shared by every
        process), else in memory. The database is looked at when the limiter is built — at the
        start of an executing process (:meth:`build`), else on first use: a test session
        renames it after its processes are wired."""
        with self._lock:
            if self._limiter is None:
                limit = RateLimit.smoothed(self._visma.per_minute)
                if connection.vendor == "postgresql":
                    params = connection.get_connection_params()
                    conninfo = " ".join(
                        f"{key}={value}"
                        for key, value in params.items()
                        if key in ("host", "port", "dbname", "user", "password") and value
                    )
                    self._limiter = SlotRateLimiter.postgres(
                        conninfo, limit, namespace=self._visma.client_id
                    )
                else:
                    self._limiter = SlotRateLimiter.in_memory(limit)
            return self._limiter

    def build(self) -> None:
        """Build every part now: an executing process does at start, so its first send does
        not pay for them (the OAuth client's imports, the limiter's pool: about 0.1 s)."""
        self.http()
        self.oauth()
        self.limiter()

    def close(self) -> None:
        """Close the limiter (its database pool) and the transport built here."""
        with self._lock:
            limiter, self._limiter = self._limiter, None
            transport, self._transport = self._transport, None
            self._http = self._oauth = None
        close = getattr(limiter, "close", None)
        if close is not None:
            close()
        if transport is not None:
            transport.close()


@dataclass(frozen=True, slots=True)
class Wiring:
    """What a process talks to the outside through (see the module docstring)."""

    visma: VismaSettings
    shared: SharedParts
    token_store: TokenStoreFactory = DatabaseTokenStore
    #: ``None`` while no executor runs in this process: enqueueing is then a no-op.
    jobs: JobBackend | None = None

    def client(self, account_id: int, *, row: VismaAccount | None = None) -> VismaClient:
        """A client for the account's stored tokens on the shared parts (thin; not closed),
        watched: its answers and refusals are stored on the account (:mod:`~payjournal.
        integrations.watch`). ``row``: the account as the caller has just read it (its tokens
        serve the first call)."""
        return VismaClient(
            self.token_store(account_id, row=row),
            self.shared.oauth(),
            rate_limiter=self.shared.limiter(),
            http=self.shared.http(),
            observer=AccountWatch(account_id),
        )

    def oauth(self, callback_url: str) -> VismaOAuth:
        """An OAuth client for the browser flow with ``callback_url`` (close it after)."""
        return self.visma.oauth(callback_url)

    def with_jobs(self, jobs: JobBackend | None) -> Wiring:
        """This wiring, its shared parts included, with another job backend."""
        return replace(self, jobs=jobs)

    def close(self) -> None:
        self.shared.close()


def from_settings(
    *, transport: httpx2.BaseTransport | None = None, jobs: JobBackend | None = None
) -> Wiring:
    """The wiring of Django's settings as they are now (the shared parts not built yet)."""
    visma = VismaSettings.from_django()
    return Wiring(visma, SharedParts(visma, transport), jobs=jobs)


_lock = threading.Lock()
_installed: Wiring | None = None


def install(wiring: Wiring | None) -> Wiring | None:
    """Make ``wiring`` the process's; returns the one it replaces (not closed)."""
    global _installed
    with _lock:
        previous, _installed = _installed, wiring
    return previous


def install_from_settings() -> Wiring:
    """Start-up: install the wiring of Django's settings, unless the process has one (a command
    run inside a test, or inside another command, keeps the wiring it runs in)."""
    global _installed
    with _lock:
        if _installed is None:
            _installed = from_settings()
        return _installed


def current() -> Wiring:
    """The process's wiring; one that skipped start-up (a bare ASGI server, a management
    command) gets the wiring of its settings on first use."""
    wiring = _installed
    return wiring if wiring is not None else install_from_settings()
