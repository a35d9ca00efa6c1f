"""Free loopback ports for the servers a test starts (an SMTP server, ``payjournal serve``).

``PAYJOURNAL_TEST_PORTS=18600-18699`` keeps them in a range (parallel checkouts on one machine
each get their own); without it the operating system picks.
"""

from __future__ import annotations

import os
import socket


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A port nothing listens on at 127.0.0.1 now. In a range, each process starts looking at
    its own place (by its pid), so two test processes sharing the range (xdist workers, a
    PostgreSQL rerun) seldom pick the same port between one's look and its server's bind."""
    span = os.environ.get("PAYJOURNAL_TEST_PORTS", "")
    if span:
        first, _, last = span.partition("-")
        ports = list(range(int(first), int(last or first) + 1))
        start = os.getpid() % len(ports)
        for port in ports[start:] + ports[:start]:
            if _is_free(port):
                return port
        raise RuntimeError(f"no free port in PAYJOURNAL_TEST_PORTS={span}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
