"""Tests that read like ledgers: a run and its expected journal as small text tables.

A table is rows of cells separated by ``|``; the first row names the columns; an empty cell
is empty. ``run_from_table`` turns one into a `PayrollRun`, ``journal_table`` renders a
`Journal` the same way so a test compares text with text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payjournal.domain.formats.fields import parse_allocation
from payjournal.domain.journal import Journal
from payjournal.domain.run import PayPeriod, PayrollLine, PayrollRun, RunKind
from payjournal.domain.scheme import ComponentMapping, CostCenterSide, LedgerScheme

SEPTEMBER = PayPeriod(2026, 9, date(2026, 9, 1), date(2026, 9, 30))


def parse_table(text: str) -> list[dict[str, str]]:
    """The rows of a ``|`` table as dicts keyed by the header's column names."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    header = [cell.strip() for cell in lines[0].split("|")]
    return [
        dict(zip(header, (cell.strip() for cell in line.split("|")), strict=True))
        for line in lines[1:]
    ]


def run_from_table(
    text: str,
    *,
    currency: str = "EUR",
    kind: RunKind = RunKind.REGULAR,
    period: PayPeriod = SEPTEMBER,
    payment_date: date = date(2026, 9, 25),
) -> PayrollRun:
    """A run whose lines are the table's rows (columns: employee, component, amount, and
    optionally department, cost_center, name); line numbers count from 2, as in a CSV file."""
    lines = tuple(
        PayrollLine(
            employee_id=row["employee"],
            component=row["component"],
            amount=Decimal(row["amount"]),
            department=row.get("department") or None,
            allocation=parse_allocation(row.get("cost_center", "")),
            employee_name=row.get("name") or None,
            line_no=number,
        )
        for number, row in enumerate(parse_table(text), start=2)
    )
    return PayrollRun("acme", "R1", kind, period, payment_date, currency, lines)


def scheme_from_table(text: str, **options: object) -> LedgerScheme:
    """A scheme whose components are the table's rows (component, debit, credit, side, text)."""
    components = {
        row["component"]: ComponentMapping(
            row["component"],
            row["debit"],
            row["credit"],
            CostCenterSide(row.get("side") or "none"),
            row.get("text") or None,
        )
        for row in parse_table(text)
    }
    settings: dict[str, object] = {"name": "test scheme", "rounding_account": "9990", **options}
    return LedgerScheme(components=components, **settings)  # type: ignore[arg-type]


def journal_table(journal: Journal) -> str:
    """The journal's rows as a normalized table: account | debit | credit | text | dimension."""
    out = ["account | debit | credit | text | dimension"]
    for row in journal.rows:
        debit = "" if row.debit.is_zero() else str(row.debit.amount)
        credit = "" if row.credit.is_zero() else str(row.credit.amount)
        out.append(" | ".join((row.account, debit, credit, row.text, row.dimension or "")))
    return "\n".join(out)


def normalized(table: str) -> str:
    """A hand-written table with its cells stripped, comparable with `journal_table`."""
    lines = [line.strip() for line in table.strip().splitlines() if line.strip()]
    return "\n".join(" | ".join(cell.strip() for cell in line.split("|")) for line in lines)
