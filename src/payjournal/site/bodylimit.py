"""Requests that announce a body far over the upload limit are answered 413 before it is read.

Django's ASGI handler reads a whole request body (into a temporary file) before any view can
look at it, so a view refusing a file over ``PAYJOURNAL_MAX_UPLOAD_BYTES`` still lets a client
fill the disk first. This wrapper looks at ``Content-Length`` and answers a body over the limit
plus :data:`FORM_ROOM` (a form's other fields and multipart framing) itself — the same "file
too large (limit …)" as the views, as the API's JSON problem under ``/api/`` — without reading
it. A body within that room reaches the views, which refuse an oversized file by name and in
the user's language; a body without ``Content-Length`` (chunked) is read by Django and refused
by the views, unread by the importer. A reverse proxy should set the same limit
(docs/security.md).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from payjournal.api.errors import API_PREFIX, problem_body
from payjournal.payroll.limits import size_text, upload_limit

__all__ = ["FORM_ROOM", "BodyLimitMiddleware"]

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Room beyond the file limit for a form's other fields and the multipart framing.
FORM_ROOM = 1024 * 1024


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


class BodyLimitMiddleware:
    """ASGI middleware around the Django application (:mod:`payjournal.site.asgi`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = _declared_length(scope) if scope["type"] == "http" else None
        if length is None or length <= upload_limit() + FORM_ROOM:
            await self.app(scope, receive, send)
            return
        message = f"file too large (limit {size_text(upload_limit())})"
        if str(scope.get("path", "")).startswith(API_PREFIX):
            body = json.dumps(
                problem_body("The request body is too large.", [message], "too_large")
            ).encode()
            content_type = b"application/json"
        else:
            body, content_type = message.encode(), b"text/plain; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store, private"),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
