"""The API's request and response shapes. Amounts are decimal strings ("1234.50"), never floats.

A payroll run id has versions (each import with other content is the next one) and *legs*: the
vouchers payjournal posted, or is posting, so that Visma's books hold the latest version — a
full posting, a reversal of a booked version, or a difference between two. A version number
stands for "nothing" as ``null`` (nothing booked; a withdrawn run should hold nothing).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from payjournal.api.errors import ProblemCode

RunStateName = Literal[
    "not_sent", "queued", "sending", "reconciling", "sent", "needs_action", "withdrawn"
]
LegStateName = Literal["queued", "sending", "reconciling", "sent", "needs_action", "superseded"]
LegKindName = Literal["full", "reversal", "difference"]
RefusalCode = Literal["already_booked", "no_change", "nothing_booked", "not_mapped", "refused"]


class BooksOut(Schema):
    """Where Visma's books stand for the run id."""

    booked_version: int | None = Field(
        description="The version the sent vouchers net to; null: nothing of the run is booked."
    )
    target_version: int | None = Field(
        description="The version the books should hold: the latest; null once withdrawn."
    )
    settled: bool = Field(
        description="The books hold the target version and no voucher is on its way."
    )


class RunOut(Schema):
    """A run id as its latest version, and where its books stand.

    ``state``: ``not_sent`` (a send is due: the books do not hold the latest version),
    ``queued``/``sending``/``reconciling``/``needs_action`` (the state of the voucher on its
    way), ``sent`` (the books hold the latest version), ``withdrawn`` (the run was withdrawn
    and the books hold nothing of it).
    """

    run_id: str
    version: int = Field(description="The latest version.")
    kind: str
    period: str
    payment_date: date
    currency: str
    total: str
    state: RunStateName
    voucher_number: str | None = Field(
        None, description="The voucher that booked the latest version (once sent)."
    )
    sent_at: datetime | None = None
    error_code: str | None = Field(None, description="Why the voucher on its way needs action.")
    error_message: str | None = None
    withdrawn: bool = False
    books: BooksOut | None = None


class LegOut(Schema):
    """One voucher of the run id, posted or on its way."""

    id: str = Field(description="The submission id (its timeline's key).")
    kind: LegKindName
    version: int = Field(description="The version posted in full, reversed, or corrected to.")
    base_version: int | None = Field(
        None, description="A difference's booked version it is netted against."
    )
    state: LegStateName
    voucher_date: date
    voucher_number: str | None = None
    voucher_id: str | None = None
    created_at: datetime
    sent_at: datetime | None = None
    no_change: bool = Field(
        False, description="Booked with no voucher: the version books like the one before."
    )
    error_code: str | None = Field(None, description="Set while the leg needs action.")
    error_message: str | None = None


class VersionOut(Schema):
    """One imported version of the run id."""

    version: int
    imported_at: datetime
    source_name: str
    voucher_date: date
    total: str
    withdrawn: bool = Field(description="This (latest) version was withdrawn.")
    withdrawn_at: datetime | None = None
    superseded: bool = Field(description="A newer version replaced it.")
    booked: bool = Field(description="The books hold this version now.")
    journal: str = Field(description="The URL of this version's journal.")


class PlannedLegOut(Schema):
    """A voucher a send would post."""

    kind: LegKindName
    version: int
    base_version: int | None = None
    no_change: bool = Field(False, description="Recorded as booked; no voucher is posted.")


class AccountChangeOut(Schema):
    """One account + dimension a send changes: debit − credit before and after."""

    account: str
    dimension: str | None = None
    booked: str
    wanted: str
    change: str


class PreviewOut(Schema):
    """What a send of the run id would post now, from the booked version to the target."""

    booked_version: int | None
    target_version: int | None
    mode: Literal["reverse_and_rebook", "difference"]
    vouchers: int = Field(description="How many vouchers the send posts.")
    legs: list[PlannedLegOut] = Field(description="In the order they are posted.")
    changes: list[AccountChangeOut]
    currency: str


class RunDetailOut(RunOut):
    """A run id: its versions, its legs in order, and what a send would post now."""

    versions: list[VersionOut]
    legs: list[LegOut]
    to_book: PreviewOut


class ImportOut(Schema):
    """A pushed run: the version it is, and what it means for the books."""

    run: RunOut
    created: bool = Field(description="False: the same content as the latest version.")
    version: int = Field(description="The version created, or the latest when the same.")
    leg: LegOut | None = Field(
        None, description="The voucher on its way now (automatic sending queues it at once)."
    )
    to_book: PreviewOut = Field(description="What a send would post now.")


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
    """A send: the leg it queued (or the one already on its way), and the whole path."""

    submission_id: str
    state: str
    leg: LegOut
    to_book: PreviewOut = Field(
        description="Every voucher from the booked version to the target; a reversal is "
        "followed by the rebooking once it is sent."
    )


class WithdrawOut(Schema):
    """A withdrawal: the run's state, the reversal on its way or what a send would post."""

    run: RunOut
    leg: LegOut | None = Field(None, description="The reversal queued (automatic sending).")
    to_book: PreviewOut


class ProblemOut(Schema):
    """An error: what happened (in the request's language) and every problem found."""

    detail: str
    problems: list[str] = Field(default_factory=list)
    code: ProblemCode = Field(
        description="Stable for programs: not_found, too_large, not_imported, already_booked … "
        "(docs/deploy.md, The JSON API)."
    )
