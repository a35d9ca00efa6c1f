"""The API's response shapes. Amounts are decimal strings ("1234.50"), never floats."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class RunOut(Schema):
    run_id: str
    version: int
    kind: str
    period: str
    payment_date: date
    currency: str
    total: str
    state: str  # not_sent, queued, sending, reconciling, sent, needs_action
    voucher_number: str | None = None
    sent_at: datetime | None = None
    error_code: str | None = None
    error_message: str | None = None


class ImportOut(Schema):
    run: RunOut
    created: bool


class LineOut(Schema):
    account: str
    debit: str
    credit: str
    text: str
    dimension: str | None = None


class JournalOut(Schema):
    run_id: str
    version: int
    voucher_date: date
    voucher_text: str
    currency: str
    total: str
    lines: list[LineOut]


class SendOut(Schema):
    submission_id: str
    state: str


class ProblemOut(Schema):
    detail: str
    problems: list[str] = Field(default_factory=list)
