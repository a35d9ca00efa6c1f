"""Visma's throttle: N requests per minute per client per endpoint, fixed one-minute windows.

The message is the default of the .NET throttling libraries Visma appears to use
("API calls quota exceeded! maximum admitted 600 per Minute. Try again in N seconds.").
A window starts at the first request of a key and lasts 60 s; refused requests do not count.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime

WINDOW_S = 60.0


@dataclass
class _Window:
    started: datetime
    count: int


@dataclass(frozen=True)
class Throttled:
    """A refusal: seconds until the window resets and the Visma message."""

    retry_after_s: int
    message: str


class RateLimiter:
    """Counts requests per key in fixed windows."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: datetime) -> Throttled | None:
        """Count one request for ``key``; return a refusal when over the limit."""
        with self._lock:
            window = self._windows.get(key)
            if window is None or (now - window.started).total_seconds() >= WINDOW_S:
                self._windows[key] = _Window(now, 1)
                return None
            if window.count < self.per_minute:
                window.count += 1
                return None
            left = WINDOW_S - (now - window.started).total_seconds()
            retry = max(1, math.ceil(left))
            return Throttled(retry, quota_message(self.per_minute, retry))

    def reset(self) -> None:
        """Forget every window."""
        with self._lock:
            self._windows.clear()


def quota_message(per_minute: int, retry_after_s: int | None) -> str:
    """Visma's 4010 message (without its last sentence when ``retry_after_s`` is ``None``)."""
    message = f"API calls quota exceeded! maximum admitted {per_minute} per Minute."
    if retry_after_s is None:
        return message
    return f"{message} Try again in {retry_after_s} seconds."
