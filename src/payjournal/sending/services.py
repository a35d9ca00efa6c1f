"""Use cases of sending, shared by views, the JSON API and the CLI.

A run file comes in through :func:`import_run`: the payroll app stores it as its run id's next
version (:func:`payjournal.payroll.services.store_run`) and, in the same transaction,
:func:`on_run_imported` decides what the books do with it.

Each decision to send writes the submission (the outbox row) in the same transaction as the
decision; the durable job is started after the commit (``transaction.on_commit``), and the
periodic sweep (:func:`sweep`) starts any whose enqueue was lost or whose job ended unfinished.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from payjournal.domain.booking import NOTHING, LegKind, SettledLeg, booked_version
from payjournal.domain.submission import Event, SubmissionState
from payjournal.integrations.models import VismaAccount
from payjournal.integrations.watch import REFUSAL_CODES
from payjournal.payroll import services as payroll
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending import booking
from payjournal.sending.models import SendingSettings, Submission
from payjournal.sending.outbox import enqueue_after_commit
from payjournal.sending.recovery import QUIET_IN_FLIGHT, recover_stranded
from payjournal.sending.states import StaleSubmissionError, transition

log = logging.getLogger("payjournal.sending")

#: A queued submission not seen by a worker for this long is enqueued again by the sweep.
SWEEP_AFTER = timedelta(minutes=2)


class SendRefusedError(ValueError):
    """The run has nothing to book (already booked, no change) or no Visma mapping."""


@dataclass(frozen=True, slots=True)
class BulkResult:
    queued: list[Submission]
    skipped: dict[int, str]  # run pk → why


def request_send(run: PayrollRun) -> Submission:
    """Book ``run``'s run id as the payroll has it now; returns the leg on its way."""
    result = request_send_many([run])
    if run.pk in result.skipped:
        raise SendRefusedError(result.skipped[run.pk])
    return result.queued[0]


#: Run ids decided per transaction by :func:`request_send_many`.
DECIDED_PER_TRANSACTION = 100


def request_send_many(
    runs: Iterable[PayrollRun], *, per_transaction: int = DECIDED_PER_TRANSACTION
) -> BulkResult:
    """Book each run's run id as the payroll has it now (its latest version, or nothing when
    withdrawn); the ones with nothing to book say why.

    One transaction per ``per_transaction`` run ids, in a few queries however many runs it has;
    each run id's decision locks its booking row (:func:`payjournal.sending.booking.advance_many`)
    and each transaction's legs are enqueued at its commit, in batches of eight to a workflow
    (:mod:`payjournal.sending.outbox`), so a month-end's first vouchers leave while the later run
    ids are still decided. A run id whose next leg is already on its way gets that leg back; one
    whose books already hold its latest version is skipped. A failure stops at its transaction:
    the ones before it are queued (the sweep enqueues any legs that a crash kept from DBOS).
    """
    queued: dict[int, Submission] = {}
    skipped: dict[int, str] = {}
    wanted = list(runs)
    mapped = []
    for run in wanted:
        if run.company.visma_account_id is None:
            skipped[run.pk] = not_mapped(run.company)
        else:
            mapped.append(run)
    for start in range(0, len(mapped), per_transaction):
        decided = mapped[start : start + per_transaction]
        with transaction.atomic():
            legs = booking.advance_many(
                [(run.company, run.run_id) for run in decided], booking.WANT_TARGET
            )
            for run in decided:
                leg = legs[(run.company_id, run.run_id)]
                if leg is None or leg.is_empty:
                    state = booking.run_state(run.company, run.run_id)
                    skipped[run.pk] = nothing_to_book(state)[1]
                else:
                    queued[run.pk] = leg
    return BulkResult([queued[run.pk] for run in wanted if run.pk in queued], skipped)


def not_mapped(company: PayrollCompany) -> str:
    """Why nothing of ``company`` can be sent yet, in the active language."""
    return gettext("%(company)s is not mapped to a Visma company yet (Administrations tab).") % {
        "company": company.name
    }


def nothing_to_book(state: booking.RunState) -> tuple[str, str]:
    """Why a send of a run id whose books hold what the payroll says posts nothing: the code
    (``nothing_booked``: withdrawn and nothing booked; ``no_change``: it books like the version
    before; ``already_booked``) and the sentence in the active language."""
    run_key, version = state.latest.run_id, state.booked
    if version == NOTHING:
        return "nothing_booked", gettext(
            "Run %(run)s was withdrawn and nothing of it is booked: nothing to send."
        ) % {"run": run_key}
    leg = state.booking_leg(version)
    if leg is not None and leg.is_empty:
        return "no_change", gettext(
            "Run %(run)s v%(version)s books the same as the version before it: no change to book."
        ) % {"run": run_key, "version": version}
    voucher = (leg.voucher_number or leg.voucher_id) if leg is not None else ""
    return "already_booked", gettext(
        "Run %(run)s v%(version)s is already booked (voucher %(voucher)s)."
    ) % {"run": run_key, "version": version, "voucher": voucher}


def withdraw(run: PayrollRun, user: User | None = None) -> Submission | None:
    """The payroll withdrew ``run``'s run id: the books should hold nothing of it.

    Marks the latest version withdrawn; with automatic sending the reversal of what is booked
    is queued at once, otherwise waiting legs are replaced and the run offers *Send*. Returns
    the open leg, if any. Withdrawing twice changes nothing.
    """
    with transaction.atomic():
        booking.locked_booking(run.company, run.run_id)
        latest = (
            PayrollRun.objects.select_for_update()
            .filter(company=run.company, run_id=run.run_id)
            .order_by("-version")
            .first()
        )
        assert latest is not None
        if latest.withdrawn_at is None:
            latest.withdrawn_at = timezone.now()
            latest.withdrawn_by = user
            latest.save(update_fields=("withdrawn_at", "withdrawn_by"))
        return payroll_changed(latest)


