"""A processed payroll run: what the payroll system paid, per employee and wage component.

A run is immutable once read. Its lines keep the amount exactly as the payroll system gave it
(up to :data:`MAX_AMOUNT_DECIMALS` decimals); rounding to cents happens once, when the journal
rows are built (see :mod:`payjournal.domain.posting`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

__all__ = [
    "MAX_AMOUNT_DECIMALS",
    "CostShare",
    "PayPeriod",
    "PayrollLine",
    "PayrollRun",
    "RunKind",
]

#: Payroll systems compute some amounts (employer charges, reservations) to more than cents.
#: We accept that precision and round once per journal row; more than this is an input error.
MAX_AMOUNT_DECIMALS = 4


class RunKind(StrEnum):
    """Why the run was made."""

    REGULAR = "regular"
    CORRECTION = "correction"
    OFF_CYCLE = "off_cycle"


@dataclass(frozen=True, slots=True)
class PayPeriod:
    """The pay period a run belongs to: e.g. year 2026, number 9, 2026-09-01 … 2026-09-30."""

    year: int
    number: int
    start: date
    end: date

    @property
    def label(self) -> str:
        """A short human label, ``2026-09``."""
        return f"{self.year}-{self.number:02d}"

    @classmethod
    def from_label(cls, label: str, start: date, end: date) -> PayPeriod:
        """The period of ``label`` (as :attr:`label` writes it) from ``start`` to ``end``."""
        year, dash, number = label.partition("-")
        if not (dash and year.isdigit() and number.isdigit()):
            raise ValueError(f"{label!r} is not a period label such as 2026-09")
        return cls(int(year), int(number), start, end)


class CostShare(NamedTuple):
    """A part of a line's amount allocated to one cost center, in percent (e.g. 60)."""

    cost_center: str
    percentage: Decimal


class PayrollLine(NamedTuple):
    """One employee × wage component amount of a run.

    ``allocation`` is empty when the line has no cost center, one share of 100 % for a single
    cost center, or several shares that must add up to 100 %. ``line_no`` is the line in the
    source file, so problems can point at it.
    """

    employee_id: str
    component: str
    amount: Decimal
    department: str | None = None
    allocation: tuple[CostShare, ...] = ()
    employee_name: str | None = None
    line_no: int = 0


@dataclass(frozen=True, slots=True)
class PayrollRun:
    """A processed payroll run of one company."""

    company: str
    run_id: str
    kind: RunKind
    period: PayPeriod
    payment_date: date
    currency: str
    lines: tuple[PayrollLine, ...]
