"""OAuth tokens and the store port through which every refresh must go.

Visma refresh tokens rotate and are single use: two refreshes of one grant at the same time
kill it. So the client never refreshes on its own. It asks a :class:`TokenStore` — which the
caller implements, e.g. with a database lease across processes — and the store makes the
refresh single-flight and saves the new pair before anyone uses the new access token.
:class:`InMemoryTokenStore` does this within one process, for tests and scripts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from payjournal.visma.errors import AuthorizationRequiredError

__all__ = ["InMemoryTokenStore", "RefreshFn", "TokenSet", "TokenStore"]


@dataclass(frozen=True, slots=True)
class TokenSet:
    """One access/refresh pair of a grant. ``repr`` never shows the secrets."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scope: str = ""

    def __repr__(self) -> str:
        return f"TokenSet(expires_at={self.expires_at.isoformat()}, scope={self.scope!r})"

    def expires_within(self, now: datetime, margin: timedelta) -> bool:
        """True if the access token is expired or will be within ``margin``."""
        return self.expires_at - now <= margin

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.scope.split())


#: Exchanges a token set's refresh token for a new set (``VismaOAuth.refresh``).
RefreshFn = Callable[[TokenSet], TokenSet]


class TokenStore(Protocol):
    """Where a connection's tokens live. Implementations must be safe to share between threads
    (and, for a real deployment, between processes)."""

    def load(self) -> TokenSet | None:
        """The current token set, or ``None`` if the connection was never authorized."""
        ...

    def save(self, tokens: TokenSet) -> None:
        """Store a token set (after the code exchange, or a refresh)."""
        ...

    def refresh(self, refresh: RefreshFn, stale: TokenSet) -> TokenSet:
        """Single-flight refresh.

        ``stale`` is the set the caller found too old (or that got a 401). If the stored set
        is no longer ``stale`` — someone else refreshed meanwhile — return the stored one.
        Otherwise call ``refresh`` with the stored set exactly once, save the result before
        returning it, and let other callers wait for it. Errors from ``refresh``
        (``InvalidGrantError``, ``OutcomeUnknownError``, …) propagate to every waiting caller.
        """
        ...


class InMemoryTokenStore:
    """A process-local :class:`TokenStore`: a lock makes the refresh single-flight."""

    def __init__(self, tokens: TokenSet | None = None) -> None:
        self._tokens = tokens
        self._lock = threading.Lock()
        self.refresh_count = 0

    def load(self) -> TokenSet | None:
        with self._lock:
            return self._tokens

    def save(self, tokens: TokenSet) -> None:
        with self._lock:
            self._tokens = tokens

    def refresh(self, refresh: RefreshFn, stale: TokenSet) -> TokenSet:
        with self._lock:
            current = self._tokens
            if current is None:
                raise AuthorizationRequiredError("no tokens stored; authorize the connection first")
            if current.access_token != stale.access_token:
                return current
            fresh = refresh(current)
            self._tokens = fresh
            self.refresh_count += 1
            return fresh
