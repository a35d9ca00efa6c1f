"""CPU time of the parts of a send, counted per thread while switched on (``bench month-end``).

The send step marks its parts (``with cpu_budget.part("claim"): …``); while the budget is off
— always, outside the benchmark — a part costs one attribute read. Switched on, each part adds
the CPU time its thread spent inside it (``time.thread_time``), less the time of the parts
nested in it, so the parts never count a millisecond twice. :func:`threads` reads the CPU time
of every thread of the process by the role its name gives it (the DBOS queue thread, the
workflow threads …), so what no part names — DBOS's own bookkeeping — is measured too, as the
rest of its threads' time.

While on, it also counts the garbage collector's runs and the CPU time they take
(``gc.callbacks``): a collection runs inside whatever part allocated last, so its time is
already in the parts; the count says how much of them it is.

It counts the database statements of each part too (:func:`count_statements`: the app's
through Django, DBOS's through SQLAlchemy): unlike milliseconds, a count does not depend on
the machine, so a change to the send path shows in it however noisy the machine.

A process started with ``PAYJOURNAL_CPU_BUDGET=<path prefix>`` (the benchmark's workers) counts
from the start; ``SIGUSR1`` marks the window's start, ``SIGUSR2`` its end: the window's figures
are written to ``<prefix>.<pid>.json``.
"""

from __future__ import annotations

import gc
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
    "THREAD_PREFIX",
    "Figures",
    "count_statements",
    "enabled",
    "install_from_environment",
    "part",
    "snapshot",
    "statement",
    "switch_on",
    "threads",
]

ENVIRONMENT = "PAYJOURNAL_CPU_BUDGET"


class _State:
    on = False
    lock = threading.Lock()
    totals: dict[str, float] = {}  # noqa: RUF012  # part → CPU seconds, every thread
    counts: dict[str, int] = {}  # noqa: RUF012
    statements: dict[str, int] = {}  # noqa: RUF012  # part (or thread role) → statements
    counting_statements = False  # count_statements has installed its hooks
    collections = 0  # the garbage collector's runs while on, every generation
    collecting_s = 0.0  # … and their CPU time


_local = threading.local()


def enabled() -> bool:
    return _State.on


def switch_on() -> None:
    """Count from now on (the totals so far are kept)."""
    if _collector not in gc.callbacks:
        gc.callbacks.append(_collector)
    _State.on = True


def _collector(phase: str, _info: dict[str, Any]) -> None:
    """``gc.callbacks``: a collection starts or stops in this thread, which holds the GIL.

    No lock: a collection may start inside any allocation, also while this thread holds
    ``_State.lock``, and CPython never starts a collection while another one (its callbacks
    included) runs, so the counters have one writer at a time."""
    if phase == "start":
        _local.collecting_since = time.thread_time()
        return
    since: float | None = getattr(_local, "collecting_since", None)
    _local.collecting_since = None
    if since is None or not _State.on:  # switched on during a collection, or off since
        return
    _State.collections += 1
    _State.collecting_s += time.thread_time() - since


@contextmanager
def part(name: str) -> Iterator[None]:
    """Count the CPU time this thread spends inside, less that of the parts nested in it."""
    if not _State.on:
        yield
        return
    stack: list[float] | None = getattr(_local, "nested", None)
    if stack is None:
        stack = _local.nested = []
        _local.names = []
    stack.append(0.0)
    _local.names.append(name)
    started = time.thread_time()
    try:
        yield
    finally:
        spent = time.thread_time() - started
        nested = stack.pop()
        _local.names.pop()
        if stack:
            stack[-1] += spent
        with _State.lock:
            _State.totals[name] = _State.totals.get(name, 0.0) + spent - nested
            _State.counts[name] = _State.counts.get(name, 0) + 1


def statement() -> None:
    """One database statement ran in this thread: count it for the innermost part, or for the
    thread's role outside every part (``thread: <role>``)."""
    if not _State.on:
        return
    names: list[str] | None = getattr(_local, "names", None)
    key = names[-1] if names else THREAD_PREFIX + _role(threading.current_thread().name)
    with _State.lock:
        _State.statements[key] = _State.statements.get(key, 0) + 1


#: The key of the statements a thread ran outside every part: this prefix and its role.
THREAD_PREFIX = "thread: "


def count_statements() -> None:
    """Count every database statement of this process from now on: Django's (each connection
    of each thread, as it connects) and SQLAlchemy's (every engine: DBOS's). Idempotent."""
    import sqlalchemy as sa
    from django.conf import settings
    from django.db import connections
    from django.db.backends.signals import connection_created

    if _State.counting_statements:
        return
    _State.counting_statements = True
    connection_created.connect(_wrap_connection, weak=False)
    if settings.configured:  # the connections this thread already opened
        for connection in connections.all(initialized_only=True):
            _wrap_connection(connection=connection)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", _before_cursor_execute)


def _wrap_connection(sender: Any = None, *, connection: Any, **_kwargs: Any) -> None:
    if _django_statement not in connection.execute_wrappers:
        connection.execute_wrappers.append(_django_statement)


def _django_statement(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    statement()
    return execute(sql, params, many, context)


def _before_cursor_execute(*_args: Any) -> None:
    statement()


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
    statements: dict[str, int] = field(default_factory=dict)
    #: the garbage collector's runs and their CPU seconds (``collections``, ``seconds``)
    collector: dict[str, float] = field(default_factory=dict)

    def since(self, earlier: Figures) -> Figures:
        """What was spent between ``earlier`` and this one."""
        return Figures(
            _minus(self.parts, earlier.parts),
            {k: v - earlier.counts.get(k, 0) for k, v in self.counts.items()},
            _minus(self.threads, earlier.threads),
            self.process - earlier.process,
            {k: v - earlier.statements.get(k, 0) for k, v in self.statements.items()},
            _minus(self.collector, earlier.collector),
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
            {
                k: self.statements.get(k, 0) + other.statements.get(k, 0)
                for k in {*self.statements, *other.statements}
            },
            _plus(self.collector, other.collector),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "parts": self.parts,
            "counts": self.counts,
            "threads": self.threads,
            "process": self.process,
            "statements": self.statements,
            "collector": self.collector,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        return cls(
            dict(data["parts"]),
            dict(data["counts"]),
            dict(data["threads"]),
            data["process"],
            dict(data.get("statements", {})),
            dict(data.get("collector", {})),
        )


def _minus(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: v - b.get(k, 0.0) for k, v in a.items()}


def _plus(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: a.get(k, 0.0) + b.get(k, 0.0) for k in {*a, *b}}


def snapshot() -> Figures:
    """The figures of this process now."""
    with _State.lock:
        parts, counts = dict(_State.totals), dict(_State.counts)
        statements = dict(_State.statements)
    collector = {"collections": float(_State.collections), "seconds": _State.collecting_s}
    return Figures(parts, counts, threads(), time.process_time(), statements, collector)


def install_from_environment() -> None:
    """In a process started with ``PAYJOURNAL_CPU_BUDGET`` set: count, and answer ``SIGUSR1``
    (the window starts) and ``SIGUSR2`` (it ends: the figures are written). Call it from the
    main thread; without the variable it does nothing."""
    prefix = os.environ.get(ENVIRONMENT)
    if not prefix:
        return
    switch_on()
    count_statements()
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
