"""The demo's mailbox: a local SMTP catcher on loopback, and what it received.

``payjournal demo`` sets ``PAYJOURNAL_DEMO_MAILBOX`` (``<data_dir>/mail``); start-up
(:func:`payjournal.site.bootstrap.start_django`) then starts :func:`start_catcher` on
127.0.0.1 and points the mail settings at it, so every mail — a password reset, a
notification, a digest — leaves through SMTP exactly as in production and lands as a file in
the private data directory. The page ``/notifications/demo-mail/`` lists them. The catcher's
own log (``mail.log``, which echoes each line it receives, links included) is kept quiet.
"""

from __future__ import annotations

import logging
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

__all__ = ["ReceivedMail", "received", "start_catcher"]

SUFFIX = ".eml"


class _Keeper:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}{SUFFIX}"
        path.write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


_controllers: list[Any] = []


def start_catcher(folder: Path) -> int:
    """Start the catcher on 127.0.0.1 (a free port), keeping each mail in ``folder``; its port."""
    from aiosmtpd.controller import Controller

    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(_Keeper(folder), hostname="127.0.0.1", port=port)
    controller.start()
    _controllers.append(controller)
    return port


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    """One mail the catcher kept."""

    received_at: datetime
    sender: str
    to: str
    subject: str
    body: str


def received(folder: Path, limit: int = 200) -> list[ReceivedMail]:
    """The mails in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    mails = []
    for path in sorted(folder.glob(f"*{SUFFIX}"), reverse=True)[:limit]:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(("plain",))
        stamp = datetime.strptime(path.name.split("-", 1)[0], "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
        mails.append(
            ReceivedMail(
                stamp,
                str(message.get("From", "")),
                str(message.get("To", "")),
                str(message.get("Subject", "")),
                str(part.get_content()) if part is not None else "",
            )
        )
    return mails
