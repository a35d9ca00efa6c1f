"""Wire models: each field declared once, read and written as Visma's spec describes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, get_args, get_origin
from uuid import UUID

import pytest

from payjournal.emulator import spec
from payjournal.visma import models, vouchers, wire
from payjournal.visma.wiremodel import WireModel, wire_fields, wire_name

ITEM = "ef20fcec-1eef-5c31-895f-a31deba25e0c"

#: Each model and the schema of the official spec it reads or writes.
SCHEMAS: dict[type[WireModel], str] = {
    models.CompanySettings: "CompanySettingsApi",
    models.FiscalYear: "FiscalYearApi",
    models.Account: "AccountApi",
    models.CostCenter: "CostCenterApi",
    models.CostCenterItem: "CostCenterItemApi",
    models.Project: "ProjectApi",
    models.Attachment: "AttachmentResultApi",
    models.AttachmentLink: "AttachmentLinkApi",
    models.NewAttachment: "AttachmentUploadApi",
    vouchers.VoucherRow: "VoucherRowApi",
    vouchers.NewVoucher: "VoucherApi",
    vouchers.Voucher: "VoucherApi",
    vouchers.VoucherDraft: "VoucherDraftApi",
}

#: The JSON type (and string format) the spec gives a property of each Python type.
JSON_TYPES: dict[Any, tuple[str, str | None]] = {
    str: ("string", None),
    UUID: ("string", "uuid"),
    date: ("string", "date-time"),
    datetime: ("string", "date-time"),
    int: ("integer", None),
    bool: ("boolean", None),
    Decimal: ("number", None),
    bytes: ("string", None),
}


def _schema(name: str) -> dict[str, Any]:
    definitions: dict[str, Any] = spec.load_spec()["definitions"]
    return definitions[name]["properties"]  # type: ignore[no-any-return]


def _json_type(hint: Any) -> tuple[str, str | None]:
    args = [arg for arg in get_args(hint) if arg is not type(None)]
    if get_origin(hint) is not tuple and len(args) == 1:
        hint = args[0]  # X | None
    if get_origin(hint) is tuple:
        return ("array", None)
    return JSON_TYPES[hint]


@pytest.mark.parametrize("model", SCHEMAS, ids=lambda model: model.__name__)
def test_every_field_is_a_property_of_its_spec_schema_with_the_same_type(
    model: type[WireModel],
) -> None:
    properties = _schema(SCHEMAS[model])
    for field in wire_fields(model):
        assert field.key in properties, f"{model.__name__}.{field.attribute}: no {field.key}"
        declared = properties[field.key]
        if "$ref" in declared:  # a nested object: NewVoucher.Attachments
            continue
        kind, form = _json_type(field.type)
        assert declared["type"] == kind, f"{model.__name__}.{field.attribute}"
        if form is not None:
            assert declared.get("format") == form, f"{model.__name__}.{field.attribute}"


@pytest.mark.parametrize(
    "model", [vouchers.VoucherRow, vouchers.NewVoucher, models.NewAttachment, models.AttachmentLink]
)
def test_what_the_client_sends_leaves_out_what_visma_only_reports(
    model: type[WireModel],
) -> None:
    properties = _schema(SCHEMAS[model])
    written = {field.key for field in wire_fields(model) if field.write is not None}
    assert not {key for key in written if properties[key].get("readOnly")}
    assert "AccountDescription" not in {f.key for f in wire_fields(vouchers.VoucherRow) if f.write}


def test_wire_names_are_the_field_names_in_pascal_case() -> None:
    assert wire_name("cost_center_item_id1") == "CostCenterItemId1"
    assert wire_name("number_and_number_series") == "NumberAndNumberSeries"
    assert wire_name("id") == "Id"
    assert [f.key for f in wire_fields(vouchers.NewVoucher)][-1] == "Attachments"  # named by hand


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (models.Account, {"Name": "Löner", "FiscalYearId": ITEM}, "missing field Number"),
        (
            models.Account,
            {"Number": 7010, "Name": "x", "FiscalYearId": ITEM},
            "Number should be a string, got int",
        ),
        (
            models.Account,
            {"Number": None, "Name": "x", "FiscalYearId": ITEM},
            "Number should be a string, got NoneType",
        ),
        (
            models.FiscalYear,
            {"Id": ITEM, "StartDate": "2026-01-01", "EndDate": None},
            "missing field EndDate",
        ),
        (
            models.FiscalYear,
            {"Id": "42", "StartDate": "2026-01-01", "EndDate": "2026-12-31"},
            "Id should be a UUID, got '42'",
        ),
        (
            models.FiscalYear,
            {"Id": ITEM, "StartDate": "1/1/2026", "EndDate": "2026-12-31"},
            "StartDate should be a date, got '1/1/2026'",
        ),
        (
            models.CostCenter,
            {"Id": ITEM, "Name": "x", "Number": True},
            "Number should be an integer, got bool",
        ),
        (
            models.CostCenter,
            {"Id": ITEM, "Name": "x", "Number": 1, "IsActive": 1},
            "IsActive should be a boolean, got int",
        ),
        (
            models.CostCenter,
            {"Id": ITEM, "Name": "x", "Number": 1, "Items": {}},
            "Items should be a list, got dict",
        ),
        (
            models.CostCenter,
            {"Id": ITEM, "Name": "x", "Number": 1, "Items": [5]},
            "an item of Items should be a JSON object, got int",
        ),
        (
            models.CompanySettings,
            {"Name": "x", "ActivatedModules": [1]},
            "ActivatedModules should be a list of strings",
        ),
        (
            models.Attachment,
            {"Id": ITEM, "ImageDate": "yesterday"},
            "ImageDate should be a date-time, got 'yesterday'",
        ),
        (models.AttachmentLink, {"AttachmentIds": "x"}, "AttachmentIds should be a list"),
        (models.AttachmentLink, {"AttachmentIds": ["x"]}, "AttachmentIds should hold UUIDs"),
        (
            vouchers.VoucherRow,
            {"AccountNumber": 7010, "DebitAmount": "1.00"},
            "DebitAmount should be a number, got str",
        ),
        (
            vouchers.VoucherRow,
            {"AccountNumber": 7010, "CreditAmount": False},
            "CreditAmount should be a number, got bool",
        ),
    ],
)
def test_a_wrong_payload_names_the_field_and_what_is_wrong(
    model: type[WireModel], data: dict[str, Any], message: str
) -> None:
    with pytest.raises(wire.WireFormatError, match=f"^{message}$"):
        model.from_wire(data)


def test_optional_fields_read_absent_and_null_as_empty() -> None:
    item = models.CostCenterItem.from_wire(
        {"Id": ITEM, "CostCenterId": ITEM, "Name": "Produktion", "ShortName": None}
    )
    assert (item.short_name, item.is_active) == ("", False)
    draft = vouchers.VoucherDraft.from_wire({"Id": ITEM, "VoucherDate": "2026-01-31T00:00:00"})
    assert (draft.voucher_text, draft.rows) == ("", ())
    assert models.AttachmentLink.from_wire({}).document_type == 0


def test_a_row_goes_out_and_comes_back_the_same_but_for_what_visma_adds() -> None:
    row = vouchers.VoucherRow(
        7010,
        debit_amount=Decimal("12.5"),
        transaction_text="Löner",
        cost_center_item_id2=UUID(ITEM),
        account_description="Salaries",
    )
    sent = wire.loads(wire.dumps(row.to_wire()))
    assert "AccountDescription" not in sent and "CostCenterItemId1" not in sent
    assert vouchers.VoucherRow.from_wire(sent | {"AccountDescription": "Salaries"}) == row


def test_a_field_of_a_type_with_no_reader_fails_by_name() -> None:
    @dataclass(frozen=True, slots=True)
    class Odd(WireModel):
        amount: float

    with pytest.raises(TypeError, match=r"Odd\.amount has no wire reader"):
        Odd.from_wire({"Amount": 1})
    with pytest.raises(TypeError, match=r"NewAttachment\.data has no wire reader"):
        models.NewAttachment.from_wire({"FileName": "a.pdf", "ContentType": "application/pdf"})
