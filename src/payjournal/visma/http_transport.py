"""The transport the Visma client sends through: HTTP/1.1 on the standard library's
``http.client``, with keep-alive connections pooled per origin, behind httpx2's client.

httpx2's own transport parses HTTP/1.1 with h11, a state machine in Python: on this kind of
machine it cost about 1 ms of CPU per voucher POST, where ``http.client`` on the same socket
costs about 0.4 (``docs/deploy.md``, *Tenth look*). At month-end the POST is the one call of a
send, so the difference is paid per journal. httpx2's client stays in front: the session, the
tests' transports, timeouts and error types are unchanged.

The transport keeps the line of :mod:`payjournal.visma.transport`: a failure before the request
has completely left raises what httpx2 raises then (``ConnectError``, ``ConnectTimeout``,
``WriteError``, ``WriteTimeout``: never sent); a failure after it raises ``ReadTimeout``,
``ReadError`` or ``RemoteProtocolError`` (sent, no answer). An idle connection the server has
closed is never written to: it is dropped when taken from the pool, as httpx2's pool does.
"""

from __future__ import annotations

import functools
import http.client
import select
import socket
import ssl
import threading
from typing import Any

import httpx2

__all__ = ["StdlibTransport"]

#: An origin: scheme, host, port.
_Origin = tuple[str, str, int]
_DEFAULT_PORTS = {"http": 80, "https": 443}


class StdlibTransport(httpx2.BaseTransport):
    """HTTP/1.1 over ``http.client``; at most ``max_idle`` idle connections kept per origin.
    Thread-safe: a connection serves one request at a time."""

    def __init__(self, *, max_idle: int = 64, ssl_context: ssl.SSLContext | None = None) -> None:
        self._max_idle = max_idle
        self._ssl_context = ssl_context
        self._idle: dict[_Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        url = request.url
        if url.scheme not in _DEFAULT_PORTS:
            raise httpx2.UnsupportedProtocol(f"unsupported scheme {url.scheme!r}", request=request)
        origin = (url.scheme, url.host, url.port or _DEFAULT_PORTS[url.scheme])
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        body = request.read()
        connection = self._take(origin, timeouts.get("connect"), request)
        self._write(connection, request, body, timeouts.get("write"))
        try:
            connection.sock.settimeout(timeouts.get("read"))
            answer = connection.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise _read_failure(exc, request) from exc
        if answer.will_close:
            connection.close()
        else:
            self._give_back(origin, connection)
        return httpx2.Response(
            answer.status,
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.getheaders()],
            stream=httpx2.ByteStream(content),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": answer.reason.encode()},
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle = [c for connections in self._idle.values() for c in connections]
            self._idle.clear()
        for connection in idle:
            connection.close()

    # --- connections ----------------------------------------------------------------------

    def _take(
        self, origin: _Origin, connect_timeout: float | None, request: httpx2.Request
    ) -> http.client.HTTPConnection:
        """An idle connection of ``origin`` still open, else a new one, connected."""
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                connection = idle.pop() if idle else None
            if connection is None:
                return self._connect(origin, connect_timeout, request)
            if _still_open(connection):
                return connection
            connection.close()

    def _connect(
        self, origin: _Origin, timeout: float | None, request: httpx2.Request
    ) -> http.client.HTTPConnection:
        scheme, host, port = origin
        connection: http.client.HTTPConnection
        if scheme == "https":
            context = self._ssl_context or _default_ssl_context()
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.connect()
        except TimeoutError as exc:
            connection.close()
            raise httpx2.ConnectTimeout(f"connect: {exc}", request=request) from exc
        except OSError as exc:  # refused, unreachable, DNS (socket.gaierror), TLS (ssl.SSLError)
            connection.close()
            raise httpx2.ConnectError(f"{type(exc).__name__}: {exc}", request=request) from exc
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _give_back(self, origin: _Origin, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self._closed:
                idle = self._idle.setdefault(origin, [])
                if len(idle) < self._max_idle:
                    idle.append(connection)
                    return
        connection.close()

    @staticmethod
    def _write(
        connection: http.client.HTTPConnection,
        request: httpx2.Request,
        body: bytes,
        timeout: float | None,
    ) -> None:
        """Send the request line, headers and body (httpx2 has set Host, Content-Length and
        the rest); a failure here means the request never completely left."""
        try:
            connection.sock.settimeout(timeout)
            connection.putrequest(
                request.method,
                request.url.raw_path.decode("ascii"),
                skip_host=True,
                skip_accept_encoding=True,
            )
            for name, value in request.headers.raw:
                connection.putheader(name.decode("latin-1"), value.decode("latin-1"))
            connection.endheaders(body or None)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            kind = httpx2.WriteTimeout if isinstance(exc, TimeoutError) else httpx2.WriteError
            raise kind(f"{type(exc).__name__}: {exc}", request=request) from exc


def _read_failure(exc: Exception, request: httpx2.Request) -> httpx2.TransportError:
    """What a failure after the request left is in httpx2's terms (all "sent, no answer")."""
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, TimeoutError):
        return httpx2.ReadTimeout(message, request=request)
    if isinstance(exc, http.client.HTTPException):  # a closed, garbled or cut-short answer
        return httpx2.RemoteProtocolError(message, request=request)
    return httpx2.ReadError(message, request=request)


def _still_open(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle connection may carry a request: a socket that is readable while idle
    has been closed by the server (or holds bytes nobody asked for)."""
    sock: Any = connection.sock
    if sock is None:
        return False
    poll = select.poll()  # not select.select: a busy process has descriptors beyond 1024
    poll.register(sock, select.POLLIN)
    try:
        return not poll.poll(0)
    except OSError:
        return False


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    """httpx2's own context (the same trusted certificates, ``SSL_CERT_FILE`` honoured), built
    once: building one reads the certificate store."""
    return httpx2.create_ssl_context()
