"""Submissions whose DBOS workflow ended without finishing them are found by the sweep: restarted
in a new round (reconciled by marker first when a POST may have left) or, when that is not safe
or keeps failing, stopped in needs action with the ``job_failed`` entry and a Retry.

The failure is real: the worker's token keys are wrong (a misconfigured deployment), so the
send step raises ``TokenDecryptionError`` — not a Visma error — after claiming the submission,
DBOS records the workflow as ``ERROR``, and the submission is left ``sending``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from dbos import DBOS
from django.utils import timezone

from payjournal import catalog, jobs, wiring
from payjournal.domain.submission import SubmissionState
from payjournal.emulator import Emulator
from payjournal.payroll.models import PayrollRun
from payjournal.sending.models import Submission
from payjournal.sending.recovery import MAX_RESTARTS, recover_stranded
from payjournal.sending.services import request_send, retry, sweep
from payjournal.sending.workflows import sweep_workflow
from tests.fixtures.books import Books, wait_until_done
from tests.waiting import wait_until

NOW = {"older_than": timedelta(0), "in_flight_for": timedelta(0)}


class WrongTokenKeys:
    """The process's token keys swapped for one that opens nothing, until ``fix()``."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.right = list(settings.PAYJOURNAL_TOKEN_KEYS)
        settings.PAYJOURNAL_TOKEN_KEYS = [Fernet.generate_key().decode()]

    def fix(self) -> None:
        self.settings.PAYJOURNAL_TOKEN_KEYS = self.right


@pytest.fixture
def wrong_keys(settings: Any) -> Iterator[WrongTokenKeys]:
    keys = WrongTokenKeys(settings)
    yield keys
    keys.fix()


def wait_for_job_to_end(submission: Submission) -> jobs.JobStatus:
    workflow_id = Submission.objects.get(pk=submission.pk).job_id

    def ended() -> jobs.JobStatus | None:
        status = (jobs.job_statuses(wiring.current().jobs, [workflow_id]) or {}).get(workflow_id)
        return status if status is not None and status.has_ended else None

    return wait_until(ended, f"workflow {workflow_id} to end", poll_s=0.05)


def first_run(books: Books) -> PayrollRun:
    run = PayrollRun.objects.filter(company=books.bakkerij).order_by("run_id").first()
    assert run is not None
    return run


def vouchers_with_marker(visma: Emulator, submission: Submission) -> int:
    company = visma.state.company("nl-bakkerij")
    assert company is not None
    return len([v for v in company.vouchers.values() if submission.marker in v.text])


def events(submission: Submission) -> list[str]:
    return list(submission.attempts.values_list("event", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_workflow_that_ended_in_error_is_restarted_and_sends_one_voucher(
    books: Books, visma: Emulator, executor: None, wrong_keys: WrongTokenKeys
) -> None:
    submission = request_send(first_run(books))
    ended = wait_for_job_to_end(submission)
    assert (ended.status, ended.error_type) == ("ERROR", "TokenDecryptionError")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SENDING  # stranded: nothing would move it
    assert sweep() == 0  # too recent: a step might still be running
    wrong_keys.fix()

    assert sweep(**NOW) == 1
    (done,) = wait_until_done(1)
    assert (done.state, done.round) == (SubmissionState.SENT, 2)
    assert vouchers_with_marker(visma, done) == 1
    # round 2 read Visma's vouchers back before it posted: round 1 may have posted
    assert events(done) == [
        "claimed",
        "restarted",
        "claimed",
        "not_found_by_marker",
        "claimed",
        "posted",
    ]
    assert sweep(**NOW) == 0


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_sweep_workflow_recovers_it_too(
    books: Books, visma: Emulator, executor: None, wrong_keys: WrongTokenKeys
) -> None:
    """The production path: the minute's ``payjournal.sweep`` DBOS workflow, its step
    reading DBOS statuses and enqueueing the new round from inside DBOS."""
    submission = request_send(first_run(books))
    wait_for_job_to_end(submission)
    wrong_keys.fix()
    # quiet for an hour: the sweep's own thresholds (2 and 5 minutes) apply
    Submission.objects.filter(pk=submission.pk).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )
    DBOS.start_workflow(sweep_workflow, timezone.now(), None).get_result()
    (done,) = wait_until_done(1)
    assert (done.state, done.round) == (SubmissionState.SENT, 2)
    assert vouchers_with_marker(visma, done) == 1


@pytest.mark.django_db(transaction=True)
def test_a_workflow_that_keeps_failing_stops_in_needs_action_and_retry_sends_once(
    books: Books, visma: Emulator, executor: None, wrong_keys: WrongTokenKeys
) -> None:
    submission = request_send(first_run(books))
    for _ in range(MAX_RESTARTS):
        wait_for_job_to_end(submission)
        assert recover_stranded(queued_for=timedelta(0), in_flight_for=timedelta(0)).restarted == 1
    wait_for_job_to_end(submission)
    assert recover_stranded(queued_for=timedelta(0), in_flight_for=timedelta(0)).stopped == 1

    submission.refresh_from_db()
    assert submission.state == SubmissionState.NEEDS_ACTION
    assert submission.error_code == "job_failed"
    assert "stopped unfinished 4 times (last: ERROR, TokenDecryptionError)" in (
        submission.error_message
    )
    assert submission.needs_reconcile  # it was sending: the retry reads vouchers back first
    explained = catalog.explain(submission.error_code, "nl")
    assert explained.message == (
        "Het versturen van deze journaalpost op de achtergrond is gestopt voordat het klaar was."
    )
    assert sweep(**NOW) == 0  # needs action is the user's now

    wrong_keys.fix()
    retry(submission)
    (done,) = wait_until_done(1)
    assert done.state == SubmissionState.SENT
    assert vouchers_with_marker(visma, done) == 1
    assert events(done).count("restarted") == MAX_RESTARTS
    assert events(done)[-7:] == [
        "job_failed",
        "retried_by_user",
        "claimed",
        "claimed",  # sending → reconciling: vouchers are read back before any POST
        "not_found_by_marker",
        "claimed",
        "posted",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_workflow_is_not_restarted_behind_the_canceller_s_back(
    books: Books, visma: Emulator
) -> None:
    submission = request_send(first_run(books))  # no executor: stays queued
    cancelled = {submission.workflow_id: jobs.JobStatus("CANCELLED")}
    done = recover_stranded(queued_for=timedelta(0), statuses=cancelled)
    assert (done.restarted, done.stopped) == (0, 1)
    submission.refresh_from_db()
    assert (submission.state, submission.error_code) == (SubmissionState.NEEDS_ACTION, "job_failed")
    assert "cancelled" in submission.error_message
    assert not submission.needs_reconcile  # it never left the queue: nothing can have been posted


@pytest.mark.django_db(transaction=True)
def test_a_running_or_unknown_workflow_is_left_alone_or_enqueued(
    books: Books, visma: Emulator
) -> None:
    submission = request_send(first_run(books))
    running = {submission.workflow_id: jobs.JobStatus("PENDING")}
    assert recover_stranded(queued_for=timedelta(0), statuses=running) == recover_stranded(
        queued_for=timedelta(0), statuses={submission.workflow_id: jobs.JobStatus("ENQUEUED")}
    )
    assert recover_stranded(queued_for=timedelta(0), statuses=running).enqueued == 0
    assert recover_stranded(queued_for=timedelta(0), statuses={}).enqueued == 1
    submission.refresh_from_db()
    assert (submission.state, submission.round) == (SubmissionState.QUEUED, 1)
