"""Sending against the emulator: the happy path, every fault, business errors, the constraint.

Each test ends with exactly one voucher per journal in the emulator (or none, with the
submission in needs_action and a reason)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

import pytest
from django.db import IntegrityError, transaction
from django.db import connection as database
from django.test.utils import CaptureQueriesContext

from payjournal import catalog, wiring
from payjournal.domain.submission import Event, SubmissionState
from payjournal.emulator import Emulator, FaultPlan
from payjournal.emulator.model import Voucher
from payjournal.integrations import watch
from payjournal.jobs import Enqueue, JobStatus
from payjournal.notifications.wanted import forget_wanted
from payjournal.payroll.journals import journal_total
from payjournal.payroll.models import JournalSnapshot, PayrollRun
from payjournal.sending import connection
from payjournal.sending.booking import run_state
from payjournal.sending.models import Submission
from payjournal.sending.run_history import story_of
from payjournal.sending.send import SendPolicy, process_submission
from payjournal.sending.services import (
    SendRefusedError,
    request_send,
    request_send_many,
    retry,
    send_period,
    set_send_automatically,
)
from payjournal.sending.states import transition
from payjournal.visma import backoff_ceiling
from tests.fixtures.books import Books, import_samples

VOUCHERS = ["POST /v2/vouchers"]
FAST = SendPolicy(max_attempts=6, base_delay_s=0.0, max_delay_s=0.0)


def no_sleep(_seconds: float) -> None:
    return None


def vouchers_with(emu: Emulator, key: str, marker: str) -> list[Voucher]:
    company = emu.state.company(key)
    assert company is not None
    return [v for v in company.vouchers.values() if marker in v.text]


def send(run: PayrollRun) -> Submission:
    submission = request_send(run)
    process_submission(submission.pk, policy=FAST, sleep=no_sleep)
    submission.refresh_from_db()
    return submission


def events(submission: Submission) -> list[str]:
    return [a.event for a in submission.attempts.all()]


def assert_sent_once(emu: Emulator, submission: Submission, key: str = "nl-bakkerij") -> None:
    assert submission.state == SubmissionState.SENT, (
        submission.error_code,
        submission.error_message,
    )
    found = vouchers_with(emu, key, submission.marker)
    assert len(found) == 1
    journal = JournalSnapshot.objects.select_related("run").get(pk=submission.journal_id)
    assert sum(row.debit for row in found[0].rows) == journal_total(journal).amount
    assert sum(row.credit for row in found[0].rows) == journal_total(journal).amount
    assert submission.voucher_number == f"{found[0].series}{found[0].number}"
    # "sent" is derived from the legs: the run's story books the version with this voucher
    story = story_of(run_state(submission.company, submission.run_key))
    assert story.voucher_of(journal.run.version) == submission.voucher_number


def test_a_run_is_sent_with_marker_date_and_cost_centers(books: Books, visma: Emulator) -> None:
    run = books.runs(books.bakkerij)[0]
    submission = send(run)
    assert_sent_once(visma, submission)
    voucher = vouchers_with(visma, "nl-bakkerij", submission.marker)[0]
    assert voucher.voucher_date == run.journal.voucher_date
    assert voucher.text.startswith(run.journal.voucher_text)
    assert any(row.cost_center_item_ids[0] is not None for row in voucher.rows)
    assert events(submission) == ["claimed", "posted"]
    assert submission.sent_at is not None


def test_a_send_writes_each_state_change_in_two_statements(books: Books, visma: Emulator) -> None:
    """Claim and sent each cost one compare-and-set UPDATE and one timeline INSERT, and a sent
    voucher nobody asked to hear of opens no savepoint (month-end pays these a thousand times)."""
    forget_wanted()
    first, second = books.runs(books.bakkerij)[:2]
    send(first)  # learns that nobody of the master wants a sent voucher
    leg = request_send(second)
    with CaptureQueriesContext(database) as sending:
        process_submission(leg.pk, policy=FAST, sleep=no_sleep)
    written = [
        " ".join(found.groups())
        for found in (re.match(r"(UPDATE|INSERT INTO) (\S+)", q["sql"]) for q in sending)
        if found
    ]
    assert written == [
        'UPDATE "sending_submission"',
        'INSERT INTO "sending_attempt"',
        'UPDATE "sending_submission"',
        'INSERT INTO "sending_attempt"',
    ]
    # The one savepoint is the "sent" transaction's own, nested in the test's transaction.
    savepoints = [q["sql"] for q in sending if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints
    leg.refresh_from_db()
    assert_sent_once(visma, leg)
    assert events(leg) == ["claimed", "posted"]


def test_a_send_reads_the_accounts_tokens_with_its_leg(books: Books, visma: Emulator) -> None:
    """The tokens for the POST are the ones read with the leg's row: no statement of their own
    (a month-end pays one per journal)."""
    first, second = books.runs(books.bakkerij)[:2]
    send(first)  # the pre-flight's reads are in the day's cache: the POST is the one call
    leg = request_send(second)
    with CaptureQueriesContext(database) as sending:
        process_submission(leg.pk, policy=FAST, sleep=no_sleep)
    reads = [q["sql"] for q in sending if "token_ciphertext" in q["sql"]]
    assert len(reads) == 1, reads
    assert reads[0].startswith('SELECT "sending_submission"'), reads
    leg.refresh_from_db()
    assert_sent_once(visma, leg)


@pytest.mark.django_db(transaction=True)
def test_the_accounts_answer_is_stored_in_the_sent_transaction(
    books: Books, visma: Emulator
) -> None:
    """The account's last successful call is written with the leg's sent, in one transaction,
    not in one of its own after the POST (a month-end pays that a thousand times)."""
    first, second = books.runs(books.bakkerij)[:2]
    send(first)  # the pre-flight's reads are in the day's cache: the POST is the one call
    leg = request_send(second)
    watch.forget_answers()  # the account's answer is due again
    written: list[tuple[str, bool]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        written.append((sql, database.in_atomic_block))
        return execute(sql, params, many, context)

    with database.execute_wrapper(record):
        process_submission(leg.pk, policy=FAST, sleep=no_sleep)
    answers = [i for i, (sql, _) in enumerate(written) if ANSWER_STORED.match(sql)]
    assert len(answers) == 1, written
    sent = max(i for i, (sql, _) in enumerate(written) if sql.startswith(SENT_STATE_WRITTEN))
    # Inside a transaction, the sent's, after its compare-and-set: not one of its own.
    assert written[answers[0]][1] and sent < answers[0], written
    leg.refresh_from_db()
    assert_sent_once(visma, leg)
    account = leg.company.visma_account
    assert account is not None
    account.refresh_from_db()
    assert account.last_call_ok_at is not None


SENT_STATE_WRITTEN = 'UPDATE "sending_submission"'
ANSWER_STORED = re.compile(r'UPDATE "integrations_vismaaccount" SET "last_call_ok_at"')


def test_commit_then_drop_is_reconciled_not_posted_twice(books: Books, visma: Emulator) -> None:
    visma.faults.set(FaultPlan(drop_next=1, endpoints=VOUCHERS))
    submission = send(books.runs(books.bakkerij)[0])
    assert_sent_once(visma, submission)
    assert events(submission) == ["claimed", "ambiguous_failure", "found_by_marker"]


@pytest.mark.parametrize(("commits", "expected"), [(True, "found_by_marker"), (False, "posted")])
def test_read_timeout_is_reconciled(
    books: Books, visma: Emulator, commits: bool, expected: str
) -> None:
    visma.faults.set(
        FaultPlan(timeout_next=1, timeout_delay_s=1.0, timeout_commits=commits, endpoints=VOUCHERS)
    )
    submission = send(books.runs(books.bakkerij)[0])
    assert_sent_once(visma, submission)
    assert events(submission)[:2] == ["claimed", "ambiguous_failure"]
    assert events(submission)[-1] == expected


def test_server_errors_are_retried_after_proving_nothing_arrived(
    books: Books, visma: Emulator
) -> None:
    visma.faults.set(FaultPlan(error_next=2, error_status=503, endpoints=VOUCHERS))
    submission = send(books.runs(books.bakkerij)[0])
    assert_sent_once(visma, submission)
    assert events(submission).count("not_found_by_marker") == 2


def test_429_bursts_wait_and_send(books: Books, visma: Emulator) -> None:
    visma.faults.set(FaultPlan(burst_429_next=3, burst_retry_after_s=1, endpoints=VOUCHERS))
    waits: list[float] = []
    submission = request_send(books.runs(books.bakkerij)[0])
    process_submission(submission.pk, policy=SendPolicy(max_attempts=6), sleep=waits.append)
    submission.refresh_from_db()
    assert_sent_once(visma, submission)
    assert waits == [1.0, 1.0, 1.0]
    assert events(submission).count("retryable_failure") == 3


def test_the_send_step_backs_off_like_the_client_with_full_jitter() -> None:
    policy = SendPolicy(base_delay_s=2.0, max_delay_s=120.0)
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (6, 64.0), (7, 120.0), (12, 120.0)]:
        assert backoff_ceiling(attempt, policy.base_delay_s, policy.max_delay_s) == ceiling
        waits = [policy.delay(attempt, RuntimeError("no answer")) for _ in range(200)]
        assert all(0 <= wait <= ceiling for wait in waits)
        assert max(waits) > ceiling / 2  # spread over the whole range, not a fixed pause


def test_persistent_server_errors_end_in_needs_action(books: Books, visma: Emulator) -> None:
    visma.faults.set(FaultPlan(error_rate=1.0, endpoints=VOUCHERS))
    submission = send(books.runs(books.bakkerij)[0])
    assert submission.state == SubmissionState.NEEDS_ACTION
    assert submission.error_code == "retries_exhausted"
    # the dashlet titles it with the catalog's entry for a failing Visma, in the user's language
    assert catalog.explain(submission.error_code, "nl").code == "server_error"
    assert vouchers_with(visma, "nl-bakkerij", submission.marker) == []
    visma.faults.clear()
    retry(submission)
    process_submission(submission.pk, policy=FAST, sleep=no_sleep)
    submission.refresh_from_db()
    assert_sent_once(visma, submission)
    assert events(submission)[-3:] == ["retried_by_user", "claimed", "posted"]


def test_business_error_stops_and_retry_after_the_fix_sends(books: Books, visma: Emulator) -> None:
    run = books.runs(books.nordisk)[0]
    submission = send(run)
    assert submission.state == SubmissionState.NEEDS_ACTION
    assert submission.error_code == "period_locked"
    assert submission.error_message
    company = visma.state.company("se-nordisk")
    assert company is not None
    company.accounting_locked_to = None
    process_submission(submission.pk, policy=FAST, sleep=no_sleep)  # not retried on its own
    submission.refresh_from_db()
    assert submission.state == SubmissionState.NEEDS_ACTION
    retry(submission)
    process_submission(submission.pk, policy=FAST, sleep=no_sleep)
    submission.refresh_from_db()
    assert_sent_once(visma, submission, "se-nordisk")
    assert submission.round == 2


def test_a_crash_mid_send_reconciles_first(books: Books, visma: Emulator) -> None:
    run = books.runs(books.bakkerij)[0]
    submission = request_send(run)
    submission = transition(submission, Event.CLAIMED)  # the worker claimed it, posted, died
    from payjournal.sending.legs import leg_journal
    from payjournal.sending.voucher import build_voucher

    client = connection.client_for(books.bakkerij)  # shares the process transport: not closed
    centers = tuple(client.list_cost_centers())
    journal = replace(leg_journal(submission), voucher_date=submission.voucher_date)
    voucher = build_voucher(journal, submission.marker, centers)
    client.create_voucher(voucher)
    process_submission(submission.pk, policy=FAST, sleep=no_sleep)
    submission.refresh_from_db()
    assert_sent_once(visma, submission)
    assert events(submission) == ["claimed", "claimed", "found_by_marker"]


def test_the_database_refuses_a_second_sent_submission(books: Books, visma: Emulator) -> None:
    run = books.runs(books.bakkerij)[0]
    first = send(run)
    second = {
        "journal": first.journal,
        "company": first.company,
        "run_key": first.run_key,
        "voucher_date": first.voucher_date,
        "marker": first.marker,
    }
    Submission.objects.create(**second, state="superseded")  # the columns are all there
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(**second, state="sent")
    with pytest.raises(SendRefusedError, match="already booked"):
        request_send(run)


def test_requesting_twice_gives_one_submission(books: Books, visma: Emulator) -> None:
    run = books.runs(books.bakkerij)[0]
    first = request_send(run)
    assert request_send(run).pk == first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            journal=run.journal,
            company=run.company,
            run_key=run.run_id,
            voucher_date=first.voucher_date,
            marker="[pj:x]",
        )


class _HandOvers:
    """A job backend (the port) noting, at each hand-over, its jobs and the legs committed."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def enqueue(self, workflow_id: str, submission_id: str, partition: str) -> None:
        self.enqueue_many([(workflow_id, submission_id, partition)])

    def enqueue_many(self, jobs: Sequence[Enqueue]) -> None:
        self.calls.append((len(jobs), Submission.objects.count()))

    def statuses(self, workflow_ids: Sequence[str]) -> Mapping[str, JobStatus]:
        return {}


