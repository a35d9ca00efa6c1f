"""The send step's pre-flight, against the in-process emulator.

Proven here: each of the three seed errors (no fiscal year for the voucher date, API module
off, a journal row without a ledger account) stops the submission in ``needs_action`` with the
pre-flight's catalog code while Visma receives no ``POST /v2/vouchers``; after the fix a user's
retry sends it exactly once. A transient read failure during the pre-flight is retried later,
not turned into needs action. A refusal of the POST after a passing pre-flight drops the
company's cached reads, so the next check reads Visma again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.cache import caches

from payjournal import preflight
from payjournal.domain.submission import SubmissionState
from payjournal.emulator import Emulator, FaultPlan, stable_id
from payjournal.emulator.model import Company
from payjournal.payroll.models import JournalLine, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.sending.models import Submission
from payjournal.sending.send import process_submission
from payjournal.sending.services import import_run, retry
from tests.fixtures.books import Books, next_january
from tests.sending.test_send import FAST, assert_sent_once, events, no_sleep, send


def posts(emu: Emulator) -> int:
    """How many ``POST /v2/vouchers`` reached the emulator (refused ones included)."""
    return sum(1 for r in emu.requests if r.endpoint == "POST /v2/vouchers")


def reads(emu: Emulator, endpoint: str) -> int:
    return sum(1 for r in emu.requests if r.endpoint == endpoint)


def company(emu: Emulator, key: str) -> Company:
    found = emu.state.company(key)
    assert found is not None
    return found


@dataclass(frozen=True)
class SeedError:
    """A seed error: ``make`` breaks the books (or the journal) and returns the run to send,
    ``fix`` repairs it the way a user would."""

    code: str
    key: str
    make: Callable[[Books, Emulator], PayrollRun]
    fix: Callable[[PayrollRun, Emulator], None]


def _no_fiscal_year(books: Books, emu: Emulator) -> PayrollRun:
    # next year's books do not exist yet at Nordisk Trä; a January run of next year comes in
    del company(emu, "se-nordisk").fiscal_years[stable_id("se-nordisk", "fiscalyear", "2027")]
    october = (samples_dir() / "se-nordisk" / "run-2026-10.csv").read_bytes()
    return import_run(books.nordisk, next_january(october), "run-2027-01.csv").run


def _create_the_year(run: PayrollRun, _emu: Emulator) -> None:
    preflight.create_fiscal_year(run, date(2027, 1, 1), date(2027, 12, 31))  # the one-click fix


def _module_off(books: Books, emu: Emulator) -> PayrollRun:
    company(emu, "nl-bakkerij").api_module_enabled = False
    return books.runs(books.bakkerij)[0]


def _module_on(_run: PayrollRun, emu: Emulator) -> None:
    company(emu, "nl-bakkerij").api_module_enabled = True


def _row_without_account(books: Books, _emu: Emulator) -> PayrollRun:
    run = books.runs(books.bakkerij)[0]
    line = JournalLine.objects.get(journal__run=run, position=1)
    JournalLine.objects.filter(pk=line.pk).update(account="", text=f"{line.text}|{line.account}")
    return run


def _account_given(run: PayrollRun, _emu: Emulator) -> None:
    line = JournalLine.objects.get(journal__run=run, position=1)
    text, account = line.text.rsplit("|", 1)
    JournalLine.objects.filter(pk=line.pk).update(account=account, text=text)


SEED_ERRORS = [
    SeedError("fiscal_year_missing", "se-nordisk", _no_fiscal_year, _create_the_year),
    SeedError("module_not_activated", "nl-bakkerij", _module_off, _module_on),
    SeedError("unmapped_component", "nl-bakkerij", _row_without_account, _account_given),
]


@pytest.mark.parametrize("error", SEED_ERRORS, ids=[e.code for e in SEED_ERRORS])
def test_a_seed_error_stops_before_posting_and_retry_after_the_fix_sends_once(
    books: Books, visma: Emulator, error: SeedError
) -> None:
    run = error.make(books, visma)

    submission = send(run)
    assert submission.state == SubmissionState.NEEDS_ACTION
    assert submission.error_code == error.code
    assert submission.error_message.startswith("Pre-flight: ")
    assert posts(visma) == 0

    error.fix(run, visma)
    retry(submission)
    process_submission(submission.pk, policy=FAST, sleep=no_sleep)
    submission.refresh_from_db()
    assert_sent_once(visma, submission, error.key)
    assert posts(visma) == 1


def test_a_transient_read_failure_in_the_pre_flight_is_retried_not_refused(
    books: Books, visma: Emulator
) -> None:
    settings_read = "GET /v2/companysettings"
    # enough 503s to outlast the client's own retries of one read: the pre-flight sees it fail
    visma.faults.set(FaultPlan(error_next=4, error_status=503, endpoints=[settings_read]))

    submission = send(books.runs(books.bakkerij)[0])

    assert_sent_once(visma, submission)
    assert events(submission) == ["claimed", "retryable_failure", "claimed", "posted"]
    failed = submission.attempts.get(event="retryable_failure")
    assert failed.error_code == "server_error"
    assert [r.fault for r in visma.requests if r.endpoint == settings_read] == [
        *["error-503"] * 4,
        None,
    ]
    assert posts(visma) == 1


def test_a_refused_post_after_a_passing_pre_flight_drops_the_cached_reads(
    books: Books, visma: Emulator
) -> None:
    first, second = books.runs(books.bakkerij)[:2]
    assert_sent_once(visma, send(first))  # the day's reads are cached now
    for year in company(visma, "nl-bakkerij").fiscal_years.values():
        year.accounts[4000].is_active = False  # deactivated after the reads

    refused = send(second)  # the pre-flight passes on the cached chart; Visma refuses
    assert refused.state == SubmissionState.NEEDS_ACTION
    assert refused.error_code == "validation_failed"
    assert posts(visma) == 2
    key = books.bakkerij.visma_company_id
    assert caches["default"].get(f"payjournal:preflight:{key}:__names__") is None

    settings_reads = reads(visma, "GET /v2/companysettings")
    checklist = preflight.check_run(second)  # read afresh: the deactivation is seen
    assert [(i.code, i.subject) for i in checklist.failed] == [("account_inactive", "4000")]
    assert reads(visma, "GET /v2/companysettings") == settings_reads + 1
    assert Submission.objects.filter(state=SubmissionState.SENT).count() == 1
