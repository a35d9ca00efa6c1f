"""The send step: take one submission to ``sent`` or ``needs_action``, never to two vouchers.

``process_submission`` is what a durable workflow runs (:mod:`payjournal.sending.workflows`);
it can be run again at any point (a crash, a redelivery) because every decision is read from
the submission's stored state:

* ``queued`` → claim → ``sending`` → pre-flight (the checks of :mod:`payjournal.preflight`
  on the day's cached reads of the Visma company) → ``POST /v2/vouchers``; a failed check
  stops with ``needs_action`` and its catalog code, before anything reaches Visma;
* ``sending`` found on resume (a worker died mid-request) or a stored ambiguous outcome →
  ``reconciling``: read the vouchers of the journal's date back and match the marker; found →
  ``sent``, proven absent → ``queued`` and post again;
* rate limits, server errors and requests that never left → ``queued`` again after a backoff
  (the server's ``Retry-After`` when given), up to ``SendPolicy.max_attempts``;
* business errors (missing fiscal year, locked period, module off, unknown account,
  ``invalid_grant``, no connection, unknown cost center) → ``needs_action`` with the error's
  stable code and message; nothing is retried until a user asks.

Its collaborators are arguments: the company's Visma gateway
(:class:`~.connection.AccountingGateway`, by default the account's client on the process's
wiring), the day-long cache of its reads, the retry policy, sleeping and the clock — so the
state machine and its faults run against a fake in milliseconds
(``tests/sending/test_send_faults.py``) as well as against the emulator.
"""

from __future__ import annotations

import heapq
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from payjournal import cpu_budget
from payjournal.domain.submission import Event, SubmissionState
from payjournal.integrations import watch
from payjournal.preflight import Checklist, DailyCache
from payjournal.preflight.books import CachedBooks
from payjournal.preflight.service import checklist_with, default_client, target_of_journal
from payjournal.sending import booking, connection
from payjournal.sending.connection import AccountingGateway, GatewayFactory
from payjournal.sending.legs import leg_journal
from payjournal.sending.models import Submission
from payjournal.sending.run_story import PREFLIGHT_PREFIX
from payjournal.sending.states import StaleSubmissionError, transition
from payjournal.sending.voucher import CostCenterNotFoundError, build_voucher
from payjournal.site.compiled import CompiledGet
from payjournal.visma import (
    NetworkError,
    OutcomeUnknownError,
    RateLimitedError,
    ServerError,
    VismaError,
    backoff_ceiling,
)

log = logging.getLogger("payjournal.sending")

#: Visma's refusal of a voucher dated in a locked period (``PeriodLockedError.code``).
PERIOD_LOCKED = "period_locked"

#: Failures worth another try after a pause: nothing was stored at Visma.
RETRYABLE = (RateLimitedError, ServerError, NetworkError)


@dataclass(frozen=True, slots=True)
class SendPolicy:
    """How often and how patiently a submission is retried after retryable failures."""

    max_attempts: int = 8
    base_delay_s: float = 2.0
    max_delay_s: float = 120.0

    def delay(self, attempt: int, error: Exception) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based): Retry-After (at most
        ``max_delay_s``), else the client's backoff with full jitter."""
        if isinstance(error, RateLimitedError) and error.retry_after:
            return min(self.max_delay_s, float(error.retry_after))
        ceiling = backoff_ceiling(attempt, self.base_delay_s, self.max_delay_s)
        return random.uniform(0, ceiling)  # noqa: S311


#: The leg with what its send reads, in one query compiled once (:mod:`payjournal.site.compiled`).
_LEG = CompiledGet(
    lambda: Submission.objects.select_related("journal__run", "company__visma_account")
)


def _load(submission_id: UUID | str) -> Submission:
    """The leg with what its send reads: its journal and run, its company and Visma account
    (in one query; the run's company is the leg's). A difference's base is read when used."""
    leg = _LEG.get(submission_id)
    leg.journal.run.company = leg.company
    return leg


def _code(error: Exception) -> str:
    return str(getattr(error, "code", "") or type(error).__name__)


def _message(error: Exception) -> str:
    if isinstance(error, VismaError):
        return error.message or str(error)
    return str(error)


