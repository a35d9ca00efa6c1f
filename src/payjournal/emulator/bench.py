"""Throughput benchmark: N concurrent clients posting vouchers to the emulator on loopback.

The server runs in its own process (uvicorn, no added latency, the rate limit lifted so it
measures the emulator and not the throttle); the clients are threads with keep-alive
``httpx2`` connections, each with its own token. Run with ``payjournal bench emulator``.
"""

from __future__ import annotations

import multiprocessing
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx2

from payjournal.emulator.loopback import free_port, wait_until_up

UNLIMITED = 10**9


def _serve(port: int) -> None:
    from payjournal.emulator.app import create_app
    from payjournal.emulator.config import EmulatorConfig
    from payjournal.emulator.server import serve

    serve(
        create_app(EmulatorConfig(rate_limit_per_minute=UNLIMITED)),
        "127.0.0.1",
        port,
        log_level="warning",
    )


@dataclass(frozen=True)
class BenchResult:
    """What one run measured."""

    clients: int
    vouchers: int
    seconds: float
    latencies_ms: list[float]
    failures: int

    @property
    def per_second(self) -> float:
        """Vouchers stored per second of wall time."""
        return self.vouchers / self.seconds


def _body(index: int) -> dict[str, object]:
    today = datetime.now(UTC).date().isoformat()  # the seed's fiscal years follow the clock
    return {
        "VoucherDate": today,
        "VoucherText": f"bench run {index}",
        "Rows": [
            {"AccountNumber": 4000, "DebitAmount": 1000, "CreditAmount": 0},
            {"AccountNumber": 1600, "DebitAmount": 0, "CreditAmount": 250.55},
            {"AccountNumber": 1650, "DebitAmount": 0, "CreditAmount": 749.45},
        ],
    }


def _exited(process: multiprocessing.process.BaseProcess) -> str | None:
    return None if process.is_alive() else f"exit code {process.exitcode}"


def run(clients: int = 8, per_client: int = 500) -> BenchResult:
    """Start a server process, post ``clients × per_client`` vouchers, stop the server."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = multiprocessing.get_context("spawn").Process(target=_serve, args=(port,), daemon=True)
    process.start()
    try:
        wait_until_up(f"{base}/_emulator/state", timeout_s=20.0, exited=lambda: _exited(process))
        tokens = [
            httpx2.post(
                f"{base}/_emulator/tokens",
                json={"email": "anna@bakkerij.example", "company": "nl-bakkerij"},
            ).json()["access_token"]
            for _ in range(clients)
        ]
        return _drive(base, tokens, per_client)
    finally:
        process.terminate()
        process.join(timeout=10)


def _drive(base: str, tokens: list[str], per_client: int) -> BenchResult:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    start = threading.Barrier(len(tokens) + 1)

    def client(token: str) -> None:
        mine: list[float] = []
        bad = 0
        with httpx2.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            http.get("/v2/fiscalyears")  # open the keep-alive connection
            start.wait()
            for index in range(per_client):
                began = time.perf_counter()
                answer = http.post("/v2/vouchers", json=_body(index))
                mine.append((time.perf_counter() - began) * 1000)
                bad += answer.status_code != 201
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return BenchResult(len(tokens), len(tokens) * per_client, seconds, latencies, failures[0])


def report(result: BenchResult) -> str:
    """The figures, one per line."""
    ordered = sorted(result.latencies_ms)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if ordered else 0.0
    return (
        f"emulator on loopback, {result.clients} concurrent clients, no added latency\n"
        f"  vouchers posted   {result.vouchers} ({result.failures} not 201)\n"
        f"  wall time         {result.seconds:.2f} s\n"
        f"  throughput        {result.per_second:.0f} vouchers/s (target ≥ 500)\n"
        f"  latency           median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms\n"
    )
