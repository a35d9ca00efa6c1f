"""Typed, immutable views of the Visma resources a payroll journal reads and writes
(company settings, fiscal years, accounts, cost centers, projects, attachments).

Vouchers and voucher drafts live in :mod:`payjournal.visma.vouchers`. Each model declares its
fields once; ``from_wire`` reads the PascalCase JSON of the v2 API and ``to_wire`` writes it,
both derived from the fields (:class:`~payjournal.visma.wiremodel.WireModel`). Account numbers
keep the spec's types: ``Account.number`` is a string, voucher rows use int.
"""

from __future__ import annotations

import base64
import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from payjournal.visma.wiremodel import WireModel, wired

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
class CompanySettings(WireModel):
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


@dataclass(frozen=True, slots=True)
class FiscalYear(WireModel):
    id: UUID
    start_date: date
    end_date: date
    is_locked_for_accounting: bool = False
    bookkeeping_method: int | None = None

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


@dataclass(frozen=True, slots=True)
class Account(WireModel):
    """An account of one fiscal year's chart of accounts (``AccountApi``)."""

    number: str
    name: str
    fiscal_year_id: UUID
    is_active: bool
    is_project_allowed: bool = False
    is_cost_center_allowed: bool = False
    is_blocked_for_manual_booking: bool = False
    vat_code_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class CostCenterItem(WireModel):
    id: UUID
    cost_center_id: UUID
    name: str
    short_name: str = field(metadata=wired(optional=True))
    is_active: bool


@dataclass(frozen=True, slots=True)
class CostCenter(WireModel):
    """A cost-center dimension (``Number`` 1–3) with its items nested, as Visma lists them."""

    id: UUID
    name: str
    number: int
    is_active: bool
    items: tuple[CostCenterItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Project(WireModel):
    id: UUID
    number: str
    name: str
    start_date: date | None
    end_date: date | None = None
    status: int | None = None
    customer_id: UUID | None = None


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


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True, slots=True)
class NewAttachment(WireModel):
    """An upload (``AttachmentUploadApi``): the file bytes are sent base64-encoded."""

    file_name: str
    content_type: str
    data: bytes = field(metadata=wired(write=_base64))

    def __post_init__(self) -> None:
        if self.content_type not in _CONTENT_TYPES:
            raise ValueError(f"content type must be one of {sorted(_CONTENT_TYPES)}")


@dataclass(frozen=True, slots=True)
class Attachment(WireModel):
    """An uploaded attachment (``AttachmentResultApi``)."""

    id: UUID
    file_name: str | None
    content_type: str | None
    document_id: UUID | None = None
    attached_document_type: int | None = None
    attachment_status: int | None = None
    temporary_url: str | None = None
    image_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class AttachmentLink(WireModel):
    """Links uploaded attachments to a document, e.g. a voucher (``AttachmentLinkApi``)."""

    document_id: UUID | None
    attachment_ids: tuple[UUID, ...]
    document_type: int = field(default=DocumentType.VOUCHER, metadata=wired(optional=True))
