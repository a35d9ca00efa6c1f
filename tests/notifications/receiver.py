"""A real webhook receiver on loopback: a small HTTP server that checks each request's signature
the way docs/notifications.md tells a receiver to, and keeps the events it accepted."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from payjournal.notifications.signing import verify


@dataclass
class Receiver:
    """What the server accepted (signature verified) and refused; ``status`` is its answer."""

    port: int
    secret: str = ""
    status: int = 200
    accepted: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    requests: int = 0
    #: While the receiver is "down": its port, bound and not listening (connections are refused
    #: and no other server of the test run can take the port meanwhile).
    held: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver.requests += 1
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = verify(
                receiver.secret,
                self.headers.get("Payjournal-Timestamp", ""),
                body,
                self.headers.get("Payjournal-Signature", ""),
                time.time(),
            )
            if not ok:
                receiver.refused.append("bad signature")
                self.send_response(400)
            elif receiver.status >= 300:
                self.send_response(receiver.status)
            else:
                event = json.loads(body)
                event["_header_id"] = self.headers["Payjournal-Event-Id"]
                receiver.accepted.append(event)
                self.send_response(receiver.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@contextmanager
def receiving(receiver: Receiver) -> Iterator[Receiver]:
    """Serve ``receiver`` on its port for as long as the block runs (a port it held while down
    is let go of just before)."""
    if receiver.held is not None:
        receiver.held.close()
        receiver.held = None
    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), _handler(receiver))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def down_receiver() -> Receiver:
    """A receiver that is down: its port refuses connections until :func:`receiving` serves it."""
    held = socket.socket()
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    held.bind(("127.0.0.1", 0))
    return Receiver(int(held.getsockname()[1]), held=held)