def test_a_bulk_send_hands_each_batch_to_the_executor_at_its_commit(
    transactional_db: None, books: Books, visma: Emulator
) -> None:
    """Month-end's first vouchers leave while later run ids are still being decided."""
    runs = [books.runs(books.bakkerij)[0], books.runs(books.nordisk)[0]]
    handovers = _HandOvers()
    previous = wiring.install(wiring.current().with_jobs(handovers))
    try:
        result = request_send_many(runs, per_transaction=1)
    finally:
        wiring.install(previous)
    assert len(result.queued) == 2
    assert handovers.calls == [(1, 1), (1, 2)]


def test_bulk_send_of_a_period_sends_every_unsent_run(books: Books, visma: Emulator) -> None:
    result = send_period(
        books.bakkerij,
        books.runs(books.bakkerij)[0].period_start,
        books.runs(books.bakkerij)[-1].period_end,
    )
    assert len(result.queued) == len({r.run_id for r in books.runs(books.bakkerij)})
    for submission in result.queued:
        process_submission(submission.pk, policy=FAST, sleep=no_sleep)
        submission.refresh_from_db()
        assert_sent_once(visma, submission)


def test_automatic_sending_queues_every_processed_run(books: Books, visma: Emulator) -> None:
    set_send_automatically(books.bakkerij, True)
    Submission.objects.all().delete()
    PayrollRun.objects.filter(company=books.bakkerij).delete()
    runs = import_samples(books.bakkerij)
    assert {r.kind for r in runs} >= {"regular", "correction"}
    queued = Submission.objects.filter(company=books.bakkerij)
    assert queued.count() == len(runs)
    assert all(s.state == SubmissionState.QUEUED for s in queued)


