"""Client-side rate limiting: per endpoint, and one budget shared by several processes.

The schedules are checked on a fake clock. The cross-process tests run two worker processes
against the emulator on loopback, whose own limit is the client's per minute: with a shared
budget the emulator sees one burst and never answers 429; with private budgets (the control)
it sees two and does."""

from __future__ import annotations

import bisect
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payjournal.emulator import EmulatorConfig, create_app
from payjournal.emulator.server import run_in_thread
from payjournal.visma import RateLimit, RateLimitedError, SlotRateLimiter
from payjournal.visma.ratelimit import MemorySlots
from tests.waiting import PATIENCE_S, start_together

ROOT = Path(__file__).resolve().parents[2]
PER_MINUTE = 12
BURST = 9  # the limiters' burst: shared, 9 leave and the rest would wait 20 s (> max_wait)
EACH = 9  # two workers x 9 > 12: the budget decides
POSTGRES = "postgresql://127.0.0.1:5432/test"


class FakeTime:
    """A clock that sleeping moves forward: schedules are checked exactly, without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def limiter_on(fake: FakeTime, limit: RateLimit) -> SlotRateLimiter:
    return SlotRateLimiter(limit, MemorySlots(clock=lambda: fake.now), sleep=fake.sleep)


def send_times(fake: FakeTime, limiter: SlotRateLimiter, key: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        limiter.acquire(key)
        times.append(round(fake.now - 1000.0, 6))
    return times


def test_a_burst_leaves_at_once_and_the_rest_is_spaced_evenly() -> None:
    fake = FakeTime()
    limiter = limiter_on(fake, RateLimit(per_minute=64, burst=4))  # then one a second
    assert send_times(fake, limiter, "POST /v2/vouchers", 7) == [0, 0, 0, 0, 1, 2, 3]


def test_each_endpoint_has_its_own_budget() -> None:
    fake = FakeTime()
    limiter = limiter_on(fake, RateLimit(per_minute=64, burst=4))
    send_times(fake, limiter, "POST /v2/vouchers", 4)
    assert send_times(fake, limiter, "GET /v2/companysettings", 4) == [0, 0, 0, 0]


def test_a_quiet_endpoint_earns_its_burst_back() -> None:
    fake = FakeTime()
    limiter = limiter_on(fake, RateLimit(per_minute=64, burst=4))
    send_times(fake, limiter, "k", 4)
    fake.now += 10
    assert send_times(fake, limiter, "k", 5) == [10, 10, 10, 10, 11]


@given(
    per_minute=st.integers(min_value=2, max_value=900),
    burst_share=st.floats(min_value=0.0, max_value=0.5),
    gaps=st.lists(st.floats(min_value=0.0, max_value=3.0), min_size=1, max_size=400),
)
@settings(max_examples=60)
def test_no_minute_ever_holds_more_than_the_budget(
    per_minute: int, burst_share: float, gaps: list[float]
) -> None:
    """Whatever the arrivals, every window of 60 s holds at most ``per_minute`` requests."""
    burst = max(1, min(per_minute - 1, int(per_minute * burst_share)))
    fake = FakeTime()
    limiter = limiter_on(fake, RateLimit(per_minute=per_minute, burst=burst, max_wait=1e9))
    sent = []
    for gap in gaps:
        fake.now += gap
        limiter.acquire("k")
        sent.append(fake.now)
    for index, start in enumerate(sent):
        in_window = bisect.bisect_left(sent, start + 60.0 - 1e-9) - index
        assert in_window <= per_minute


def test_the_budget_must_leave_room_after_the_burst() -> None:
    with pytest.raises(ValueError, match="burst"):
        RateLimit(per_minute=10, burst=10)
    with pytest.raises(ValueError, match="burst"):
        RateLimit(per_minute=10, burst=0)


def test_no_slot_within_max_wait_is_a_client_side_rate_limit() -> None:
    fake = FakeTime()
    limiter = limiter_on(fake, RateLimit(per_minute=3, burst=2, max_wait=30))
    assert send_times(fake, limiter, "k", 2) == [0, 0]  # the burst
    with pytest.raises(RateLimitedError, match="client-side") as caught:
        limiter.acquire("k")  # the next slot is 60 s away
    assert caught.value.status is None
    fake.now += 40
    limiter.acquire("k")  # a refused ask took no slot: 20 s from here is within 30 s
    assert fake.now == pytest.approx(1000 + 60)


def test_threads_of_one_process_share_the_real_clock() -> None:
    limiter = SlotRateLimiter.in_memory(RateLimit(per_minute=1200, burst=4))  # then 50 ms apart
    started = time.monotonic()
    threads = [threading.Thread(target=limiter.acquire, args=("k",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started >= 4 * 60 / 1196 - 0.01
    limiter.close()


@pytest.fixture
def emulator() -> Iterator[str]:
    app = create_app(EmulatorConfig(rate_limit_per_minute=PER_MINUTE), seed="demo")
    with run_in_thread(app, port=0) as base_url:
        yield base_url


def mint_token(base_url: str) -> str:
    answer = httpx2.post(
        f"{base_url}/_emulator/tokens",
        json={"email": "erik@nordisk.example", "company": "se-nordisk"},
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def run_workers(base_url: str, backend: str, target: str) -> list[dict[str, int]]:
    namespace = uuid.uuid4().hex
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.visma.limiter_worker",
                base_url,
                mint_token(base_url),
                backend,
                target,
                namespace,
                str(EACH),
                str(PER_MINUTE),
                str(BURST),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    start_together(workers)
    results = []
    for worker in workers:
        out, _ = worker.communicate(timeout=PATIENCE_S)
        assert worker.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def server_429s(base_url: str) -> int:
    log = httpx2.get(
        f"{base_url}/_emulator/requests", params={"endpoint": "GET /v2/companysettings"}
    ).json()
    return sum(1 for entry in log if entry["status"] == 429)


def bucket_tables() -> set[str]:
    import psycopg

    with psycopg.connect(POSTGRES) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'payjournal_rate_slots_%'"
        ).fetchall()
    return {row[0] for row in rows}


@pytest.fixture
def postgres_cleanup() -> Iterator[None]:
    """Drop the bucket tables a test created (each run uses a fresh namespace)."""
    import psycopg
    from psycopg import sql

    before = bucket_tables()
    yield
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        for table in bucket_tables() - before:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_processes_share_one_budget_and_see_no_429(
    emulator: str, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "postgres":
        request.getfixturevalue("postgres_cleanup")
    target = str(tmp_path / "limits.sqlite") if backend == "sqlite" else POSTGRES
    results = run_workers(emulator, backend, target)
    assert sum(r["ok"] for r in results) == BURST
    assert sum(r["server_429"] for r in results) == 0
    assert sum(r["held_back"] for r in results) == 2 * EACH - BURST
    # Each asked EACH times. Which one got the burst's slots is the scheduler's choice (on a
    # busy machine one may take all 9 before the other starts); private budgets would have
    # let both send 9, so the sum above is what proves the budget is shared.
    assert all(r["ok"] + r["held_back"] == EACH for r in results)
    assert server_429s(emulator) == 0


def test_control_private_budgets_collect_429s(emulator: str) -> None:
    results = run_workers(emulator, "memory", "")
    assert sum(r["ok"] for r in results) == PER_MINUTE
    assert sum(r["server_429"] for r in results) == 2 * EACH - PER_MINUTE
    assert server_429s(emulator) == 2 * EACH - PER_MINUTE
