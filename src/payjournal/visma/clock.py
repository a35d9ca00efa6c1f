"""Time as a collaborator: wall time for token expiry, a monotonic clock and sleep for
retries. Tests pass a fake whose ``sleep`` advances both, so schedules are exact."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC wall time (token expiry)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (retry budgets)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds``."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