def process_submission(
    submission_id: UUID | str,
    *,
    job_id: str | None = None,
    client_factory: GatewayFactory = default_client,
    cache: DailyCache | None = None,
    policy: SendPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = timezone.now,
) -> SubmissionState:
    """Work on the submission until it is ``sent`` or ``needs_action``; returns that state.

    ``job_id`` is the workflow running it: a leg that another workflow sends now (a new round
    after a retry or a restart, its own workflow after its batch was lost) is left alone, so
    a workflow run again by DBOS never takes a leg in flight for another one. ``client_factory``
    gives the gateway of the company's authorized Visma account, ``cache`` keeps the
    pre-flight's reads of it (default: the app database's, shared by every process), ``sleep``
    waits between attempts, ``now`` dates the voucher's ``sent_at``.
    """
    policy = policy or SendPolicy()
    with cpu_budget.part("send: load the leg"):
        submission = _load(submission_id)
    state = submission.state_enum
    if state.is_final or state is SubmissionState.NEEDS_ACTION:
        return state
    if job_id is not None and submission.job_id != job_id:
        log.info(
            "leg sent by another workflow",
            extra={"event": "send.not_this_job", "submission": str(submission.pk)},
        )
        return state
    try:
        visma = connection.client_for(submission.company, client_factory)
    except connection.NotConnectedError as exc:
        return _refuse(submission, exc).state_enum
    # Not closed: the default client's transport is the process's shared pool.
    return _work(submission, visma, cache or DailyCache(), policy, sleep, now)


