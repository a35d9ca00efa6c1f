"""Where an executing process runs its threads (``PAYJOURNAL_CPU_AFFINITY``).

Python runs one thread at a time (the GIL), and a send hands it over at every database call
and every read of Visma's answer. Threads spread over two cores hand it across cores: the
kernel wakes the next thread on the other core, and at month-end a quarter of the process's
CPU went to those wake-ups (``perf``: ``try_to_wake_up`` and ``finish_task_switch``). Kept on
one core, the same month-end costs about a third less CPU per journal (``docs/deploy.md``).

The setting (``Settings.cpu_affinity``) says how:

* ``auto``, the default: one core at a time, watched. A :class:`CoreWatch` thread reads the
  cores' busy time every few seconds and moves every thread of the process to a quieter core
  when another program crowds this one, or spreads them over all cores when every core is
  crowded (the decision: :mod:`payjournal.site.core_choice`). That is for the embedded
  process; a ``payjournal worker`` leaves its threads to the OS, as with ``all``.
* ``all``: wherever the OS runs them, on every core the process may use.
* cores, ``1`` or ``0,2-3``: held there and never moved, the way ``taskset -c`` would; an
  operator who gives each ``payjournal worker`` a core of its own says which.

:func:`hold_threads` applies it once, before the executor starts its threads (a new thread
inherits its creator's cores).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from payjournal.site.core_choice import (
    CoreSample,
    Placement,
    busy_shares,
    next_placement,
    starting_placement,
)

__all__ = ["CoreSetting", "CoreWatch", "CoresError", "hold_threads", "keep_threads_on"]

log = logging.getLogger("payjournal.site")

#: ``PAYJOURNAL_CPU_AFFINITY`` parsed: ``auto``, ``all``, or the cores named.
CoreSetting = frozenset[int] | Literal["auto", "all"]

#: Seconds between two checks of the cores, on average (each is jittered by a third).
CHECK_INTERVAL_S = 3.0

_PROC_STAT = Path("/proc/stat")
_TASKS = Path("/proc/self/task")


class CoresError(ValueError):
    """``PAYJOURNAL_CPU_AFFINITY`` names a core this process may not use."""


def hold_threads(setting: CoreSetting, *, worker: bool = False) -> CoreWatch | None:
    """Apply ``setting`` to this process (module docstring); returns the watch it started
    (``auto`` on a system with affinity and two cores or more), for :meth:`CoreWatch.stop`.

    A ``worker`` shares the machine with its sibling workers and PostgreSQL, which keep every
    core busy at month-end: there ``auto`` leaves its threads to the OS, as ``all`` does (one
    core each, watched, measured worse: ``docs/deploy.md``, "Eighth look").
    """
    if setting == "all" or (setting == "auto" and worker):
        return None
    if isinstance(setting, frozenset):
        keep_threads_on(setting)
        return None
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = frozenset(os.sched_getaffinity(0))
    if len(allowed) < 2 or not _PROC_STAT.exists():
        return None
    watch = CoreWatch(allowed)
    watch.start()
    return watch


def keep_threads_on(cores: frozenset[int]) -> None:
    """Hold this process's threads, and every thread they start from now on, to ``cores``
    (nothing when it is empty). Refused, with what is wrong, when a core is not one this
    process may use."""
    if not cores:
        return
    if not hasattr(os, "sched_setaffinity"):
        log.warning(
            "PAYJOURNAL_CPU_AFFINITY is ignored: this system has no CPU affinity",
            extra={"event": "site.affinity_unsupported"},
        )
        return
    allowed = os.sched_getaffinity(0)
    missing = sorted(cores - allowed)
    if missing:
        raise CoresError(
            f"PAYJOURNAL_CPU_AFFINITY: core {', '.join(map(str, missing))} is not one this "
            f"process may use ({', '.join(map(str, sorted(allowed)))})"
        )
    _move_threads(cores)
    log.info(
        "threads kept on cores %s",
        ",".join(map(str, sorted(cores))),
        extra={"event": "site.affinity"},
    )


def _move_threads(cores: frozenset[int]) -> None:
    """Every thread of this process onto ``cores``: each thread has its own affinity, and a
    new thread inherits its creator's, so the list is read again until no thread is new."""
    moved: set[int] = set()
    for _ in range(5):
        found = _thread_ids() - moved
        if not found:
            break
        for thread_id in found:
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.sched_setaffinity(thread_id, cores)
        moved |= found
    os.sched_setaffinity(0, cores)


