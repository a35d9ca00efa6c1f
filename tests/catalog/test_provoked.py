"""Every catalog entry Visma can cause, provoked through the emulator (seed companies and
faults), with the sentence the user reads in English and in Dutch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from payjournal import catalog
from payjournal.emulator import stable_id
from payjournal.visma import (
    InMemoryTokenStore,
    NewVoucher,
    VismaClient,
    VismaError,
    VoucherRow,
)
from tests.fixtures.visma_client import World
from tests.visma.vouchers import salary_voucher

Provoke = Callable[[World, Callable[..., VismaClient]], Any]


def _voucher(day: date, debit: int, credit: int, **row: Any) -> NewVoucher:
    amount = Decimal("10.00")
    return NewVoucher(
        day,
        "Payroll",
        (VoucherRow(debit, debit_amount=amount, **row), VoucherRow(credit, credit_amount=amount)),
    )


def _nordisk(world: World, connect: Callable[..., VismaClient]) -> VismaClient:
    return connect("erik@nordisk.example", "se-nordisk")


def _bakkerij(world: World, connect: Callable[..., VismaClient]) -> VismaClient:
    return connect("anna@bakkerij.example", "nl-bakkerij")


def fiscal_year_missing(world: World, connect: Callable[..., VismaClient]) -> Any:
    client = connect("erik@nordisk.example", "se-sundsvall")
    return client.create_voucher(_voucher(date(2027, 1, 25), 7010, 1930))


def module_not_activated(world: World, connect: Callable[..., VismaClient]) -> Any:
    # lena's default company is nl-fietsen (API module off): she lands there without a picker
    return connect("lena@fietsen.example").get_company_settings()


def account_not_found(world: World, connect: Callable[..., VismaClient]) -> Any:
    return _nordisk(world, connect).create_voucher(_voucher(date(2026, 11, 25), 9999, 1930))


def account_inactive(world: World, connect: Callable[..., VismaClient]) -> Any:
    return _nordisk(world, connect).create_voucher(_voucher(date(2026, 11, 25), 7690, 1930))


def account_blocked(world: World, connect: Callable[..., VismaClient]) -> Any:
    return _nordisk(world, connect).create_voucher(_voucher(date(2026, 11, 25), 2650, 1930))


def cost_center_not_allowed(world: World, connect: Callable[..., VismaClient]) -> Any:
    prod = stable_id("se-nordisk", "costcenteritem", "PROD")
    voucher = _voucher(date(2026, 11, 25), 2710, 1930, cost_center_item_id1=prod)
    return _nordisk(world, connect).create_voucher(voucher)


def cost_center_item_inactive(world: World, connect: Callable[..., VismaClient]) -> Any:
    oud = stable_id("nl-bakkerij", "costcenteritem", "OUD")
    voucher = _voucher(date(2026, 11, 25), 4000, 1100, cost_center_item_id1=oud)
    return _bakkerij(world, connect).create_voucher(voucher)


def period_locked(world: World, connect: Callable[..., VismaClient]) -> Any:
    return _nordisk(world, connect).create_voucher(salary_voucher("pj:late", date(2026, 10, 25)))


def no_company_access(world: World, connect: Callable[..., VismaClient]) -> Any:
    client = _nordisk(world, connect)
    world.control.delete("/_emulator/users/erik@nordisk.example/companies/se-nordisk")
    return client.get_company_settings()


def startup_guide(world: World, connect: Callable[..., VismaClient]) -> Any:
    client = _nordisk(world, connect)
    settings = {"startup_guide_completed": False}
    world.control.put("/_emulator/companies/se-nordisk/settings", json=settings)
    return client.get_company_settings()


def company_not_active(world: World, connect: Callable[..., VismaClient]) -> Any:
    client = _nordisk(world, connect)
    world.control.put("/_emulator/companies/se-nordisk/settings", json={"company_status": 0})
    return client.get_company_settings()


def rate_limited(world: World, connect: Callable[..., VismaClient]) -> Any:
    client = _nordisk(world, connect)
    world.faults(burst_429_next=1, burst_retry_after_s=5)
    return client.get_company_settings()


def invalid_grant(world: World, connect: Callable[..., VismaClient]) -> Any:
    client = _nordisk(world, connect)
    password = {"password": "changed-by-erik"}
    world.control.put("/_emulator/users/erik@nordisk.example/password", json=password)
    world.advance(3600)
    return client.get_company_settings()


def server_error(world: World, connect: Callable[..., VismaClient]) -> Any:
    client = _nordisk(world, connect)
    world.faults(error_next=1, error_status=503)
    return client.get_company_settings()


def outcome_unknown(world: World, connect: Callable[..., VismaClient]) -> Any:
    client = _nordisk(world, connect)
    world.faults(drop_next=1, endpoints=["POST /v2/vouchers"])
    return client.create_voucher(salary_voucher("pj:dropped"))


def network_error(world: World, connect: Callable[..., VismaClient]) -> Any:
    # the same client, with a transport that cannot connect: the request never left
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    offline = world.client(store, transport=_RefusingTransport())
    return offline.get_company_settings()


class _RefusingTransport:
    """A transport whose every connection is refused (as with Visma unreachable)."""

    def handle_request(self, request: Any) -> Any:
        import httpx2

        raise httpx2.ConnectError("connection refused", request=request)

    def close(self) -> None:
        return None


CASES: list[tuple[Provoke, str, str, str]] = [
    (
        fiscal_year_missing,
        "fiscal_year_missing",
        "Visma has no fiscal year for the voucher date.",
        "Visma heeft geen boekjaar voor de boekdatum.",
    ),
    (
        module_not_activated,
        "module_not_activated",
        "The API module is not activated for this Visma company.",
        "De API module is nog niet geactiveerd voor deze Visma-administratie.",
    ),
    (
        account_not_found,
        "account_not_found",
        "An account of the journal does not exist in Visma.",
        "Een grootboekrekening van de journaalpost bestaat niet in Visma.",
    ),
    (
        account_inactive,
        "account_inactive",
        "An account of the journal is inactive in Visma.",
        "Een grootboekrekening van de journaalpost is inactief in Visma.",
    ),
    (
        account_blocked,
        "account_blocked_for_manual_booking",
        "An account of the journal is closed for manual booking in Visma.",
        "Een grootboekrekening van de journaalpost is in Visma gesloten voor handmatig boeken.",
    ),
    (
        cost_center_not_allowed,
        "cost_center_not_allowed",
        "A cost center is used on an account that does not allow cost centers.",
        "Er staat een kostenplaats op een rekening die geen kostenplaatsen toestaat.",
    ),
    (
        cost_center_item_inactive,
        "cost_center_item_missing",
        "A cost center of the journal does not exist or is inactive in Visma.",
        "Een kostenplaats van de journaalpost bestaat niet of is inactief in Visma.",
    ),
    (
        period_locked,
        "period_locked",
        "The voucher date is in a locked accounting period.",
        "De boekdatum valt in een afgesloten periode.",
    ),
    (
        no_company_access,
        "no_company_access",
        "The Visma user has no access to this company any more.",
        "De Visma-gebruiker heeft geen toegang meer tot deze administratie.",
    ),
    (
        startup_guide,
        "startup_guide_not_completed",
        "The Visma company is not set up yet.",
        "De Visma-administratie is nog niet ingericht.",
    ),
    (
        company_not_active,
        "company_not_active",
        "The Visma company is not active.",
        "De Visma-administratie is niet actief.",
    ),
    (
        rate_limited,
        "rate_limited",
        "Visma asked payjournal to slow down.",
        "Visma vraagt payjournal het rustiger aan te doen.",
    ),
    (
        invalid_grant,
        "invalid_grant",
        "Visma no longer accepts payjournal's authorization.",
        "Visma accepteert de autorisatie van payjournal niet meer.",
    ),
    (
        server_error,
        "server_error",
        "Visma is not working properly right now.",
        "Visma werkt op dit moment niet goed.",
    ),
    (
        outcome_unknown,
        "outcome_unknown",
        "It is not known yet whether Visma booked the journal.",
        "Het is nog niet bekend of Visma de journaalpost heeft geboekt.",
    ),
    (
        network_error,
        "network_error",
        "Visma could not be reached.",
        "Visma is niet bereikbaar.",
    ),
]


@pytest.mark.parametrize(
    ("provoke", "code", "english", "dutch"), CASES, ids=[case[1] for case in CASES]
)
def test_visma_failure_explained(
    world: World,
    connect_client: Callable[..., VismaClient],
    provoke: Provoke,
    code: str,
    english: str,
    dutch: str,
) -> None:
    with pytest.raises(VismaError) as caught:
        provoke(world, connect_client)
    assert catalog.explain(caught.value, "en").message == english
    explained = catalog.explain(caught.value, "nl")
    assert (explained.code, explained.message) == (code, dutch)
    assert explained.original  # Visma's (or the client's) own words stay for support
