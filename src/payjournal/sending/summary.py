"""The per-company summary the cockpit reads (:class:`~payjournal.sending.models.CompanySummary`).

:func:`refresh` recomputes one company's row from the outbox and the runs, in the caller's
transaction. It is called wherever those change: every leg transition
(:func:`payjournal.sending.states.transition`), every leg written
(:func:`payjournal.sending.booking.advance` / ``advance_many``) and every run imported or
withdrawn (:func:`payjournal.sending.services.payroll_changed`). A refresh first takes the
summary row's lock, then reads: two workers settling legs of one company one after the other
therefore never leave the row with what the first of them saw (PostgreSQL's read committed sees
the other's commit once the lock is granted).

A refresh inside a transaction never *waits* for that lock: its caller already holds other
locks (the leg, the run id's booking row), and a transaction that took the summary first and
wants one of those would deadlock with it (seen under the chaos test on PostgreSQL). When
another transaction holds the row (``SKIP LOCKED``), the refresh runs right after the caller's
commit instead, alone, waiting only for that other commit. A process that dies between its
commit and that refresh leaves the row behind until the company's next change.

A refresh costs a fixed handful of queries however many runs the company has: the latest run,
its versions and legs folded into the dashlet's :class:`~payjournal.sending.run_story.RunStory`,
and the open legs counted per state and error code.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from payjournal.catalog.model import Who
from payjournal.catalog.registry import UnknownErrorCodeError, entry_for
from payjournal.domain.booking import LegKind
from payjournal.domain.submission import OPEN_STATES, SubmissionState
from payjournal.payroll.models import PayrollRun
from payjournal.sending.models import CompanySummary, Submission
from payjournal.sending.run_story import TO_SEND, LegFacts, RunStory

__all__ = ["refresh", "refresh_many", "who_fixes"]

_OPEN = [state.value for state in OPEN_STATES]
_WHO_FIELD = {
    Who.PAYROLL_ADMIN: "for_payroll",
    Who.BOOKKEEPER: "for_bookkeeper",
    Who.MASTER_ADMIN: "for_master",
}


def who_fixes(error_code: str) -> Who:
    """Who the catalog says fixes ``error_code`` (a code it lacks: the payroll administrator,
    who retries or asks)."""
    try:
        who = entry_for(error_code).who
    except UnknownErrorCodeError:
        return Who.PAYROLL_ADMIN
    return Who.PAYROLL_ADMIN if who is Who.NOBODY else who


def refresh_many(company_ids: Iterable[int]) -> None:
    """:func:`refresh` of each company, in id order (locks are always taken in one order)."""
    for company_id in sorted(set(company_ids)):
        refresh(company_id)


def refresh(company_id: int) -> None:
    """Recompute the summary row of the company ``company_id`` (created when missing) in the
    caller's transaction, or after its commit when another transaction holds the row."""
    now = timezone.now()
    with transaction.atomic(savepoint=False):  # the callers' transaction: no savepoint
        rows = CompanySummary.objects.filter(company_id=company_id)
        if not rows.exists():
            CompanySummary.objects.bulk_create(
                [CompanySummary(company_id=company_id, updated_at=now)], ignore_conflicts=True
            )
        elif not rows.select_for_update(skip_locked=True).values_list("pk", flat=True):
            transaction.on_commit(lambda: _refresh_alone(company_id))
            return
        rows.update(updated_at=now, **_facts(company_id))


def _refresh_alone(company_id: int) -> None:
    """:func:`refresh` in a transaction of its own (after the caller's commit): waiting for the
    row's lock holds nothing else."""
    with transaction.atomic():
        rows = CompanySummary.objects.filter(company_id=company_id)
        rows.update(updated_at=timezone.now())  # the row's lock, then the facts as they stand
        rows.update(**_facts(company_id))


def _story(company_id: int, run_key: str) -> tuple[RunStory, int, str]:
    """The run id's story (its versions and legs, as the dashlet folds them), the pk of its
    latest version and that version's period: two queries, nothing formatted."""
    versions = list(
        PayrollRun.objects.filter(company_id=company_id, run_id=run_key)
        .order_by("version")
        .values_list("pk", "version", "withdrawn_at", "journal__pk", "period_label")
    )
    numbers = {journal: version for _pk, version, _w, journal, _p in versions}
    kinds = {kind.value: kind for kind in LegKind}
    legs = tuple(
        LegFacts(
            "",
            kinds[kind],
            numbers[journal_id],
            numbers.get(base_id) if base_id is not None else None,
            *rest,
        )
        for kind, journal_id, base_id, *rest in Submission.objects.filter(
            company_id=company_id, run_key=run_key
        )
        .order_by("created_at", "id")
        .values_list(*_LEG_FIELDS)
    )
    run_pk, _version, withdrawn, _journal, period = versions[-1]
    story = RunStory(tuple(v[1] for v in versions), withdrawn is not None, legs)
    return story, run_pk, period


_LEG_FIELDS = (
    "kind",
    "journal_id",
    "base_id",
    "state",
    "voucher_id",
    "voucher_number",
    "sent_at",
    "error_code",
    "error_message",
)


def _facts(company_id: int) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "last_run_pk": None,
        "last_run_key": "",
        "last_period": "",
        "last_payment_date": None,
        "last_status": "",
        "last_voucher": "",
        "needs_action": 0,
        "moving": 0,
        "error_code": "",
        "for_payroll": 0,
        "for_bookkeeper": 0,
        "for_master": 0,
        "next_voucher_date": None,
    }
    latest = (
        PayrollRun.objects.filter(company_id=company_id)
        .order_by("-period_start", "-run_id", "-version")
        .values_list("run_id", "payment_date", "journal__voucher_date")
        .first()
    )
    next_date: date | None = None
    if latest is not None:
        run_key, payment_date, voucher_date = latest
        story, run_pk, period = _story(company_id, run_key)
        booked = story.booking_leg(story.latest) if story.is_booked else None
        facts.update(
            last_run_pk=run_pk,
            last_run_key=run_key,
            last_period=period,
            last_payment_date=payment_date,
            last_status=story.status,
            last_voucher=booked.number if booked is not None else "",
        )
        if story.status in TO_SEND:
            next_date = voucher_date
    counted = (
        Submission.objects.filter(company_id=company_id, state__in=_OPEN)
        .values_list("state", "error_code")
        .annotate(count=Count("pk"), earliest=Min("voucher_date"))
        .order_by("state", "error_code")
    )
    for state, error_code, count, earliest in counted:
        if next_date is None or earliest < next_date:
            next_date = earliest
        if state == SubmissionState.NEEDS_ACTION:
            facts["needs_action"] += count
            facts["error_code"] = facts["error_code"] or error_code
            facts[_WHO_FIELD[who_fixes(error_code)]] += count
        else:
            facts["moving"] += count
    facts["next_voucher_date"] = next_date
    return facts
