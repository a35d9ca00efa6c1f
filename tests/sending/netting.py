"""Invariant 7 as a test helper: what the emulator's books hold of a run id, per account and
cost center, against the journal of the version that should be booked (or nothing).

Every leg of a run id carries its own marker, so the run id's vouchers are the emulator's
vouchers whose text holds one of those markers; each marker may occur at most once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

from payjournal.emulator import Emulator
from payjournal.emulator.model import Voucher
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending import connection
from payjournal.sending.booking import journal_rows
from payjournal.sending.models import Submission
from payjournal.sending.voucher import build_voucher

Key = tuple[int, tuple[UUID | None, ...]]


def vouchers_of_run(emu: Emulator, company: PayrollCompany, run_key: str) -> list[Voucher]:
    """The emulator's vouchers posted for ``run_key``; fails when a marker occurs twice."""
    markers = set(
        Submission.objects.filter(company=company, run_key=run_key).values_list("marker", flat=True)
    )
    books = emu.state.company(company.key)
    assert books is not None
    found = [v for v in books.vouchers.values() if any(m in v.text for m in markers)]
    counts = Counter(m for v in found for m in markers if m in v.text)
    twice = [m for m, n in counts.items() if n > 1]
    assert not twice, f"posted twice for {run_key}: {twice}"
    return found


def _net(rows: Iterable[tuple[int, Iterable[UUID | None], Decimal, Decimal]]) -> dict[Key, Decimal]:
    net: dict[Key, Decimal] = {}
    for account, centers, debit, credit in rows:
        key = (account, tuple(centers))
        net[key] = net.get(key, Decimal(0)) + debit - credit
    return {key: amount for key, amount in net.items() if amount}


def books_net(emu: Emulator, company: PayrollCompany, run_key: str) -> dict[Key, Decimal]:
    """Debit − credit per account + cost center items over the run id's vouchers."""
    return _net(
        (row.account_number, row.cost_center_item_ids, row.debit, row.credit)
        for voucher in vouchers_of_run(emu, company, run_key)
        for row in voucher.rows
    )


def expected_net(company: PayrollCompany, run_key: str) -> dict[Key, Decimal]:
    """What the books should hold of ``run_key``: its latest version, or nothing if withdrawn."""
    latest = (
        PayrollRun.objects.filter(company=company, run_id=run_key)
        .select_related("journal")
        .order_by("-version")
        .first()
    )
    assert latest is not None
    if latest.withdrawn_at is not None:
        return {}
    client = connection.client_for(company)
    rows = journal_rows(latest.journal)
    centers = tuple(client.list_cost_centers()) if any(r.dimension for r in rows) else ()
    voucher = build_voucher(latest.journal.voucher_date, "", "[pj:0000000000000000]", rows, centers)
    return _net(
        (
            row.account_number,
            [row.cost_center_item_id1, row.cost_center_item_id2, row.cost_center_item_id3],
            row.debit_amount,
            row.credit_amount,
        )
        for row in voucher.rows
    )
