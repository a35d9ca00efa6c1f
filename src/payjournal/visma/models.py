"""Typed, immutable views of the Visma resources a payroll journal reads and writes
(company settings, fiscal years, accounts, cost centers, projects, attachments).

Vouchers and voucher drafts live in :mod:`payjournal.visma.vouchers`. Field names follow
Python style; ``from_wire`` reads the PascalCase JSON of the v2 API, ``to_wire`` writes it.
Account numbers keep the spec's types: ``Account.number`` is a string, voucher rows use int.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from payjournal.visma import wire

__all__ = [
    "Account",
    "Attachment",
    "AttachmentLink",
    "CompanySettings",
    "CostCenter",
    "CostCenterItem",
    "DocumentType",
    "FiscalYear",
    "NewAttachment",
    "Project",
]


@dataclass(frozen=True, slots=True)
class CompanySettings:
    """The subset of ``CompanySettingsApi`` used to check "is this the right company"."""

    name: str
    country_code: str | None
    currency_code: str | None
    corporate_identity_number: str | None
    company_identifier: str | None
    vat_code: str | None
    accounting_locked_to: date | None
    product_variant: int | None
    company_status: int | None
    activated_modules: tuple[str, ...]

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> CompanySettings:
        return cls(
            name=wire.req_str(data, "Name"),
            country_code=wire.opt_str(data, "CountryCode"),
            currency_code=wire.opt_str(data, "CurrencyCode"),
            corporate_identity_number=wire.opt_str(data, "CorporateIdentityNumber"),
            company_identifier=wire.opt_str(data, "CompanyIdentifier"),
            vat_code=wire.opt_str(data, "VatCode"),
            accounting_locked_to=wire.opt_date(data, "AccountingLockedTo"),
            product_variant=wire.opt_int(data, "ProductVariant"),
            company_status=wire.opt_int(data, "CompanyStatus"),
            activated_modules=wire.str_list(data, "ActivatedModules"),
        )


@dataclass(frozen=True, slots=True)
class FiscalYear:
    id: UUID
    start_date: date
    end_date: date
    is_locked_for_accounting: bool = False
    bookkeeping_method: int | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> FiscalYear:
        return cls(
            id=wire.req_uuid(data, "Id"),
            start_date=wire.req_date(data, "StartDate"),
            end_date=wire.req_date(data, "EndDate"),
            is_locked_for_accounting=wire.opt_bool(data, "IsLockedForAccounting"),
            bookkeeping_method=wire.opt_int(data, "BookkeepingMethod"),
        )

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


@dataclass(frozen=True, slots=True)
class Account:
    """An account of one fiscal year's chart of accounts (``AccountApi``)."""

    number: str
    name: str
    fiscal_year_id: UUID
    is_active: bool
    is_project_allowed: bool = False
    is_cost_center_allowed: bool = False
    is_blocked_for_manual_booking: bool = False
    vat_code_id: UUID | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Account:
        return cls(
            number=wire.req_str(data, "Number"),
            name=wire.req_str(data, "Name"),
            fiscal_year_id=wire.req_uuid(data, "FiscalYearId"),
            is_active=wire.opt_bool(data, "IsActive"),
            is_project_allowed=wire.opt_bool(data, "IsProjectAllowed"),
            is_cost_center_allowed=wire.opt_bool(data, "IsCostCenterAllowed"),
            is_blocked_for_manual_booking=wire.opt_bool(data, "IsBlockedForManualBooking"),
            vat_code_id=wire.opt_uuid(data, "VatCodeId"),
        )


@dataclass(frozen=True, slots=True)
class CostCenterItem:
    id: UUID
    cost_center_id: UUID
    name: str
    short_name: str
    is_active: bool

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> CostCenterItem:
        return cls(
            id=wire.req_uuid(data, "Id"),
            cost_center_id=wire.req_uuid(data, "CostCenterId"),
            name=wire.req_str(data, "Name"),
            short_name=wire.opt_str(data, "ShortName") or "",
            is_active=wire.opt_bool(data, "IsActive"),
        )


