"""Client-side rate limiting per endpoint, with state that many processes can share.

Visma allows 600 requests per minute per client *and endpoint* (method + path template,
e.g. ``POST /v2/vouchers``) and answers 429 beyond that. Every HTTP request the client
sends first takes a slot from :class:`RateLimiter` under its endpoint key, so workers that
share one budget stay under the ceiling instead of collecting 429s.

:class:`SlotRateLimiter` hands out *slots*: a caller reserves the next free send time of its
endpoint in one atomic step and sleeps until then (the generic cell rate algorithm, kept as
one number per endpoint: the theoretical arrival time of the next request). ``burst``
requests may leave at once; after that they are spaced evenly, so that no window of a minute
ever holds more than ``per_minute`` of them. Callers are served in the order they asked,
whichever process they run in, and a reservation never fails because another caller holds
a lock. The number lives in memory (one process), in a SQLite file (processes on one
machine) or in PostgreSQL (processes anywhere, on PostgreSQL's clock).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from payjournal.visma.errors import RateLimitedError

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

__all__ = ["NoRateLimit", "RateLimit", "RateLimiter", "SlotRateLimiter", "SlotStore"]


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
    """The budget per endpoint: at most ``per_minute`` requests in any minute, of which
    ``burst`` may leave at once (the rest one every ``60 / (per_minute - burst)`` seconds).
    ``max_wait`` bounds how long ``acquire`` blocks."""

    per_minute: int = 600
    burst: int = 1
    max_wait: float = 120.0

    def __post_init__(self) -> None:
        if self.burst < 1:
            raise ValueError("burst must be >= 1")
        if self.per_minute <= self.burst:
            raise ValueError("per_minute must be more than burst")

    @classmethod
    def smoothed(cls, per_minute: int, max_wait: float = 120.0) -> RateLimit:
        """``per_minute`` with a burst of one second's share: how workers stay at the ceiling
        without bursting into it."""
        return cls(per_minute=per_minute, burst=max(1, per_minute // 60), max_wait=max_wait)

    @property
    def interval_s(self) -> float:
        """Seconds between two requests once the burst is spent: a minute that starts with a
        full burst still ends within ``per_minute``."""
        return 60.0 / (self.per_minute - self.burst)

    @property
    def tolerance_s(self) -> float:
        """How far ahead of the even spacing a request may go (``burst - 1`` intervals)."""
        return (self.burst - 1) * self.interval_s


class SlotStore(Protocol):
    """Where the next free send time of each endpoint lives."""

    def reserve(self, key: str, limit: RateLimit) -> float | None:
        """Take the next slot of ``key`` atomically: the seconds to wait until it, or ``None``
        (nothing taken) when that would be more than ``limit.max_wait``."""
        ...

    def close(self) -> None: ...


def _table_name(namespace: str) -> str:
    """A stable, SQL-safe table name per budget owner (the same in every process)."""
    slug = re.sub(r"[^a-z0-9]+", "_", namespace.lower()).strip("_")[:20]
    digest = hashlib.sha256(namespace.encode()).hexdigest()[:12]
    return f"payjournal_rate_slots_{digest}_{slug}".rstrip("_")


def next_slot(arrival: float | None, now: float, limit: RateLimit) -> tuple[float, float] | None:
    """The rule every store applies: given the endpoint's theoretical arrival time
    (``None``: never used), return (the new arrival time, seconds to wait), or ``None`` when
    the wait would exceed ``limit.max_wait``."""
    arrival = now if arrival is None else max(arrival, now)
    wait = max(0.0, arrival - limit.tolerance_s - now)
    if wait > limit.max_wait:
        return None
    return arrival + limit.interval_s, wait


class MemorySlots:
    """Slots shared by the threads of this process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._arrival: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def reserve(self, key: str, limit: RateLimit) -> float | None:
        with self._lock:
            taken = next_slot(self._arrival.get(key), self._clock(), limit)
            if taken is None:
                return None
            self._arrival[key] = taken[0]
            return taken[1]

    def close(self) -> None:
        return None


