"""The send state machine and its faults against :class:`FakeVisma`, in milliseconds:
commit-then-drop, read timeout (stored or not), 5xx, 429 (with and without ``Retry-After``),
a request that never left, business errors (Visma's and the pre-flight's), and a worker that
dies mid-send. Each ends with at most one voucher per leg, and a voucher found by its marker
after an ambiguous failure is never posted again.

The same faults over HTTP against the emulator: ``test_send.py``; through DBOS, a killed worker
and hundreds of sends: ``test_recovery.py``, ``test_sigkill.py``, ``test_chaos.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from pytest_django import DjangoDbBlocker

from payjournal.domain.submission import SubmissionState
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.payroll.models import JournalLine
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import map_company
from payjournal.preflight import DailyCache
from payjournal.sending.models import Submission
from payjournal.sending.send import SendPolicy, process_submission
from payjournal.sending.services import import_run, request_send, retry
from payjournal.tenancy.models import Master
from payjournal.visma.error_mapping import DEFAULT_RATE_LIMIT_WAIT
from tests.fixtures.books import sample_company
from tests.sending.fake_visma import (
    Answer,
    FakeVisma,
    WorkerCrashed,
    commit_then_drop,
    crash,
    never_sent,
    rate_limited,
    refused,
    server_error,
    timeout,
)

COMPANY_KEY = "NL-FAKE-0001"
SENT_AT = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
FAST = SendPolicy(max_attempts=6, base_delay_s=0.0, max_delay_s=0.0)
#: A POST whose outcome stayed unknown: Visma stored the voucher or not; the read-back decides
#: (POSTs in all, the events after the read-back).
STORED_OR_NOT = pytest.mark.parametrize(
    ("stored", "posts", "after"),
    [
        (True, 1, ["found_by_marker"]),
        (False, 2, ["not_found_by_marker", "claimed", "posted"]),
    ],
    ids=["stored", "not-stored"],
)


@dataclass
class Leg:
    """A queued leg of the bakery's September run, and the fake Visma company it goes to."""

    submission: Submission
    fake: FakeVisma
    #: The day's reads of the fake, in memory of this test's own (the app's are in the database).
    cache: DailyCache = field(default_factory=lambda: DailyCache(LocMemCache(str(uuid4()), {})))
    waits: list[float] = field(default_factory=list)

    def send(self, policy: SendPolicy = FAST) -> Submission:
        """Run the send step as a workflow would, on the fake, a recorded sleep, a fixed clock."""
        process_submission(
            self.submission.pk,
            client_factory=lambda _account: self.fake,
            cache=self.cache,
            policy=policy,
            sleep=self.waits.append,
            now=lambda: SENT_AT,
        )
        self.submission.refresh_from_db()
        return self.submission

    def events(self) -> list[str]:
        return list(self.submission.attempts.values_list("event", flat=True))

    def vouchers(self) -> int:
        return len(self.fake.with_marker(self.submission.marker))


@dataclass(frozen=True)
class Queued:
    """The leg as the module stored it, and the (account, dimension) rows its voucher books."""

    submission_id: UUID
    voucher_date: date
    rows: tuple[tuple[str, str], ...]


@pytest.fixture(scope="module")
def queued(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Queued]:
    """The bakery mapped to an authorized account (no tokens: the fake needs none) and the leg of
    its September run queued, stored once for this module in a transaction rolled back after it;
    each test runs in a savepoint inside it, so each finds the leg queued."""
    with django_db_blocker.unblock(), transaction.atomic():
        master = Master.objects.create(name="Fake Co")
        company = sample_company(master, "nl-bakkerij")
        account = VismaAccount.objects.create(
            master=master,
            name="Visma (fake)",
            status=AccountStatus.AUTHORIZED,
            visma_company_id=COMPANY_KEY,
        )
        map_company(company, account)
        run_file = samples_dir() / "nl-bakkerij" / "run-2026-09.json"
        run = import_run(company, run_file.read_bytes(), run_file.name).run
        submission = request_send(run)
        rows = JournalLine.objects.filter(journal=run.journal).values_list("account", "dimension")
        yield Queued(submission.pk, submission.voucher_date, tuple(rows))
        transaction.set_rollback(True)


@pytest.fixture
def leg(db: None, queued: Queued) -> Leg:
    return Leg(
        Submission.objects.get(pk=queued.submission_id),
        FakeVisma.for_rows(COMPANY_KEY, queued.voucher_date, queued.rows),
    )


def assert_sent_once(leg: Leg, posts: int) -> None:
    submission = leg.submission
    assert (submission.state, submission.error_code) == (SubmissionState.SENT, "")
    assert leg.vouchers() == 1
    assert len(leg.fake.posts) == posts
    (voucher,) = leg.fake.with_marker(submission.marker)
    assert (submission.voucher_id, submission.voucher_number) == (str(voucher.id), "A1")
    assert voucher.voucher_date == submission.voucher_date
    assert voucher.debit_total == voucher.credit_total > 0
    assert submission.sent_at == SENT_AT
    assert not submission.needs_reconcile


