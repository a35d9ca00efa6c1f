"""A journal snapshot as the Visma voucher it becomes: date, text with marker, rows, cost centers."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

from payjournal.domain.journal import MAX_ROW_TEXT
from payjournal.domain.submission import voucher_text_with_marker
from payjournal.payroll.models import JournalLine, JournalSnapshot
from payjournal.visma import CostCenter, NewVoucher, VoucherRow


class CostCenterNotFoundError(Exception):
    """A journal row names a dimension that is not an active cost center item in Visma."""

    code = "cost_center_not_found"


def _cents(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(Decimal("0.01"))


def _resolve(dimension: str, cost_centers: Iterable[CostCenter]) -> tuple[int, UUID]:
    """The cost center number (1–3) and item id whose short name (or name) is ``dimension``."""
    wanted = dimension.casefold()
    for center in sorted(cost_centers, key=lambda c: c.number):
        if not center.is_active:
            continue
        for item in center.items:
            if item.is_active and wanted in (item.short_name.casefold(), item.name.casefold()):
                return center.number, item.id
    raise CostCenterNotFoundError(
        f"Cost center {dimension!r} is not an active cost center item in Visma. "
        "Add it in Visma (Settings › Cost centers) or change the ledger scheme, then retry."
    )


def build_voucher(
    journal: JournalSnapshot,
    marker: str,
    cost_centers: Iterable[CostCenter] = (),
    lines: Iterable[JournalLine] | None = None,
) -> NewVoucher:
    """The voucher of ``journal``: its date and text (plus ``marker``), one row per line
    (``lines`` when the caller has read them already, else the journal's)."""
    centers = tuple(cost_centers)
    rows = []
    for line in journal.lines.all() if lines is None else lines:
        amount = _cents(line.amount_minor)
        items: dict[str, UUID] = {}
        if line.dimension:
            number, item = _resolve(line.dimension, centers)
            items[f"cost_center_item_id{number}"] = item
        rows.append(
            VoucherRow(
                int(line.account),
                debit_amount=amount if line.side == "debit" else Decimal("0.00"),
                credit_amount=amount if line.side == "credit" else Decimal("0.00"),
                transaction_text=line.text[:MAX_ROW_TEXT] or None,
                **items,  # type: ignore[arg-type]
            )
        )
    return NewVoucher(
        journal.voucher_date, voucher_text_with_marker(journal.voucher_text, marker), tuple(rows)
    )
