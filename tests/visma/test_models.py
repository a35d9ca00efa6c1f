"""Models: built from Visma's JSON, refusing what would be wrong on the wire."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from payjournal.visma import (
    AttachmentLink,
    CostCenter,
    DocumentType,
    NewAttachment,
    NewVoucher,
    Voucher,
    VoucherRow,
    wire,
)

ITEM = "ef20fcec-1eef-5c31-895f-a31deba25e0c"


def test_a_row_refuses_a_float_a_third_decimal_and_a_string_account_number() -> None:
    with pytest.raises(ValueError, match="Decimal"):
        VoucherRow(7010, debit_amount=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="decimals"):
        VoucherRow(7010, debit_amount=Decimal("0.001"))
    with pytest.raises(TypeError, match="int"):
        VoucherRow("7010")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 1"):
        VoucherRow(0)


def test_a_voucher_needs_rows_and_keeps_them_as_a_tuple() -> None:
    with pytest.raises(ValueError, match="at least one row"):
        NewVoucher(date(2026, 1, 31), "x", ())
    voucher = NewVoucher(date(2026, 1, 31), "x", [VoucherRow(1930)])  # type: ignore[arg-type]
    assert isinstance(voucher.rows, tuple)


def test_voucher_from_visma_json() -> None:
    voucher = Voucher.from_wire(
        {
            "Id": "97740352-984b-4d47-878c-38ec5a14ba07",
            "VoucherDate": "2026-01-31T00:00:00",
            "VoucherText": "Payroll [pj:42]",
            "NumberAndNumberSeries": "A37",
            "NumberSeries": "A",
            "VoucherType": 2,
            "Rows": [
                {
                    "AccountNumber": 7010,
                    "DebitAmount": Decimal("100.1"),
                    "CreditAmount": 0,
                    "CostCenterItemId1": ITEM,
                    "AccountDescription": "Löner",
                },
                {
                    "AccountNumber": 1930,
                    "DebitAmount": 0,
                    "CreditAmount": Decimal("100.10"),
                    "CostCenterItemId1": None,
                },
            ],
            "CreatedUtc": "2026-01-31T09:00:00.000Z",
        }
    )
    assert voucher.voucher_date == date(2026, 1, 31)
    assert voucher.number_and_number_series == "A37"
    assert voucher.rows[0].debit_amount == Decimal("100.10")
    assert voucher.rows[0].cost_center_item_id1 == UUID(ITEM)
    assert voucher.has_marker("[pj:42]") and not voucher.has_marker("[pj:43]")
    assert voucher.debit_total == voucher.credit_total == Decimal("100.10")


def test_cost_centers_nest_their_items() -> None:
    center = CostCenter.from_wire(
        {
            "Id": "66f68336-44f9-5dac-a9fc-3252326f393a",
            "Name": "Avdelning",
            "Number": 1,
            "IsActive": True,
            "Items": [
                {
                    "Id": ITEM,
                    "CostCenterId": "66f68336-44f9-5dac-a9fc-3252326f393a",
                    "Name": "Produktion",
                    "ShortName": "PROD",
                    "IsActive": True,
                }
            ],
        }
    )
    assert [item.short_name for item in center.items] == ["PROD"]


def test_attachments_are_base64_and_of_an_allowed_type() -> None:
    upload = NewAttachment("journal.pdf", "application/pdf", b"%PDF-1.4")
    assert upload.to_wire()["Data"] == "JVBERi0xLjQ="
    with pytest.raises(ValueError, match="content type"):
        NewAttachment("journal.txt", "text/plain", b"x")
    link = AttachmentLink(UUID(ITEM), (UUID(ITEM),), DocumentType.VOUCHER)
    assert json.loads(wire.dumps(link.to_wire())) == {
        "DocumentId": ITEM,
        "DocumentType": 3,
        "AttachmentIds": [ITEM],
    }
