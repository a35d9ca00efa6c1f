"""Vouchers (manual journal entries) and voucher drafts: rows, create payloads, results.

Amounts are ``Decimal`` with at most two decimals; a row refuses anything else when it is
built, so nothing is rounded silently on the way to Visma. ``AccountNumber`` is an integer
on voucher rows (the chart of accounts types it as a string; see ``Account.number``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from payjournal.visma import wire
from payjournal.visma.models import AttachmentLink, DocumentType
from payjournal.visma.wiremodel import WireModel, wired

__all__ = ["NewVoucher", "Voucher", "VoucherDraft", "VoucherRow"]

_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class VoucherRow(WireModel):
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
    account_description: str | None = field(default=None, metadata=wired(read_only=True))

    def __post_init__(self) -> None:
        if isinstance(self.account_number, bool) or not isinstance(self.account_number, int):
            raise TypeError("account_number must be an int (VoucherRowApi.AccountNumber)")
        if self.account_number < 1:
            raise ValueError("account_number must be >= 1")
        object.__setattr__(self, "debit_amount", wire.to_cents(self.debit_amount))
        object.__setattr__(self, "credit_amount", wire.to_cents(self.credit_amount))


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, _ZERO)


class _Rows(WireModel):
    """The totals of a voucher's rows."""

    __slots__ = ()
    rows: tuple[VoucherRow, ...]

    @property
    def debit_total(self) -> Decimal:
        return _sum(row.debit_amount for row in self.rows)

    @property
    def credit_total(self) -> Decimal:
        return _sum(row.credit_amount for row in self.rows)


def _attachment_link(attachment_ids: tuple[UUID, ...]) -> dict[str, Any] | None:
    """A new voucher's ``Attachments``: the uploads linked to it, if any."""
    if not attachment_ids:
        return None
    return AttachmentLink(None, attachment_ids, DocumentType.VOUCHER).to_wire()


@dataclass(frozen=True, slots=True)
class NewVoucher(_Rows):
    """What ``create_voucher`` / ``create_voucher_draft`` send.

    Put a unique marker (e.g. the journal version id) into ``voucher_text``, so that after an
    :class:`~payjournal.visma.errors.OutcomeUnknownError` the voucher can be found again with
    ``find_vouchers``. ``number_series`` is honoured only with ``use_default_series=False``.
    """

    voucher_date: date
    voucher_text: str
    rows: tuple[VoucherRow, ...]
    number_series: str | None = None
    attachment_ids: tuple[UUID, ...] = field(
        default=(), metadata=wired(name="Attachments", write=_attachment_link)
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "attachment_ids", tuple(self.attachment_ids))
        if not self.rows:
            raise ValueError("a voucher needs at least one row")


@dataclass(frozen=True, slots=True)
class _Stored(_Rows):
    """What a voucher and a voucher draft stored in Visma have in common."""

    id: UUID
    voucher_date: date
    voucher_text: str = field(metadata=wired(optional=True))
    rows: tuple[VoucherRow, ...]


@dataclass(frozen=True, slots=True)
class Voucher(_Stored):
    """A posted voucher (``VoucherApi``); ``number_and_number_series`` is e.g. ``"A37"``."""

    number_and_number_series: str | None = None
    number_series: str | None = None
    voucher_type: int | None = None
    source_id: UUID | None = None
    created_utc: datetime | None = None
    modified_utc: datetime | None = None

    def has_marker(self, marker: str) -> bool:
        return marker in self.voucher_text


@dataclass(frozen=True, slots=True)
class VoucherDraft(_Stored):
    """A voucher draft (``VoucherDraftApi``), reviewed in Visma and converted later."""

    number_series: str | None = None
    created_utc: datetime | None = None
    modified_utc: datetime | None = None