class _Deferred(Exception):  # noqa: N818 - not an error: a leg's pause, taken by its batch
    """Raised by the sleep a batch gives each leg (:func:`process_in_turn`): the leg is queued
    again (its failed attempt stored) and waits ``seconds`` while the batch sends the others."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def _defer(seconds: float) -> None:
    raise _Deferred(seconds)


def process_in_turn(
    submission_ids: Sequence[UUID | str],
    *,
    job_id: str | None = None,
    before_each: Callable[[], None] = lambda: None,
    client_factory: GatewayFactory = default_client,
    cache: DailyCache | None = None,
    policy: SendPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = timezone.now,
) -> dict[str, SubmissionState]:
    """Send a bulk send's batch: each leg as :func:`process_submission` does, one after another;
    returns where each stands, keyed by submission id (``sent`` or ``needs_action``; a leg that
    has left the batch, as it stood).

    * A leg that must wait before its next attempt (a rate limit, a server error, Visma
      unreachable) does not hold up the others: it stays ``queued``, with its failed attempt
      stored, and is taken up again once its pause is over and the legs due before it are done.
    * A leg whose send raises (a bug, a database that went away) is logged and the others are
      sent; then the first such error is raised, so the workflow ends in ``ERROR`` and the sweep
      starts a round of that leg's own (:mod:`payjournal.sending.recovery`).

    Run again after a crash, it resumes every leg where its row stands, as a single send does;
    ``job_id``, the batch's workflow, leaves alone a leg that has left the batch
    (:func:`process_submission`). ``before_each`` runs before each leg (the workflow's: close
    a database connection that broke, so one leg's failure is not the next one's).
    """
    due = [(0.0, order, str(submission_id)) for order, submission_id in enumerate(submission_ids)]
    states: dict[str, SubmissionState] = {}
    failed: Exception | None = None
    while due:
        at, order, submission_id = heapq.heappop(due)
        pause = at - clock()
        if pause > 0:
            sleep(pause)
        before_each()
        try:
            states[submission_id] = process_submission(
                submission_id,
                job_id=job_id,
                client_factory=client_factory,
                cache=cache,
                policy=policy,
                sleep=_defer,
                now=now,
            )
        except _Deferred as deferred:
            heapq.heappush(due, (clock() + deferred.seconds, order, submission_id))
        except Exception as exc:
            log.exception(
                "a leg of a batch failed; the batch goes on",
                extra={
                    "event": "send.batch_leg_failed",
                    "submission": submission_id,
                    "error": type(exc).__name__,
                },
            )
            failed = failed or exc
    if failed is not None:
        raise failed
    return states


def _work(
    submission: Submission,
    visma: AccountingGateway,
    cache: DailyCache,
    policy: SendPolicy,
    sleep: Callable[[float], None],
    now: Callable[[], datetime],
) -> SubmissionState:
    while True:
        state = submission.state_enum
        if state.is_final or state is SubmissionState.NEEDS_ACTION:
            return state
        if state is SubmissionState.QUEUED:
            try:
                with cpu_budget.part("send: claim"):
                    submission = transition(submission, Event.CLAIMED)
            except StaleSubmissionError:
                # Superseded (a newer version, a withdrawal) between loading and claiming:
                # nothing to do. Anything else moved it: another worker holds it.
                current = SubmissionState(
                    Submission.objects.values_list("state", flat=True).get(pk=submission.pk)
                )
                if current is SubmissionState.SUPERSEDED:
                    return current
                raise
            if submission.attempts_count >= policy.max_attempts:
                return transition(
                    submission,
                    Event.REFUSED,
                    error_code="retries_exhausted",
                    message=(
                        f"Visma failed {submission.attempts_count} times in a row "
                        f"(last: {submission.error_code or 'no answer'}). "
                        "Retry when Visma is reachable again."
                    ),
                ).state_enum
            if submission.needs_reconcile:
                submission = transition(submission, Event.CLAIMED)  # sending → reconciling
                continue
            submission = _post(submission, visma, cache, policy, sleep, now)
        elif state is SubmissionState.SENDING:
            # Resumed with the POST possibly under way when the last worker died.
            submission = transition(
                submission,
                Event.CLAIMED,
                message="resumed while sending: reading vouchers back first",
                needs_reconcile=True,
            )
        else:
            submission = _reconcile(submission, visma, policy, sleep, now)


def _refuse(submission: Submission, error: Exception) -> Submission:
    """Stop with needs_action (from queued a claim comes first, as the machine requires)."""
    # A submission left "sending" by a dead worker may have a voucher: reconcile on retry.
    resumed = submission.state_enum is SubmissionState.SENDING
    if submission.state_enum is SubmissionState.QUEUED:
        submission = transition(submission, Event.CLAIMED)
    log.info(
        "submission needs action",
        extra={"event": "send.refused", "submission": str(submission.pk), "error": _code(error)},
    )
    return transition(
        submission,
        Event.REFUSED,
        error_code=_code(error),
        message=_message(error),
        needs_reconcile=submission.needs_reconcile or resumed,
    )


def _retry_later(
    submission: Submission,
    error: Exception,
    policy: SendPolicy,
    sleep: Callable[[float], None],
) -> Submission:
    attempts = submission.attempts_count + 1
    if attempts >= policy.max_attempts:
        message = (
            f"Visma kept failing ({_code(error)}: {_message(error)}) after {attempts} attempts. "
            "Retry when Visma is reachable again."
        )
        return transition(
            submission, Event.REFUSED, error_code="retries_exhausted", message=message
        )
    submission = transition(
        submission,
        Event.RETRYABLE_FAILURE,
        error_code=_code(error),
        message=_message(error),
        attempts_count=attempts,
    )
    sleep(policy.delay(attempts, error))
    return submission


def _post(
    submission: Submission,
    visma: AccountingGateway,
    cache: DailyCache,
    policy: SendPolicy,
    sleep: Callable[[float], None],
    now: Callable[[], datetime],
) -> Submission:
    """Date the leg, pre-flight it (cached reads), then ``POST /v2/vouchers`` once."""
    company = submission.company
    with cpu_budget.part("send: the leg's journal and voucher"):
        journal = leg_journal(submission)
    books = CachedBooks(visma, company.visma_company_id, cache)
    try:
        with cpu_budget.part("send: pre-flight from the cache"):
            journal = replace(journal, voucher_date=_voucher_date(submission, books))
    except RETRYABLE as exc:
        return _retry_later(submission, exc, policy, sleep)
    except VismaError as exc:
        return transition(submission, Event.REFUSED, error_code=exc.code, message=_message(exc))
    with cpu_budget.part("send: pre-flight from the cache"):
        checklist = checklist_with(visma, target_of_journal(company, journal), cache=cache)
    if not checklist.passed:
        return _stop_before_sending(submission, checklist, policy, sleep)
    books = CachedBooks(visma, company.visma_company_id, cache)
    try:
        with cpu_budget.part("send: the leg's journal and voucher"):
            centers = (
                books.cost_center_items() if any(row.dimension for row in journal.rows) else ()
            )
            voucher = build_voucher(journal, submission.marker, centers)
    except CostCenterNotFoundError as exc:
        books.forget()
        return transition(submission, Event.REFUSED, error_code=exc.code, message=str(exc))
    except RETRYABLE as exc:
        return _retry_later(submission, exc, policy, sleep)
    except VismaError as exc:
        return transition(submission, Event.REFUSED, error_code=exc.code, message=_message(exc))
    # The answered call is stored with the leg's sent: one write transaction, not two.
    with watch.answers_held() as answers:
        try:
            with cpu_budget.part("send: HTTP (POST /v2/vouchers)"):
                posted = visma.create_voucher(voucher)
        except OutcomeUnknownError as exc:
            return transition(
                submission,
                Event.AMBIGUOUS_FAILURE,
                error_code=exc.code,
                message=_message(exc),
                needs_reconcile=True,
                attempts_count=submission.attempts_count + 1,
            )
        except RETRYABLE as exc:
            return _retry_later(submission, exc, policy, sleep)
        except VismaError as exc:
            # Visma refused what the pre-flight passed: the day's cached reads are out of date.
            cache.invalidate(company.visma_company_id)
            if submission.move_past_lock and exc.code == PERIOD_LOCKED:
                # The lock date moved since the cached read: the next attempt dates it anew.
                return _retry_later(submission, exc, policy, sleep)
            return transition(submission, Event.REFUSED, error_code=exc.code, message=_message(exc))
        return _mark_sent(
            submission,
            Event.POSTED,
            str(posted.id),
            posted.number_and_number_series,
            now(),
            also=answers.store,
        )


def _voucher_date(submission: Submission, books: CachedBooks) -> date:
    """The leg's date; a correction leg allowed to move goes to the first open day after
    Visma's lock date. A moved date is stored before the POST: reconciliation reads that day.
    """
    day = submission.voucher_date
    if submission.move_past_lock:
        locked_to = books.company_settings().accounting_locked_to
        if locked_to is not None and day <= locked_to:
            day = locked_to + timedelta(days=1)
    if day != submission.voucher_date:
        Submission.objects.filter(pk=submission.pk).update(voucher_date=day)
        submission.voucher_date = day
    return day


def _stop_before_sending(
    submission: Submission,
    checklist: Checklist,
    policy: SendPolicy,
    sleep: Callable[[float], None],
) -> Submission:
    """A failed pre-flight: retry later when a read failed transiently, else needs action with
    the first failed check's catalog code (every failed check is in the message)."""
    for item in checklist.failed:
        if isinstance(item.error, (*RETRYABLE, OutcomeUnknownError)):
            return _retry_later(submission, item.error, policy, sleep)
    first = checklist.failed[0]
    parts = []
    for item in checklist.failed:
        explained = item.explain("en")
        text = explained.message if explained is not None else item.code
        parts.append(f"{text} ({item.subject})" if item.subject else text)
    log.info(
        "pre-flight stopped a send",
        extra={"event": "send.preflight_failed", "submission": str(submission.pk)},
    )
    return transition(
        submission,
        Event.REFUSED,
        error_code=first.code,
        message=PREFLIGHT_PREFIX + " · ".join(parts),
    )


