"""The chart of accounts the ledger scheme editor offers: the mapped Visma company's accounts of
the fiscal year of today (else of the latest run's voucher date, else the latest fiscal year),
read through the pre-flight's day-long cache, so opening the editor costs no extra Visma calls
on a day the pre-flight already ran.

When the chart cannot be read — no mapping, the grant lost, Visma refusing (API module off …),
no fiscal year — :class:`Chart` carries the catalog's explanation instead of accounts, and the
editor offers no account changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext as _

from payjournal import catalog
from payjournal.payroll.models import PayrollCompany
from payjournal.preflight.books import CachedBooks
from payjournal.preflight.cache import DailyCache
from payjournal.preflight.service import ClientFactory, connection_problem, default_client
from payjournal.visma import Account, FiscalYear, VismaError

__all__ = ["AccountState", "Chart", "read_chart"]


class AccountState(StrEnum):
    """What the chart says about an account number of the scheme."""

    BOOKABLE = "bookable"
    MISSING = "missing"
    INACTIVE = "inactive"
    BLOCKED = "blocked"  # closed for manual booking: Visma books it itself


@dataclass(frozen=True, slots=True)
class Chart:
    """One fiscal year's accounts, or ``problem`` (the catalog's explanation) when unreadable."""

    fiscal_year: FiscalYear | None = None
    accounts: Mapping[str, Account] = field(default_factory=dict)
    problem: catalog.Explanation | None = None

    @property
    def is_readable(self) -> bool:
        return self.problem is None and self.fiscal_year is not None

    def bookable(self) -> list[Account]:
        """The accounts the picker offers: active and open for manual booking, by number."""
        usable = [
            a for a in self.accounts.values() if self.state_of(a.number) is AccountState.BOOKABLE
        ]
        return sorted(usable, key=lambda a: (len(a.number), a.number))

    def state_of(self, number: str) -> AccountState:
        account = self.accounts.get(number)
        if account is None:
            return AccountState.MISSING
        if not account.is_active:
            return AccountState.INACTIVE
        if account.is_blocked_for_manual_booking:
            return AccountState.BLOCKED
        return AccountState.BOOKABLE

    def refusal(self, number: str) -> str:
        """Why ``number`` cannot be picked ("" when it can); the end of a sentence."""
        if not self.is_readable:
            return _("cannot be checked: the Visma chart of accounts could not be read")
        state = self.state_of(number)
        if state is AccountState.BOOKABLE:
            return ""
        year = self.fiscal_year
        assert year is not None
        reasons = {
            AccountState.MISSING: _(
                "is not in the Visma chart of accounts of fiscal year %(start)s – %(end)s"
            ),
            AccountState.INACTIVE: _("is inactive in the Visma chart of accounts"),
            AccountState.BLOCKED: _("is closed for manual booking in Visma"),
        }
        return reasons[state] % {
            "start": year.start_date.isoformat(),
            "end": year.end_date.isoformat(),
        }


def read_chart(
    company: PayrollCompany,
    days: Sequence[date],
    *,
    client_factory: ClientFactory | None = None,
    cache: DailyCache | None = None,
) -> Chart:
    """``company``'s Visma chart for the fiscal year of the first of ``days`` a year covers."""
    problem = connection_problem(company)
    account = company.visma_account
    if problem or account is None:
        return Chart(problem=catalog.explain(problem or "not_authorized"))
    # not closed here: the default clients share the process's transport (payjournal.wiring)
    client = (client_factory or default_client)(account)
    books = CachedBooks(client, company.visma_company_id, cache or DailyCache())
    try:
        year = _year_for(books.fiscal_years(), days)
        if year is None:
            return Chart(problem=catalog.explain("fiscal_year_missing"))
        return Chart(year, books.accounts(year.id))
    except VismaError as exc:
        return Chart(problem=catalog.explain(exc))


def _year_for(years: Sequence[FiscalYear], days: Sequence[date]) -> FiscalYear | None:
    for day in days:
        year = next((y for y in years if y.contains(day)), None)
        if year is not None:
            return year
    return max(years, key=lambda y: y.end_date, default=None)
