"""Voucher rules: parsing a ``VoucherApi``/``VoucherDraftApi`` body and posting it to a company.

Stages, each reporting every problem it finds: shape and limits (2000), fiscal year for the
date (3001), locked period (4026), account existence in that year (3002), then account and
dimension rules (2000: inactive, blocked for manual booking, cost center or project not
allowed, inactive item) and the balance (2000 by default). Unknown cost-center items and
projects answer 3000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from payjournal.emulator import errors
from payjournal.emulator.config import EmulatorConfig
from payjournal.emulator.errors import ApiError, FieldError, validation_error
from payjournal.emulator.model import Company, FiscalYear, Voucher, VoucherRow

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(1_000_000_000)
ZERO = Decimal("0.00")


@dataclass
class ParsedVoucher:
    """A request body that passed the shape checks."""

    voucher_date: date
    text: str | None
    series: str | None
    rows: list[VoucherRow]
    attachment_ids: list[UUID] = field(default_factory=list)


def _text(
    body: dict[str, Any], name: str, limit: int, problems: list[FieldError], where: str = ""
) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(FieldError(where + name, "must be a string"))
        return None
    if len(value) > limit:
        problems.append(FieldError(where + name, f"max length is {limit} characters"))
    return value


def parse_date(value: Any) -> date | None:
    """``yyyy-mm-dd`` or an ISO date-time; ``None`` when unreadable."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _amount(row: dict[str, Any], name: str, where: str, problems: list[FieldError]) -> Decimal:
    value = row.get(name)
    if value is None:
        return ZERO
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        problems.append(FieldError(where + name, "must be a number"))
        return ZERO
    amount = Decimal(value)
    if amount < 0:
        problems.append(FieldError(where + name, "must not be negative"))
    elif amount > MAX_AMOUNT:
        problems.append(FieldError(where + name, "must not exceed 1000000000"))
    elif amount != amount.quantize(CENT):
        problems.append(FieldError(where + name, "max 2 decimals"))
    return amount


def _uuid(row: dict[str, Any], name: str, where: str, problems: list[FieldError]) -> UUID | None:
    value = row.get(name)
    if value is None or value == "":
        return None
    try:
        return UUID(str(value))
    except ValueError:
        problems.append(FieldError(where + name, f"{value!r} is not a GUID"))
        return None


def _row(
    raw: Any, index: int, draft: bool, config: EmulatorConfig, problems: list[FieldError]
) -> VoucherRow | None:
    where = f"Rows[{index}]."
    if not isinstance(raw, dict):
        problems.append(FieldError(f"Rows[{index}]", "must be an object"))
        return None
    number = raw.get("AccountNumber")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        problems.append(FieldError(where + "AccountNumber", "required, an integer of 1 or more"))
        number = 0
    debit = _amount(raw, "DebitAmount", where, problems)
    credit = _amount(raw, "CreditAmount", where, problems)
    if debit > 0 and credit > 0:
        problems.append(FieldError(where, "a row has either a debit or a credit amount"))
    if debit == 0 and credit == 0 and not config.allow_zero_rows:
        problems.append(FieldError(where, "a row needs a debit or a credit amount"))
    text = _text(raw, "TransactionText", 50 if draft else 60, problems, where)
    items = [_uuid(raw, f"CostCenterItemId{n}", where, problems) for n in (1, 2, 3)]
    return VoucherRow(
        account_number=number,
        account_description=None,
        debit=debit,
        credit=credit,
        transaction_text=text,
        cost_center_item_ids=items,
        vat_code_id=_uuid(raw, "VatCodeId", where, problems),
        project_id=_uuid(raw, "ProjectId", where, problems),
    )


def parse_voucher(body: Any, *, draft: bool, config: EmulatorConfig) -> ParsedVoucher:
    """Check the shape of a voucher (or draft) body; raise 2000 with every problem."""
    if not isinstance(body, dict):
        raise validation_error([FieldError("body", "a JSON object is required")])
    problems: list[FieldError] = []
    day = parse_date(body.get("VoucherDate"))
    if day is None:
        problems.append(FieldError("VoucherDate", "required, format yyyy-mm-dd"))
    if not draft and not isinstance(body.get("VoucherText"), str):
        problems.append(FieldError("VoucherText", "required"))
    text = _text(body, "VoucherText", 1000, problems)
    series = _text(body, "NumberSeries", 10, problems)
    voucher_type = body.get("VoucherType")
    if voucher_type not in (None, 2):
        problems.append(FieldError("VoucherType", "only 2 (ManualVoucher) can be posted"))
    raw_rows = body.get("Rows")
    rows: list[VoucherRow] = []
    if not isinstance(raw_rows, list) or (not raw_rows and not draft):
        problems.append(FieldError("Rows", "required, at least one row"))
    elif len(raw_rows) > config.max_voucher_rows:
        problems.append(FieldError("Rows", f"at most {config.max_voucher_rows} rows"))
    else:
        for index, raw in enumerate(raw_rows):
            row = _row(raw, index, draft, config, problems)
            if row is not None:
                rows.append(row)
    attachments = _attachment_ids(body.get("Attachments"), problems)
    if problems:
        raise validation_error(problems)
    assert day is not None
    return ParsedVoucher(day, text, series, rows, attachments)