def _reconcile(
    submission: Submission,
    visma: AccountingGateway,
    policy: SendPolicy,
    sleep: Callable[[float], None],
    now: Callable[[], datetime],
) -> Submission:
    day = submission.voucher_date
    try:
        found = visma.find_vouchers(day, day, submission.marker)
    except (*RETRYABLE, OutcomeUnknownError) as exc:
        return _retry_later(submission, exc, policy, sleep)
    except VismaError as exc:
        return transition(submission, Event.REFUSED, error_code=exc.code, message=_message(exc))
    if found:
        voucher = found[0]
        return _mark_sent(
            submission,
            Event.FOUND_BY_MARKER,
            str(voucher.id),
            voucher.number_and_number_series,
            now(),
        )
    return transition(
        submission,
        Event.NOT_FOUND_BY_MARKER,
        message="no voucher with the marker: safe to post again",
        needs_reconcile=False,
    )


def _mark_sent(
    submission: Submission,
    event: Event,
    voucher_id: str,
    number: str | None,
    sent_at: datetime,
    *,
    also: Callable[[], None] | None = None,
) -> Submission:
    """``sent``, and in the same transaction the run id's next leg (a rebooking after a
    reversal, a version that arrived meanwhile) under the run id's booking lock, and ``also``
    (the answered call stored)."""
    try:
        with cpu_budget.part("send: sent, and the next leg"), transaction.atomic():
            locked = booking.locked_booking(submission.company, submission.run_key)
            submission = transition(
                submission,
                event,
                voucher_id=voucher_id,
                voucher_number=number or "",
                sent_at=sent_at,
                needs_reconcile=False,
            )
            booking.after_sent(submission, locked)
            if also is not None:
                also()
            return submission
    except IntegrityError:
        # Another submission of this journal version is already sent: the constraint held.
        log.error(
            "second sent submission refused",
            extra={"event": "send.duplicate_refused", "submission": str(submission.pk)},
        )
        raise
