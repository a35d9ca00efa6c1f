"""When to try a request again, and how long to wait: one loop for the whole client.

Exponential backoff with full jitter (``delay = jitter() * min(max_delay, base * 2**(n-1))``),
except that a ``Retry-After`` (or Visma's "Try again in N seconds") is waited exactly.
Attempts and total elapsed time are bounded. What is retried depends on the request:

* ``RetryMode.IDEMPOTENT`` (GETs): network errors, outcome unknown, 429 and 5xx.
* ``RetryMode.UNSAFE`` (creating POSTs other than vouchers): only what provably did not
  reach Visma or was refused before processing: ``NetworkError`` and 429.
* ``RetryMode.NEVER`` (``create_voucher``): nothing; the caller reconciles and decides.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from payjournal.visma.clock import Clock
from payjournal.visma.errors import (
    NetworkError,
    OutcomeUnknownError,
    RateLimitedError,
    ServerError,
    VismaError,
)

__all__ = ["RetryMode", "RetryPolicy", "backoff_ceiling", "call_with_retry"]

T = TypeVar("T")


class RetryMode(enum.Enum):
    IDEMPOTENT = "idempotent"
    UNSAFE = "unsafe"
    NEVER = "never"


_RETRYABLE: dict[RetryMode, tuple[type[VismaError], ...]] = {
    RetryMode.IDEMPOTENT: (NetworkError, OutcomeUnknownError, RateLimitedError, ServerError),
    RetryMode.UNSAFE: (NetworkError, RateLimitedError),
    RetryMode.NEVER: (),
}


def backoff_ceiling(failed_attempt: int, base_delay: float, max_delay: float) -> float:
    """The longest wait after attempt number ``failed_attempt`` (1-based) failed: ``base_delay``
    doubled per attempt, at most ``max_delay``. Full jitter waits a random share of it."""
    return min(max_delay, base_delay * 2.0 ** (failed_attempt - 1))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounds of the retry loop; all durations in seconds."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_elapsed: float = 60.0
    #: A server-requested wait longer than this is not waited for: the error is raised.
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_elapsed < 0:
            raise ValueError("delays must be >= 0")

    @classmethod
    def never(cls) -> RetryPolicy:
        """One attempt only."""
        return cls(max_attempts=1)

    def is_retryable(self, error: VismaError, mode: RetryMode) -> bool:
        return isinstance(error, _RETRYABLE[mode])

    def delay(self, failed_attempt: int, error: VismaError, jitter: float) -> float:
        """Seconds to wait after attempt number ``failed_attempt`` (1-based) failed."""
        retry_after: object = getattr(error, "retry_after", None)
        if isinstance(retry_after, float | int):
            return float(retry_after)
        return jitter * backoff_ceiling(failed_attempt, self.base_delay, self.max_delay)


def call_with_retry(
    attempt: Callable[[int], T],
    *,
    mode: RetryMode,
    policy: RetryPolicy,
    clock: Clock,
    jitter: Callable[[], float],
    on_retry: Callable[[int, VismaError, float], None] | None = None,
) -> T:
    """Run ``attempt(n)`` for n = 1, 2, … until it returns, or raise the last error once it
    is not retryable in ``mode`` or the policy's bounds are reached."""
    started = clock.monotonic()
    number = 1
    while True:
        try:
            return attempt(number)
        except VismaError as error:
            if number >= policy.max_attempts or not policy.is_retryable(error, mode):
                raise
            wait = policy.delay(number, error, jitter())
            if wait > policy.max_retry_after:
                raise
            if clock.monotonic() - started + wait > policy.max_elapsed:
                raise
            if on_retry is not None:
                on_retry(number, error, wait)
            clock.sleep(wait)
            number += 1
