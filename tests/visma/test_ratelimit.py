"""Client-side rate limiting: per endpoint, and one budget shared by several processes.

The cross-process tests run two worker processes against the emulator on loopback, whose
own limit equals the client's: with a shared budget the emulator sees exactly its limit and
never answers 429; with private budgets (the control) it does."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from payjournal.emulator import EmulatorConfig, create_app
from payjournal.emulator.server import run_in_thread
from payjournal.visma import PyrateRateLimiter, RateLimit, RateLimitedError

ROOT = Path(__file__).resolve().parents[2]
PER_MINUTE = 12
EACH = 9  # two workers x 9 > 12: the budget decides
POSTGRES = "postgresql://127.0.0.1:5432/test"


def test_each_endpoint_has_its_own_budget_and_bursts_can_be_smoothed() -> None:
    limiter = PyrateRateLimiter.in_memory(RateLimit(per_minute=240, per_second=4))
    started = time.monotonic()
    for _ in range(4):
        limiter.acquire("GET /v2/companysettings")
    for _ in range(4):
        limiter.acquire("POST /v2/vouchers")
    assert time.monotonic() - started < 0.5
    limiter.acquire("POST /v2/vouchers")  # the fifth within a second waits for the window
    assert time.monotonic() - started >= 0.9
    limiter.close()


def test_a_per_second_rate_must_not_undercut_the_minute() -> None:
    with pytest.raises(ValueError, match="per_second"):
        RateLimit(per_minute=600, per_second=4)


def test_no_slot_within_max_wait_is_a_client_side_rate_limit() -> None:
    limiter = PyrateRateLimiter.in_memory(RateLimit(per_minute=2, max_wait=0.2))
    limiter.acquire("k")
    limiter.acquire("k")
    with pytest.raises(RateLimitedError, match="client-side") as caught:
        limiter.acquire("k")
    assert caught.value.status is None
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
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = []
    for worker in workers:
        out, _ = worker.communicate(timeout=60)
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
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'ratelimit___rl_%'"
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
    assert sum(r["ok"] for r in results) == PER_MINUTE
    assert sum(r["server_429"] for r in results) == 0
    assert sum(r["held_back"] for r in results) == 2 * EACH - PER_MINUTE
    assert all(r["ok"] > 0 for r in results)  # both really ran concurrently
    assert server_429s(emulator) == 0


def test_control_private_budgets_collect_429s(emulator: str) -> None:
    results = run_workers(emulator, "memory", "")
    assert sum(r["ok"] for r in results) == PER_MINUTE
    assert sum(r["server_429"] for r in results) == 2 * EACH - PER_MINUTE
    assert server_429s(emulator) == 2 * EACH - PER_MINUTE