def _attachment_ids(raw: Any, problems: list[FieldError]) -> list[UUID]:
    if raw is None:
        return []
    ids = raw.get("AttachmentIds") if isinstance(raw, dict) else None
    if not isinstance(ids, list):
        problems.append(FieldError("Attachments.AttachmentIds", "required list of GUIDs"))
        return []
    out: list[UUID] = []
    for value in ids:
        try:
            out.append(UUID(str(value)))
        except ValueError:
            problems.append(FieldError("Attachments.AttachmentIds", f"{value!r} is not a GUID"))
    return out


def check_against_books(
    company: Company, parsed: ParsedVoucher, config: EmulatorConfig
) -> FiscalYear:
    """Fiscal year, lock, accounts, dimensions and balance; fills account descriptions."""
    fy = company.fiscal_year_for(parsed.voucher_date)
    if fy is None:
        raise ApiError(
            400,
            errors.FISCAL_YEAR_MISSING,
            "Resource not found: fiscalYearId. No fiscal year exists for the voucher "
            f"date {parsed.voucher_date.isoformat()}.",
        )
    lock = company.accounting_locked_to
    if fy.locked or (lock is not None and parsed.voucher_date <= lock):
        shown = lock.isoformat() if lock else "the end of the fiscal year"
        raise ApiError(
            400,
            errors.LOCKED_PERIOD,
            f"The voucher date {parsed.voucher_date.isoformat()} is in a locked "
            f"accounting period (locked to {shown}).",
        )
    missing = sorted({r.account_number for r in parsed.rows} - set(fy.accounts))
    if missing:
        raise ApiError(
            400,
            errors.ACCOUNT_NOT_FOUND,
            f"AccountNotFound - account {missing[0]} does not exist in the fiscal "
            f"year {fy.start.isoformat()}..{fy.end.isoformat()}.",
            tuple(FieldError("AccountNumber", str(n)) for n in missing),
        )
    problems: list[FieldError] = []
    for index, row in enumerate(parsed.rows):
        _check_row(company, fy, row, f"Rows[{index}].", problems)
    if problems:
        raise validation_error(problems)
    debit = sum((r.debit for r in parsed.rows), ZERO)
    credit = sum((r.credit for r in parsed.rows), ZERO)
    if debit != credit:
        raise validation_error(
            [FieldError("Rows", f"the voucher does not balance: debit {debit} ≠ credit {credit}")],
            code=config.unbalanced_error_code,
        )
    return fy


def _check_row(
    company: Company, fy: FiscalYear, row: VoucherRow, where: str, problems: list[FieldError]
) -> None:
    account = fy.accounts[row.account_number]
    row.account_description = account.name
    if not account.is_active:
        problems.append(
            FieldError(where + "AccountNumber", f"account {account.number} is inactive")
        )
    if account.blocked_for_manual_booking:
        problems.append(
            FieldError(
                where + "AccountNumber", f"account {account.number} is blocked for manual booking"
            )
        )
    for dimension, item_id in enumerate(row.cost_center_item_ids, start=1):
        if item_id is None:
            continue
        found = company.cost_center_item(item_id)
        if found is None:
            raise ApiError(
                400,
                errors.RESOURCE_NOT_FOUND,
                f"ResourceNotFound - cost center item {item_id} does not exist",
            )
        center, item = found
        name = f"{where}CostCenterItemId{dimension}"
        if not account.cost_center_allowed:
            problems.append(
                FieldError(name, f"account {account.number} does not allow cost centers")
            )
        if center.number != dimension:
            problems.append(FieldError(name, f"item belongs to cost center {center.number}"))
        if not item.is_active or not center.is_active:
            problems.append(FieldError(name, f"cost center item {item.short_name} is inactive"))
    if row.project_id is not None:
        if not any(p.id == row.project_id for p in company.projects):
            raise ApiError(
                400,
                errors.RESOURCE_NOT_FOUND,
                f"ResourceNotFound - project {row.project_id} does not exist",
            )
        if not account.project_allowed:
            problems.append(
                FieldError(where + "ProjectId", f"account {account.number} does not allow projects")
            )


def next_number(company: Company, fy: FiscalYear, series: str) -> int:
    """Take the next number of a series in a fiscal year."""
    key = f"{fy.id}/{series}"
    company.series_counters[key] = company.series_counters.get(key, 0) + 1
    return company.series_counters[key]


def create_voucher(
    company: Company,
    fy: FiscalYear,
    parsed: ParsedVoucher,
    series: str,
    voucher_id: UUID,
    now: datetime,
) -> Voucher:
    """Store a checked voucher under the next number of ``series``."""
    for attachment_id in parsed.attachment_ids:
        if attachment_id not in company.attachments:
            raise ApiError(
                400,
                errors.RESOURCE_NOT_FOUND,
                f"ResourceNotFound - attachment {attachment_id} does not exist",
            )
    voucher = Voucher(
        id=voucher_id,
        fiscal_year_id=fy.id,
        voucher_date=parsed.voucher_date,
        text=parsed.text or "",
        series=series,
        number=next_number(company, fy, series),
        rows=parsed.rows,
        created_utc=now,
        attachment_ids=list(parsed.attachment_ids),
    )
    company.vouchers[voucher.id] = voucher
    for attachment_id in parsed.attachment_ids:
        company.attachments[attachment_id].document_id = voucher.id
        company.attachments[attachment_id].document_type = 3
    return voucher
