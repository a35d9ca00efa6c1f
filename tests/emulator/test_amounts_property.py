"""Property: any balanced voucher of cent amounts is stored exactly; any other sum is refused."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payjournal.emulator import EmulatorConfig, ManualClock, create_app, jsonio
from payjournal.emulator.transport import EmulatorTransport
from tests.emulator.conftest import START

cents = st.integers(min_value=1, max_value=10**10).map(lambda c: Decimal(c).scaleb(-2))
Session = tuple[httpx2.Client, dict[str, str]]


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    app = create_app(EmulatorConfig(clock=ManualClock(START)))
    with httpx2.Client(transport=EmulatorTransport(app), base_url="http://visma.test") as http:
        token = http.post(
            "/_emulator/tokens", json={"email": "anna@bakkerij.example", "company": "nl-bakkerij"}
        ).json()
        yield (
            http,
            {
                "Authorization": f"Bearer {token['access_token']}",
                "Content-Type": "application/json",
            },
        )


def post(session: Session, debits: list[Decimal], credit: Decimal) -> httpx2.Response:
    """Send exact decimals (the emulator's own encoder writes Decimal as a JSON number)."""
    rows = [{"AccountNumber": 4000, "DebitAmount": d, "CreditAmount": 0} for d in debits]
    rows.append({"AccountNumber": 1650, "DebitAmount": 0, "CreditAmount": credit})
    body = {"VoucherDate": "2026-11-23", "VoucherText": "property", "Rows": rows}
    http, headers = session
    return http.post("/v2/vouchers", content=jsonio.dumps(body).encode(), headers=headers)


@settings(max_examples=60)
@given(debits=st.lists(cents, min_size=1, max_size=6))
def test_balanced_cent_amounts_are_stored_exactly(session: Session, debits: list[Decimal]) -> None:
    total = sum(debits, Decimal("0.00"))
    answer = post(session, debits, total)
    if total > 10**9:
        assert answer.json()["ErrorCode"] == 2000
        return
    assert answer.status_code == 201, answer.text
    stored = jsonio.loads(answer.content)["Rows"]
    assert [r["DebitAmount"] for r in stored[:-1]] == debits
    assert stored[-1]["CreditAmount"] == total


@settings(max_examples=40)
@given(debits=st.lists(cents, min_size=1, max_size=4), off=st.integers(min_value=1, max_value=99))
def test_off_by_any_cents_is_refused(session: Session, debits: list[Decimal], off: int) -> None:
    answer = post(session, debits, sum(debits, Decimal("0.00")) + Decimal(off).scaleb(-2))
    assert answer.status_code == 400
    assert answer.json()["ErrorCode"] == 2000
