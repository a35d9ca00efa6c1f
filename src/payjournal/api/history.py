"""A run id's history as the API and ``payjournal runs history`` show it: its versions, its legs
in order, where the books stand and what a send would post now.

Everything here reads :func:`payjournal.sending.booking.run_state` (or the same facts for many
run ids at once, :func:`~payjournal.sending.booking.run_states`) and
:func:`payjournal.sending.booking.preview`, and turns them into the response shapes of
:mod:`payjournal.api.schemas`, so the JSON of the API and of the CLI are one and the same.
Amounts leave as decimal strings of the run's currency.
"""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.urls import reverse

from payjournal.api.schemas import (
    AccountChangeOut,
    BooksOut,
    LegOut,
    PlannedLegOut,
    PreviewOut,
    RefusalCode,
    RunDetailOut,
    RunOut,
    VersionOut,
)
from payjournal.domain.booking import NOTHING, LegKind
from payjournal.domain.money import Money
from payjournal.domain.submission import SubmissionState
from payjournal.payroll.journals import journal_total
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending.booking import BookingPreview, RunState, preview, run_state
from payjournal.sending.models import Submission
from payjournal.sending.services import not_mapped, nothing_to_book

__all__ = [
    "amount",
    "journal_url",
    "leg_out",
    "preview_out",
    "refusal",
    "run_detail",
    "run_out",
]

_SENT = SubmissionState.SENT.value
_NEEDS_ACTION = SubmissionState.NEEDS_ACTION.value


def amount(money: Money) -> str:
    """An amount as the API's decimal string ("44542.23"; as many decimals as the currency has)."""
    return money.formatted()


def _version_or_null(number: int) -> int | None:
    return None if number == NOTHING else number


def _run_state_name(state: RunState) -> str:
    leg = state.open_leg
    if leg is not None:
        return leg.state
    if not state.is_settled:
        return "not_sent"
    return "withdrawn" if state.target == NOTHING else _SENT


def run_out(state: RunState) -> RunOut:
    """The run id as its latest version, with the state of its books (see :class:`RunOut`)."""
    run = state.latest
    name = _run_state_name(state)
    booked = state.booking_leg(state.target) if name == _SENT else None
    waiting = state.open_leg if name == _NEEDS_ACTION else None
    return RunOut(
        run_id=run.run_id,
        version=run.version,
        kind=run.kind,
        period=run.period_label,
        payment_date=run.payment_date,
        currency=run.currency,
        total=amount(journal_total(run.journal)),
        state=name,  # type: ignore[arg-type]  # one of RunStateName by construction
        voucher_number=(booked.voucher_number or None) if booked else None,
        sent_at=booked.sent_at if booked else None,
        error_code=(waiting.error_code or None) if waiting else None,
        error_message=(waiting.error_message or None) if waiting else None,
        withdrawn=state.is_withdrawn,
        books=BooksOut(
            booked_version=_version_or_null(state.booked),
            target_version=_version_or_null(state.target),
            settled=state.is_settled,
        ),
    )


def leg_out(state: RunState, leg: Submission) -> LegOut:
    """One leg of the run id: its kind, versions, state and voucher."""
    needs_action = leg.state == _NEEDS_ACTION
    return LegOut(
        id=str(leg.pk),
        kind=LegKind(leg.kind).value,
        version=state.version_of(leg),
        base_version=state.base_of(leg),
        state=SubmissionState(leg.state).value,
        voucher_date=leg.voucher_date,
        voucher_number=leg.voucher_number or None,
        voucher_id=leg.voucher_id or None,
        created_at=leg.created_at,
        sent_at=leg.sent_at,
        no_change=leg.is_empty,
        error_code=(leg.error_code or None) if needs_action else None,
        error_message=(leg.error_message or None) if needs_action else None,
    )


def journal_url(company: PayrollCompany, run_key: str, version: int) -> str:
    """The API path of one version's journal."""
    path = reverse("api:run-journal", kwargs={"company": company.key, "run": run_key})
    return f"{path}?{urlencode({'version': version})}"


def _version_out(company: PayrollCompany, state: RunState, run: PayrollRun) -> VersionOut:
    return VersionOut(
        version=run.version,
        imported_at=run.imported_at,
        source_name=run.source_name,
        voucher_date=run.journal.voucher_date,
        total=amount(journal_total(run.journal)),
        withdrawn=run.withdrawn_at is not None,
        withdrawn_at=run.withdrawn_at,
        superseded=run.version != state.latest.version,
        booked=run.version == state.booked,
        journal=journal_url(company, run.run_id, run.version),
    )


def preview_out(shown: BookingPreview) -> PreviewOut:
    """What a send would post: the legs in order and the change per account + dimension."""
    currency = shown.currency
    return PreviewOut(
        booked_version=_version_or_null(shown.booked),
        target_version=_version_or_null(shown.wanted),
        mode=shown.mode.value,
        vouchers=shown.vouchers,
        legs=[
            PlannedLegOut(
                kind=leg.kind.value,
                version=leg.version,
                base_version=leg.base,
                no_change=leg.is_empty,
            )
            for leg in shown.legs
        ],
        changes=[
            AccountChangeOut(
                account=change.account,
                dimension=change.dimension or None,
                booked=amount(change.booked),
                wanted=amount(change.wanted),
                change=amount(change.change),
            )
            for change in shown.changes
        ],
        currency=currency,
    )


def run_detail(company: PayrollCompany, run_key: str) -> RunDetailOut:
    """The whole history of ``run_key`` (``LookupError`` when the company has no such run)."""
    state = run_state(company, run_key)
    summary = run_out(state)
    return RunDetailOut(
        **summary.model_dump(),
        versions=[_version_out(company, state, run) for run in state.versions],
        legs=[leg_out(state, leg) for leg in state.legs],
        to_book=preview_out(preview(company, run_key)),
    )


def refusal(company: PayrollCompany, run_key: str, fallback: str) -> tuple[RefusalCode, str]:
    """Why a send of ``run_key`` was refused, as a code and a sentence in the active language
    (``fallback``: the refusal's own message, when the run moved on meanwhile)."""
    if company.visma_account_id is None:
        return "not_mapped", not_mapped(company)
    state = run_state(company, run_key)
    if state.open_leg is not None or state.booked != state.target:
        return "refused", fallback
    code, sentence = nothing_to_book(state)
    return cast(RefusalCode, code), sentence
