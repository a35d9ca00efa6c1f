"""CPU time of the parts of a send, counted per thread while switched on (``bench month-end``).

The send step marks its parts (``with cpu_budget.part("claim"): …``); while the budget is off
— always, outside the benchmark — a part costs one attribute read. Switched on, each part adds
the CPU time its thread spent inside it (``time.thread_time``), less the time of the parts
nested in it, so the parts never count a millisecond twice. :func:`threads` reads the CPU time
of every thread of the process by the role its name gives it (the DBOS queue thread, the
workflow threads …), so what no part names — DBOS's own bookkeeping — is measured too, as the
rest of its threads' time.

A process started with ``PAYJOURNAL_CPU_BUDGET=<path prefix>`` (the benchmark's workers) counts
from the start; ``SIGUSR1`` marks the window's start, ``SIGUSR2`` its end: the window's figures
are written to ``<prefix>.<pid>.json``.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Figures",
    "enabled",
    "install_from_environment",
    "part",
    "snapshot",
    "switch_on",
    "threads",
]

ENVIRONMENT = "PAYJOURNAL_CPU_BUDGET"


class _State:
    on = False
    lock = threading.Lock()
    totals: dict[str, float] = {}  # noqa: RUF012  # part → CPU seconds, every thread
    counts: dict[str, int] = {}  # noqa: RUF012


_local = threading.local()


def enabled() -> bool:
    return _State.on


def switch_on() -> None:
    """Count from now on (the totals so far are kept)."""
    _State.on = True


@contextmanager
def part(name: str) -> Iterator[None]:
    """Count the CPU time this thread spends inside, less that of the parts nested in it."""
    if not _State.on:
        yield
        return
    stack: list[float] | None = getattr(_local, "nested", None)
    if stack is None:
        stack = _local.nested = []
    stack.append(0.0)
    started = time.thread_time()
    try:
        yield
    finally:
        spent = time.thread_time() - started
        nested = stack.pop()
        if stack:
            stack[-1] += spent
        with _State.lock:
            _State.totals[name] = _State.totals.get(name, 0.0) + spent - nested
            _State.counts[name] = _State.counts.get(name, 0) + 1


#: Thread name prefixes → the role the budget gives their time.
ROLES = (
    ("MainThread", "main thread"),
    ("queue-worker-visma-send", "DBOS dequeue"),
    ("dbos-executor", "workflow threads"),
    ("ThreadPoolExecutor", "workflow threads"),
)


def _role(name: str) -> str:
    for prefix, role in ROLES:
        if name.startswith(prefix):
            return role
    return "other threads"


def threads() -> dict[str, float]:
    """CPU seconds of the process's living threads so far, summed by role (Linux)."""
    found: dict[str, float] = {}
    for thread in threading.enumerate():
        if thread.ident is None:
            continue
        try:
            cpu = time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
        except (OSError, AttributeError):  # ended meanwhile; or not Linux
            continue
        role = _role(thread.name)
        found[role] = found.get(role, 0.0) + cpu
    return found


@dataclass(frozen=True, slots=True)
class Figures:
    """The parts' CPU seconds, the threads' by role, and the process's, at one moment."""

    parts: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    threads: dict[str, float] = field(default_factory=dict)
    process: float = 0.0

    def since(self, earlier: Figures) -> Figures:
        """What was spent between ``earlier`` and this one."""
        return Figures(
            _minus(self.parts, earlier.parts),
            {k: v - earlier.counts.get(k, 0) for k, v in self.counts.items()},
            _minus(self.threads, earlier.threads),
            self.process - earlier.process,
        )

    def plus(self, other: Figures) -> Figures:
        """Two processes' figures together (the workers)."""
        return Figures(
            _plus(self.parts, other.parts),
            {
                k: self.counts.get(k, 0) + other.counts.get(k, 0)
                for k in {*self.counts, *other.counts}
            },
            _plus(self.threads, other.threads),
            self.process + other.process,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "parts": self.parts,
            "counts": self.counts,
            "threads": self.threads,
            "process": self.process,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        return cls(
            dict(data["parts"]), dict(data["counts"]), dict(data["threads"]), data["process"]
        )


def _minus(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: v - b.get(k, 0.0) for k, v in a.items()}


def _plus(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: a.get(k, 0.0) + b.get(k, 0.0) for k in {*a, *b}}


def snapshot() -> Figures:
    """The figures of this process now."""
    with _State.lock:
        parts, counts = dict(_State.totals), dict(_State.counts)
    return Figures(parts, counts, threads(), time.process_time())


def install_from_environment() -> None:
    """In a process started with ``PAYJOURNAL_CPU_BUDGET`` set: count, and answer ``SIGUSR1``
    (the window starts) and ``SIGUSR2`` (it ends: the figures are written). Call it from the
    main thread; without the variable it does nothing."""
    prefix = os.environ.get(ENVIRONMENT)
    if not prefix:
        return
    switch_on()
    started: list[Figures] = []

    def on_start(_signum: int, _frame: Any) -> None:
        started[:] = [snapshot()]

    def on_end(_signum: int, _frame: Any) -> None:
        window = snapshot().since(started.pop() if started else Figures())
        path = f"{prefix}.{os.getpid()}.json"
        with open(path + ".tmp", "w") as out:
            json.dump(window.to_json(), out)
        os.replace(path + ".tmp", path)

    signal.signal(signal.SIGUSR1, on_start)
    signal.signal(signal.SIGUSR2, on_end)
