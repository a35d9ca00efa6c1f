"""Seed charts of accounts: a Dutch payroll-relevant subset (RGS-like numbers) and Swedish BAS.

Which accounts allow cost centers is a guess (documented in ``docs/emulator.md``): result
accounts (costs, revenue) allow cost centers and projects, balance accounts do not. A few
accounts are inactive or blocked for manual booking so those rules can be exercised.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccountSeed:
    """One line of a seed chart."""

    number: int
    name: str
    cost_center_allowed: bool = False
    is_active: bool = True
    blocked_for_manual_booking: bool = False
    type: int | None = None
    type_description: str | None = None


def _cost(number: int, name: str, *, active: bool = True) -> AccountSeed:
    return AccountSeed(number, name, cost_center_allowed=True, is_active=active)


DUTCH_CHART: tuple[AccountSeed, ...] = (
    AccountSeed(1100, "Bank", type=1, type_description="Liquide middelen"),
    AccountSeed(1300, "Debiteuren", type=2, type_description="Vorderingen"),
    AccountSeed(
        1510, "Af te dragen BTW", blocked_for_manual_booking=True, type=3, type_description="BTW"
    ),
    AccountSeed(1600, "Af te dragen loonheffing", type=4, type_description="Schulden"),
    AccountSeed(1610, "Af te dragen premies werknemersverzekeringen", type=4),
    AccountSeed(1620, "Af te dragen pensioenpremies", type=4),
    AccountSeed(1630, "Reservering vakantiegeld", type=4),
    AccountSeed(1640, "Af te dragen ZVW-bijdrage", type=4),
    AccountSeed(1650, "Netto lonen te betalen", type=4),
    AccountSeed(1690, "Oude loonkostenrekening", is_active=False, type=4),
    _cost(4000, "Lonen en salarissen"),
    _cost(4010, "Vakantiegeld"),
    _cost(4100, "Sociale lasten"),
    _cost(4200, "Pensioenlasten"),
    _cost(4300, "Reiskostenvergoeding"),
    _cost(4390, "Overige personeelskosten", active=False),
    _cost(8000, "Omzet"),
    AccountSeed(9990, "Afrondingsverschillen", cost_center_allowed=False),
)

SWEDISH_CHART: tuple[AccountSeed, ...] = (
    AccountSeed(1930, "Företagskonto/checkkonto/affärskonto"),
    AccountSeed(2610, "Utgående moms, 25 %", blocked_for_manual_booking=True),
    AccountSeed(2650, "Redovisningskonto för moms", blocked_for_manual_booking=True),
    AccountSeed(2710, "Personalskatt"),
    AccountSeed(2731, "Avräkning lagstadgade sociala avgifter"),
    AccountSeed(2740, "Avräkning avtalsförsäkringar"),
    AccountSeed(2790, "Övriga löneavdrag", is_active=False),
    AccountSeed(2920, "Upplupna semesterlöner"),
    AccountSeed(2940, "Upplupna lagstadgade sociala och andra avgifter"),
    AccountSeed(3740, "Öres- och kronutjämning"),
    _cost(3010, "Försäljning"),
    _cost(7010, "Löner till kollektivanställda"),
    _cost(7090, "Förändring av semesterlöneskuld"),
    _cost(7210, "Löner till tjänstemän"),
    _cost(7290, "Förändring av semesterlöneskuld, tjänstemän"),
    _cost(7410, "Pensionsförsäkringspremier"),
    _cost(7510, "Lagstadgade sociala avgifter"),
    _cost(7519, "Sociala avgifter för semester- och löneskulder"),
    _cost(7690, "Övriga personalkostnader", active=False),
)
