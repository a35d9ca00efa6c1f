"""In-process httpx2 transports for the emulator app, with real failure semantics.

``httpx2.ASGITransport`` is async-only and knows no timeouts; these wrappers add what a test
of a client needs:

* the request's *read* timeout is enforced (an injected timeout becomes ``httpx2.ReadTimeout``);
* commit-then-drop becomes ``httpx2.RemoteProtocolError`` ("sent, no answer");
* :class:`EmulatorTransport` is a *sync* transport (a private event loop on a daemon thread,
  restarted after ``close()`` so one transport can serve several clients), so a sync
  ``httpx2.Client`` can talk to the app without a socket.

This module imports httpx2 (the server side does not); only tests and clients use it.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx2

from payjournal.emulator.drop import ConnectionDropped


class AsyncEmulatorTransport(httpx2.AsyncBaseTransport):
    """``ASGITransport`` plus read timeouts and dropped connections."""

    def __init__(self, app: Any, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self._inner = httpx2.ASGITransport(app=app, client=client)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Run the app; translate its failures into httpx2 transport errors."""
        timeout = (request.extensions.get("timeout") or {}).get("read")
        try:
            if timeout is None:
                response = await self._inner.handle_async_request(request)
            else:
                response = await asyncio.wait_for(
                    self._inner.handle_async_request(request), timeout
                )
        except TimeoutError:
            raise httpx2.ReadTimeout(
                "the emulator did not answer in time", request=request
            ) from None
        except ConnectionDropped:
            raise httpx2.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        return response


class EmulatorTransport(httpx2.BaseTransport):
    """A sync transport running the app on a private event loop thread."""

    def __init__(self, app: Any, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self._async = AsyncEmulatorTransport(app, client)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        """The loop thread, started on first use and again after :meth:`close`."""
        with self._lock:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=loop.run_forever, name="emulator-transport", daemon=True
                )
                self._thread.start()
                self._loop = loop
            return self._loop

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send one request through the app and wait for the whole answer."""
        body = request.read()

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            inner = httpx2.Request(
                request.method,
                request.url,
                headers=request.headers,
                content=body,
                extensions=request.extensions,
            )
            response = await self._async.handle_async_request(inner)
            content = await response.aread()
            return response.status_code, list(response.headers.raw), content

        future = asyncio.run_coroutine_threadsafe(call(), self._running_loop())
        status, headers, content = future.result()
        return httpx2.Response(status, headers=headers, content=content, request=request)

    def close(self) -> None:
        """Stop the loop thread (a later request starts a new one)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()
