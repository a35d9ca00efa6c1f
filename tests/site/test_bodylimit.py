"""A request announcing a body far over the upload limit is answered 413 before a byte of it
is read (Django's ASGI handler would first write it all to a temporary file); one within the
limit and a form's room goes on to Django, whose views refuse an oversized file by name."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from payjournal.site.asgi import application
from payjournal.site.bodylimit import FORM_ROOM, BodyLimitMiddleware

MIB = 1024 * 1024


def http_scope(path: str, length: int | None) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }  # fmt: skip


def call(app: Any, scope: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The messages the app sends, and how many times it asked for the body."""
    sent: list[dict[str, Any]] = []
    asked = 0

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent, asked


@pytest.mark.parametrize(
    ("path", "content_type", "text"),
    [
        ("/api/v1/companies/nl-bakkerij/runs", b"application/json", "file too large (limit 5 MiB)"),
        ("/companies/1/", b"text/plain; charset=utf-8", "file too large (limit 5 MiB)"),
    ],
)
def test_a_body_far_over_the_limit_is_refused_unread(
    settings: Any, path: str, content_type: bytes, text: str
) -> None:
    settings.PAYJOURNAL_MAX_UPLOAD_BYTES = 5 * MIB
    sent, asked = call(application, http_scope(path, 5 * MIB + FORM_ROOM + 1))
    assert asked == 0
    start, body = sent
    assert start["status"] == 413
    assert dict(start["headers"])[b"content-type"] == content_type
    assert text in body["body"].decode()
    if content_type == b"application/json":
        assert json.loads(body["body"])["code"] == "too_large"


@pytest.mark.parametrize("length", [None, 0, 5 * MIB + 1, 5 * MIB + FORM_ROOM])
def test_a_body_within_the_limit_and_a_form_s_room_goes_on(
    settings: Any, length: int | None
) -> None:
    settings.PAYJOURNAL_MAX_UPLOAD_BYTES = 5 * MIB
    reached = []

    async def django(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])

    call(BodyLimitMiddleware(django), http_scope("/companies/1/", length))
    assert reached == ["/companies/1/"]
