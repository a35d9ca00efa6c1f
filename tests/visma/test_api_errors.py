"""Every error class, produced by the emulator's seed data and faults (in-process)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx2
import pytest

from payjournal.visma import (
    AccountNotFoundError,
    CompanyNotActiveError,
    FiscalYearMissingError,
    InMemoryTokenStore,
    MissingScopeError,
    ModuleNotActivatedError,
    NewVoucher,
    NoCompanyAccessError,
    NotFoundError,
    OutcomeUnknownError,
    PeriodLockedError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    StartupGuideNotCompletedError,
    TokenSet,
    ValidationFailedError,
    VismaClient,
    VismaError,
    VoucherRow,
)
from tests.fixtures.visma_client import World
from tests.visma.test_resources import FY_2026, salary_voucher

ClientFactory = Callable[..., VismaClient]


def assert_visma_error(error: VismaError, status: int, code: int | None) -> None:
    assert (error.status, error.error_code) == (status, code)
    assert error.request is not None and error.request.url.startswith("http://visma.test/v2/")
    if code is not None:
        assert error.error_id and error.body and str(code) in error.body


def test_api_module_off(connect_client: ClientFactory) -> None:
    client = connect_client("anna@bakkerij.example", "nl-fietsen")
    with pytest.raises(ModuleNotActivatedError) as caught:
        client.get_company_settings()
    assert_visma_error(caught.value, 403, 4002)
    assert "api_standard" in caught.value.message


def test_user_lost_access_to_the_company(world: World, nordisk: VismaClient) -> None:
    world.control.delete(
        "/_emulator/users/erik@nordisk.example/companies/se-nordisk"
    ).raise_for_status()
    with pytest.raises(NoCompanyAccessError) as caught:
        nordisk.get_company_settings()
    assert_visma_error(caught.value, 403, 4011)


@pytest.mark.parametrize(
    ("settings", "expected", "code"),
    [
        ({"startup_guide_completed": False}, StartupGuideNotCompletedError, 4003),
        ({"company_status": 0}, CompanyNotActiveError, 4004),
    ],
)
def test_company_not_ready(
    world: World,
    nordisk: VismaClient,
    settings: dict[str, Any],
    expected: type[VismaError],
    code: int,
) -> None:
    world.control.put("/_emulator/companies/se-nordisk/settings", json=settings).raise_for_status()
    with pytest.raises(expected) as caught:
        nordisk.list_fiscal_years().__next__()
    assert_visma_error(caught.value, 403, code)


def test_a_token_without_the_sales_scope_cannot_read_company_settings(world: World) -> None:
    answer = world.control.post(
        "/_emulator/tokens",
        json={
            "email": "erik@nordisk.example",
            "company": "se-nordisk",
            "scopes": "ea:api offline_access ea:accounting",
        },
    ).json()
    tokens = TokenSet(
        answer["access_token"],
        answer["refresh_token"],
        world.clock.now() + timedelta(seconds=answer["expires_in"]),
        answer["scope"],
    )
    client = world.client(InMemoryTokenStore(tokens))
    with pytest.raises(MissingScopeError) as caught:
        client.get_company_settings()
    assert_visma_error(caught.value, 403, 4006)
    assert list(client.list_fiscal_years())  # the accounting scope still works


def test_no_fiscal_year_for_the_voucher_date(connect_client: ClientFactory) -> None:
    client = connect_client("erik@nordisk.example", "se-sundsvall")
    voucher = NewVoucher(
        date(2027, 1, 25),
        "Payroll January",
        (
            VoucherRow(7010, debit_amount=Decimal("10.00")),
            VoucherRow(1930, credit_amount=Decimal("10.00")),
        ),
    )
    with pytest.raises(FiscalYearMissingError) as caught:
        client.create_voucher(voucher)
    assert_visma_error(caught.value, 400, 3001)


def test_unknown_fiscal_year_on_a_read(nordisk: VismaClient) -> None:
    with pytest.raises(FiscalYearMissingError) as caught:
        list(nordisk.list_vouchers(uuid4()))
    assert_visma_error(caught.value, 404, 3001)


def test_unknown_account(nordisk: VismaClient) -> None:
    voucher = NewVoucher(
        date(2026, 11, 25),
        "x",
        (
            VoucherRow(9999, debit_amount=Decimal("1.00")),
            VoucherRow(1930, credit_amount=Decimal("1.00")),
        ),
    )
    with pytest.raises(AccountNotFoundError) as caught:
        nordisk.create_voucher(voucher)
    assert_visma_error(caught.value, 400, 3002)
    with pytest.raises(AccountNotFoundError):
        nordisk.get_account(FY_2026, 9999)


def test_locked_period(nordisk: VismaClient) -> None:
    with pytest.raises(PeriodLockedError) as caught:
        nordisk.create_voucher(salary_voucher("pj:late", day=date(2026, 10, 25)))
    assert_visma_error(caught.value, 400, 4026)


def test_validation_lists_the_field_errors(nordisk: VismaClient) -> None:
    unbalanced = NewVoucher(
        date(2026, 11, 25),
        "x",
        (
            VoucherRow(7010, debit_amount=Decimal("100.00")),
            VoucherRow(1930, credit_amount=Decimal("99.99")),
        ),
    )
    with pytest.raises(ValidationFailedError) as caught:
        nordisk.create_voucher(unbalanced)
    assert_visma_error(caught.value, 400, 2000)
    assert caught.value.field_errors and all(f.message for f in caught.value.field_errors)


def test_unknown_project_is_not_found(nordisk: VismaClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        nordisk.get_project(uuid4())
    assert_visma_error(caught.value, 404, 3000)


def test_429_burst_raises_with_the_wait_or_is_waited_out(world: World) -> None:
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    world.faults(burst_429_next=1, burst_retry_after_s=5)
    with pytest.raises(RateLimitedError) as caught:
        world.client(store).get_company_settings()
    assert_visma_error(caught.value, 429, 4010)
    assert caught.value.retry_after == 5.0
    world.faults(burst_429_next=2, burst_retry_after_s=5)
    patient = world.client(store, retry=RetryPolicy())
    assert patient.get_company_settings().name == "Nordisk Trä AB"
    assert world.clock.sleeps == [5.0, 5.0]


def test_the_real_throttle_answers_429_with_retry_after(make_world: Callable[..., World]) -> None:
    world = make_world(rate_limit_per_minute=3)
    client = world.client(InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk")))
    for _ in range(3):
        client.get_company_settings()
    world.emulator_clock.advance(20)
    with pytest.raises(RateLimitedError) as caught:
        client.get_company_settings()
    assert caught.value.retry_after == 40.0
    assert list(client.list_fiscal_years())  # another endpoint, another budget


@pytest.mark.parametrize(
    ("plan", "waited"),
    [
        # no Retry-After: the wait stated in Visma's message ("Try again in 9 seconds.")
        ({"burst_retry_after_header": False, "burst_retry_after_s": 9}, [9.0, 9.0]),
        # no header and no stated wait: one whole rate-limit window (a fresh minute)
        ({"burst_retry_after_header": False, "burst_message_states_wait": False}, [60.0]),
    ],
    ids=["message-states-wait", "no-wait-stated"],
)
def test_a_429_without_retry_after_is_waited_out_correctly(
    world: World, plan: dict[str, object], waited: list[float]
) -> None:
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    world.faults(burst_429_next=len(waited), **plan)
    with pytest.raises(RateLimitedError) as caught:
        world.client(store).get_company_settings()
    assert caught.value.retry_after == waited[0]
    world.faults(burst_429_next=len(waited), **plan)
    patient = world.client(store, retry=RetryPolicy(max_elapsed=120, max_retry_after=60))
    assert patient.get_company_settings().name == "Nordisk Trä AB"
    assert world.clock.sleeps == waited


def test_the_real_throttle_without_retry_after_is_waited_out(
    make_world: Callable[..., World],
) -> None:
    """The client waits what the message says, and then the window really has reopened."""
    world = make_world(rate_limit_per_minute=3, rate_limit_retry_after_header=False)
    world.clock.on_sleep = world.emulator_clock.advance  # the wait passes at Visma too
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    client = world.client(store, retry=RetryPolicy())
    for _ in range(3):
        client.get_company_settings()
    world.advance(20)
    assert client.get_company_settings().name == "Nordisk Trä AB"
    assert world.clock.sleeps == [40.0]
    refused = [r for r in world.app.state.emulator.requests if r.status == 429]
    assert len(refused) == 1


def test_server_error_on_a_read_is_retried_and_on_a_post_is_an_unknown_outcome(
    world: World, nordisk: VismaClient
) -> None:
    world.faults(error_next=1, error_status=503)
    with pytest.raises(ServerError) as caught:
        nordisk.get_company_settings()
    assert_visma_error(caught.value, 503, None)
    world.faults(error_next=1, error_status=500, endpoints=["POST /v2/vouchers"])
    with pytest.raises(OutcomeUnknownError) as unknown:
        nordisk.create_voucher(salary_voucher("pj:500"))
    assert unknown.value.status == 500
    # this fault answers before storing: reconciliation finds nothing, so posting again is safe
    assert nordisk.find_vouchers(date(2026, 11, 1), date(2026, 11, 30), "pj:500") == []


def test_commit_then_drop_is_an_unknown_outcome_and_reconciliation_finds_the_voucher(
    world: World, nordisk: VismaClient
) -> None:
    world.faults(drop_next=1, endpoints=["POST /v2/vouchers"])
    with pytest.raises(OutcomeUnknownError, match="RemoteProtocolError"):
        nordisk.create_voucher(salary_voucher("pj:dropped"))
    found = nordisk.find_vouchers(date(2026, 11, 1), date(2026, 11, 30), "pj:dropped")
    assert len(found) == 1 and found[0].debit_total == Decimal("50000.00")


@pytest.mark.parametrize(("commits", "stored"), [(True, 1), (False, 0)])
def test_a_read_timeout_is_an_unknown_outcome(world: World, commits: bool, stored: int) -> None:
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    impatient = world.client(store, timeout=httpx2.Timeout(5.0, read=0.2))
    world.faults(
        timeout_next=1, timeout_delay_s=5, timeout_commits=commits, endpoints=["POST /v2/vouchers"]
    )
    with pytest.raises(OutcomeUnknownError, match="ReadTimeout"):
        impatient.create_voucher(salary_voucher("pj:slow"))
    found = world.client(store).find_vouchers(date(2026, 11, 1), date(2026, 11, 30), "pj:slow")
    assert len(found) == stored
