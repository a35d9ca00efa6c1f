"""Use cases of sending, shared by views, the JSON API and the CLI.

Each decision to send writes the submission (the outbox row) in the same transaction as the
decision; the durable job is started after the commit (``transaction.on_commit``), and the
periodic sweep (:func:`sweep`) starts any whose enqueue was lost or whose job ended unfinished.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from payjournal.domain.submission import Event, SubmissionState, voucher_marker
from payjournal.jobs import enqueue_submission
from payjournal.payroll.models import JournalSnapshot, PayrollCompany, PayrollRun
from payjournal.sending.models import OPEN_STATES, SendingSettings, Submission
from payjournal.sending.recovery import QUIET_IN_FLIGHT, recover_stranded
from payjournal.sending.states import transition

#: A queued submission not seen by a worker for this long is enqueued again by the sweep.
SWEEP_AFTER = timedelta(minutes=2)


class SendRefusedError(ValueError):
    """The run cannot be sent (already sent, or its company has no Visma mapping)."""


@dataclass(frozen=True, slots=True)
class BulkResult:
    queued: list[Submission]
    skipped: dict[int, str]  # run pk → why


def marker_of(journal: JournalSnapshot) -> str:
    """The journal version's marker; stable across restarts (company pk, run id, version)."""
    run = journal.run
    return voucher_marker(str(run.company_id), run.run_id, run.version)


def latest_submission(journal: JournalSnapshot) -> Submission | None:
    return journal.submissions.order_by("-created_at").first()


def _enqueue_after_commit(submission: Submission) -> None:
    transaction.on_commit(lambda: enqueue_submission(submission))


def request_send(run: PayrollRun) -> Submission:
    """Decide to send ``run``'s journal: an existing open submission is returned as it is."""
    result = request_send_many([run])
    if run.pk in result.skipped:
        raise SendRefusedError(result.skipped[run.pk])
    return result.queued[0]


def request_send_many(runs: Iterable[PayrollRun]) -> BulkResult:
    """Decide to send each run's journal; the refused ones say why.

    One transaction for the whole batch, with a fixed number of queries whatever its size:
    the journals are locked, their open or sent submissions read, the new submissions (the
    outbox rows) inserted together; each is enqueued after the commit. A run whose journal
    has an open submission gets that one back; an already sent one is refused.
    """
    wanted = [run.pk for run in runs]
    queued: dict[int, Submission] = {}
    skipped: dict[int, str] = {}
    with transaction.atomic():
        journals = {
            journal.run_id: journal
            for journal in JournalSnapshot.objects.select_for_update()
            .select_related("run__company")
            .filter(run_id__in=wanted)
        }
        taken = {
            submission.journal_id: submission
            for submission in Submission.objects.filter(
                journal__in=list(journals.values()),
                state__in=[*(s.value for s in OPEN_STATES), SubmissionState.SENT.value],
            ).select_related("company")
        }
        new: list[Submission] = []
        for run_pk in wanted:
            journal = journals.get(run_pk)
            if journal is None:
                skipped[run_pk] = "The run has no journal (it was not processed)."
                continue
            run, existing = journal.run, taken.get(journal.pk)
            if existing is not None and existing.state_enum is SubmissionState.SENT:
                skipped[run_pk] = (
                    f"Run {run.run_id} v{run.version} was already sent "
                    f"(voucher {existing.voucher_number or existing.voucher_id})."
                )
            elif existing is not None:
                queued[run_pk] = existing
            elif run.company.visma_account_id is None:
                skipped[run_pk] = (
                    f"{run.company.name} is not mapped to a Visma company yet "
                    "(Administrations tab)."
                )
            else:
                submission = Submission(
                    journal=journal,
                    company=run.company,
                    marker=marker_of(journal),
                    enqueued_at=timezone.now(),
                )
                new.append(submission)
                queued[run_pk] = submission
        Submission.objects.bulk_create(new)
        for submission in new:
            _enqueue_after_commit(submission)
    return BulkResult([queued[pk] for pk in wanted if pk in queued], skipped)


def unsent_runs(
    company: PayrollCompany, start: date | None = None, end: date | None = None
) -> QuerySet[PayrollRun]:
    """The company's runs (latest version of each) whose journal is not sent, in a period."""
    runs = PayrollRun.objects.filter(company=company).exclude(
        journal__submissions__state=SubmissionState.SENT.value
    )
    if start is not None:
        runs = runs.filter(period_end__gte=start)
    if end is not None:
        runs = runs.filter(period_start__lte=end)
    latest: dict[str, PayrollRun] = {}
    for run in runs.order_by("run_id", "-version"):
        latest.setdefault(run.run_id, run)
    return PayrollRun.objects.filter(pk__in=[r.pk for r in latest.values()]).select_related(
        "company"
    )


def send_period(company: PayrollCompany, start: date, end: date) -> BulkResult:
    """Bulk send: every unsent run of ``company`` overlapping ``start``..``end``."""
    return request_send_many(unsent_runs(company, start, end))


def retry(submission: Submission) -> Submission:
    """After the user fixed the cause: needs_action → queued, in a new round of work."""
    with transaction.atomic():
        submission = transition(
            submission,
            Event.RETRIED_BY_USER,
            message="retried by a user",
            round=submission.round + 1,
            attempts_count=0,
            enqueued_at=timezone.now(),
            error_code="",
            error_message="",
        )
        _enqueue_after_commit(submission)
    return submission


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
