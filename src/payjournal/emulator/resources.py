"""API shapes: records rendered as Visma's PascalCase JSON objects (``…Api`` definitions)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from payjournal.emulator.jsonio import format_date, format_utc
from payjournal.emulator.model import (
    Account,
    Attachment,
    CostCenter,
    CostCenterItem,
    FiscalYear,
    Project,
    Voucher,
    VoucherDraft,
    VoucherRow,
)

ApiObject = dict[str, Any]
CENT = Decimal("0.01")


def _utc(value: datetime | None) -> str | None:
    return format_utc(value) if value else None


def fiscal_year(fy: FiscalYear) -> ApiObject:
    """``FiscalYearApi``."""
    return {
        "Id": str(fy.id),
        "StartDate": format_date(fy.start),
        "EndDate": format_date(fy.end),
        "IsLockedForAccounting": fy.locked,
        "BookkeepingMethod": fy.bookkeeping_method,
    }


def account(acc: Account, fy: FiscalYear) -> ApiObject:
    """``AccountApi`` (``Number`` is a string here, unlike ``VoucherRowApi.AccountNumber``)."""
    return {
        "Name": acc.name,
        "Number": str(acc.number),
        "VatCodeId": str(acc.vat_code_id) if acc.vat_code_id else None,
        "VatCodeDescription": None,
        "FiscalYearId": str(fy.id),
        "ReferenceCode": acc.reference_code,
        "Type": acc.type,
        "TypeDescription": acc.type_description,
        "ModifiedUtc": _utc(acc.modified_utc),
        "IsActive": acc.is_active,
        "IsProjectAllowed": acc.project_allowed,
        "IsCostCenterAllowed": acc.cost_center_allowed,
        "IsBlockedForManualBooking": acc.blocked_for_manual_booking,
    }


def cost_center_item(item: CostCenterItem) -> ApiObject:
    """``CostCenterItemApi``."""
    return {
        "CostCenterId": str(item.cost_center_id),
        "Id": str(item.id),
        "Name": item.name,
        "ShortName": item.short_name,
        "IsActive": item.is_active,
        "CreatedUtc": _utc(item.created_utc),
    }


def cost_center(center: CostCenter) -> ApiObject:
    """``CostCenterApi`` with its items nested (there is no item list endpoint)."""
    return {
        "Name": center.name,
        "Number": center.number,
        "IsActive": center.is_active,
        "Items": [cost_center_item(item) for item in center.items],
        "Id": str(center.id),
    }


def project(proj: Project) -> ApiObject:
    """``ProjectApi``."""
    return {
        "Id": str(proj.id),
        "Number": proj.number,
        "Name": proj.name,
        "StartDate": format_date(proj.start_date),
        "EndDate": format_date(proj.end_date) if proj.end_date else None,
        "CustomerId": None,
        "CustomerName": None,
        "Notes": proj.notes,
        "Status": proj.status,
        "ModifiedUtc": _utc(proj.modified_utc),
    }


def _amount(value: Decimal | None) -> Decimal | None:
    return value.quantize(CENT) if value is not None else None


def _row_common(row: VoucherRow) -> ApiObject:
    ids = row.cost_center_item_ids
    return {
        "AccountNumber": row.account_number,
        "DebitAmount": _amount(row.debit),
        "CreditAmount": _amount(row.credit),
        "TransactionText": row.transaction_text,
        "CostCenterItemId1": str(ids[0]) if ids[0] else None,
        "CostCenterItemId2": str(ids[1]) if ids[1] else None,
        "CostCenterItemId3": str(ids[2]) if ids[2] else None,
        "VatCodeId": str(row.vat_code_id) if row.vat_code_id else None,
        "ProjectId": str(row.project_id) if row.project_id else None,
        "Quantity": row.quantity,
        "Weight": row.weight,
        "DeliveryDate": format_date(row.delivery_date) if row.delivery_date else None,
        "HarvestYear": row.harvest_year,
    }


def voucher_row(row: VoucherRow) -> ApiObject:
    """``VoucherRowApi``."""
    body = _row_common(row)
    body["AccountDescription"] = row.account_description
    body["VatCodeAndPercent"] = row.vat_code_and_percent
    return body


def voucher(v: Voucher) -> ApiObject:
    """``VoucherApi``."""
    return {
        "Id": str(v.id),
        "VoucherDate": format_date(v.voucher_date),
        "VoucherText": v.text,
        "Rows": [voucher_row(row) for row in v.rows],
        "NumberAndNumberSeries": v.number_and_series,
        "NumberSeries": v.series,
        "Attachments": (
            {
                "DocumentId": str(v.id),
                "DocumentType": 3,
                "AttachmentIds": [str(a) for a in v.attachment_ids],
            }
            if v.attachment_ids
            else None
        ),
        "ModifiedUtc": _utc(v.created_utc),
        "VoucherType": v.voucher_type,
        "SourceId": str(v.source_id) if v.source_id else None,
        "CreatedUtc": _utc(v.created_utc),
    }


def voucher_draft(d: VoucherDraft) -> ApiObject:
    """``VoucherDraftApi``."""
    return {
        "Id": str(d.id),
        "VoucherDate": format_date(d.voucher_date),
        "VoucherText": d.text,
        "NumberSeries": d.series,
        "CreatedUtc": _utc(d.created_utc),
        "ModifiedUtc": _utc(d.modified_utc),
        "Rows": [_row_common(row) for row in d.rows],
    }


def attachment(a: Attachment, temporary_url: str | None) -> ApiObject:
    """``AttachmentResultApi``."""
    return {
        "Id": str(a.id),
        "ContentType": a.content_type,
        "DocumentId": str(a.document_id) if a.document_id else None,
        "AttachedDocumentType": a.document_type,
        "FileName": a.file_name,
        "TemporaryUrl": temporary_url,
        "Comment": a.comment,
        "SupplierName": None,
        "AmountInvoiceCurrency": None,
        "Type": 2,
        "AttachmentStatus": 0 if a.document_id else 1,
        "UploadedBy": a.uploaded_by,
        "ImageDate": _utc(a.image_date),
    }