def _thread_ids() -> set[int]:
    """This process's threads: all of them from ``/proc`` (those a library started outside
    Python's ``threading`` too), else Python's own."""
    try:
        return {int(entry.name) for entry in _TASKS.iterdir()}
    except OSError:
        return {t.native_id for t in threading.enumerate() if t.native_id is not None}


class CoreWatch:
    """A daemon thread that keeps the process's threads on one core and moves them when
    another program crowds it (``PAYJOURNAL_CPU_AFFINITY=auto``).

    ``placement`` is where to start (default: spread, the first check taking the quietest
    core); ``interval_s`` the mean time between checks; ``on_move`` hears each new placement
    with the sample that decided it (tests).
    """

    def __init__(
        self,
        allowed: frozenset[int],
        *,
        placement: Placement | None = None,
        interval_s: float = CHECK_INTERVAL_S,
        on_move: Callable[[Placement, CoreSample], None] | None = None,
    ) -> None:
        self.allowed = allowed
        self.placement = placement or starting_placement(allowed)
        self.moves = 0
        self._interval_s = interval_s
        self._on_move = on_move
        self._stop = threading.Event()
        self._jitter = random.Random()  # noqa: S311  # spacing checks apart, not a secret
        self._thread = threading.Thread(target=self._run, name="payjournal-cores", daemon=True)

    def start(self) -> None:
        """Hold the threads where :attr:`placement` says, then check every few seconds."""
        _move_threads(self.placement.cores)
        self._thread.start()

    def stop(self) -> None:
        """End the checks and give the threads back every core they may use (the executor
        stopped: ``runs send --here`` goes on with its output)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        with contextlib.suppress(OSError):  # the cores were taken from the process meanwhile
            _move_threads(self.allowed)

    def _run(self) -> None:
        try:
            stat, cpu, at = _PROC_STAT.read_text(), time.process_time(), time.monotonic()
            while not self._stop.wait(self._interval_s * self._jitter.uniform(2 / 3, 4 / 3)):
                now_stat, now_cpu, now = (
                    _PROC_STAT.read_text(),
                    time.process_time(),
                    time.monotonic(),
                )
                sample = CoreSample(
                    busy_shares(stat, now_stat, self.allowed),
                    own=(now_cpu - cpu) / max(now - at, 1e-6),
                )
                stat, cpu, at = now_stat, now_cpu, now
                self._apply(next_placement(self.placement, sample), sample)
        except OSError as error:  # /proc unreadable, a core taken away: leave it to the OS
            with contextlib.suppress(OSError):
                _move_threads(self.allowed)
            log.warning(
                "cores no longer watched (%s): threads spread over every core",
                type(error).__name__,
                extra={"event": "site.cores_unwatched"},
            )

    def _apply(self, placement: Placement, sample: CoreSample) -> None:
        if placement.cores != self.placement.cores:
            _move_threads(placement.cores)
            self.moves += 1
            log.info(
                "threads moved to cores %s (cores busy: %s; this process %.2f of a core)",
                ",".join(map(str, sorted(placement.cores))),
                ", ".join(f"{core}: {share:.2f}" for core, share in sorted(sample.busy.items())),
                sample.own,
                extra={"event": "site.cores_moved"},
            )
            if self._on_move is not None:
                self._on_move(placement, sample)
        self.placement = placement
