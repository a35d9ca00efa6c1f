"""Faults on cue: latency, 5xx, read timeouts, commit-then-drop and 429 bursts.

A :class:`FaultPlan` is plain data (set through the control API or directly in tests).
:class:`Faults` rolls its dice with ``random.Random(seed)``, so a given plan and a given
sequence of requests always fail the same way. ``*_next`` counters win over rates and are
consumed one per matching request. Precedence when several apply: 429 burst, 5xx, timeout,
drop.

Semantics:

* ``error``: answered *before* the handler runs, nothing is stored.
* ``timeout``: with ``timeout_commits`` the handler runs (the voucher is stored), then the
  answer waits ``timeout_delay_s``; without it the emulator waits first and answers 504
  without running the handler.
* ``drop``: the handler runs (stored), then the connection is closed without an answer.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class FaultPlan:
    """What to break. ``endpoints`` items look like ``"POST /v2/vouchers"``; ``None`` = all /v2."""

    latency_ms: int = 0
    latency_jitter_ms: int = 0
    error_rate: float = 0.0
    error_next: int = 0
    error_status: int = 503
    timeout_rate: float = 0.0
    timeout_next: int = 0
    timeout_delay_s: float = 30.0
    timeout_commits: bool = True
    drop_rate: float = 0.0
    drop_next: int = 0
    burst_429_next: int = 0
    burst_retry_after_s: int = 5
    #: Send ``Retry-After`` with a burst 429 (Visma documents the message, not the header).
    burst_retry_after_header: bool = True
    #: End the 4010 message with "Try again in N seconds." (``False``: no wait stated at all).
    burst_message_states_wait: bool = True
    endpoints: list[str] | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any], base: FaultPlan | None = None) -> FaultPlan:
        """Build a plan from JSON, starting from ``base`` (merge) or the defaults."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known - {"seed"}
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        merged = (base or cls()).to_json() | {k: v for k, v in data.items() if k in known}
        return cls(**merged)

    def is_quiet(self) -> bool:
        """True when nothing would ever be injected."""
        return not (
            self.latency_ms
            or self.latency_jitter_ms
            or self.error_rate
            or self.error_next
            or self.timeout_rate
            or self.timeout_next
            or self.drop_rate
            or self.drop_next
            or self.burst_429_next
        )


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one request."""

    latency_s: float = 0.0
    throttle_retry_after_s: int | None = None
    throttle_header: bool = True
    throttle_states_wait: bool = True
    error_status: int | None = None
    timeout_delay_s: float | None = None
    timeout_commits: bool = True
    drop: bool = False

    @property
    def label(self) -> str | None:
        """A short name for the request log."""
        if self.throttle_retry_after_s is not None:
            return "429-burst"
        if self.error_status is not None:
            return f"error-{self.error_status}"
        if self.timeout_delay_s is not None:
            return "timeout-commit" if self.timeout_commits else "timeout"
        if self.drop:
            return "commit-then-drop"
        return "latency" if self.latency_s else None


class Faults:
    """The live plan plus its dice."""

    def __init__(self, seed: int = 0) -> None:
        self.plan = FaultPlan()
        self.seed = seed
        self._random = random.Random(seed)  # noqa: S311 - reproducible dice, not crypto
        self._lock = threading.Lock()

    def set(self, plan: FaultPlan, seed: int | None = None) -> None:
        """Replace the plan; reseed the dice when ``seed`` is given."""
        with self._lock:
            self.plan = plan
            if seed is not None:
                self.seed = seed
                self._random = random.Random(seed)  # noqa: S311 - reproducible dice, not crypto

    def clear(self) -> None:
        """No faults; dice reset to the current seed."""
        self.set(FaultPlan(), self.seed)

    def decide(self, method: str, template: str) -> FaultDecision | None:
        """Roll for one request to ``method template``; ``None`` means untouched."""
        plan = self.plan
        if plan.is_quiet() or not _matches(plan.endpoints, method, template):
            return None
        with self._lock:
            return self._roll(plan)

    def _roll(self, plan: FaultPlan) -> FaultDecision:
        latency = plan.latency_ms / 1000
        if plan.latency_jitter_ms:
            latency += self._random.uniform(0, plan.latency_jitter_ms) / 1000
        if plan.burst_429_next > 0:
            plan.burst_429_next -= 1
            return FaultDecision(
                latency,
                throttle_retry_after_s=plan.burst_retry_after_s,
                throttle_header=plan.burst_retry_after_header,
                throttle_states_wait=plan.burst_message_states_wait,
            )
        if self._take(plan, "error_next", plan.error_rate):
            return FaultDecision(latency, error_status=plan.error_status)
        if self._take(plan, "timeout_next", plan.timeout_rate):
            return FaultDecision(
                latency, timeout_delay_s=plan.timeout_delay_s, timeout_commits=plan.timeout_commits
            )
        if self._take(plan, "drop_next", plan.drop_rate):
            return FaultDecision(latency, drop=True)
        return FaultDecision(latency)

    def _take(self, plan: FaultPlan, counter: str, rate: float) -> bool:
        left: int = getattr(plan, counter)
        if left > 0:
            setattr(plan, counter, left - 1)
            return True
        return rate > 0 and self._random.random() < rate


def _matches(endpoints: list[str] | None, method: str, template: str) -> bool:
    if endpoints is None:
        return template.startswith("/v2/")
    return f"{method} {template}" in endpoints or template in endpoints
