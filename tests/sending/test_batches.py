"""A bulk send's legs go to Visma in batches, several legs to one DBOS workflow
(:mod:`payjournal.sending.outbox`, :func:`payjournal.sending.send.process_in_turn`): a Visma
company's legs in one batch, a leg that must wait does not hold up the others, a leg that fails
does not stop them, and the sweep finds a batched leg's workflow by its batch."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from uuid import uuid4

import pytest
from dbos import DBOS

from payjournal import wiring
from payjournal.domain.submission import Event, SubmissionState
from payjournal.emulator import Emulator, FaultPlan
from payjournal.integrations.models import VismaAccount
from payjournal.jobs import Enqueue, JobStatus
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending.models import Submission
from payjournal.sending.outbox import BATCH_SIZE, assign_batches
from payjournal.sending.recovery import Recovery, recover_stranded
from payjournal.sending.send import SendPolicy, process_in_turn
from payjournal.sending.services import request_send_many
from payjournal.sending.states import StaleSubmissionError, transition
from payjournal.sending.workflows import SEND_BATCH_WORKFLOW, SEND_WORKFLOW
from tests.fixtures.books import Books
from tests.waiting import wait_until

VOUCHERS = ["POST /v2/vouchers"]
NOW = {"queued_for": timedelta(0), "in_flight_for": timedelta(0)}


def _leg(account: int) -> Submission:
    """A new leg (unsaved) of a company mapped to Visma account ``account``."""
    company = PayrollCompany(pk=account, visma_account=VismaAccount(pk=account))
    return Submission(id=uuid4(), company=company)


def test_legs_are_batched_eight_at_a_time_with_a_companys_legs_together() -> None:
    one_each = [_leg(account) for account in range(1, 21)]
    assign_batches(one_each)
    sizes = [sum(1 for leg in one_each if leg.batch == name) for name in _names(one_each)]
    assert sizes == [BATCH_SIZE, BATCH_SIZE, 20 - 2 * BATCH_SIZE]
    assert _names(one_each)[0] == f"batch-{one_each[0].pk}"

    # The seventh company's three legs do not fit the first batch: they start the next one.
    mixed = [_leg(account) for account in (1, 2, 3, 4, 5, 6, 7, 7, 7, 8)]
    assign_batches(mixed)
    assert [mixed.index(next(leg for leg in mixed if leg.batch == n)) for n in _names(mixed)] == [
        0,
        6,
    ]
    assert len({leg.batch for leg in mixed if leg.company.pk == 7}) == 1

    alone = [_leg(1)]
    assign_batches(alone)
    assert alone[0].batch == ""  # a batch of one is the leg's own workflow
    assert alone[0].job_id == str(alone[0].pk)


def _names(legs: Sequence[Submission]) -> list[str]:
    return list(dict.fromkeys(leg.batch for leg in legs))


def _legs(runs: Sequence[PayrollRun]) -> list[Submission]:
    """The legs a bulk send of ``runs`` queued, each once (two versions of a run id share one)."""
    return list({leg.pk: leg for leg in request_send_many(runs).queued}.values())


def _vouchers(visma: Emulator, leg: Submission) -> int:
    company = visma.state.company(leg.company.key)
    assert company is not None
    return len([v for v in company.vouchers.values() if leg.marker in v.text])


@pytest.mark.django_db(transaction=True)
def test_a_bulk_send_is_one_workflow_per_batch_and_each_leg_is_sent_once(
    books: Books, visma: Emulator, executor: None
) -> None:
    queued = _legs(list(PayrollRun.objects.all()))
    assert len(queued) > 2
    batch = f"batch-{queued[0].pk}"
    ended = wait_until(
        lambda: [w for w in DBOS.list_workflows(workflow_ids=[batch]) if w.status == "SUCCESS"],
        f"workflow {batch} to end",
    )
    assert ended[0].name == SEND_BATCH_WORKFLOW
    assert ended[0].input is not None
    assert ended[0].input["args"] == ([str(leg.pk) for leg in queued],)
    assert DBOS.list_workflows(name=SEND_WORKFLOW, load_input=False) == []
    done = list(Submission.objects.all())
    assert {leg.batch for leg in done} == {batch}
    for leg in done:
        # the Swedish company's sample periods are locked at Visma: stopped before any POST
        expected = SubmissionState.SENT if leg.company == books.bakkerij else leg.state
        assert leg.state == expected
        assert leg.state in {SubmissionState.SENT, SubmissionState.NEEDS_ACTION}
        assert _vouchers(visma, leg) == (1 if leg.state == SubmissionState.SENT else 0)


def test_a_leg_that_must_wait_does_not_hold_up_the_rest_of_its_batch(
    books: Books, visma: Emulator
) -> None:
    queued = _legs(books.runs(books.bakkerij))
    queued += _legs([run for run in books.runs(books.nordisk) if run.run_id.startswith("2026-09")])
    ids = [leg.pk for leg in queued]
    visma.faults.set(FaultPlan(burst_429_next=1, burst_retry_after_s=30, endpoints=VOUCHERS))
    clock = [1000.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        clock[0] += seconds

    states = process_in_turn(
        ids, policy=SendPolicy(max_attempts=4), sleep=sleep, clock=lambda: clock[0]
    )
    assert set(states) == {str(i) for i in ids}
    assert pauses == [30.0]  # the first leg's Retry-After, taken after the others were sent
    legs = {leg.pk: leg for leg in Submission.objects.filter(pk__in=ids)}
    first, *others = (legs[i] for i in ids)
    assert first.state == SubmissionState.SENT
    assert [e for e in first.attempts.values_list("event", flat=True)][-2:] == [
        "claimed",
        "posted",
    ]
    assert "retryable_failure" in first.attempts.values_list("event", flat=True)
    sent_others = [leg for leg in others if leg.state == SubmissionState.SENT]
    assert sent_others
    assert all(leg.sent_at is not None and first.sent_at is not None for leg in sent_others)
    assert all(leg.sent_at < first.sent_at for leg in sent_others)  # type: ignore[operator]
    for leg in legs.values():
        assert _vouchers(visma, leg) == (1 if leg.state == SubmissionState.SENT else 0)


def test_a_leg_that_fails_does_not_stop_its_batch_and_the_failure_is_raised_after(
    books: Books, visma: Emulator
) -> None:
    queued = _legs(books.runs(books.bakkerij))
    missing = uuid4()  # a leg whose row is gone: its send raises
    ids = [missing, *(leg.pk for leg in queued)]
    with pytest.raises(Submission.DoesNotExist):
        process_in_turn(ids, sleep=lambda _s: None)
    for leg in Submission.objects.filter(pk__in=[leg.pk for leg in queued]):
        assert leg.state == SubmissionState.SENT
        assert _vouchers(visma, leg) == 1


class _Enqueued:
    """A job backend that records what it is given and knows the workflows it is told of."""

    def __init__(self, known: Mapping[str, JobStatus]) -> None:
        self.known = dict(known)
        self.jobs: list[Enqueue] = []

    def enqueue(self, workflow_id: str, submission_id: str, partition: str) -> None:
        self.jobs.append((workflow_id, submission_id, partition))

    def enqueue_many(self, jobs: Sequence[Enqueue]) -> None:
        self.jobs.extend(jobs)

    def statuses(self, workflow_ids: Sequence[str]) -> Mapping[str, JobStatus]:
        return {w: self.known[w] for w in workflow_ids if w in self.known}


@pytest.fixture
def backend() -> Iterator[_Enqueued]:
    recording = _Enqueued({})
    previous = wiring.install(wiring.current().with_jobs(recording))
    yield recording
    wiring.install(previous)


@pytest.mark.django_db(transaction=True)
def test_the_legs_of_a_batch_are_handed_over_as_one_workflow_and_swept_by_it(
    books: Books, visma: Emulator, backend: _Enqueued
) -> None:
    queued = _legs(books.runs(books.bakkerij))
    batch = f"batch-{queued[0].pk}"
    assert backend.jobs == [(batch, str(leg.pk), batch) for leg in queued]

    # The batch is queued at DBOS: the sweep leaves its legs alone however long they wait.
    backend.known[batch] = JobStatus("ENQUEUED")
    backend.jobs.clear()
    assert recover_stranded(**NOW) == Recovery()
    assert backend.jobs == []

    # It ended with its legs still queued: each starts a round of its own.
    backend.known[batch] = JobStatus("SUCCESS")
    backend.jobs.clear()
    assert recover_stranded(**NOW).restarted == len(queued)
    account = str(books.bakkerij.visma_account_id)
    assert sorted(backend.jobs) == sorted((f"{leg.pk}-r2", str(leg.pk), account) for leg in queued)
    assert set(Submission.objects.values_list("batch", flat=True)) == {""}


@pytest.mark.django_db(transaction=True)
def test_a_leg_whose_batch_never_reached_the_backend_is_enqueued_as_its_own_workflow(
    books: Books, visma: Emulator, backend: _Enqueued
) -> None:
    queued = _legs(books.runs(books.bakkerij))
    backend.jobs.clear()  # the batch's enqueue was lost
    assert recover_stranded(**NOW).enqueued == len(queued)
    account = str(books.bakkerij.visma_account_id)
    assert sorted(backend.jobs) == sorted((str(leg.pk), str(leg.pk), account) for leg in queued)
    assert set(Submission.objects.values_list("batch", flat=True)) == {""}


def test_a_batch_run_again_resumes_its_legs_and_leaves_alone_one_that_left_it(
    books: Books, visma: Emulator
) -> None:
    """DBOS runs a batch again after a crash: the leg that was in flight is read back before
    anything is posted, and a leg that a user retried meanwhile (its own round now) is not
    touched by the batch."""
    queued = _legs(books.runs(books.bakkerij))
    in_flight, retried, *_ = queued
    batch = in_flight.batch
    assert batch and retried.batch == batch
    transition(in_flight, Event.CLAIMED)  # the crash came during its POST (which never left)
    Submission.objects.filter(pk=retried.pk).update(round=2, batch="")  # a new round of its own

    states = process_in_turn([in_flight.pk, retried.pk], job_id=batch, sleep=lambda _s: None)

    assert states == {
        str(in_flight.pk): SubmissionState.SENT,
        str(retried.pk): SubmissionState.QUEUED,
    }
    in_flight.refresh_from_db()
    assert list(in_flight.attempts.values_list("event", flat=True))[-4:] == [
        "claimed",  # resumed while sending: read back first
        "not_found_by_marker",
        "claimed",
        "posted",
    ]
    assert _vouchers(visma, in_flight) == 1
    assert _vouchers(visma, retried) == 0
    assert Submission.objects.get(pk=retried.pk).attempts.count() == 0


def test_a_workflow_holding_a_leg_that_left_its_batch_cannot_move_it(
    books: Books, visma: Emulator
) -> None:
    """The compare-and-set guards the round and the batch as well as the state."""
    leg = _legs(books.runs(books.bakkerij))[0]
    Submission.objects.filter(pk=leg.pk).update(batch="")  # its own workflow has it now
    with pytest.raises(StaleSubmissionError):
        transition(leg, Event.CLAIMED)
    assert Submission.objects.get(pk=leg.pk).state == SubmissionState.QUEUED


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_ended_in_error_restarts_only_its_unfinished_legs(
    books: Books, visma: Emulator, backend: _Enqueued
) -> None:
    queued = _legs(books.runs(books.bakkerij))
    sent, *stranded = queued
    process_in_turn([sent.pk], sleep=lambda _s: None)
    backend.known[sent.batch] = JobStatus("ERROR", "OperationalError")
    backend.jobs.clear()
    assert recover_stranded(**NOW) == Recovery(restarted=len(stranded))
    account = str(books.bakkerij.visma_account_id)
    assert sorted(backend.jobs) == sorted(
        (f"{leg.pk}-r2", str(leg.pk), account) for leg in stranded
    )
    assert Submission.objects.get(pk=sent.pk).state == SubmissionState.SENT
