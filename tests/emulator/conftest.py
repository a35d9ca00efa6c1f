"""Fixtures: an emulator on a manual clock at 2026-11-23 09:00 UTC, and clients for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from payjournal.emulator import (
    Emulator,
    EmulatorApp,
    EmulatorConfig,
    ManualClock,
    create_app,
    emulator_of,
)
from payjournal.emulator.conformance import SpecCheck
from payjournal.emulator.transport import EmulatorTransport

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FULL_SCOPES = "ea:api offline_access ea:accounting ea:sales_readonly"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def config(clock: ManualClock) -> EmulatorConfig:
    return EmulatorConfig(clock=clock, id_seed=7, fault_seed=1)


@pytest.fixture
def app(config: EmulatorConfig) -> EmulatorApp:
    return create_app(config, seed="demo")


@pytest.fixture
def emu(app: EmulatorApp) -> Emulator:
    return emulator_of(app)


@pytest.fixture
def conformance(emu: Emulator) -> SpecCheck:
    """The emulator's own spec check (on for every emulator of the suite, ``tests/conftest.py``):
    what it checked, which operations it answered with a success, every departure."""
    assert emu.spec_check is not None, "the suite runs every emulator with the spec check on"
    return emu.spec_check


@pytest.fixture
def http(app: EmulatorApp) -> Iterator[httpx2.Client]:
    with httpx2.Client(transport=EmulatorTransport(app), base_url="http://visma.test") as client:
        yield client


Login = Callable[..., dict[str, str]]


@pytest.fixture
def login(http: httpx2.Client) -> Login:
    """Mint a token through the control API; returns the Authorization header."""

    def mint(
        email: str = "anna@bakkerij.example",
        company: str = "nl-bakkerij",
        scopes: str = FULL_SCOPES,
    ) -> dict[str, str]:
        answer = http.post(
            "/_emulator/tokens", json={"email": email, "company": company, "scopes": scopes}
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    return mint


def voucher(
    day: str = "2026-11-23",
    rows: list[dict[str, Any]] | None = None,
    text: str = "Payroll 2026-11 run 1",
) -> dict[str, Any]:
    """A balanced payroll voucher for the Dutch seed company."""
    return {
        "VoucherDate": day,
        "VoucherText": text,
        "Rows": rows
        if rows is not None
        else [
            {
                "AccountNumber": 4000,
                "DebitAmount": 1000.00,
                "CreditAmount": 0,
                "TransactionText": "Bruto lonen",
            },
            {
                "AccountNumber": 1600,
                "DebitAmount": 0,
                "CreditAmount": 250.55,
                "TransactionText": "Loonheffing",
            },
            {
                "AccountNumber": 1650,
                "DebitAmount": 0,
                "CreditAmount": 749.45,
                "TransactionText": "Netto lonen",
            },
        ],
    }


def error_code(response: httpx2.Response) -> int:
    body = response.json()
    assert set(body) >= {"ErrorCode", "DeveloperErrorMessage", "ErrorId", "Errors"}, body
    return int(body["ErrorCode"])
