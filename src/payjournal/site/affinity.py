"""Keep an executing process's threads on chosen CPU cores (``PAYJOURNAL_CPU_AFFINITY``).

Python runs one thread at a time (the GIL), and a send hands it over at every database call
and every read of Visma's answer. Threads spread over two cores hand it across cores: the
kernel wakes the next thread on the other core, and at month-end a quarter of the embedded
process's CPU went to those wake-ups (``perf``: ``try_to_wake_up`` and
``finish_task_switch``). Kept on one core, the same month-end cost 5.9 instead of 7.8 ms of
CPU per journal (``docs/deploy.md``, "Third look").

Off by default: a process held to one core cannot move away from another program that keeps
that core busy. An operator who gives the process its own core says which (``1``; a list
``0,2-3`` is allowed), the way ``taskset -c`` would; each ``payjournal worker`` gets its own.
"""

from __future__ import annotations

import logging
import os
import threading

__all__ = ["CoresError", "keep_threads_on"]

log = logging.getLogger("payjournal.site")


class CoresError(ValueError):
    """``PAYJOURNAL_CPU_AFFINITY`` names a core this process may not use."""


def keep_threads_on(cores: frozenset[int]) -> None:
    """Hold this process's threads, and every thread they start from now on, to ``cores``
    (nothing when it is empty; ``Settings.cpu_affinity`` parses ``1`` or ``0,2-3``). Refused,
    with what is wrong, when a core is not one this process may use."""
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
    # Each thread has its own affinity, and a new thread inherits its creator's: every
    # thread alive now (a pool's, started with the wiring), then this one.
    for thread in threading.enumerate():
        if thread.native_id is not None and thread is not threading.current_thread():
            try:
                os.sched_setaffinity(thread.native_id, cores)
            except ProcessLookupError:  # ended meanwhile
                continue
    os.sched_setaffinity(0, cores)
    log.info(
        "threads kept on cores %s",
        ",".join(map(str, sorted(cores))),
        extra={"event": "site.affinity"},
    )
