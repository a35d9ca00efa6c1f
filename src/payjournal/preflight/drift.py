"""The drift check: is every account and cost center of a company's ledger scheme still usable
in Visma on the next payday? Run it daily (e.g. from the jobs' scheduler), so an account a
bookkeeper deactivated or removed is flagged before a journal needs it.

It checks the scheme, not a run: every debit, credit and rounding account, and each department
mapping on the accounts whose cost-center side takes it. It reads through the same day-long
cache as the run checks, so a daily drift check costs no extra Visma calls on days with runs.
"""

from __future__ import annotations

from datetime import date

from payjournal.domain.scheme import CostCenterSide, LedgerScheme
from payjournal.payroll.models import PayrollCompany
from payjournal.payroll.services import load_scheme
from payjournal.preflight.cache import DailyCache
from payjournal.preflight.checklist import Checklist
from payjournal.preflight.checks import JournalRow, Target
from payjournal.preflight.service import (
    ClientFactory,
    checklist_for,
    connection_problem,
    identity_of,
)

__all__ = ["check_scheme", "scheme_rows"]


def scheme_rows(scheme: LedgerScheme) -> tuple[JournalRow, ...]:
    """One row per account the scheme can book, and per (cost center, account) it can use."""
    rows = {JournalRow(scheme.rounding_account)}
    items = sorted(set(scheme.dimensions.values()))
    for mapping in scheme.components.values():
        rows.add(JournalRow(mapping.debit_account))
        rows.add(JournalRow(mapping.credit_account))
        side = mapping.cost_center_side
        if side is CostCenterSide.NONE:
            continue
        account = mapping.debit_account if side is CostCenterSide.DEBIT else mapping.credit_account
        rows.update(JournalRow(account, item) for item in items)
    return tuple(sorted(rows, key=lambda r: (r.account, r.dimension)))


def check_scheme(
    company: PayrollCompany,
    payday: date,
    *,
    client_factory: ClientFactory | None = None,
    cache: DailyCache | None = None,
) -> Checklist:
    """The checklist of ``company``'s scheme against Visma's books on ``payday``."""
    scheme = load_scheme(company)
    target = Target(
        company.visma_company_id,
        payday,
        scheme_rows(scheme),
        connection_problem(company),
        identity_of(company, scheme.currency),
    )
    return checklist_for(company, target, client_factory=client_factory, cache=cache)
