"""Client-side rate limiting per endpoint, with state that many processes can share.

Visma allows 600 requests per minute per client *and endpoint* (method + path template,
e.g. ``POST /v2/vouchers``) and answers 429 beyond that. Every HTTP request the client
sends first takes a slot from :class:`RateLimiter` under its endpoint key, so workers that
share one budget stay under the ceiling instead of collecting 429s.

:class:`PyrateRateLimiter` keeps one pyrate-limiter bucket (sliding-window log) per
endpoint, in memory (one process), in a SQLite file guarded by a file lock (processes on one
machine), or in PostgreSQL (processes anywhere). An optional per-second rate spreads the
minute's budget evenly instead of allowing it in one burst.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pyrate_limiter import (
    AbstractBucket,
    Duration,
    InMemoryBucket,
    Limiter,
    PostgresBucket,
    Rate,
    SQLiteBucket,
)

from payjournal.visma.errors import RateLimitedError

__all__ = ["NoRateLimit", "PyrateRateLimiter", "RateLimit", "RateLimiter"]


class RateLimiter(Protocol):
    def acquire(self, key: str) -> None:
        """Block until one request to endpoint ``key`` may be sent; raise
        :class:`~payjournal.visma.errors.RateLimitedError` (``status=None``) if no slot comes
        within the limiter's own maximum wait."""
        ...


class NoRateLimit:
    """Sends immediately (tests that are not about limits, or a single interactive call)."""

    def acquire(self, key: str) -> None:
        return None


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The budget per endpoint: ``per_minute`` (Visma's 600 by default) and, optionally,
    ``per_second`` to smooth bursts. ``max_wait`` bounds how long ``acquire`` blocks."""

    per_minute: int = 600
    per_second: int | None = None
    max_wait: float = 120.0

    def __post_init__(self) -> None:
        if self.per_minute < 1:
            raise ValueError("per_minute must be >= 1")
        if self.per_second is not None and self.per_second * 60 < self.per_minute:
            # pyrate-limiter needs non-increasing density; a stricter second would make the
            # minute unreachable anyway.
            raise ValueError("per_second must be at least per_minute / 60")

    def rates(self) -> list[Rate]:
        rates = [Rate(self.per_minute, Duration.MINUTE)]
        if self.per_second is not None:
            rates.insert(0, Rate(self.per_second, Duration.SECOND))
        return rates


BucketMaker = Callable[[str, list[Rate]], AbstractBucket]


def _table_name(namespace: str, key: str) -> str:
    """A stable, SQL-safe table name per budget (same in every process).

    The digest comes first so that PostgreSQL's 63-character identifier limit (the bucket adds
    prefixes) can only cut the readable part."""
    slug = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")
    digest = hashlib.sha256(f"{namespace}\n{key}".encode()).hexdigest()[:12]
    return f"rl_{digest}_{slug}"[:48]


class PyrateRateLimiter:
    """One pyrate-limiter :class:`~pyrate_limiter.Limiter` per endpoint key.

    Build it with :meth:`in_memory`, :meth:`sqlite` or :meth:`postgres`; processes built
    with the same SQLite path (or PostgreSQL database), ``namespace`` and limit share one
    budget. Visma counts per OAuth client, so use the client id as ``namespace``.
    """

    def __init__(self, limit: RateLimit, make_bucket: BucketMaker, buffer_ms: int = 50) -> None:
        self.limit = limit
        self._make_bucket = make_bucket
        self._buffer_ms = buffer_ms
        self._limiters: dict[str, Limiter] = {}
        self._lock = threading.Lock()

    @classmethod
    def in_memory(cls, limit: RateLimit | None = None) -> PyrateRateLimiter:
        """Shared by the threads of this process only."""
        return cls(limit or RateLimit(), lambda _key, rates: InMemoryBucket(rates))

    @classmethod
    def sqlite(
        cls, path: str, limit: RateLimit | None = None, namespace: str = "visma"
    ) -> PyrateRateLimiter:
        """Shared by every process that opens the same SQLite file (file-locked)."""

        def make(key: str, rates: list[Rate]) -> AbstractBucket:
            return SQLiteBucket.init_from_file(
                rates, table=_table_name(namespace, key), db_path=path, use_file_lock=True
            )

        return cls(limit or RateLimit(), make)

    @classmethod
    def postgres(
        cls,
        conninfo: str,
        limit: RateLimit | None = None,
        namespace: str = "visma",
        pool_size: int = 4,
    ) -> PyrateRateLimiter:
        """Shared by every process using the same PostgreSQL database."""
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(conninfo, min_size=1, max_size=pool_size, open=True)

        def make(key: str, rates: list[Rate]) -> AbstractBucket:
            return PostgresBucket(pool, _table_name(namespace, key), rates)

        return cls(limit or RateLimit(), make)

    def _limiter(self, key: str) -> Limiter:
        with self._lock:
            limiter = self._limiters.get(key)
            if limiter is None:
                bucket = self._make_bucket(key, self.limit.rates())
                limiter = Limiter(bucket, buffer_ms=self._buffer_ms)
                self._limiters[key] = limiter
            return limiter

    def acquire(self, key: str) -> None:
        admitted = self._limiter(key).try_acquire(key, blocking=True, timeout=self.limit.max_wait)
        if admitted is not True:
            raise RateLimitedError(
                f"client-side rate limit: no slot for {key} within {self.limit.max_wait:g} s"
            )

    def close(self) -> None:
        """Stop the background leak threads and close files / connections."""
        with self._lock:
            limiters, self._limiters = list(self._limiters.values()), {}
        for limiter in limiters:
            limiter.close()
