"""Submissions stranded by their durable job, found and brought back by the periodic sweep.

A submission is driven by one job (DBOS workflow) per round. If that job ends without taking
the submission to ``sent`` or ``needs_action`` — the step raised (``ERROR``), someone cancelled
it (``CANCELLED``), DBOS gave up recovering it (``MAX_RECOVERY_ATTEMPTS_EXCEEDED``) — or the job
vanished, the submission stays ``queued``/``sending``/``reconciling`` and nothing will ever
move it: enqueueing the same workflow id again returns the ended job and runs nothing.

:func:`recover_stranded` looks at every open submission untouched for a while and:

* job unknown to the backend → enqueue the current round again (the same id is free); a leg of
  a bulk send's batch whose batch never reached the backend is enqueued as its own workflow;
* job ended with ``ERROR``, ``MAX_RECOVERY_ATTEMPTS_EXCEEDED`` or ``SUCCESS`` (finished yet the
  submission is open) → ``restarted``: a new round with a new workflow id, the submission in
  the state it stands — the send step reconciles a ``sending`` or ``reconciling`` one by its
  marker before any POST — at most :data:`MAX_RESTARTS` times between two user retries;
* job ``CANCELLED`` (a person stopped it on purpose), or restarts used up → ``job_failed``:
  ``needs_action`` with the ``job_failed`` catalog entry and the Retry button; a submission that
  may have been posted keeps ``needs_reconcile`` so the retry reads vouchers back first.

Only submissions quiet for a while are touched: a queued one for :data:`QUIET_QUEUED`, one in
flight for :data:`QUIET_IN_FLIGHT` — longer than the send step's longest pause between two
state changes (``SendPolicy.max_delay_s``) plus an HTTP timeout — so a step still running
(a cancelled workflow's step finishes its current call) is never raced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from payjournal import wiring
from payjournal.domain.submission import IN_FLIGHT_STATES, Event, SubmissionState
from payjournal.jobs import JobStatus, job_statuses
from payjournal.sending.models import Attempt, Submission
from payjournal.sending.outbox import enqueue_after_commit, enqueue_submission
from payjournal.sending.states import StaleSubmissionError, transition

__all__ = [
    "MAX_RESTARTS",
    "QUIET_IN_FLIGHT",
    "QUIET_QUEUED",
    "Recovery",
    "recover_stranded",
]

#: Automatic new rounds between two user retries before a person is asked.
MAX_RESTARTS = 3
QUIET_QUEUED = timedelta(minutes=2)
QUIET_IN_FLIGHT = timedelta(minutes=5)
#: Ended, but starting over is safe: the state machine resumes where the submission stands.
RESTARTABLE = frozenset({"ERROR", "MAX_RECOVERY_ATTEMPTS_EXCEEDED", "SUCCESS"})
JOB_FAILED = "job_failed"


@dataclass(frozen=True, slots=True)
class Recovery:
    """What one pass did: jobs enqueued again, new rounds started, submissions stopped."""

    enqueued: int = 0
    restarted: int = 0
    stopped: int = 0


def _quiet(queued_for: timedelta, in_flight_for: timedelta) -> list[Submission]:
    now = timezone.now()
    return list(
        Submission.objects.filter(
            Q(state=SubmissionState.QUEUED, updated_at__lt=now - queued_for)
            | Q(state__in=IN_FLIGHT_STATES, updated_at__lt=now - in_flight_for)
        ).select_related("company")
    )


def restarts_since_last_retry(submission: Submission) -> int:
    """How many automatic rounds the sweep started since the user last retried (or ever)."""
    attempts = Attempt.objects.filter(submission=submission)
    last_retry = (
        attempts.filter(event=Event.RETRIED_BY_USER.value).order_by("-at").values("at").first()
    )
    if last_retry is not None:
        attempts = attempts.filter(at__gt=last_retry["at"])
    return attempts.filter(event=Event.RESTARTED.value).count()


def _restart(submission: Submission, job: JobStatus) -> Submission:
    why = job.status + (f" ({job.error_type})" if job.error_type else "")
    with transaction.atomic():
        submission = transition(
            submission,
            Event.RESTARTED,
            message=f"the send job ended unfinished: {why}; starting round {submission.round + 1}",
            round=submission.round + 1,
            enqueued_at=timezone.now(),
            batch="",
        )
        enqueue_after_commit(submission)
    return submission


def _stop(submission: Submission, job: JobStatus, restarts: int) -> Submission:
    if job.status == "CANCELLED":
        why = "The background send of this journal was cancelled before it finished."
    else:
        why = (
            f"The background send of this journal stopped unfinished {restarts + 1} times "
            f"(last: {job.status}{f', {job.error_type}' if job.error_type else ''})."
        )
    return transition(
        submission,
        Event.JOB_FAILED,
        error_code=JOB_FAILED,
        message=f"{why} Retry to send it again.",
        # its POST may have left: the retry must read vouchers back before posting
        needs_reconcile=submission.needs_reconcile or submission.state_enum.is_in_flight,
    )


def _recover_one(submission: Submission, job: JobStatus | None) -> str | None:
    if job is None:
        if submission.batch:
            # Its batch never reached the backend: the leg's own workflow sends it (unless it
            # moved meanwhile: then the batch did reach it, or a user acted).
            left = Submission.objects.filter(
                pk=submission.pk, state=submission.state, batch=submission.batch
            ).update(batch="")
            if left != 1:
                raise StaleSubmissionError(f"{submission} moved while its batch was looked for")
            submission.batch = ""
        enqueue_submission(submission)
        return "enqueued"
    if not job.has_ended:
        return None
    restarts = restarts_since_last_retry(submission)
    if job.status in RESTARTABLE and restarts < MAX_RESTARTS:
        _restart(submission, job)
        return "restarted"
    _stop(submission, job, restarts)
    return "stopped"


def recover_stranded(
    *,
    queued_for: timedelta = QUIET_QUEUED,
    in_flight_for: timedelta = QUIET_IN_FLIGHT,
    statuses: Mapping[str, JobStatus] | None = None,
) -> Recovery:
    """One pass over the quiet open submissions (see the module docstring).

    ``statuses`` defaults to the job backend's answer; without a backend nothing is done (a
    process that runs no jobs cannot tell an ended job from one that never started).
    """
    candidates = _quiet(queued_for, in_flight_for)
    if not candidates:
        return Recovery()
    if statuses is None:
        # A batch's legs share its workflow: each id asked once.
        ids = list(dict.fromkeys(s.job_id for s in candidates))
        statuses = job_statuses(wiring.current().jobs, ids)
        if statuses is None:
            return Recovery()
    counts = {"enqueued": 0, "restarted": 0, "stopped": 0}
    for submission in candidates:
        try:
            outcome = _recover_one(submission, statuses.get(submission.job_id))
        except StaleSubmissionError:
            continue  # a worker or a user moved it meanwhile: nothing is stranded
        if outcome is not None:
            counts[outcome] += 1
    return Recovery(**counts)
