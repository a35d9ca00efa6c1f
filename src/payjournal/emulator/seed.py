"""Seed worlds. ``demo``: four companies (NL and SE), three users, one OAuth client.

Fiscal years are calendar years relative to the emulator clock at seed time (Y = current
year): most companies have Y-1, Y and Y+1; ``se-sundsvall`` has only Y, so vouchers dated in
Y+1 fail with 3001. Seeded ids are stable (uuid5 of the key) so tests and docs can name them.
"""

from __future__ import annotations

import calendar
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from payjournal.emulator.charts import DUTCH_CHART, SWEDISH_CHART, AccountSeed
from payjournal.emulator.model import (
    Account,
    Company,
    CostCenter,
    CostCenterItem,
    FiscalYear,
    OAuthClient,
    Project,
    User,
    Voucher,
    VoucherRow,
)
from payjournal.emulator.state import EmulatorState

SEED_NAMESPACE = uuid.UUID("6f1c2f0e-7a4b-4d53-9a59-3f0e8c1d2b7a")

DEMO_CLIENT_ID = "payjournal-demo"
DEMO_CLIENT_SECRET = "demo-secret"  # noqa: S105 - a published demo credential
DEMO_USERS: dict[str, str] = {
    "anna@bakkerij.example": "anna-demo",
    "erik@nordisk.example": "erik-demo",
    "lena@fietsen.example": "lena-demo",
    "jan@fietsen.example": "jan-demo",
}
SEEDS = ("demo", "empty")


def stable_id(*parts: str) -> UUID:
    """A deterministic UUID for a seeded object."""
    return uuid.uuid5(SEED_NAMESPACE, "/".join(parts))


def build_seed(name: str, today: date, redirect_patterns: tuple[str, ...]) -> EmulatorState:
    """Build the named seed world as of ``today``."""
    if name == "empty":
        return EmulatorState(seed="empty")
    if name != "demo":
        raise ValueError(f"unknown seed {name!r}; choose one of {', '.join(SEEDS)}")
    return _demo(today, redirect_patterns)


def _demo(today: date, redirect_patterns: tuple[str, ...]) -> EmulatorState:
    now = datetime(today.year, 1, 1, 8, 0, tzinfo=UTC)
    year = today.year
    state = EmulatorState(seed="demo")
    bakkerij = _company(
        "nl-bakkerij", "Bakkerij De Vries B.V.", "NL", "EUR", "12345678", "NL001234567B01"
    )
    bakkerij.address1, bakkerij.postal_code, bakkerij.city = "Broodstraat 1", "1011 AB", "Amsterdam"
    fietsen = _company(
        "nl-fietsen", "Fietsenmaker Jansen B.V.", "NL", "EUR", "87654321", "NL009876543B01"
    )
    fietsen.api_module_enabled = False
    nordisk = _company("se-nordisk", "Nordisk Trä AB", "SE", "SEK", "556677-8899", "SE556677889901")
    first_of_month = today.replace(day=1)
    nordisk.accounting_locked_to = first_of_month - timedelta(days=1)
    nordisk.accounting_lock_interval = 1
    sundsvall = _company(
        "se-sundsvall", "Sundsvall Konsult AB", "SE", "SEK", "559900-1122", "SE559900112201"
    )
    for company, chart, years in (
        (bakkerij, DUTCH_CHART, (year - 1, year, year + 1)),
        (fietsen, DUTCH_CHART, (year - 1, year)),
        (nordisk, SWEDISH_CHART, (year - 1, year, year + 1)),
        (sundsvall, SWEDISH_CHART, (year,)),
    ):
        for fy_year in years:
            fy = _fiscal_year(company.key, fy_year, chart, now)
            company.fiscal_years[fy.id] = fy
        state.companies[company.id] = company

    _cost_centers(
        bakkerij,
        "Afdeling",
        [
            ("PROD", "Productie"),
            ("WINK", "Winkel"),
            ("ADM", "Administratie"),
            ("OUD", "Oude afdeling"),
        ],
        now,
    )
    bakkerij.cost_centers[0].items[-1].is_active = False
    _cost_centers(bakkerij, "Vestiging", [("AMS", "Amsterdam"), ("UTR", "Utrecht")], now)
    _cost_centers(
        nordisk,
        "Avdelning",
        [("PROD", "Produktion"), ("SALJ", "Försäljning"), ("ADM", "Administration")],
        now,
    )
    _cost_centers(nordisk, "Ort", [("STHLM", "Stockholm"), ("GBG", "Göteborg")], now)
    _cost_centers(sundsvall, "Avdelning", [("KONS", "Konsulter")], now)
    bakkerij.projects.append(
        Project(
            stable_id("nl-bakkerij", "project", "P100"),
            "P100",
            "Nieuwe oven",
            date(year, 1, 1),
            modified_utc=now,
        )
    )
    nordisk.projects.append(
        Project(
            stable_id("se-nordisk", "project", "P1"),
            "P1",
            "Sågverket",
            date(year, 1, 1),
            modified_utc=now,
        )
    )
    _history(bakkerij, year, 4000, 1650, now)
    _history(nordisk, year, 7210, 1930, now)

    state.users = {
        "anna@bakkerij.example": User(
            "anna@bakkerij.example",
            DEMO_USERS["anna@bakkerij.example"],
            "Anna de Vries",
            [bakkerij.id, fietsen.id, nordisk.id],
            default_company_id=bakkerij.id,
        ),
        "erik@nordisk.example": User(
            "erik@nordisk.example",
            DEMO_USERS["erik@nordisk.example"],
            "Erik Lindqvist",
            [nordisk.id, sundsvall.id],
        ),
        "lena@fietsen.example": User(
            "lena@fietsen.example",
            DEMO_USERS["lena@fietsen.example"],
            "Lena Jansen",
            [fietsen.id, sundsvall.id],
            default_company_id=fietsen.id,
        ),
        # the default-company trap: his starred company (API off) wins over any picker
        "jan@fietsen.example": User(
            "jan@fietsen.example",
            DEMO_USERS["jan@fietsen.example"],
            "Jan Jansen",
            [fietsen.id, bakkerij.id],
            default_company_id=fietsen.id,
            default_company_overrides_picker=True,
        ),
    }
    state.clients[DEMO_CLIENT_ID] = OAuthClient(
        DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, "payjournal (local demo)", list(redirect_patterns)
    )
    return state