def test_an_unmapped_company_cannot_be_sent(books: Books, visma: Emulator) -> None:
    from payjournal.payroll.services import map_company

    map_company(books.bakkerij, None)
    with pytest.raises(SendRefusedError, match="not mapped"):
        request_send(books.runs(books.bakkerij)[0])


def test_a_resumed_send_that_cannot_connect_reconciles_after_the_fix(
    books: Books, visma: Emulator
) -> None:
    from payjournal.integrations.models import VismaAccount

    run = books.runs(books.bakkerij)[0]
    submission = transition(request_send(run), Event.CLAIMED)  # a worker died while sending
    VismaAccount.objects.filter(pk=books.bakkerij.visma_account_id).update(
        status="authorization_needed"
    )
    process_submission(submission.pk, policy=FAST, sleep=no_sleep)
    submission.refresh_from_db()
    assert (submission.state, submission.error_code) == ("needs_action", "not_connected")
    assert submission.needs_reconcile
    VismaAccount.objects.filter(pk=books.bakkerij.visma_account_id).update(status="authorized")
    retry(submission)
    process_submission(submission.pk, policy=FAST, sleep=no_sleep)
    submission.refresh_from_db()
    assert_sent_once(visma, submission)
    assert "not_found_by_marker" in events(submission)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"visma_company_id": "another-company"}, "now bound to another Visma company"),
        ({"status": "authorization_needed"}, "not connected to an authorized Visma account"),
        ({"status": "not_authorized"}, "not connected to an authorized Visma account"),
    ],
)
def test_no_client_when_the_connection_cannot_work(
    books: Books, visma: Emulator, change: dict[str, str], says: str
) -> None:
    from payjournal.integrations.models import VismaAccount
    from payjournal.preflight.service import connection_problem

    VismaAccount.objects.filter(pk=books.bakkerij.visma_account_id).update(**change)
    books.bakkerij.refresh_from_db()
    assert connection_problem(books.bakkerij)  # the pre-flight knows it too, by the same rule
    with pytest.raises(connection.NotConnectedError, match=says):
        connection.client_for(books.bakkerij)
