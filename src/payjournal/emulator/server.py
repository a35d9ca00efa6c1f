"""Serving the emulator with uvicorn: in a background thread for tests, or in the foreground.

``run_in_thread`` binds the socket itself (port 0 = a free port) before starting uvicorn, so
the yielded base URL is usable at once and parallel tests never race for a port.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

#: How long leaving :func:`run_in_thread` waits for answers still under way before cancelling
#: them (uvicorn's own default waits for ever, and the join below gives up on it after 10 s).
SHUTDOWN_GRACE_S = 1.0


def _server(app: Any, log_level: str, **options: Any) -> uvicorn.Server:
    config = uvicorn.Config(
        app, log_level=log_level, access_log=False, lifespan="on", http="h11", **options
    )
    return uvicorn.Server(config)


@contextlib.contextmanager
def run_in_thread(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    startup_timeout_s: float = 10.0,
    shutdown_grace_s: float = SHUTDOWN_GRACE_S,
) -> Iterator[str]:
    """Serve ``app`` on loopback from a daemon thread; yield ``http://host:port``.

    On leaving, an answer still under way gets ``shutdown_grace_s`` to finish; one that would
    take longer (a fault plan's delayed answer to a client that is gone) is cancelled, and the
    app's shutdown (the lifespan) runs after it."""
    # IPPROTO_TCP, not 0: asyncio only sets TCP_NODELAY on accepted connections of a socket
    # whose protocol says TCP; without it each response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    server = _server(app, log_level, timeout_graceful_shutdown=shutdown_grace_s)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="visma-emulator", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the emulator did not start")
        time.sleep(0.005)
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve(app: Any, host: str, port: int, log_level: str = "info") -> None:
    """Serve in the foreground until Ctrl-C (uvicorn runs the lifespan: load/save state)."""
    _server(app, log_level, host=host, port=port).run()
