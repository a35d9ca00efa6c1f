"""Real uvicorn on loopback: the browser flow, a dropped connection, a timeout, a 429."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from payjournal.emulator import EmulatorApp, FaultPlan, create_app, emulator_of
from payjournal.emulator.server import run_in_thread
from tests.emulator.conftest import voucher
from tests.emulator.oauth_flow import exchange, walk
from tests.waiting import PATIENCE_S


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[EmulatorApp, str]]:
    app = create_app()
    with run_in_thread(app) as base:
        yield app, base


@pytest.fixture
def web(served: tuple[EmulatorApp, str]) -> Iterator[httpx2.Client]:
    app, base = served
    emulator_of(app).reseed("demo")
    with httpx2.Client(base_url=base, timeout=PATIENCE_S) as client:
        yield client


@pytest.fixture
def auth(web: httpx2.Client) -> dict[str, str]:
    tokens = exchange(web, walk(web, "anna@bakkerij.example", "anna-demo").query["code"]).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_browser_flow_and_voucher_over_tcp(web: httpx2.Client, auth: dict[str, str]) -> None:
    created = web.post("/v2/vouchers", json=voucher(), headers=auth)
    assert created.status_code == 201
    assert created.json()["NumberAndNumberSeries"] == "A3"


def test_commit_then_drop_resets_the_connection(
    web: httpx2.Client, auth: dict[str, str], served: tuple[EmulatorApp, str]
) -> None:
    emu = emulator_of(served[0])
    emu.faults.set(FaultPlan(drop_next=1, endpoints=["POST /v2/vouchers"]))
    with pytest.raises((httpx2.RemoteProtocolError, httpx2.ReadError)):
        web.post("/v2/vouchers", json=voucher(), headers=auth)
    company = emu.state.company("nl-bakkerij")
    assert company is not None
    assert len(company.vouchers) == 3
    assert web.post("/v2/vouchers", json=voucher(), headers=auth).status_code == 201


def test_read_timeout_over_tcp(
    web: httpx2.Client, auth: dict[str, str], served: tuple[EmulatorApp, str]
) -> None:
    emulator_of(served[0]).faults.set(
        FaultPlan(timeout_next=1, timeout_delay_s=0.3, endpoints=["POST /v2/vouchers"])
    )
    with pytest.raises(httpx2.ReadTimeout):
        web.post("/v2/vouchers", json=voucher(), headers=auth, timeout=0.1)


def test_rate_limit_over_tcp(
    web: httpx2.Client, auth: dict[str, str], served: tuple[EmulatorApp, str]
) -> None:
    emulator_of(served[0]).faults.set(FaultPlan(burst_429_next=1, burst_retry_after_s=3))
    refused = web.get("/v2/fiscalyears", headers=auth)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "3")
