"""A salary voucher as payjournal posts one, for the client's and the catalog's tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payjournal.emulator import stable_id
from payjournal.visma import NewVoucher, VoucherRow

#: Nordisk's cost-center item PROD, as the emulator's seed names it.
PROD = stable_id("se-nordisk", "costcenteritem", "PROD")


def salary_voucher(
    marker: str, day: date = date(2026, 11, 25), amount: str = "50000.00"
) -> NewVoucher:
    gross = Decimal(amount)
    tax = (gross * Decimal("0.3")).quantize(Decimal("0.01"))
    return NewVoucher(
        day,
        f"Payroll November [{marker}]",
        (
            VoucherRow(
                7010, debit_amount=gross, transaction_text="Löner", cost_center_item_id1=PROD
            ),
            VoucherRow(2710, credit_amount=tax, transaction_text="Personalskatt"),
            VoucherRow(1930, credit_amount=gross - tax, transaction_text="Nettolön"),
        ),
    )
