"""Invariant 7 as a property: random sequences of what payroll, users, workers and Visma do to a
few run ids, and after every step the emulator's books hold exactly one version of each.

Hypothesis draws each company's settings to start with, and a list of steps for three run ids
of the sample companies (Bakkerij 2026-09 and 2026-10, Nordisk's off-cycle 2026-10-X1):

* pushes of a run file — new content is a new version (an amount raised, the date moved), the
  same bytes are nothing new, the same amounts in another file a version with nothing to book;
  withdrawals; a user's *Send*; automatic sending on and off; either correction mode (per
  company or the master's default) and either date rule, switched between steps;
* Visma failing on cue on the voucher POST (commit-then-drop, read timeouts that committed or
  not, 5xx, 429 bursts), and its lock date moving past the booked periods;
* a worker taking a leg, or dying with it in ``sending`` (before its POST left or after Visma
  stored it), resumed by the next worker or found by the sweep (a new round, or stopped as
  ``job_failed``); a user's *Retry* of a leg that needs action;
* *settle*: every run id sent as the payroll has it, every leg worked to its end, the legs
  Visma's failures stopped retried.

After every step :func:`tests.sending.netting.assert_one_version_booked` holds for every run
id; after every settle (and at the end) the books hold exactly the latest version, or nothing
when it was withdrawn (:func:`tests.sending.netting.assert_books_hold_the_latest`).

Every example starts from the same books: a savepoint around the database, the emulator's
state restored. The examples are derandomized: CI runs the same ones every time (about 30 s).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx2
import pytest
from django.core.cache import caches
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payjournal.domain.submission import Event
from payjournal.emulator import Emulator, FaultPlan
from payjournal.emulator.model import Company
from payjournal.emulator.state import EmulatorState
from payjournal.jobs import JobStatus
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.preflight.cache import DailyCache
from payjournal.sending import connection
from payjournal.sending.booking import run_state
from payjournal.sending.legs import leg_journal
from payjournal.sending.models import CorrectionDefaults, SendingSettings, Submission
from payjournal.sending.recovery import recover_stranded
from payjournal.sending.send import SendPolicy, process_submission
from payjournal.sending.services import (
    SendRefusedError,
    import_run,
    request_send,
    request_send_many,
    retry,
    set_send_automatically,
    unsent_runs,
    withdraw,
)
from payjournal.sending.states import transition
from payjournal.sending.voucher import build_voucher
from payjournal.visma import CostCenter, VismaError
from tests.fixtures.books import Books
from tests.sending.netting import (
    assert_books_hold_the_latest,
    assert_one_version_booked,
    books_net,
    expected_net,
    vouchers_of_run,
)
from tests.wiring import rewired

FAST = SendPolicy(max_attempts=6, base_delay_s=0.0, max_delay_s=0.0)
VOUCHERS = ["POST /v2/vouchers"]
#: Refusals a user fixes by waiting: Visma kept failing, or the background job gave up.
TRANSIENT = ("retries_exhausted", "job_failed")
OPEN = ("queued", "sending", "reconciling", "needs_action")
COMPANIES = ("nl-bakkerij", "se-nordisk")
#: (company key, run id, sample file) of the run ids the steps book.
RUN_IDS = (
    ("nl-bakkerij", "2026-09", "run-2026-09.json"),
    ("nl-bakkerij", "2026-10", "run-2026-10.json"),
    ("se-nordisk", "2026-10-X1", "run-2026-10-offcycle.csv"),
)
#: Nordisk's lock date at the start (the seed's follows the month the tests run in).
NORDISK_LOCKED_TO = date(2026, 10, 31)
FIRST_LOCKS = {"nl-bakkerij": None, "se-nordisk": NORDISK_LOCKED_TO}
#: Where a lock date moves to: past every booked period, before every moved payment date.
LATER_LOCKS = {"nl-bakkerij": date(2026, 10, 31), "se-nordisk": date(2026, 11, 8)}


def no_sleep(_seconds: float) -> None:
    return None


@dataclass(frozen=True)
class Content:
    """What a pushed run file says, as changes to the sample: one line's amount raised by
    ``cents`` (minor units), the payment date moved ``later_by`` days; ``style`` 1 writes the
    same data differently (another file, the same journal)."""

    line: int = 0
    cents: int = 0
    later_by: int = 0
    style: int = 0


def run_file(sample: str, key: str, content: Content) -> bytes:
    """The sample run file ``sample`` of company ``key`` with ``content``'s changes."""
    raw = (samples_dir() / key / sample).read_bytes()
    if sample.endswith(".json"):
        data = json.loads(raw)
        line = data["lines"][content.line]
        line["amount"] = str(Decimal(line["amount"]) + Decimal(content.cents).scaleb(-2))
        paid = date.fromisoformat(data["payment_date"]) + timedelta(days=content.later_by)
        data["payment_date"] = paid.isoformat()
        return json.dumps(data, indent=1 if content.style else 2).encode()
    header, *rows = raw.decode("utf-8-sig").strip().split("\r\n")
    names = header.split(";")
    amount, paid_at = names.index("amount"), names.index("payment_date")
    cells = [row.split(";") for row in rows]
    old = Decimal(cells[content.line][amount].replace(",", "."))
    new = old + Decimal(content.cents).scaleb(-2)
    cells[content.line][amount] = f"{new:.2f}".replace(".", ",")
    for row in cells:
        row[paid_at] = (date.fromisoformat(row[paid_at]) + timedelta(content.later_by)).isoformat()
    end = "\n" if content.style else "\r\n"
    text = end.join([header, *(";".join(row) for row in cells)]) + end
    return ("\ufeff" + text).encode()


