"""Waiting in tests: on the event a test needs (a row's state, a server answering, a line in a
log), never for a fixed stretch of wall time.

Each wait is bounded by :data:`PATIENCE_S`, which only keeps a broken test from hanging: it is
generous, so a machine loaded by another test suite never trips it, and a passing test never
waits for it.
"""

from __future__ import annotations

import select
import subprocess
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx2

__all__ = [
    "PATIENCE_MS",
    "PATIENCE_S",
    "SUITE_PATIENCE_S",
    "assert_running",
    "first_line",
    "http_status",
    "start_together",
    "wait_until",
]

#: The bound of every wait (a subprocess's exit, a server's start, a worker's sends).
PATIENCE_S = 120.0
#: The same for Playwright, which counts in milliseconds.
PATIENCE_MS = PATIENCE_S * 1000
#: The bound of a whole pytest run in a subprocess (tests again on PostgreSQL): minutes of
#: tests, many more on a loaded machine.
SUITE_PATIENCE_S = 3600.0

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    what: str | Callable[[], str],
    *,
    bound_s: float = PATIENCE_S,
    poll_s: float = 0.1,
) -> T:
    """Call ``condition`` until it returns something truthy, and return that. After ``bound_s``
    an AssertionError says what did not happen (``what``, or what it returns then)."""
    give_up_at = time.monotonic() + bound_s
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > give_up_at:
            described = what if isinstance(what, str) else what()
            raise AssertionError(f"waited {bound_s:.0f} s for {described}")
        time.sleep(poll_s)


def http_status(url: str) -> int | None:
    """The status a GET of ``url`` answers; None while nothing answers there."""
    try:
        return httpx2.get(url, timeout=PATIENCE_S).status_code
    except httpx2.TransportError:
        return None


def assert_running(process: subprocess.Popen[Any], output: Callable[[], str]) -> None:
    """Nothing to wait for once ``process`` has exited: an AssertionError with its ``output``."""
    if process.poll() is not None:
        raise AssertionError(f"exited with {process.returncode}: {output()}")


def first_line(process: subprocess.Popen[str]) -> str:
    """The first line ``process`` prints on its stdout (a pipe nothing has read from yet)."""
    assert process.stdout is not None
    readable, _, _ = select.select([process.stdout], [], [], PATIENCE_S)
    if not readable:
        raise AssertionError(f"waited {PATIENCE_S:.0f} s for a line from {process.args!r}")
    return process.stdout.readline().strip()


def start_together(workers: list[subprocess.Popen[str]]) -> None:
    """Wait until every worker printed ``ready`` (set up, however long that took), then send
    each a line on stdin, which is their signal to start."""
    for worker in workers:
        assert first_line(worker) == "ready", worker.args
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
