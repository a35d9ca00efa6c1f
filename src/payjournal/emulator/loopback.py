"""An emulator served by another process on loopback: a free port to start it on, and waiting
until it answers (``payjournal bench emulator``, the month-end benchmark).

A server in this process needs neither: :func:`payjournal.emulator.server.run_in_thread` binds
port 0 itself and knows when uvicorn has started.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx2

__all__ = ["free_port", "wait_until_up"]


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on at ``host`` now, chosen by the operating system."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _still_running() -> str | None:
    return None


def wait_until_up(
    url: str,
    *,
    timeout_s: float = 30.0,
    exited: Callable[[], str | None] = _still_running,
) -> None:
    """Poll ``url`` until it answers with a success; ``RuntimeError`` after ``timeout_s``, or
    at once when ``exited()`` says why the serving process ended (its exit code, its stderr)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        why = exited()
        if why is not None:
            raise RuntimeError(f"the emulator exited: {why}")
        try:
            httpx2.get(url, timeout=1.0).raise_for_status()
            return
        except httpx2.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"the emulator did not answer at {url} within {timeout_s:.0f} s")