class SqliteSlots:
    """Slots shared by the processes that open one SQLite file (``BEGIN IMMEDIATE`` makes the
    read and the write one step); times are this machine's wall clock."""

    def __init__(self, path: str, namespace: str) -> None:
        table = _table_name(namespace)  # [a-z0-9_] only: safe to put in the statements
        self._db = sqlite3.connect(
            path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()
        self._select = f'SELECT arrival FROM "{table}" WHERE key = ?'  # noqa: S608
        self._upsert = (
            f'INSERT INTO "{table}" (key, arrival) VALUES (?, ?) '  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET arrival = excluded.arrival"
        )
        with self._lock:
            self._db.execute(
                f'CREATE TABLE IF NOT EXISTS "{table}" (key TEXT PRIMARY KEY, arrival REAL NOT NULL)'
            )

    def reserve(self, key: str, limit: RateLimit) -> float | None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(self._select, (key,)).fetchone()
                taken = next_slot(None if row is None else float(row[0]), time.time(), limit)
                if taken is not None:
                    self._db.execute(self._upsert, (key, taken[0]))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return None if taken is None else taken[1]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresSlots:
    """Slots shared by every process using one PostgreSQL database: one upsert per request,
    on PostgreSQL's clock; concurrent callers queue on the endpoint's row for a moment."""

    def __init__(self, pool: ConnectionPool, namespace: str) -> None:
        from psycopg import sql

        self._pool = pool
        name = _table_name(namespace)
        table = sql.Identifier(name)
        # Processes starting together would race on CREATE TABLE IF NOT EXISTS: one at a time.
        lock_id = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") & 0x7FFFFFFF
        with pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_id,))
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} "
                    "(key TEXT PRIMARY KEY, arrival DOUBLE PRECISION NOT NULL)"
                ).format(table)
            )
        # The arrival time moves to max(arrival, now) + interval unless the wait it implies,
        # arrival - tolerance - now, is longer than max_wait: then no row comes back. Rendered
        # once: a composed statement would be rendered again on every request.
        reserve = sql.SQL(
            "WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS now) "
            "INSERT INTO {table} AS slot (key, arrival) "
            "SELECT %(key)s, clock.now + %(interval)s FROM clock "
            "ON CONFLICT (key) DO UPDATE "
            "SET arrival = greatest(slot.arrival, (SELECT now FROM clock)) + %(interval)s "
            "WHERE slot.arrival - %(tolerance)s - (SELECT now FROM clock) <= %(max_wait)s "
            "RETURNING slot.arrival, (SELECT now FROM clock)"
        ).format(table=table)
        with pool.connection() as conn:
            self._reserve = reserve.as_bytes(conn)

    def reserve(self, key: str, limit: RateLimit) -> float | None:
        with self._pool.connection() as conn:
            row = conn.execute(
                self._reserve,
                {
                    "key": key,
                    "interval": limit.interval_s,
                    "tolerance": limit.tolerance_s,
                    "max_wait": limit.max_wait,
                },
            ).fetchone()
        if row is None:
            return None
        arrival, now = float(row[0]), float(row[1])
        return max(0.0, arrival - limit.interval_s - limit.tolerance_s - now)

    def close(self) -> None:
        self._pool.close()


class SlotRateLimiter:
    """A :class:`RateLimiter` over a :class:`SlotStore`: reserve the endpoint's next slot,
    then sleep until it.

    Build it with :meth:`in_memory`, :meth:`sqlite` or :meth:`postgres`; processes built
    with the same SQLite path (or PostgreSQL database), ``namespace`` and limit share one
    budget. Visma counts per OAuth client, so use the client id as ``namespace``.
    """

    def __init__(
        self,
        limit: RateLimit,
        store: SlotStore,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self._store = store
        self._sleep = sleep

    @classmethod
    def in_memory(cls, limit: RateLimit | None = None) -> SlotRateLimiter:
        """Shared by the threads of this process only."""
        return cls(limit or RateLimit(), MemorySlots())

    @classmethod
    def sqlite(
        cls, path: str, limit: RateLimit | None = None, namespace: str = "visma"
    ) -> SlotRateLimiter:
        """Shared by every process that opens the same SQLite file."""
        return cls(limit or RateLimit(), SqliteSlots(path, namespace))

    @classmethod
    def postgres(
        cls,
        conninfo: str,
        limit: RateLimit | None = None,
        namespace: str = "visma",
        pool_size: int = 4,
    ) -> SlotRateLimiter:
        """Shared by every process using the same PostgreSQL database."""
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(
            conninfo, min_size=1, max_size=pool_size, open=True, kwargs={"autocommit": True}
        )
        return cls(limit or RateLimit(), PostgresSlots(pool, namespace))

    def acquire(self, key: str) -> None:
        wait = self._store.reserve(key, self.limit)
        if wait is None:
            raise RateLimitedError(
                f"client-side rate limit: no slot for {key} within {self.limit.max_wait:g} s"
            )
        if wait > 0:
            self._sleep(wait)

    def close(self) -> None:
        """Close the store's file or connections."""
        self._store.close()