def _company(key: str, name: str, country: str, currency: str, org: str, vat: str) -> Company:
    return Company(
        id=stable_id("company", key),
        key=key,
        name=name,
        country_code=country,
        currency_code=currency,
        corporate_identity_number=org,
        vat_code=vat,
        email=f"administratie@{key}.example",
        phone="+00 000 000",
    )


def _fiscal_year(key: str, year: int, chart: tuple[AccountSeed, ...], now: datetime) -> FiscalYear:
    fy = FiscalYear(stable_id(key, "fiscalyear", str(year)), date(year, 1, 1), date(year, 12, 31))
    for seed in chart:
        fy.accounts[seed.number] = Account(
            number=seed.number,
            name=seed.name,
            is_active=seed.is_active,
            cost_center_allowed=seed.cost_center_allowed,
            project_allowed=seed.cost_center_allowed,
            blocked_for_manual_booking=seed.blocked_for_manual_booking,
            type=seed.type,
            type_description=seed.type_description,
            modified_utc=now,
        )
    return fy


def _cost_centers(company: Company, name: str, items: list[tuple[str, str]], now: datetime) -> None:
    number = len(company.cost_centers) + 1
    center = CostCenter(stable_id(company.key, "costcenter", str(number)), number, name)
    for short, long_name in items:
        center.items.append(
            CostCenterItem(
                stable_id(company.key, "costcenteritem", short),
                center.id,
                long_name,
                short,
                created_utc=now,
            )
        )
    company.cost_centers.append(center)


def _history(company: Company, year: int, cost: int, payable: int, now: datetime) -> None:
    """Two earlier payroll vouchers so numbering does not start at 1."""
    fy = company.fiscal_year_for(date(year, 1, 1))
    assert fy is not None
    for month in (1, 2):
        day = date(year, month, calendar.monthrange(year, month)[1])
        amount = Decimal("12500.00")
        rows = [
            VoucherRow(cost, fy.accounts[cost].name, amount, Decimal("0.00"), "Salaris"),
            VoucherRow(payable, fy.accounts[payable].name, Decimal("0.00"), amount, "Netto"),
        ]
        voucher = Voucher(
            stable_id(company.key, "voucher", str(month)),
            fy.id,
            day,
            f"Payroll {year}-{month:02d}",
            "A",
            month,
            rows,
            created_utc=now,
        )
        company.vouchers[voucher.id] = voucher
    company.series_counters[f"{fy.id}/A"] = 2