@dataclass(frozen=True, slots=True)
class CostCenter:
    """A cost-center dimension (``Number`` 1–3) with its items nested, as Visma lists them."""

    id: UUID
    name: str
    number: int
    is_active: bool
    items: tuple[CostCenterItem, ...] = ()

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> CostCenter:
        return cls(
            id=wire.req_uuid(data, "Id"),
            name=wire.req_str(data, "Name"),
            number=wire.req_int(data, "Number"),
            is_active=wire.opt_bool(data, "IsActive"),
            items=tuple(CostCenterItem.from_wire(item) for item in wire.obj_list(data, "Items")),
        )


@dataclass(frozen=True, slots=True)
class Project:
    id: UUID
    number: str
    name: str
    start_date: date | None
    end_date: date | None = None
    status: int | None = None
    customer_id: UUID | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Project:
        return cls(
            id=wire.req_uuid(data, "Id"),
            number=wire.req_str(data, "Number"),
            name=wire.req_str(data, "Name"),
            start_date=wire.opt_date(data, "StartDate"),
            end_date=wire.opt_date(data, "EndDate"),
            status=wire.opt_int(data, "Status"),
            customer_id=wire.opt_uuid(data, "CustomerId"),
        )


class DocumentType(enum.IntEnum):
    """``AttachedDocumentType`` / ``AttachmentLinkApi.DocumentType`` values."""

    NONE = 0
    SUPPLIER_INVOICE = 1
    RECEIPT = 2
    VOUCHER = 3
    SUPPLIER_INVOICE_DRAFT = 4
    ALLOCATION_PERIOD = 5
    TRANSFER = 6


_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/tiff", "application/pdf"})


@dataclass(frozen=True, slots=True)
class NewAttachment:
    """An upload (``AttachmentUploadApi``): the file bytes are sent base64-encoded."""

    file_name: str
    content_type: str
    data: bytes

    def __post_init__(self) -> None:
        if self.content_type not in _CONTENT_TYPES:
            raise ValueError(f"content type must be one of {sorted(_CONTENT_TYPES)}")

    def to_wire(self) -> dict[str, Any]:
        return {
            "FileName": self.file_name,
            "ContentType": self.content_type,
            "Data": base64.b64encode(self.data).decode("ascii"),
        }


@dataclass(frozen=True, slots=True)
class Attachment:
    """An uploaded attachment (``AttachmentResultApi``)."""

    id: UUID
    file_name: str | None
    content_type: str | None
    document_id: UUID | None = None
    attached_document_type: int | None = None
    attachment_status: int | None = None
    temporary_url: str | None = None
    image_date: datetime | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Attachment:
        return cls(
            id=wire.req_uuid(data, "Id"),
            file_name=wire.opt_str(data, "FileName"),
            content_type=wire.opt_str(data, "ContentType"),
            document_id=wire.opt_uuid(data, "DocumentId"),
            attached_document_type=wire.opt_int(data, "AttachedDocumentType"),
            attachment_status=wire.opt_int(data, "AttachmentStatus"),
            temporary_url=wire.opt_str(data, "TemporaryUrl"),
            image_date=wire.opt_datetime(data, "ImageDate"),
        )


@dataclass(frozen=True, slots=True)
class AttachmentLink:
    """Links uploaded attachments to a document, e.g. a voucher (``AttachmentLinkApi``)."""

    document_id: UUID | None
    attachment_ids: tuple[UUID, ...]
    document_type: int = DocumentType.VOUCHER

    def to_wire(self) -> dict[str, Any]:
        return wire.without_none(
            {
                "DocumentId": self.document_id,
                "DocumentType": int(self.document_type),
                "AttachmentIds": [str(item) for item in self.attachment_ids],
            }
        )

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> AttachmentLink:
        raw_ids = data.get("AttachmentIds") or []
        if not isinstance(raw_ids, list):
            raise wire.WireFormatError("AttachmentIds should be a list")
        try:
            ids = tuple(UUID(str(item)) for item in raw_ids)
        except ValueError:
            raise wire.WireFormatError("AttachmentIds should hold UUIDs") from None
        return cls(
            document_id=wire.opt_uuid(data, "DocumentId"),
            attachment_ids=ids,
            document_type=wire.opt_int(data, "DocumentType") or 0,
        )