def test_commit_then_drop_is_found_by_its_marker_and_not_posted_again(leg: Leg) -> None:
    leg.fake.answer_posts(commit_then_drop())
    leg.send()
    assert_sent_once(leg, posts=1)
    assert leg.events() == ["claimed", "ambiguous_failure", "found_by_marker"]


@STORED_OR_NOT
def test_a_read_timeout_reads_back_before_posting_again(
    leg: Leg, stored: bool, posts: int, after: list[str]
) -> None:
    leg.fake.answer_posts(timeout(commits=stored))
    leg.send()
    assert_sent_once(leg, posts=posts)
    assert leg.events() == ["claimed", "ambiguous_failure", *after]


def test_server_errors_after_the_post_are_proven_absent_then_posted_again(leg: Leg) -> None:
    leg.fake.answer_posts(server_error(503), server_error(502))
    leg.send()
    assert_sent_once(leg, posts=3)
    assert leg.events().count("ambiguous_failure") == 2
    assert leg.events().count("not_found_by_marker") == 2


def test_a_failed_read_back_is_retried_and_still_finds_the_voucher(leg: Leg) -> None:
    leg.fake.answer_posts(commit_then_drop())
    leg.fake.answer_reads(server_error(), timeout(commits=False))
    leg.send()
    assert_sent_once(leg, posts=1)
    assert leg.events().count("retryable_failure") == 2
    assert leg.events()[-1] == "found_by_marker"


def test_a_request_that_never_left_is_posted_again_without_reading_back(leg: Leg) -> None:
    leg.fake.answer_posts(never_sent())
    leg.send()
    assert_sent_once(leg, posts=2)
    assert leg.events() == ["claimed", "retryable_failure", "claimed", "posted"]


@pytest.mark.parametrize(
    ("answer", "wait"),
    [
        (rate_limited(retry_after=1), 1.0),
        (rate_limited(), DEFAULT_RATE_LIMIT_WAIT),  # no Retry-After, no wait stated
    ],
    ids=["retry-after", "no-retry-after"],
)
def test_429_waits_as_long_as_visma_asks_then_sends(leg: Leg, answer: Answer, wait: float) -> None:
    leg.fake.answer_posts(answer, answer)
    leg.send(SendPolicy(max_attempts=6))
    assert_sent_once(leg, posts=3)
    assert leg.waits == [wait] * 2
    assert leg.events().count("retryable_failure") == 2
    assert "ambiguous_failure" not in leg.events()  # a 429 stored nothing


def test_persistent_server_errors_end_in_needs_action_and_a_retry_sends_once(leg: Leg) -> None:
    twice = SendPolicy(max_attempts=2, base_delay_s=0.0, max_delay_s=0.0)
    leg.fake.answer_posts(server_error(), server_error())
    submission = leg.send(twice)
    assert (submission.state, submission.error_code) == (
        SubmissionState.NEEDS_ACTION,
        "retries_exhausted",
    )
    assert leg.vouchers() == 0
    assert len(leg.fake.posts) == 2
    retry(submission)
    leg.send(twice)
    assert_sent_once(leg, posts=3)
    assert leg.events()[-3:] == ["retried_by_user", "claimed", "posted"]


def test_a_business_error_stops_with_visma_s_code_until_a_user_retries(leg: Leg) -> None:
    leg.fake.answer_posts(refused(400, 3001, "No fiscal year exists for the voucher date."))
    submission = leg.send()
    assert (submission.state, submission.error_code) == (
        SubmissionState.NEEDS_ACTION,
        "fiscal_year_missing",
    )
    assert submission.error_message == "No fiscal year exists for the voucher date."
    leg.send()  # not retried on its own
    assert len(leg.fake.posts) == 1
    assert leg.vouchers() == 0
    retry(submission)
    leg.send()
    assert_sent_once(leg, posts=2)
    assert leg.submission.round == 2


def test_the_pre_flight_stops_a_business_error_before_anything_is_posted(leg: Leg) -> None:
    leg.fake.locked_to = date(2026, 12, 31)
    submission = leg.send()
    assert (submission.state, submission.error_code) == (
        SubmissionState.NEEDS_ACTION,
        "period_locked",
    )
    assert submission.error_message.startswith("Pre-flight: ")
    assert leg.fake.posts == []


@STORED_OR_NOT
def test_a_worker_that_dies_mid_send_leaves_one_voucher_after_recovery(
    leg: Leg, stored: bool, posts: int, after: list[str]
) -> None:
    leg.fake.answer_posts(crash(after_commit=stored))
    with pytest.raises(WorkerCrashed):
        leg.send()
    assert Submission.objects.get(pk=leg.submission.pk).state == SubmissionState.SENDING
    leg.send()  # DBOS recovers the workflow: the send step runs again from the row
    assert_sent_once(leg, posts=posts)
    assert leg.events() == ["claimed", "claimed", *after]
