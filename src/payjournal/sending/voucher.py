"""A journal as the Visma voucher it becomes: date, text with the send marker, one voucher row
per journal row, dimensions as cost center items — the one place a voucher is built."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

from payjournal.domain.journal import MAX_ROW_TEXT, Journal, Side
from payjournal.domain.submission import voucher_text_with_marker
from payjournal.preflight.cost_centers import CostCenterItems
from payjournal.visma import CostCenter, NewVoucher, VoucherRow


class CostCenterNotFoundError(Exception):
    """A journal row names a dimension that is not an active cost center item in Visma."""

    code = "cost_center_not_found"


def _resolve(dimension: str, items: CostCenterItems) -> tuple[int, UUID]:
    """The cost center number (1–3) and item id that ``dimension`` names."""
    found = items.find(dimension)
    if found is not None:
        return found
    raise CostCenterNotFoundError(
        f"Cost center {dimension!r} is not an active cost center item in Visma. "
        "Add it in Visma (Settings › Cost centers) or change the ledger scheme, then retry."
    )


def build_voucher(
    journal: Journal, marker: str, cost_centers: CostCenterItems | Iterable[CostCenter] = ()
) -> NewVoucher:
    """The voucher of ``journal`` (a run's, or a booking leg's: see
    :func:`payjournal.sending.legs.leg_journal`): its date, its text plus ``marker``, one
    voucher row per row, each dimension resolved to an item of ``cost_centers`` (the
    company's cost centers, or the index of their items the day's cache keeps)."""
    centers = (
        cost_centers if isinstance(cost_centers, CostCenterItems) else CostCenterItems(cost_centers)
    )
    voucher_rows = []
    for row in journal.rows:
        amount: Decimal = row.amount.amount
        zero = Decimal(0).quantize(amount)
        items: dict[str, UUID] = {}
        if row.dimension:
            number, item = _resolve(row.dimension, centers)
            items[f"cost_center_item_id{number}"] = item
        voucher_rows.append(
            VoucherRow(
                int(row.account),
                debit_amount=amount if row.side is Side.DEBIT else zero,
                credit_amount=amount if row.side is Side.CREDIT else zero,
                transaction_text=row.text[:MAX_ROW_TEXT] or None,
                **items,  # type: ignore[arg-type]
            )
        )
    text = voucher_text_with_marker(journal.voucher_text, marker)
    return NewVoucher(journal.voucher_date, text, tuple(voucher_rows))
