"""Faults on cue, in-process: what the client sees and what the emulator stored."""

from __future__ import annotations

import httpx2
import pytest

from payjournal.emulator import (
    ConnectionDropped,
    Emulator,
    EmulatorApp,
    EmulatorConfig,
    FaultPlan,
    ManualClock,
    create_app,
    emulator_of,
)
from payjournal.emulator.faults import Faults
from payjournal.emulator.transport import AsyncEmulatorTransport, EmulatorTransport
from tests.emulator.conftest import START, Login, error_code, voucher
from tests.waiting import PATIENCE_S

VOUCHERS = ["POST /v2/vouchers"]


def stored(emu: Emulator) -> int:
    company = emu.state.company("nl-bakkerij")
    assert company is not None
    return len(company.vouchers)


def test_error_is_answered_before_anything_is_stored(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    auth = login()
    emu.faults.set(FaultPlan(error_next=1, error_status=502, endpoints=VOUCHERS))
    failed = http.post("/v2/vouchers", json=voucher(), headers=auth)
    assert (failed.status_code, failed.text) == (502, "Bad Gateway")
    assert stored(emu) == 2
    assert http.post("/v2/vouchers", json=voucher(), headers=auth).status_code == 201


def test_commit_then_drop_stores_and_never_answers(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    auth = login()
    emu.faults.set(FaultPlan(drop_next=1, endpoints=VOUCHERS))
    with pytest.raises(httpx2.RemoteProtocolError):
        http.post("/v2/vouchers", json=voucher(), headers=auth)
    assert stored(emu) == 3
    again = http.post("/v2/vouchers", json=voucher(), headers=auth)
    assert again.json()["NumberAndNumberSeries"] == "A4"
    log = http.get("/_emulator/requests", params={"endpoint": "POST /v2/vouchers"}).json()
    assert [(r["status"], r["fault"]) for r in log] == [(0, "commit-then-drop"), (201, None)]


@pytest.mark.anyio
async def test_plain_asgi_transport_sees_connection_dropped(app: EmulatorApp, login: Login) -> None:
    emulator_of(app).faults.set(FaultPlan(drop_next=1, endpoints=VOUCHERS))
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://visma.test") as client:
        with pytest.raises(ConnectionDropped):
            await client.post("/v2/vouchers", json=voucher(), headers=login())
    assert stored(emulator_of(app)) == 3


@pytest.mark.anyio
async def test_async_transport_enforces_the_read_timeout(app: EmulatorApp, login: Login) -> None:
    emu = emulator_of(app)
    emu.faults.set(FaultPlan(timeout_next=1, timeout_delay_s=5, endpoints=VOUCHERS))
    async with httpx2.AsyncClient(
        transport=AsyncEmulatorTransport(app), base_url="http://visma.test", timeout=0.05
    ) as client:
        with pytest.raises(httpx2.ReadTimeout):
            await client.post("/v2/vouchers", json=voucher(), headers=login())
    assert stored(emu) == 3


def test_timeout_that_commits(http: httpx2.Client, login: Login, emu: Emulator) -> None:
    auth = login()
    emu.faults.set(FaultPlan(timeout_next=1, timeout_delay_s=5, endpoints=VOUCHERS))
    with pytest.raises(httpx2.ReadTimeout):
        http.post("/v2/vouchers", json=voucher(), headers=auth, timeout=0.05)
    assert stored(emu) == 3


def test_timeout_that_does_not_commit(http: httpx2.Client, login: Login, emu: Emulator) -> None:
    auth = login()
    emu.faults.set(
        FaultPlan(timeout_next=2, timeout_delay_s=0.05, timeout_commits=False, endpoints=VOUCHERS)
    )
    with pytest.raises(httpx2.ReadTimeout):
        http.post("/v2/vouchers", json=voucher(), headers=auth, timeout=0.01)
    slow = http.post("/v2/vouchers", json=voucher(), headers=auth, timeout=PATIENCE_S)
    assert slow.status_code == 504
    assert stored(emu) == 2


def test_429_burst(http: httpx2.Client, login: Login, emu: Emulator) -> None:
    auth = login()
    emu.faults.set(FaultPlan(burst_429_next=2, burst_retry_after_s=7))
    for _ in range(2):
        refused = http.get("/v2/fiscalyears", headers=auth)
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "7")
        assert error_code(refused) == 4010
        assert "Try again in 7 seconds." in refused.json()["DeveloperErrorMessage"]
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 200


def test_latency_is_added(http: httpx2.Client, login: Login, emu: Emulator) -> None:
    auth = login()
    emu.faults.set(FaultPlan(latency_ms=200))
    with pytest.raises(httpx2.ReadTimeout):
        http.get("/v2/fiscalyears", headers=auth, timeout=0.05)


def test_faults_only_hit_the_named_endpoints(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    auth = login()
    emu.faults.set(FaultPlan(error_rate=1.0, endpoints=VOUCHERS))
    assert http.get("/v2/vouchers", headers=auth).status_code == 200
    assert http.post("/v2/vouchers", json=voucher(), headers=auth).status_code == 503


def test_failed_validation_is_not_dropped(http: httpx2.Client, login: Login, emu: Emulator) -> None:
    emu.faults.set(FaultPlan(drop_next=1, endpoints=VOUCHERS))
    body = voucher(rows=[{"AccountNumber": 4000, "DebitAmount": 1, "CreditAmount": 0}])
    assert error_code(http.post("/v2/vouchers", json=body, headers=login())) == 2000


def rolls(seed: int) -> list[str | None]:
    faults = Faults(seed)
    faults.set(FaultPlan(error_rate=0.3, drop_rate=0.3))
    out = []
    for _ in range(40):
        decision = faults.decide("POST", "/v2/vouchers")
        out.append(decision.label if decision else None)
    return out


def test_rates_are_deterministic_given_the_seed() -> None:
    assert rolls(5) == rolls(5)
    assert rolls(5) != rolls(6)
    labels = set(rolls(5))
    assert {"error-503", "commit-then-drop", None} <= labels


def test_fault_plan_through_the_control_api(http: httpx2.Client, login: Login) -> None:
    put = http.put("/_emulator/faults", json={"drop_next": 1, "endpoints": VOUCHERS, "seed": 9})
    assert put.json()["drop_next"] == 1
    assert put.json()["seed"] == 9
    patched = http.patch("/_emulator/faults", json={"latency_ms": 1}).json()
    assert (patched["drop_next"], patched["latency_ms"]) == (1, 1)
    assert http.put("/_emulator/faults", json={"explode": True}).status_code == 400
    with pytest.raises(httpx2.RemoteProtocolError):
        http.post("/v2/vouchers", json=voucher(), headers=login())
    assert http.delete("/_emulator/faults").json()["latency_ms"] == 0


def test_lost_refresh_answer_kills_the_grant(http: httpx2.Client, emu: Emulator) -> None:
    from tests.emulator.oauth_flow import exchange, refresh, walk

    tokens = exchange(http, walk(http, "anna@bakkerij.example", "anna-demo").query["code"]).json()
    emu.faults.set(FaultPlan(drop_next=1, endpoints=["POST /connect/token"]))
    with pytest.raises(httpx2.RemoteProtocolError):
        refresh(http, tokens["refresh_token"])
    retry = refresh(http, tokens["refresh_token"])
    assert retry.json()["error"] == "invalid_grant"


def test_sync_transport_works_across_many_clients() -> None:
    app = create_app(EmulatorConfig(clock=ManualClock(START)))
    transport = EmulatorTransport(app)
    try:
        for _ in range(3):
            with httpx2.Client(transport=transport, base_url="http://visma.test") as client:
                assert client.get("/_emulator/state").status_code == 200
    finally:
        transport.close()


def test_429_without_retry_after(http: httpx2.Client, login: Login, emu: Emulator) -> None:
    """Visma documents the message ("Try again in N seconds."), not the header: both a burst
    and the real throttle can answer without ``Retry-After``, and a burst can omit the wait."""
    auth = login()
    emu.faults.set(
        FaultPlan(burst_429_next=1, burst_retry_after_s=9, burst_retry_after_header=False)
    )
    refused = http.get("/v2/fiscalyears", headers=auth)
    assert refused.status_code == 429 and "retry-after" not in refused.headers
    assert refused.json()["DeveloperErrorMessage"].endswith("Try again in 9 seconds.")
    emu.faults.set(
        FaultPlan(burst_429_next=1, burst_retry_after_header=False, burst_message_states_wait=False)
    )
    bare = http.get("/v2/fiscalyears", headers=auth)
    assert error_code(bare) == 4010 and "retry-after" not in bare.headers
    assert bare.json()["DeveloperErrorMessage"] == (
        "API calls quota exceeded! maximum admitted 600 per Minute."
    )
    emu.limiter.per_minute = 1
    emu.config.rate_limit_retry_after_header = False
    assert http.get("/v2/projects", headers=auth).status_code == 200
    throttled = http.get("/v2/projects", headers=auth)
    assert throttled.status_code == 429 and "retry-after" not in throttled.headers
    assert "Try again in 60 seconds." in throttled.json()["DeveloperErrorMessage"]
    assert [r.fault for r in list(emu.requests)[-4:]] == ["429-burst", "429-burst", None, None]
