"""Structured logs: useful fields, and never a token, a code, a secret or an amount."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

import pytest

from payjournal.visma import InMemoryTokenStore, NewVoucher, OutcomeUnknownError, VoucherRow
from tests.fixtures.visma_client import World

AMOUNT = Decimal("31337.42")


def everything_logged(records: list[logging.LogRecord]) -> str:
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in records)


def test_requests_are_logged_with_fields_but_without_secrets_or_amounts(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="payjournal.visma")
    tokens = world.connect("erik@nordisk.example", "se-nordisk")
    store = InMemoryTokenStore(tokens)
    client = world.client(store)
    voucher = NewVoucher(
        date(2026, 11, 25),
        "Payroll [pj:log]",
        (VoucherRow(7010, debit_amount=AMOUNT), VoucherRow(1930, credit_amount=AMOUNT)),
    )
    client.create_voucher(voucher)
    world.advance(3600)
    client.get_company_settings()  # refreshes through the store
    world.faults(drop_next=1, endpoints=["POST /v2/vouchers"])
    with pytest.raises(OutcomeUnknownError):
        client.create_voucher(voucher)

    records = [r for r in caplog.records if r.name.startswith("payjournal.visma")]
    requests = [r for r in records if getattr(r, "event", None) == "visma.request"]
    assert [(r.endpoint, getattr(r, "status", None)) for r in requests] == [  # type: ignore[attr-defined]
        ("POST /v2/vouchers", 201),
        ("GET /v2/companysettings", 200),
        ("POST /v2/vouchers", None),
    ]
    assert getattr(requests[-1], "error", None) == "outcome_unknown"
    assert {getattr(r, "grant_type", None) for r in records} >= {
        "authorization_code",
        "refresh_token",
    }

    text = everything_logged(records)
    current = store.load()
    assert current is not None
    for secret in (
        tokens.access_token,
        tokens.refresh_token,
        current.access_token,
        current.refresh_token,
        "demo-secret",
        "erik-demo",
    ):
        assert secret and secret not in text
    assert "31337" not in text
