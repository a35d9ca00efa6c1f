"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the mail tests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.ports import free_port


@dataclass
class Inbox:
    """The messages the server accepted, in order; ``arrived`` is set on each one."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.arrived.set()
        return "250 Message accepted for delivery"

    def body(self, index: int) -> str:
        part = self.messages[index].get_body(("plain",))
        assert part is not None
        return str(part.get_content())


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """An SMTP server at 127.0.0.1 (no TLS, no login) for as long as the block runs.

    The server's own log (``mail.log``) echoes every line it receives, links included; it is
    kept quiet so that a test's look at the logs sees payjournal's records only."""
    inbox = Inbox(port=free_port())
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
        server_log.setLevel(level)
