"""The ledger scheme: how a company's wage components land in its chart of accounts.

Per wage component a debit and a credit account (account numbers are strings, as Visma's
``AccountNumber`` is numeric but charts differ), which side carries the cost center, and an
optional description for the row text. Per scheme the voucher date rule, the rounding account,
the detail level and the mapping from departments and cost centers to dimension items (Visma
cost center items).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from payjournal.domain.run import PayPeriod

__all__ = [
    "DEFAULT_VOUCHER_TEXT",
    "ComponentMapping",
    "CostCenterSide",
    "DateRule",
    "DetailLevel",
    "LedgerScheme",
    "VoucherDateRule",
]

#: Placeholders: {company}, {run_id}, {kind}, {period}, {payment_date}.
DEFAULT_VOUCHER_TEXT = "Payroll {period} {company} run {run_id} ({kind})"


class CostCenterSide(StrEnum):
    """Which side of a component's posting carries the cost center (usually the P&L side)."""

    DEBIT = "debit"
    CREDIT = "credit"
    NONE = "none"


class DetailLevel(StrEnum):
    """How finely the journal is aggregated."""

    ACCOUNT = "account"  # one row per account + side + dimension
    EMPLOYEE = "employee"  # one row per employee + account + side + dimension


class DateRule(StrEnum):
    """Which date the voucher carries."""

    PERIOD_END = "period_end"
    PAYMENT_DATE = "payment_date"
    FIXED_DAY = "fixed_day"  # a fixed day of the month the period ends in


@dataclass(frozen=True, slots=True)
class VoucherDateRule:
    """The voucher date rule; ``day`` is used with :attr:`DateRule.FIXED_DAY` only."""

    rule: DateRule = DateRule.PERIOD_END
    day: int | None = None

    def __post_init__(self) -> None:
        if self.rule is DateRule.FIXED_DAY and (self.day is None or not 1 <= self.day <= 31):
            raise ValueError("a fixed voucher day must be a day of the month, 1 to 31")
        if self.rule is not DateRule.FIXED_DAY and self.day is not None:
            raise ValueError(f"a day only goes with the {DateRule.FIXED_DAY.value} rule")

    def voucher_date(self, period: PayPeriod, payment_date: date) -> date:
        """The voucher date for a run; a fixed day past the month's end becomes its last day."""
        if self.rule is DateRule.PAYMENT_DATE:
            return payment_date
        if self.rule is DateRule.PERIOD_END:
            return period.end
        assert self.day is not None
        last_day = calendar.monthrange(period.end.year, period.end.month)[1]
        return period.end.replace(day=min(self.day, last_day))


@dataclass(frozen=True, slots=True)
class ComponentMapping:
    """Where one wage component is booked."""

    component: str
    debit_account: str
    credit_account: str
    cost_center_side: CostCenterSide = CostCenterSide.NONE
    description: str | None = None

    @property
    def text(self) -> str:
        """The row text this component contributes: its description, or else its code."""
        return self.description or self.component


@dataclass(frozen=True, slots=True)
class LedgerScheme:
    """A company's complete mapping from payroll to ledger."""

    name: str
    components: Mapping[str, ComponentMapping]
    rounding_account: str
    currency: str | None = None  # when set, runs in another currency are refused
    voucher_date: VoucherDateRule = field(default_factory=VoucherDateRule)
    detail: DetailLevel = DetailLevel.ACCOUNT
    dimensions: Mapping[str, str] = field(default_factory=dict)  # department/cost center → item
    voucher_text: str = DEFAULT_VOUCHER_TEXT

    def mapping_for(self, component: str) -> ComponentMapping | None:
        """The mapping of `component`, or None when the scheme does not map it."""
        return self.components.get(component)

    def with_mapping(self, mapping: ComponentMapping) -> LedgerScheme:
        """This scheme with ``mapping`` replacing (or, for a new component, added after) the
        mapping of its component; every other setting and mapping is kept as it is."""
        components = {**self.components, mapping.component: mapping}
        return replace(self, components=components)
