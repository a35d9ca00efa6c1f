"""Vouchers (manual journal entries) and voucher drafts: rows, create payloads, results.

Amounts are ``Decimal`` with at most two decimals; a row refuses anything else when it is
built, so nothing is rounded silently on the way to Visma. ``AccountNumber`` is an integer
on voucher rows (the chart of accounts types it as a string; see ``Account.number``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from payjournal.visma import wire
from payjournal.visma.models import AttachmentLink, DocumentType

__all__ = ["NewVoucher", "Voucher", "VoucherDraft", "VoucherRow"]

_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class VoucherRow:
    """One debit or credit line (``VoucherRowApi``). ``account_description`` is read-only."""

    account_number: int
    debit_amount: Decimal = _ZERO
    credit_amount: Decimal = _ZERO
    transaction_text: str | None = None
    cost_center_item_id1: UUID | None = None
    cost_center_item_id2: UUID | None = None
    cost_center_item_id3: UUID | None = None
    project_id: UUID | None = None
    vat_code_id: UUID | None = None
    account_description: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.account_number, bool) or not isinstance(self.account_number, int):
            raise TypeError("account_number must be an int (VoucherRowApi.AccountNumber)")
        if self.account_number < 1:
            raise ValueError("account_number must be >= 1")
        object.__setattr__(self, "debit_amount", wire.to_cents(self.debit_amount))
        object.__setattr__(self, "credit_amount", wire.to_cents(self.credit_amount))

    def to_wire(self) -> dict[str, Any]:
        return wire.without_none(
            {
                "AccountNumber": self.account_number,
                "DebitAmount": self.debit_amount,
                "CreditAmount": self.credit_amount,
                "TransactionText": self.transaction_text,
                "CostCenterItemId1": self.cost_center_item_id1,
                "CostCenterItemId2": self.cost_center_item_id2,
                "CostCenterItemId3": self.cost_center_item_id3,
                "ProjectId": self.project_id,
                "VatCodeId": self.vat_code_id,
            }
        )

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> VoucherRow:
        return cls(
            account_number=wire.req_int(data, "AccountNumber"),
            debit_amount=wire.amount(data, "DebitAmount"),
            credit_amount=wire.amount(data, "CreditAmount"),
            transaction_text=wire.opt_str(data, "TransactionText"),
            cost_center_item_id1=wire.opt_uuid(data, "CostCenterItemId1"),
            cost_center_item_id2=wire.opt_uuid(data, "CostCenterItemId2"),
            cost_center_item_id3=wire.opt_uuid(data, "CostCenterItemId3"),
            project_id=wire.opt_uuid(data, "ProjectId"),
            vat_code_id=wire.opt_uuid(data, "VatCodeId"),
            account_description=wire.opt_str(data, "AccountDescription"),
        )


def _rows(data: Mapping[str, Any]) -> tuple[VoucherRow, ...]:
    return tuple(VoucherRow.from_wire(row) for row in wire.obj_list(data, "Rows"))


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, _ZERO)


@dataclass(frozen=True, slots=True)
class NewVoucher:
    """What ``create_voucher`` / ``create_voucher_draft`` send.

    Put a unique marker (e.g. the journal version id) into ``voucher_text``, so that after an
    :class:`~payjournal.visma.errors.OutcomeUnknownError` the voucher can be found again with
    ``find_vouchers``. ``number_series`` is honoured only with ``use_default_series=False``.
    """

    voucher_date: date
    voucher_text: str
    rows: tuple[VoucherRow, ...]
    number_series: str | None = None
    attachment_ids: tuple[UUID, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "attachment_ids", tuple(self.attachment_ids))
        if not self.rows:
            raise ValueError("a voucher needs at least one row")

    @property
    def debit_total(self) -> Decimal:
        return _sum(row.debit_amount for row in self.rows)

    @property
    def credit_total(self) -> Decimal:
        return _sum(row.credit_amount for row in self.rows)

    def to_wire(self) -> dict[str, Any]:
        attachments = None
        if self.attachment_ids:
            attachments = AttachmentLink(None, self.attachment_ids, DocumentType.VOUCHER).to_wire()
        return wire.without_none(
            {
                "VoucherDate": self.voucher_date,
                "VoucherText": self.voucher_text,
                "Rows": [row.to_wire() for row in self.rows],
                "NumberSeries": self.number_series,
                "Attachments": attachments,
            }
        )


@dataclass(frozen=True, slots=True)
class Voucher:
    """A posted voucher (``VoucherApi``); ``number_and_number_series`` is e.g. ``"A37"``."""

    id: UUID
    voucher_date: date
    voucher_text: str
    rows: tuple[VoucherRow, ...]
    number_and_number_series: str | None = None
    number_series: str | None = None
    voucher_type: int | None = None
    source_id: UUID | None = None
    created_utc: datetime | None = None
    modified_utc: datetime | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Voucher:
        return cls(
            id=wire.req_uuid(data, "Id"),
            voucher_date=wire.req_date(data, "VoucherDate"),
            voucher_text=wire.opt_str(data, "VoucherText") or "",
            rows=_rows(data),
            number_and_number_series=wire.opt_str(data, "NumberAndNumberSeries"),
            number_series=wire.opt_str(data, "NumberSeries"),
            voucher_type=wire.opt_int(data, "VoucherType"),
            source_id=wire.opt_uuid(data, "SourceId"),
            created_utc=wire.opt_datetime(data, "CreatedUtc"),
            modified_utc=wire.opt_datetime(data, "ModifiedUtc"),
        )

    @property
    def debit_total(self) -> Decimal:
        return _sum(row.debit_amount for row in self.rows)

    @property
    def credit_total(self) -> Decimal:
        return _sum(row.credit_amount for row in self.rows)

    def has_marker(self, marker: str) -> bool:
        return marker in self.voucher_text


@dataclass(frozen=True, slots=True)
class VoucherDraft:
    """A voucher draft (``VoucherDraftApi``), reviewed in Visma and converted later."""

    id: UUID
    voucher_date: date
    voucher_text: str
    rows: tuple[VoucherRow, ...]
    number_series: str | None = None
    created_utc: datetime | None = None
    modified_utc: datetime | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> VoucherDraft:
        return cls(
            id=wire.req_uuid(data, "Id"),
            voucher_date=wire.req_date(data, "VoucherDate"),
            voucher_text=wire.opt_str(data, "VoucherText") or "",
            rows=_rows(data),
            number_series=wire.opt_str(data, "NumberSeries"),
            created_utc=wire.opt_datetime(data, "CreatedUtc"),
            modified_utc=wire.opt_datetime(data, "ModifiedUtc"),
        )
