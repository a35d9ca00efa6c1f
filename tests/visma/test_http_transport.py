"""The Visma client's transport over real sockets: connections kept and dropped as they should
be, answers read as httpx2 reads them, and every failure on the right side of the line between
"never sent" and "sent, no answer" (the emulator's faults over TCP: ``test_loopback.py``)."""

from __future__ import annotations

import gzip
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest

from payjournal.visma import NetworkError, OutcomeUnknownError, http_client
from payjournal.visma.errors import RequestInfo
from payjournal.visma.http_transport import StdlibTransport
from payjournal.visma.transport import error_from_exception
from tests.waiting import PATIENCE_S

Handler = Callable[[socket.socket, "Server"], None]
OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok": 1.5}'


class Server:
    """A TCP server on 127.0.0.1 that runs ``handler`` for each connection it accepts, and
    counts the connections and the requests it read."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/v2/vouchers"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        with conn:
            self.handler(conn, self)

    def read_request(self, conn: socket.socket) -> bool:
        """Read one request (headers and a Content-Length body); False at end of stream."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            ),
            0,
        )
        while len(body) < length:
            body += conn.recv(65536)
        with self._lock:
            self.requests += 1
        return True

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], Server]]:
    servers: list[Server] = []

    def start(handler: Handler) -> Server:
        servers.append(Server(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def keep_alive(conn: socket.socket, server: Server) -> None:
    while server.read_request(conn):
        conn.sendall(OK)


def post(client: httpx2.Client, server: Server) -> httpx2.Response:
    return client.post(
        server.url, content=b'{"Rows": []}', headers={"Content-Type": "application/json"}
    )


def test_the_visma_client_sends_through_the_standard_librarys_http() -> None:
    """httpx2's own transport parses HTTP/1.1 in Python (h11): about 1 ms of CPU per POST on
    this kind of machine, where http.client costs about 0.4 (docs/deploy.md, Tenth look)."""
    with http_client() as client:
        assert isinstance(client._transport, StdlibTransport)


def test_one_connection_carries_request_after_request(serve: Callable[[Handler], Server]) -> None:
    server = serve(keep_alive)
    with http_client() as client:
        answers = [post(client, server) for _ in range(5)]
    assert [a.json() for a in answers] == [{"ok": 1.5}] * 5
    assert server.connections == 1 and server.requests == 5


def test_a_connection_the_server_closed_while_idle_is_not_written_to(
    serve: Callable[[Handler], Server],
) -> None:
    """The server answers and closes without saying so: the next request must go out on a new
    connection, not be written to the closed one (which would read as "sent, no answer")."""
    answered = threading.Event()

    def answer_once(conn: socket.socket, server: Server) -> None:
        if server.read_request(conn):
            conn.sendall(OK)
        conn.close()  # before telling: the client must find it closed
        answered.set()

    server = serve(answer_once)
    with http_client() as client:
        assert post(client, server).status_code == 200
        assert answered.wait(PATIENCE_S)
        assert post(client, server).status_code == 200
    assert server.connections == 2 and server.requests == 2


def test_connection_close_is_honoured_and_chunked_gzip_answers_are_read(
    serve: Callable[[Handler], Server],
) -> None:
    packed = gzip.compress(b'{"Id": "x", "Amount": 12.50}')
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(packed), packed)

    def answer(conn: socket.socket, server: Server) -> None:
        if server.read_request(conn):
            conn.sendall(
                b"HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Encoding: gzip\r\n"
                b"Transfer-Encoding: chunked\r\nX-Note: caf\xe9\r\n\r\n" + chunked
            )

    server = serve(answer)
    with http_client() as client:
        first, second = post(client, server), post(client, server)
    assert first.status_code == second.status_code == 201
    assert first.json() == {"Id": "x", "Amount": 12.5}
    assert first.headers["x-note"] == "café" and first.reason_phrase == "Created"
    assert server.connections == 2


def outcome(exc: httpx2.HTTPError) -> type[Exception]:
    return type(error_from_exception(exc, RequestInfo.of("POST", "http://v/v2/vouchers")))


def test_a_refused_connection_was_never_sent() -> None:
    free = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{free.getsockname()[1]}/v2/vouchers"
    free.close()
    with http_client() as client, pytest.raises(httpx2.ConnectError) as raised:
        client.post(url, content=b"{}")
    assert outcome(raised.value) is NetworkError


def test_a_request_the_server_refused_to_take_in_was_never_sent(
    serve: Callable[[Handler], Server],
) -> None:
    """The server resets the connection once the request starts to arrive, without reading it:
    a body larger than the socket buffers cannot have left whole, so the failure is a write's,
    and Visma never saw it. (Reset at once, before the client writes, it could surface in the
    client's connect, as a ``ConnectError``: never sent as well, but not the write path.)"""

    def reset(conn: socket.socket, server: Server) -> None:
        conn.recv(1)  # the request has begun to leave
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    server = serve(reset)
    with http_client() as client, pytest.raises(httpx2.WriteError) as raised:
        client.post(server.url, content=b"x" * (32 * 1024 * 1024))
    assert outcome(raised.value) is NetworkError
    assert server.requests == 0


@pytest.mark.parametrize(
    ("answer", "raised_as"),
    [
        (b"", httpx2.RemoteProtocolError),  # read the request, closed without a word
        (b"HTTP/1.1 2x0 Maybe\r\n\r\n", httpx2.RemoteProtocolError),  # garbled
        (b'HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{"Id":', httpx2.RemoteProtocolError),
    ],
    ids=["closed", "garbled", "cut-short"],
)
def test_a_request_that_left_without_a_whole_answer_is_an_unknown_outcome(
    serve: Callable[[Handler], Server], answer: bytes, raised_as: type[Exception]
) -> None:
    def reply(conn: socket.socket, server: Server) -> None:
        if server.read_request(conn):
            conn.sendall(answer)

    server = serve(reply)
    with http_client() as client, pytest.raises(httpx2.HTTPError) as raised:
        post(client, server)
    assert isinstance(raised.value, raised_as)
    assert outcome(raised.value) is OutcomeUnknownError
    assert server.requests == 1


def test_a_silent_server_is_a_read_timeout_and_an_unknown_outcome(
    serve: Callable[[Handler], Server],
) -> None:
    release = threading.Event()

    def silent(conn: socket.socket, server: Server) -> None:
        server.read_request(conn)
        release.wait(PATIENCE_S)

    server = serve(silent)
    with (
        http_client(timeout=httpx2.Timeout(5.0, read=0.2)) as client,
        pytest.raises(httpx2.ReadTimeout) as raised,
    ):
        post(client, server)
    release.set()
    assert outcome(raised.value) is OutcomeUnknownError


def test_threads_share_the_pool_and_every_request_is_answered_once(
    serve: Callable[[Handler], Server],
) -> None:
    server = serve(keep_alive)
    transport = StdlibTransport()
    with http_client(transport) as client, ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: post(client, server).status_code, range(400)))
    transport.close()
    assert answers == [200] * 400 and server.requests == 400
    assert server.connections <= 16
