"""Commit-then-drop: close the connection without an answer after the work is done.

Under uvicorn the raw ``send`` of the connection is kept in the scope by the outermost app
(:data:`RAW_SEND_KEY`); its owner holds the socket transport, which is aborted so the client
sees the connection reset with no response. Anywhere else (in-process ASGI transports) the
outermost app raises :class:`ConnectionDropped` instead, having swallowed everything the inner
app tried to send, so no 500 is ever produced.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

RAW_SEND_KEY = "payjournal.emulator.raw_send"
DROPPED_KEY = "payjournal.emulator.dropped"


class ConnectionDropped(ConnectionResetError):  # noqa: N818 - it mirrors the stdlib name
    """The emulator dropped the connection after committing (in-process only)."""


class DropConnection(Response):
    """A 'response' that answers nothing and cuts the line."""

    def __init__(self) -> None:
        super().__init__(status_code=0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[DROPPED_KEY] = True
        transport = _transport_of(scope.get(RAW_SEND_KEY))
        if transport is not None:
            transport.abort()
            await asyncio.sleep(0)  # let the server notice the disconnect before we return


def _transport_of(raw_send: Any) -> asyncio.Transport | None:
    owner = getattr(raw_send, "__self__", None)
    transport = getattr(owner, "transport", None)
    return transport if isinstance(transport, asyncio.BaseTransport) else None  # type: ignore[return-value]


def has_transport(scope: Scope) -> bool:
    """True when the server exposes a socket the emulator can abort."""
    return _transport_of(scope.get(RAW_SEND_KEY)) is not None
