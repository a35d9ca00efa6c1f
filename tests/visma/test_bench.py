"""The benchmark harness itself (a small run: the real figures come from
``payjournal bench client``)."""

from __future__ import annotations

from datetime import date

import httpx2

from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorConfig, create_app
from payjournal.emulator.server import run_in_thread
from payjournal.visma import ClientCredentials, TokenSet
from payjournal.visma.bench import report, run
from tests.fixtures.visma_client import START


def test_a_small_run_in_a_worker_process_posts_everything_within_the_limit() -> None:
    app = create_app(EmulatorConfig(rate_limit_per_minute=6000), seed="demo")
    with run_in_thread(app, port=0) as base_url:
        answer = httpx2.post(
            f"{base_url}/_emulator/tokens",
            json={"email": "anna@bakkerij.example", "company": "nl-bakkerij"},
        )
        tokens = TokenSet(answer.json()["access_token"], None, START.replace(year=9999))
        credentials = ClientCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, "http://127.0.0.1/cb")
        result = run(
            base_url,
            tokens,
            credentials,
            vouchers=60,
            threads=4,
            per_minute=6000,
            day=date.today(),
            debit_account=4000,
            credit_account=1650,
        )
        stored = httpx2.get(f"{base_url}/_emulator/companies/nl-bakkerij/vouchers").json()
    assert (result.posted, result.rate_limited_429, result.errors) == (60, 0, {})
    assert sum("[pj:bench:" in v["VoucherText"] for v in stored) == 60
    assert result.vouchers_per_minute > 0
    assert "ratio to the limit" in report(result, server_429=0)
