"""Test doubles implementing the client's ports: a clock whose sleep advances time, fixed
jitter, and token stores that misbehave on cue."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from payjournal.visma import RefreshFn, TokenSet


class FakeClock:
    """Time moves only through ``sleep`` and ``advance``; every sleep is recorded."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        self._mono = 1000.0
        self.sleeps: list[float] = []
        #: Called with every sleep (e.g. to move the emulator's clock along with ours).
        self.on_sleep: Callable[[float], None] | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
        if self.on_sleep is not None:
            self.on_sleep(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._mono += seconds


def fixed_jitter(value: float) -> Callable[[], float]:
    return lambda: value


def tokens(access: str = "at-1", refresh: str | None = "rt-1", *, expires_at: datetime) -> TokenSet:
    return TokenSet(access, refresh, expires_at, "ea:api offline_access ea:accounting")


class BrokenRefreshStore:
    """A store whose refresh hands out an access token Visma does not know."""

    def __init__(self, initial: TokenSet) -> None:
        self.current = initial
        self.refreshes = 0

    def load(self) -> TokenSet | None:
        return self.current

    def save(self, tokens: TokenSet) -> None:
        self.current = tokens

    def refresh(self, refresh: RefreshFn, stale: TokenSet) -> TokenSet:
        self.refreshes += 1
        self.current = TokenSet("not-a-token", "nope", stale.expires_at, stale.scope)
        return self.current
