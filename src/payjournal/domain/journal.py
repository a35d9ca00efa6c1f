"""The journal: the balanced voucher a payroll run becomes, frozen before it is sent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from payjournal.domain.money import Money
from payjournal.domain.run import PayPeriod, RunKind

__all__ = [
    "MAX_ROW_TEXT",
    "MAX_VOUCHER_TEXT",
    "Journal",
    "JournalRow",
    "Side",
    "UnbalancedJournalError",
]

#: Visma eAccounting's limits (VoucherRowApi.TransactionText, VoucherApi.VoucherText).
MAX_ROW_TEXT = 60
MAX_VOUCHER_TEXT = 1000


class Side(StrEnum):
    """Debit or credit."""

    DEBIT = "debit"
    CREDIT = "credit"

    @property
    def other(self) -> Side:
        """The opposite side."""
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


class UnbalancedJournalError(ValueError):
    """A journal whose debit and credit totals differ: it must never be sent."""


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One voucher row: a positive amount on one side of one account."""

    account: str
    side: Side
    amount: Money
    text: str
    dimension: str | None = None
    employee_id: str | None = None
    is_rounding: bool = False

    @property
    def debit(self) -> Money:
        """The debit amount (zero on a credit row)."""
        return self.amount if self.side is Side.DEBIT else Money.zero(self.amount.currency)

    @property
    def credit(self) -> Money:
        """The credit amount (zero on a debit row)."""
        return self.amount if self.side is Side.CREDIT else Money.zero(self.amount.currency)


@dataclass(frozen=True, slots=True)
class Journal:
    """A balanced journal for one payroll run, ready to become one Visma voucher."""

    company: str
    run_id: str
    run_kind: RunKind
    period: PayPeriod
    currency: str
    voucher_date: date
    voucher_text: str
    rows: tuple[JournalRow, ...]

    def __post_init__(self) -> None:
        if self.debit_total != self.credit_total:
            raise UnbalancedJournalError(
                f"journal for run {self.run_id} does not balance: "
                f"debit {self.debit_total} ≠ credit {self.credit_total}"
            )

    @property
    def debit_total(self) -> Money:
        """Sum of all debit rows."""
        return self._total(Side.DEBIT)

    @property
    def credit_total(self) -> Money:
        """Sum of all credit rows."""
        return self._total(Side.CREDIT)

    @property
    def is_balanced(self) -> bool:
        """Always true for a constructed journal; kept for readers and reports."""
        return self.debit_total == self.credit_total

    @property
    def rounding_rows(self) -> tuple[JournalRow, ...]:
        """The visible rounding rows, if any."""
        return tuple(row for row in self.rows if row.is_rounding)

    def fingerprint(self) -> str:
        """A SHA-256 of everything Visma will receive; equal journals have equal fingerprints."""
        digest = hashlib.sha256()
        head = (self.company, self.run_id, self.currency, self.voucher_date.isoformat())
        digest.update("\x1f".join((*head, self.voucher_text)).encode())
        for row in self.rows:
            fields = (row.account, row.side, str(row.amount.amount), row.text, row.dimension or "")
            digest.update(b"\x1e" + "\x1f".join(fields).encode())
        return digest.hexdigest()

    def _total(self, side: Side) -> Money:
        total = Money.zero(self.currency)
        for row in self.rows:
            if row.side is side:
                total = total + row.amount
        return total
