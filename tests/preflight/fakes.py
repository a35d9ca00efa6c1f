"""A fake of the pre-flight's ``Books`` port: a small Visma company in memory that counts
its reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID, uuid4

from payjournal.preflight.cost_centers import CostCenterItems
from payjournal.visma import (
    Account,
    CompanySettings,
    CostCenter,
    CostCenterItem,
    FiscalYear,
    VismaError,
)

FY_2026 = FiscalYear(uuid4(), date(2026, 1, 1), date(2026, 12, 31))


def settings(identifier: str = "SE5599001122", locked_to: date | None = None) -> CompanySettings:
    return CompanySettings(
        "Nordisk Trä AB", "SE", "SEK", "559900-1122", identifier, None, locked_to, None, 1, ()
    )


def account(number: str, **flags: bool) -> Account:
    values = {"is_active": True, "is_cost_center_allowed": True} | flags
    return Account(number, f"Account {number}", FY_2026.id, **values)


def cost_centers(*short_names: str, inactive: tuple[str, ...] = ()) -> tuple[CostCenter, ...]:
    center = uuid4()
    items = tuple(
        CostCenterItem(uuid4(), center, name, name, name not in inactive) for name in short_names
    )
    return (CostCenter(center, "Avdelning", 1, True, items),)


@dataclass
class FakeBooks:
    """Company settings, fiscal years, charts and cost centers; ``fail_with`` raises on the
    settings read; ``reads`` counts every read."""

    company: CompanySettings = field(default_factory=settings)
    years: list[FiscalYear] = field(default_factory=lambda: [FY_2026])
    charts: dict[UUID, dict[str, Account]] = field(default_factory=dict)
    centers: tuple[CostCenter, ...] = ()
    fail_with: VismaError | None = None
    reads: Counter[str] = field(default_factory=Counter)
    forgotten: int = 0

    def company_settings(self) -> CompanySettings:
        self.reads["companysettings"] += 1
        if self.fail_with is not None:
            raise self.fail_with
        return self.company

    def fiscal_years(self) -> tuple[FiscalYear, ...]:
        self.reads["fiscalyears"] += 1
        return tuple(self.years)

    def accounts(self, fiscal_year_id: UUID) -> Mapping[str, Account]:
        self.reads["accounts"] += 1
        return self.charts.get(fiscal_year_id, {})

    def cost_center_items(self) -> CostCenterItems:
        self.reads["costcenters"] += 1
        return CostCenterItems(self.centers)

    def create_fiscal_year(self, start_date: date, end_date: date) -> FiscalYear:
        year = FiscalYear(uuid4(), start_date, end_date)
        self.years.append(year)
        self.charts[year.id] = {
            n: replace(a, fiscal_year_id=year.id) for n, a in self.charts[FY_2026.id].items()
        }
        return year

    def forget(self) -> None:
        self.forgotten += 1
