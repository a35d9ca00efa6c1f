"""What the books hold after the month-end benchmark: the legs by outcome, and the emulator's
vouchers checked against invariants 3 and 7, read through its control API after the window.

* *posted*: the sent legs that have a voucher, by kind (full, reversal, difference); a leg sent
  with no voucher ("no change to book") and a superseded leg are counted apart;
* *duplicates*: the copies of a marker beyond the first in a company's vouchers (a leg posted
  twice); *stray*: vouchers with no marker of any leg of the company;
* *netting*: run ids whose vouchers (those with a marker of one of its legs) net, per account
  and cost center items, to the voucher of its latest version — or to nothing when withdrawn
  (the same check as ``tests/sending/netting.py``, over HTTP instead of in-process).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from django.db.models import QuerySet

from payjournal.domain.submission import SubmissionState, find_marker
from payjournal.payroll.journals import load_journal
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending.models import Submission
from payjournal.sending.voucher import build_voucher
from payjournal.visma import CostCenter
from payjournal.visma.vouchers import VoucherRow

__all__ = ["BooksFigures", "Ledger", "check_books"]

#: A row's place in the books: account and the three cost center items.
Key = tuple[int, UUID | None, UUID | None, UUID | None]
#: Any marker will do for the expected voucher: only its rows are netted.
_ANY_MARKER = "[pj:0000000000000000]"


class Ledger(Protocol):
    """The emulator's control API, as far as this check reads it."""

    def vouchers(self, company_key: str) -> list[dict[str, Any]]: ...

    def cost_centers(self, company_key: str) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class BooksFigures:
    """The legs by outcome and the emulator's books against the payroll."""

    run_ids: int
    netting: int
    vouchers: int
    duplicates: int
    stray: int
    posted: dict[str, int]  # leg kind → sent legs with a voucher
    posted_later_versions: int  # of the full ones, those of a version after the first
    superseded: int
    no_change: int
    not_netting: list[str] = field(default_factory=list)  # the first few, "company run"

    @property
    def posted_total(self) -> int:
        return sum(self.posted.values())


def _net(rows: Iterable[VoucherRow]) -> dict[Key, Decimal]:
    net: dict[Key, Decimal] = {}
    for row in rows:
        key = (
            row.account_number,
            row.cost_center_item_id1,
            row.cost_center_item_id2,
            row.cost_center_item_id3,
        )
        net[key] = net.get(key, Decimal(0)) + row.debit_amount - row.credit_amount
    return {key: amount for key, amount in net.items() if amount}


def _expected(latest: PayrollRun, centers: Sequence[CostCenter]) -> dict[Key, Decimal]:
    if latest.withdrawn_at is not None:
        return {}
    voucher = build_voucher(load_journal(latest.journal), _ANY_MARKER, centers)
    return _net(voucher.rows)


def check_books(ledger: Ledger, companies: Sequence[PayrollCompany]) -> BooksFigures:
    """Read every company's vouchers and cost centers from the emulator and check them."""
    legs = Submission.objects.filter(company__in=companies)
    markers: dict[int, dict[str, set[str]]] = {}
    for company_id, run_key, marker in legs.values_list("company_id", "run_key", "marker"):
        markers.setdefault(company_id, {}).setdefault(run_key, set()).add(marker)
    latest: dict[int, dict[str, PayrollRun]] = {}
    runs = PayrollRun.objects.filter(company__in=companies).select_related("journal", "company")
    for run in runs.order_by("company_id", "run_id", "-version"):
        latest.setdefault(run.company_id, {}).setdefault(run.run_id, run)
    vouchers = duplicates = stray = netting = 0
    not_netting: list[str] = []
    for company in companies:
        found = ledger.vouchers(company.key)
        centers = [CostCenter.from_wire(c) for c in ledger.cost_centers(company.key)]
        runs_markers = markers.get(company.pk, {})
        vouchers += len(found)
        by_marker = Counter(find_marker(v.get("VoucherText")) for v in found)
        duplicates += sum(n - 1 for m, n in by_marker.items() if m is not None)
        mine = {m for ms in runs_markers.values() for m in ms}
        stray += sum(n for m, n in by_marker.items() if m not in mine)
        for run_key, run in latest.get(company.pk, {}).items():
            wanted = runs_markers.get(run_key, set())
            rows = (
                VoucherRow.from_wire(row)
                for v in found
                if find_marker(v.get("VoucherText")) in wanted
                for row in v["Rows"]
            )
            if _net(rows) == _expected(run, centers):
                netting += 1
            elif len(not_netting) < 5:
                not_netting.append(f"{company.key} {run_key}")
    return BooksFigures(
        run_ids=sum(len(by_run) for by_run in latest.values()),
        netting=netting,
        vouchers=vouchers,
        duplicates=duplicates,
        stray=stray,
        posted=_posted_by_kind(companies),
        posted_later_versions=_sent(companies)
        .filter(kind="full", journal__run__version__gt=1)
        .count(),
        superseded=legs.filter(state=SubmissionState.SUPERSEDED).count(),
        no_change=legs.filter(state=SubmissionState.SENT, voucher_id="").count(),
        not_netting=not_netting,
    )


def _sent(companies: Sequence[PayrollCompany]) -> QuerySet[Submission]:
    """The company's legs that were sent with a voucher."""
    return Submission.objects.filter(company__in=companies, state=SubmissionState.SENT).exclude(
        voucher_id=""
    )


def _posted_by_kind(companies: Sequence[PayrollCompany]) -> dict[str, int]:
    counts = Counter(_sent(companies).values_list("kind", flat=True))
    return {kind: counts.get(kind, 0) for kind in ("full", "reversal", "difference")}