# --- the steps --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Push:
    """The payroll system sends run ``run`` (an index of :data:`RUN_IDS`) with ``content``."""

    run: int
    content: Content


@dataclass(frozen=True)
class Withdraw:
    run: int


@dataclass(frozen=True)
class Send:
    """A user clicks *Send* on the run's latest version."""

    run: int


@dataclass(frozen=True)
class ChangeSettings:
    """Automatic sending on or off; the company's correction mode and date rule (blank: the
    master's default mode, which changes too)."""

    company: str
    automatic: bool
    mode: str
    default: str
    dates: str


@dataclass(frozen=True)
class VismaFails:
    """Faults armed for the next voucher POSTs (counters: they wait until a POST comes), or
    Visma's lock date moved past the booked periods (``lock``)."""

    fault: str
    times: int


@dataclass(frozen=True)
class WorkerSends:
    """A worker takes the ``pick``-th queued leg and works it to its end."""

    pick: int


@dataclass(frozen=True)
class WorkerDies:
    """A worker claims the ``pick``-th queued leg and dies, after Visma stored its voucher
    (``posted``) or before the POST left."""

    pick: int
    posted: bool


@dataclass(frozen=True)
class WorkerComesBack:
    """A leg left in flight: the next worker resumes it (``resumed``), or the sweep finds its
    job ended with ``how`` (``ERROR``/``SUCCESS``: a new round; ``CANCELLED``: needs action)."""

    pick: int
    how: str


@dataclass(frozen=True)
class UserRetries:
    pick: int


@dataclass(frozen=True)
class Settle:
    """Everything sent as the payroll has it, worked to the end; then the books are right."""


Step = (
    Push
    | Withdraw
    | Send
    | ChangeSettings
    | VismaFails
    | WorkerSends
    | WorkerDies
    | WorkerComesBack
    | UserRetries
    | Settle
)

runs = st.integers(min_value=0, max_value=len(RUN_IDS) - 1)
picks = st.integers(min_value=0, max_value=3)
#: What Visma does wrong (an injected timeout costs a read timeout of wall time: fewer).
FAULTS = ["drop", "drop", "timeout", "timeout_lost", "error", "error", "burst", "lock"]
modes = st.sampled_from(["reverse_and_rebook", "difference"])
date_rules = st.sampled_from(["", "original_or_first_open", "new_version"])
contents = st.builds(
    Content,
    line=st.sampled_from([0, 1, 3]),
    cents=st.sampled_from([0, 10_000, -5_000, 2_550]),
    later_by=st.sampled_from([0, 0, 1]),
    style=st.sampled_from([0, 1]),
)


def changes_of(companies: st.SearchStrategy[str]) -> st.SearchStrategy[ChangeSettings]:
    return st.builds(
        ChangeSettings, companies, st.booleans(), modes | st.just(""), modes, date_rules
    )


#: Each kind of step with how often it is drawn (``one_of`` draws its branches alike).
STEPS: tuple[tuple[int, st.SearchStrategy[Step]], ...] = (
    (5, st.builds(Push, runs, contents)),
    (1, st.builds(Withdraw, runs)),
    (4, st.builds(Send, runs)),
    (2, changes_of(st.sampled_from(COMPANIES))),
    (
        4,
        st.builds(
            VismaFails,
            st.sampled_from(FAULTS),
            st.integers(min_value=1, max_value=7),
        ),
    ),
    (2, st.builds(WorkerSends, picks)),
    (3, st.builds(WorkerDies, picks, st.booleans())),
    (
        2,
        st.builds(
            WorkerComesBack, picks, st.sampled_from(["resumed", "ERROR", "SUCCESS", "CANCELLED"])
        ),
    ),
    (1, st.builds(UserRetries, picks)),
    (2, st.just(Settle())),
)
steps = st.sampled_from([n for n, (weight, _) in enumerate(STEPS) for _ in range(weight)]).flatmap(
    lambda n: STEPS[n][1]
)