def import_run(
    company: PayrollCompany, data: bytes, source_name: str, user: User | None = None
) -> payroll.ImportResult:
    """Import a run file — from the company page, the JSON API or the CLI — as its run id's
    next version with its frozen journal, and hand a new version to the books in the same
    transaction (:func:`on_run_imported`). Refused whole: :class:`payroll.RunRejectedError`."""
    return payroll.store_run(company, data, source_name, user, on_stored=on_run_imported)


def on_run_imported(run: PayrollRun) -> Submission | None:
    """A new version of ``run``'s run id is stored (its journal whole): book it at once when the
    company sends automatically (every run kind), else replace only the legs still waiting for
    the old version."""
    return payroll_changed(run)


def payroll_changed(run: PayrollRun) -> Submission | None:
    """A new version or a withdrawal of ``run``'s run id: book it when the company sends
    automatically, else only replace the legs still waiting for the old state."""
    company = run.company
    if company.visma_account_id is None:
        return None
    want = booking.WANT_TARGET if sends_automatically(company) else booking.WANT_NOTHING_NEW
    return booking.advance(company, run.run_id, want)


def unsent_runs(
    company: PayrollCompany, start: date | None = None, end: date | None = None
) -> QuerySet[PayrollRun]:
    """The latest version of each of the company's run ids whose books do not hold it yet (or
    still hold something of a withdrawn run), overlapping ``start``..``end``."""
    runs = PayrollRun.objects.filter(company=company)
    if start is not None:
        runs = runs.filter(period_end__gte=start)
    if end is not None:
        runs = runs.filter(period_start__lte=end)
    latest: dict[str, PayrollRun] = {}
    for run in runs.select_related("journal").order_by("run_id", "-version"):
        latest.setdefault(run.run_id, run)
    settled = Submission.objects.filter(
        company=company, run_key__in=list(latest), state=SubmissionState.SENT.value
    ).order_by("created_at", "id")
    numbers = {run.journal.pk: run.version for run in runs.select_related("journal")}
    legs: dict[str, list[SettledLeg]] = {}
    for run_key, kind, journal_id in settled.values_list("run_key", "kind", "journal_id"):
        legs.setdefault(run_key, []).append(SettledLeg(LegKind(kind), numbers[journal_id]))
    wanted = []
    for run_key, run in latest.items():
        target = NOTHING if run.withdrawn_at is not None else run.version
        if booked_version(legs.get(run_key, ())) != target:
            wanted.append(run.pk)
    return PayrollRun.objects.filter(pk__in=wanted).select_related("company")


def send_period(company: PayrollCompany, start: date, end: date) -> BulkResult:
    """Bulk send: every run of ``company`` overlapping ``start``..``end`` not booked as it is."""
    return request_send_many(unsent_runs(company, start, end))


def retry(submission: Submission, message: str = "retried by a user") -> Submission:
    """After the user fixed the cause: needs_action → queued, in a new round of work (a
    compare-and-set: :class:`~.states.StaleSubmissionError` when it moved meanwhile)."""
    with transaction.atomic():
        submission = transition(
            submission,
            Event.RETRIED_BY_USER,
            message=message,
            round=submission.round + 1,
            attempts_count=0,
            enqueued_at=timezone.now(),
            error_code="",
            error_message="",
            batch="",
        )
        enqueue_after_commit(submission)
    return submission


#: The catalog codes of a journal that waits for its Visma account's authorization.
WAITING_FOR_AUTHORIZATION = REFUSAL_CODES | {"authorization_required", "not_connected"}


def retry_waiting_for(account: VismaAccount) -> list[Submission]:
    """After ``account`` was authorized (again): every journal in *needs action* because of
    its authorization is retried, once — a journal another worker or a user moved meanwhile
    is left alone (the compare-and-set of :func:`retry`). Returns those retried."""
    waiting = Submission.objects.filter(
        company__visma_account=account,
        state=SubmissionState.NEEDS_ACTION.value,
        error_code__in=WAITING_FOR_AUTHORIZATION,
    ).select_related("company")
    retried = []
    for submission in waiting.order_by("created_at", "pk"):
        try:
            retried.append(retry(submission, "retried after the Visma account was authorized"))
        except StaleSubmissionError:
            continue
    if retried:
        log.info(
            "journals retried after authorization",
            extra={"event": "send.retried_after_authorization", "count": len(retried)},
        )
    return retried


def sends_automatically(company: PayrollCompany) -> bool:
    settings_row = SendingSettings.objects.filter(company=company).first()
    return bool(settings_row and settings_row.send_automatically)


def set_send_automatically(company: PayrollCompany, enabled: bool) -> None:
    SendingSettings.objects.update_or_create(
        company=company, defaults={"send_automatically": enabled}
    )


def sweep(older_than: timedelta = SWEEP_AFTER, in_flight_for: timedelta = QUIET_IN_FLIGHT) -> int:
    """Bring back the open submissions nothing will move (:mod:`payjournal.sending.recovery`):
    queued ones untouched for ``older_than`` and in-flight ones for ``in_flight_for`` whose job
    never reached the backend are enqueued again; whose job ended unfinished, restarted in a new
    round or stopped in needs action. Returns how many submissions it acted on."""
    done = recover_stranded(queued_for=older_than, in_flight_for=in_flight_for)
    return done.enqueued + done.restarted + done.stopped
