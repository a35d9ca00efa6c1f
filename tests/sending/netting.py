"""Invariant 7 as a test helper: what the emulator's books hold of a run id, per account and
cost center, against the journal of the version that should be booked (or nothing).

Every leg of a run id carries its own marker, so the run id's vouchers are the emulator's
vouchers whose text holds one of those markers; each marker may occur at most once.

* :func:`assert_books_hold_the_latest` — once the sends settled: the latest version, or nothing;
* :func:`assert_one_version_booked` — at any moment, a leg on its way or not: exactly the one
  version the legs say is booked (never two postings, never a voucher no leg accounts for).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from uuid import UUID

from payjournal.domain.booking import NOTHING, SettledLeg, booked_version
from payjournal.domain.submission import find_marker
from payjournal.emulator import Emulator
from payjournal.emulator.model import Voucher
from payjournal.payroll.journals import load_journal
from payjournal.payroll.models import JournalSnapshot, PayrollCompany, PayrollRun
from payjournal.sending import connection
from payjournal.sending.booking import run_state
from payjournal.sending.models import Submission
from payjournal.sending.voucher import build_voucher
from payjournal.visma import CostCenter

Key = tuple[int, tuple[UUID | None, ...]]


def vouchers_of_run(emu: Emulator, company: PayrollCompany, run_key: str) -> list[Voucher]:
    """The emulator's vouchers posted for ``run_key``; fails when a marker occurs twice."""
    markers = set(
        Submission.objects.filter(company=company, run_key=run_key).values_list("marker", flat=True)
    )
    books = emu.state.company(company.visma_company_id or company.key)
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
    return vouchers_net(vouchers_of_run(emu, company, run_key))


def vouchers_net(vouchers: Iterable[Voucher]) -> dict[Key, Decimal]:
    """Debit − credit per account + cost center items over ``vouchers``."""
    return _net(
        (row.account_number, row.cost_center_item_ids, row.debit, row.credit)
        for voucher in vouchers
        for row in voucher.rows
    )


def journal_net(
    company: PayrollCompany,
    journal: JournalSnapshot,
    centers: Sequence[CostCenter] | None = None,
) -> dict[Key, Decimal]:
    """Debit − credit per account + cost center items of ``journal`` as Visma would book it.

    ``centers`` are the Visma company's cost centers (read from Visma when not given).
    """
    loaded = load_journal(journal)
    if centers is None:
        wanted = any(r.dimension for r in loaded.rows)
        centers = tuple(connection.client_for(company).list_cost_centers()) if wanted else ()
    voucher = build_voucher(loaded, "[pj:0000000000000000]", centers)
    return _net(
        (
            row.account_number,
            [row.cost_center_item_id1, row.cost_center_item_id2, row.cost_center_item_id3],
            row.debit_amount,
            row.credit_amount,
        )
        for row in voucher.rows
    )


def version_net(
    company: PayrollCompany,
    run_key: str,
    version: int,
    centers: Sequence[CostCenter] | None = None,
) -> dict[Key, Decimal]:
    """What the books hold of ``run_key`` when ``version`` is booked (:data:`NOTHING`: none)."""
    if version == NOTHING:
        return {}
    run = PayrollRun.objects.select_related("journal").get(
        company=company, run_id=run_key, version=version
    )
    return journal_net(company, run.journal, centers)


def expected_net(
    company: PayrollCompany, run_key: str, centers: Sequence[CostCenter] | None = None
) -> dict[Key, Decimal]:
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
    return journal_net(company, latest.journal, centers)


def assert_books_hold_the_latest(
    emu: Emulator,
    company: PayrollCompany,
    run_key: str,
    centers: Sequence[CostCenter] | None = None,
) -> None:
    """Invariant 7 once the sends settled: no leg open, the books hold the latest version."""
    state = run_state(company, run_key)
    assert state.is_settled, f"{run_key}: v{state.booked} booked, v{state.target} wanted"
    assert books_net(emu, company, run_key) == expected_net(company, run_key, centers)


def assert_one_version_booked(
    emu: Emulator,
    company: PayrollCompany,
    run_key: str,
    centers: Sequence[CostCenter] | None = None,
) -> int:
    """Invariant 7 at any moment, even with a leg on its way: the run id's vouchers net to
    exactly one version (or nothing) — the one its sent legs say, plus the leg in flight when
    Visma holds its voucher; at most one sent leg per (version, kind), one open leg; no
    voucher posted twice (:func:`vouchers_of_run`), none that no leg accounts for, none of a
    leg that is certainly not posted (queued, superseded, refused with a known outcome).
    Returns how many vouchers the run id has."""
    state = run_state(company, run_key)
    vouchers = vouchers_of_run(emu, company, run_key)
    by_marker = {find_marker(v.text): v for v in vouchers}
    sent = Counter((leg.journal_id, leg.kind) for leg in state.legs if leg.state == "sent")
    assert all(n == 1 for n in sent.values()), f"{run_key}: two sent legs of one kind"
    open_legs = [leg for leg in state.legs if leg.state_enum.is_open]
    assert len(open_legs) <= 1, f"{run_key}: two legs on their way"
    accounted: set[str] = set()
    held: list[SettledLeg] = []
    for leg in state.legs:
        if leg.state != "sent":
            continue
        held.append(SettledLeg(leg.kind_enum, state.version_of(leg)))
        if leg.voucher_id:
            voucher = by_marker.get(leg.marker)
            assert voucher is not None, f"{run_key}: sent {leg.kind} leg with no voucher"
            assert str(voucher.id) == leg.voucher_id, f"{run_key}: another voucher {leg.marker}"
            accounted.add(leg.marker)
    for leg in open_legs:
        if leg.marker in by_marker and leg.marker not in accounted:
            unknown = leg.state in ("sending", "reconciling") or leg.needs_reconcile
            assert unknown, f"{run_key}: a {leg.state} {leg.kind} leg whose voucher is in Visma"
            held.append(SettledLeg(leg.kind_enum, state.version_of(leg)))
            accounted.add(leg.marker)
    assert set(by_marker) == accounted, f"{run_key}: vouchers no leg accounts for"
    version = booked_version(held)  # a reversal of what is not booked raises
    assert vouchers_net(vouchers) == version_net(company, run_key, version, centers), (
        f"{run_key}: the books do not net to v{version}"
    )
    return len(vouchers)