# --- the books the steps act on ---------------------------------------------------------------


@dataclass
class Bookkeeping:
    """The fixture's companies, the emulator, and what happened (figures for the report)."""

    emu: Emulator
    start: EmulatorState  # the emulator as every example finds it
    books: Books
    centers: dict[str, tuple[CostCenter, ...]]
    figures: Counter[str]

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """What hypothesis prints of a failing example: the steps matter, not the books."""
        printer.text("bookkeeping")

    def company(self, key: str) -> PayrollCompany:
        return self.books.bakkerij if key == "nl-bakkerij" else self.books.nordisk

    def emulator_company(self, key: str) -> Company:
        company = self.emu.state.company(key)
        assert company is not None
        return company

    def latest(self, run: int) -> PayrollRun:
        key, run_key, _ = RUN_IDS[run]
        found = PayrollRun.objects.filter(company=self.company(key), run_id=run_key)
        latest = found.order_by("-version").first()
        assert latest is not None
        return latest

    def legs_in(self, *states: str) -> list[Submission]:
        legs = Submission.objects.filter(state__in=states).select_related("company")
        return list(legs.order_by("created_at", "id"))

    def work(self, leg: Submission) -> None:
        process_submission(leg.pk, policy=FAST, sleep=no_sleep)
        self.figures["legs worked"] += 1

    # --- one step ---------------------------------------------------------------------------

    def do(self, step: Step) -> None:
        self.figures[type(step).__name__] += 1
        match step:
            case Push(run, content):
                key, _, sample = RUN_IDS[run]
                imported = import_run(self.company(key), run_file(sample, key, content), sample)
                self.figures["versions pushed" if imported.created else "same file again"] += 1
            case Withdraw(run):
                withdraw(self.latest(run))
            case Send(run):
                self.send(run)
            case ChangeSettings(key, automatic, mode, default, dates):
                set_send_automatically(self.company(key), automatic)
                SendingSettings.objects.filter(company=self.company(key)).update(
                    correction_mode=mode, correction_date=dates
                )
                CorrectionDefaults.objects.update_or_create(
                    master=self.books.master, defaults={"correction_mode": default}
                )
            case VismaFails("lock", times):
                self.lock_period(COMPANIES[times % 2])
            case VismaFails(fault, times):
                self.arm(fault, times)
            case WorkerSends(pick):
                if queued := self.legs_in("queued"):
                    self.work(queued[pick % len(queued)])
            case WorkerDies(pick, posted):
                if queued := self.legs_in("queued"):
                    self.die(queued[pick % len(queued)], posted)
            case WorkerComesBack(pick, how):
                if stranded := self.legs_in("sending", "reconciling"):
                    self.come_back(stranded, pick, how)
            case UserRetries(pick):
                if waiting := self.legs_in("needs_action"):
                    retry(waiting[pick % len(waiting)])
            case Settle():
                self.settle()

    def send(self, run: int) -> None:
        key, run_key, _ = RUN_IDS[run]
        try:
            request_send(self.latest(run))
        except SendRefusedError:
            state = run_state(self.company(key), run_key)
            assert state.is_settled, "a send was refused while the books do not hold the run"

    def arm(self, fault: str, times: int) -> None:
        plan = self.emu.faults.plan
        if fault == "drop":
            plan.drop_next += 1
        elif fault in ("timeout", "timeout_lost"):
            plan.timeout_next += 1
            plan.timeout_commits = fault == "timeout"
        elif fault == "error":
            plan.error_next += times
            plan.error_status = 500 + times % 4
        else:
            plan.burst_429_next += min(times, 3)
            plan.burst_retry_after_s = 1

    def lock_period(self, key: str) -> None:
        """Visma's lock date passes the company's runs: a correction leg moves to the first
        open day, a first posting (or a leg dated as the new version) waits in needs action
        until the period is reopened (see :meth:`settle`)."""
        self.emulator_company(key).accounting_locked_to = LATER_LOCKS[key]
        self.figures["lock dates moved"] += 1

    def die(self, leg: Submission, posted: bool) -> None:
        """Claimed, then dead — with the voucher the send step would have posted in Visma when
        ``posted`` (as ``test_send`` simulates a crash: its date moved and stored first)."""
        leg = transition(leg, Event.CLAIMED)
        self.figures["crashes"] += 1
        if not posted or leg.needs_reconcile:
            return  # a worker with an unknown outcome on record reads back before any POST
        day = leg.voucher_date
        locked_to = self.emulator_company(leg.company.key).accounting_locked_to
        if leg.move_past_lock and locked_to is not None and day <= locked_to:
            day = locked_to + timedelta(days=1)
            Submission.objects.filter(pk=leg.pk).update(voucher_date=day)
        journal = replace(leg_journal(leg), voucher_date=day)
        voucher = build_voucher(journal, leg.marker, self.centers[leg.company.key])
        with suppress(VismaError):  # an armed fault hit the POST: stored or not, it is gone
            connection.client_for(leg.company).create_voucher(voucher)
        self.figures["crashes after the POST"] += 1

    def come_back(self, stranded: list[Submission], pick: int, how: str) -> None:
        if how == "resumed":
            self.work(stranded[pick % len(stranded)])
            return
        statuses = {leg.job_id: JobStatus(how) for leg in stranded}
        recover_stranded(queued_for=timedelta(0), in_flight_for=timedelta(0), statuses=statuses)

    def settle(self) -> None:
        """Send every run id the books do not hold as the payroll has it, work every leg to its
        end, retry what Visma's failures stopped; then check the books."""
        for _ in range(60):
            open_legs = self.legs_in(*OPEN)
            if not open_legs:
                unsent = [
                    run
                    for key in COMPANIES
                    for run in unsent_runs(self.company(key))
                    if (key, run.run_id) in {(k, r) for k, r, _ in RUN_IDS}
                ]
                if not unsent:
                    break
                request_send_many(unsent)
                continue
            for leg in open_legs:
                if leg.state == "needs_action":
                    self.fix(leg)
                    retry(leg)
                    self.figures["retries to settle"] += 1
                self.work(leg)
        else:
            raise AssertionError("the legs did not settle")
        for key, run_key, _ in RUN_IDS:
            assert_books_hold_the_latest(self.emu, self.company(key), run_key, self.centers[key])

    def fix(self, leg: Submission) -> None:
        """What a user does before *Retry*: wait for Visma, or have the accountant reopen the
        period of a leg that may not move past the lock date."""
        if leg.error_code == "period_locked":
            assert not leg.move_past_lock, f"a {leg.kind} leg that may move was refused"
            key = leg.company.key
            self.emulator_company(key).accounting_locked_to = FIRST_LOCKS[key]
            self.figures["periods reopened"] += 1
        else:
            assert leg.error_code in TRANSIENT, (leg.kind, leg.error_code, leg.error_message)

    def check(self) -> None:
        """Invariant 7 between the steps: each run id's books hold one version, or nothing."""
        found: Counter[str] = Counter()
        for key, run_key, _ in RUN_IDS:
            company = self.company(key)
            found[key] += assert_one_version_booked(self.emu, company, run_key, self.centers[key])
        for key in COMPANIES:
            ours = [v for v in self.emulator_company(key).vouchers.values() if "[pj:" in v.text]
            assert len(ours) == found[key], f"{key}: a voucher of no run id"

    def count(self) -> None:
        """What the example left behind, added to the figures."""
        for kind, state in Submission.objects.values_list("kind", "state"):
            self.figures[f"legs {kind} {state}"] += 1
        for key, run_key, _ in RUN_IDS:
            runs = PayrollRun.objects.filter(company=self.company(key), run_id=run_key)
            self.figures["versions"] += runs.count()
        for key in COMPANIES:
            vouchers = self.emulator_company(key).vouchers.values()
            self.figures["vouchers"] += sum(1 for v in vouchers if "[pj:" in v.text)
        for record in self.emu.requests:
            if record.fault not in (None, "latency"):
                self.figures[f"faults injected: {record.fault}"] += 1

    def restart(self) -> None:
        """Back to the books of the fixture: the emulator as it was, no cached Visma reads
        (the database is rolled back by :func:`rolled_back`)."""
        self.emu.replace_state(copy.deepcopy(self.start))
        self.emu.faults.set(FaultPlan(endpoints=VOUCHERS, timeout_delay_s=2.0), seed=0)
        DailyCache.forget_memo()
        caches["default"].clear()
        self.figures["examples"] += 1


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint around one example: whatever it wrote is gone after it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def bookkeeping(
    books: Books, visma: Emulator, emulator_transport: httpx2.BaseTransport, settings: Any
) -> Iterator[Bookkeeping]:
    settings.PAYJOURNAL_VISMA_TIMEOUT_S = 0.25  # what an injected timeout costs
    with rewired(emulator_transport):
        centers = {
            key: tuple(connection.client_for(company).list_cost_centers())
            for key, company in (("nl-bakkerij", books.bakkerij), ("se-nordisk", books.nordisk))
        }
        nordisk = visma.state.company("se-nordisk")
        assert nordisk is not None
        nordisk.accounting_locked_to = NORDISK_LOCKED_TO
        figures: Counter[str] = Counter()
        yield Bookkeeping(visma, copy.deepcopy(visma.state), books, centers, figures)
    DailyCache.forget_memo()
    print(dict(sorted(figures.items())))  # the figures, shown with -s


@settings(
    max_examples=30,
    derandomize=True,
    database=None,
    # the profile's too_slow too: this list replaces the profile's (tests/conftest.py)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.tuples(*(changes_of(st.just(key)) for key in COMPANIES)),
    book_first=st.booleans(),
    plan=st.lists(steps, min_size=10, max_size=30),
)
def test_the_books_hold_the_latest_version_whatever_happens(
    bookkeeping: Bookkeeping, start: tuple[ChangeSettings, ...], book_first: bool, plan: list[Step]
) -> None:
    """``start``: each company's settings; ``book_first``: the example starts with every run
    id booked (corrections from the first step) rather than with nothing sent."""
    with rolled_back():
        bookkeeping.restart()
        for change in start:
            bookkeeping.do(change)
        if book_first:
            bookkeeping.settle()
        bookkeeping.check()
        for step in plan:
            bookkeeping.do(step)
            bookkeeping.check()
        bookkeeping.settle()
        bookkeeping.check()
        bookkeeping.count()


# --- what the property found, as examples -------------------------------------------------------


def drain(company: PayrollCompany) -> None:
    """Work every queued leg of the company until none is left (no job backend in tests)."""
    for _ in range(20):
        queued = list(Submission.objects.filter(company=company, state="queued"))
        if not queued:
            return
        for leg in queued:
            process_submission(leg.pk, policy=FAST, sleep=no_sleep)
    raise AssertionError("legs kept coming")


def test_a_correction_that_only_moves_the_date_has_no_difference_to_book(
    books: Books, visma: Emulator
) -> None:
    """Difference mode, a new version paid a day later with the same amounts: new − booked is
    nothing, so there is no voucher to post (a voucher needs a row) — not a crashed send."""
    key, run_key, sample = RUN_IDS[2]
    nordisk = visma.state.company(key)
    assert nordisk is not None
    nordisk.accounting_locked_to = NORDISK_LOCKED_TO
    SendingSettings.objects.create(company=books.nordisk, correction_mode="difference")
    request_send(PayrollRun.objects.get(company=books.nordisk, run_id=run_key))
    drain(books.nordisk)
    moved = run_file(sample, key, Content(later_by=1))
    v2 = import_run(books.nordisk, moved, sample).run
    assert v2.version == 2
    with pytest.raises(SendRefusedError, match="no change to book"):
        request_send(v2)
    drain(books.nordisk)
    legs = Submission.objects.filter(run_key=run_key).order_by("created_at")
    assert [(leg.kind, leg.state) for leg in legs] == [("full", "sent"), ("difference", "sent")]
    assert len(vouchers_of_run(visma, books.nordisk, run_key)) == 1
    assert books_net(visma, books.nordisk, run_key) == expected_net(books.nordisk, run_key)


@pytest.mark.parametrize("mode", ["difference", "reverse_and_rebook"])
def test_automatic_sending_compares_the_new_journal_once_its_lines_are_stored(
    books: Books, visma: Emulator, mode: str
) -> None:
    """The same amounts in another file, with automatic sending on: no change to book. The
    decision is taken once the new version's journal lines are stored — taken before, the new
    journal looked empty: a difference leg of nothing (a crashed send), or a needless reversal
    and rebooking."""
    key, run_key, sample = RUN_IDS[0]
    SendingSettings.objects.create(
        company=books.bakkerij, correction_mode=mode, send_automatically=True
    )
    request_send(PayrollRun.objects.get(company=books.bakkerij, run_id=run_key))
    drain(books.bakkerij)
    again = import_run(books.bakkerij, run_file(sample, key, Content(style=1)), sample).run
    assert again.version == 2
    drain(books.bakkerij)
    legs = Submission.objects.filter(run_key=run_key).order_by("created_at")
    assert [(leg.kind, leg.state) for leg in legs] == [("full", "sent"), ("difference", "sent")]
    assert len(vouchers_of_run(visma, books.bakkerij, run_key)) == 1
    assert books_net(visma, books.bakkerij, run_key) == expected_net(books.bakkerij, run_key)
