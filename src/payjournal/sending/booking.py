"""Booking a run id: which leg to post next so the books end at the version someone asked for.

Every decision about the legs of one run id — a send (click, API, automatic), a withdrawal, a
leg that settled in a worker — runs :func:`advance` in a transaction that first locks the run
id's :class:`RunBooking` row, so two decisions never race. :func:`advance` reads what is booked
(the settled legs, :func:`payjournal.domain.booking.booked_version`) and what is wanted, asks
the domain for the next leg (:func:`payjournal.domain.booking.next_leg`), replaces a waiting leg
that no longer leads there (``superseded``: only one never posted), and writes the next leg as
an outbox row, enqueued after the commit. A leg in flight is never replaced: the next decision
waits until it settles, and its settling calls :func:`advance` again (invariant 7).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.db import transaction
from django.utils import timezone

from payjournal.domain.booking import (
    NOTHING,
    CorrectionDate,
    CorrectionMode,
    LegKind,
    LegPlan,
    SettledLeg,
    booked_version,
    difference_rows,
    legs_to,
    net_by_account,
    next_leg,
)
from payjournal.domain.money import Money
from payjournal.domain.submission import Event, SubmissionState, voucher_marker
from payjournal.payroll.journals import load_journal
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending.models import (
    Attempt,
    CorrectionDefaults,
    RunBooking,
    SendingSettings,
    Submission,
)
from payjournal.sending.outbox import (
    assign_batches,
    enqueue_after_commit,
    enqueue_many_after_commit,
)
from payjournal.sending.states import StaleSubmissionError, transition
from payjournal.site.compiled import CompiledGet

__all__ = [
    "WANT_NOTHING_NEW",
    "WANT_TARGET",
    "CorrectionPolicy",
    "RunState",
    "advance",
    "advance_many",
    "after_sent",
    "correction_policy",
    "locked_booking",
    "preview",
    "run_state",
    "run_states",
]

_SENT = SubmissionState.SENT.value


@dataclass(frozen=True, slots=True)
class CorrectionPolicy:
    """How a company books corrections: the mode and the date of correction legs."""

    mode: CorrectionMode
    date: CorrectionDate


def correction_policy(company: PayrollCompany) -> CorrectionPolicy:
    """The company's own choice where it made one, else its master's default."""
    own = SendingSettings.objects.filter(company=company).first()
    master = CorrectionDefaults.objects.filter(master_id=company.master_id).first()
    mode = (own and own.correction_mode) or (master and master.correction_mode)
    day = (own and own.correction_date) or (master and master.correction_date)
    return CorrectionPolicy(
        CorrectionMode(mode or CorrectionMode.REVERSE_AND_REBOOK),
        CorrectionDate(day or CorrectionDate.ORIGINAL_OR_FIRST_OPEN),
    )


@dataclass(frozen=True, slots=True)
class RunState:
    """One run id as the booking sees it: its versions, its legs, and where the books stand."""

    versions: tuple[PayrollRun, ...]  # oldest first, each with its journal
    legs: tuple[Submission, ...]  # oldest first
    booked: int  # the version the settled legs net to, or NOTHING
    wanted_version: int | None  # what was asked for (None: nothing asked yet)
    numbers: dict[int, int]  # journal pk → version number

    def version_of(self, leg: Submission) -> int:
        """The version a leg is of (posted, reversed, or the new one of a difference)."""
        return self.numbers[leg.journal_id]

    def base_of(self, leg: Submission) -> int | None:
        """The booked version a difference leg is netted against."""
        return self.numbers[leg.base_id] if leg.base_id is not None else None

    @property
    def latest(self) -> PayrollRun:
        return self.versions[-1]

    @property
    def is_withdrawn(self) -> bool:
        return self.latest.withdrawn_at is not None

    @property
    def target(self) -> int:
        """What the books should hold now: the latest version, or NOTHING when withdrawn."""
        return NOTHING if self.is_withdrawn else self.latest.version

    @property
    def open_leg(self) -> Submission | None:
        for leg in self.legs:
            if leg.state_enum.is_open:
                return leg
        return None

    @property
    def is_settled(self) -> bool:
        """The books hold the target and nothing is on its way."""
        return self.booked == self.target and self.open_leg is None

    def version(self, number: int) -> PayrollRun:
        for run in self.versions:
            if run.version == number:
                return run
        raise LookupError(f"run {self.latest.run_id} has no version {number}")

    def booking_leg(self, number: int) -> Submission | None:
        """The settled leg that put version ``number`` into the books (the last such)."""
        found = None
        for leg in self.legs:
            if (
                leg.state == _SENT
                and leg.kind != LegKind.REVERSAL
                and self.version_of(leg) == number
            ):
                found = leg
        return found


def run_state(company: PayrollCompany, run_key: str) -> RunState:
    """Read one run id's versions and legs (no lock: for pages, the API and the CLI)."""
    found = run_states(company, (run_key,)).get(run_key)
    if found is None:
        raise LookupError(f"no run {run_key!r} in {company}")
    return found


def run_states(
    company: PayrollCompany,
    run_keys: Collection[str] | None = None,
    wanted: dict[str, int | None] | None = None,
) -> dict[str, RunState]:
    """:func:`run_state` of every run id of ``company`` (or of ``run_keys``) in three queries
    however many there are, keyed by run id in the runs' order; two when the caller knows what
    is ``wanted`` of each (it holds the booking rows)."""
    runs = PayrollRun.objects.filter(company=company).select_related("journal")
    legs = Submission.objects.filter(company=company)
    bookings = RunBooking.objects.filter(company=company)
    if run_keys is not None:
        runs = runs.filter(run_id__in=run_keys)
        legs = legs.filter(run_key__in=run_keys)
        bookings = bookings.filter(run_key__in=run_keys)
    versions: dict[str, list[PayrollRun]] = {}
    for run in runs.order_by("run_id", "version"):
        run.company = company  # the caller's: no join, no second copy
        versions.setdefault(run.run_id, []).append(run)
    legs_of: dict[str, list[Submission]] = {}
    for leg in legs.order_by("created_at", "id"):
        legs_of.setdefault(leg.run_key, []).append(leg)
    if wanted is None:
        wanted = dict(bookings.values_list("run_key", "wanted_version"))
    return {
        key: _state(found, legs_of.get(key, ()), wanted.get(key)) for key, found in versions.items()
    }


def _state(
    versions: Sequence[PayrollRun], legs: Sequence[Submission], wanted: int | None
) -> RunState:
    """A run id's state from its versions (oldest first, with their journals) and its legs."""
    numbers = {run.journal.pk: run.version for run in versions}
    settled = [
        SettledLeg(LegKind(leg.kind), numbers[leg.journal_id]) for leg in legs if leg.state == _SENT
    ]
    return RunState(tuple(versions), tuple(legs), booked_version(settled), wanted, numbers)


@dataclass(frozen=True, slots=True)
class AccountChange:
    """One account + dimension of a preview: what the books hold, what they will hold."""

    account: str
    dimension: str
    booked: Money  # debit − credit now
    wanted: Money  # debit − credit once the legs are posted

    @property
    def change(self) -> Money:
        return self.wanted - self.booked


@dataclass(frozen=True, slots=True)
class PlannedLeg:
    """A voucher a send would post: its kind, the version it is of, and its base."""

    kind: LegKind
    version: int
    base: int | None
    is_empty: bool


@dataclass(frozen=True, slots=True)
class BookingPreview:
    """What a send of the run id would do: from the booked version to the wanted one, the
    vouchers it posts in order and the change per account + dimension (changed ones only)."""

    run_key: str
    booked: int
    wanted: int
    mode: CorrectionMode
    legs: tuple[PlannedLeg, ...]
    changes: tuple[AccountChange, ...]
    currency: str

    @property
    def vouchers(self) -> int:
        """How many vouchers the send posts (a leg with no change posts none)."""
        return sum(1 for leg in self.legs if not leg.is_empty)


def preview(company: PayrollCompany, run_key: str) -> BookingPreview:
    """What sending the run id now would post (read only: nothing is locked or written).

    With a leg on its way the preview still starts from what is booked: the legs in flight
    are part of the path it shows.
    """
    state = run_state(company, run_key)
    mode = correction_policy(company).mode
    wanted = state.target
    plan = _plan(state, wanted, mode) if wanted != state.booked else None
    same = plan is not None and plan.is_empty
    legs = legs_to(state.booked, wanted, mode, books_the_same=same)
    currency = state.latest.currency
    old = _net(state, state.booked)
    new = _net(state, wanted)
    zero = Money.zero(currency)
    changes = tuple(
        AccountChange(account, dimension, old.get(key, zero), new.get(key, zero))
        for key in sorted({*old, *new})
        for account, dimension in (key,)
        if old.get(key, zero) != new.get(key, zero)
    )
    return BookingPreview(
        run_key,
        state.booked,
        wanted,
        mode,
        tuple(PlannedLeg(leg.kind, leg.version, leg.base, leg.is_empty) for leg in legs),
        changes,
        currency,
    )


def _net(state: RunState, version: int) -> dict[tuple[str, str], Money]:
    if version == NOTHING:
        return {}
    return net_by_account(load_journal(state.version(version).journal).rows)


#: The booking row of a run id, locked: read on every sent leg, so compiled once.
_BOOKING = CompiledGet(
    lambda: RunBooking.objects.select_for_update(), keys=("company_id", "run_key")
)


def locked_booking(company: PayrollCompany, run_key: str) -> RunBooking:
    """The run id's booking row, created if need be and locked for this transaction."""
    try:
        return _BOOKING.get(company.pk, run_key)  # usually there: a send made it
    except RunBooking.DoesNotExist:
        RunBooking.objects.bulk_create(
            [RunBooking(company=company, run_key=run_key)], ignore_conflicts=True
        )
        return _BOOKING.get(company.pk, run_key)


#: Run ids per query of :func:`advance_many` (well under SQLite's limit of bound parameters).
CHUNK = 500
RunId = tuple[PayrollCompany, str]


def _locked_bookings(run_ids: Sequence[RunId]) -> dict[tuple[int, str], RunBooking]:
    """The booking rows of ``run_ids``, created where missing and locked (in the order of
    their ids, so two batches never wait for each other crosswise)."""
    RunBooking.objects.bulk_create(
        [RunBooking(company=company, run_key=key) for company, key in run_ids],
        ignore_conflicts=True,
    )
    wanted = {(company.pk, key) for company, key in run_ids}
    found: dict[tuple[int, str], RunBooking] = {}
    for chunk in _chunks(run_ids):
        rows = RunBooking.objects.select_for_update().filter(
            company_id__in={company.pk for company, _key in chunk},
            run_key__in={key for _company, key in chunk},
        )
        for row in rows.order_by("pk"):
            if (row.company_id, row.run_key) in wanted:
                found[(row.company_id, row.run_key)] = row
    return found


def _chunks(run_ids: Sequence[RunId]) -> list[Sequence[RunId]]:
    return [run_ids[start : start + CHUNK] for start in range(0, len(run_ids), CHUNK)]


def _states_of(
    run_ids: Sequence[RunId], bookings: dict[tuple[int, str], RunBooking]
) -> dict[tuple[int, str], RunState]:
    """:func:`run_state` of each of ``run_ids`` (of any companies) in two queries per
    :data:`CHUNK`, what is wanted taken from their locked ``bookings``."""
    companies = {company.pk: company for company, _key in run_ids}
    versions: dict[tuple[int, str], list[PayrollRun]] = {}
    legs: dict[tuple[int, str], list[Submission]] = {}
    for chunk in _chunks(run_ids):
        ids = {company.pk for company, _key in chunk}
        keys = {key for _company, key in chunk}
        runs = PayrollRun.objects.filter(company_id__in=ids, run_id__in=keys)
        for run in runs.select_related("journal").order_by("company_id", "run_id", "version"):
            run.company = companies[run.company_id]
            versions.setdefault((run.company_id, run.run_id), []).append(run)
        found = Submission.objects.filter(company_id__in=ids, run_key__in=keys)
        for leg in found.order_by("created_at", "id"):
            legs.setdefault((leg.company_id, leg.run_key), []).append(leg)
    return {
        (company.pk, key): _state(
            versions[(company.pk, key)],
            legs.get((company.pk, key), ()),
            bookings[(company.pk, key)].wanted_version,
        )
        for company, key in run_ids
        if (company.pk, key) in versions
    }


#: ``want`` of :func:`advance`: book what the payroll says now (a send, automatic sending).
WANT_TARGET = "target"
#: ``want`` of :func:`advance`: nobody asked for the change (a new version or a withdrawal
#: without automatic sending): stop after what is in flight, replace what waits.
WANT_NOTHING_NEW = "nothing_new"


def advance(company: PayrollCompany, run_key: str, want: str | None = None) -> Submission | None:
    """Bring the run id one leg closer to what was asked for; returns the open leg, if any
    (a leg that needed no voucher is returned settled).

    ``want`` first records a new wish (:data:`WANT_TARGET`, :data:`WANT_NOTHING_NEW`); without
    it the stored one holds (a leg settled). Locks the run id's booking row for the caller's
    transaction (or its own).
    """
    with transaction.atomic():
        booking = locked_booking(company, run_key)
        found = run_states(company, (run_key,), {run_key: booking.wanted_version}).get(run_key)
        if found is None:
            raise LookupError(f"no run {run_key!r} in {company}")
        state = found
        if want is not None:
            wanted = state.target if want == WANT_TARGET else None
            if wanted != booking.wanted_version:
                booking.wanted_version = wanted
                booking.save(update_fields=("wanted_version",))
            state = replace(state, wanted_version=wanted)
        return _advance(company, state)


def advance_many(run_ids: Sequence[RunId], want: str) -> dict[tuple[int, str], Submission | None]:
    """:func:`advance` of many run ids (of any companies) in one transaction, in a few queries
    however many there are: their booking rows are locked, their versions and legs read, and
    the new legs written, together. Returns the open leg (or one settled with no voucher) of
    each, keyed by (company id, run id)."""
    unique = list({(company.pk, key): (company, key) for company, key in run_ids}.values())
    with transaction.atomic():
        bookings = _locked_bookings(unique)
        states = _states_of(unique, bookings)
        changed: list[RunBooking] = []
        written: list[Submission] = []
        found: dict[tuple[int, str], Submission | None] = {}
        for company, key in unique:
            state = states.get((company.pk, key))
            if state is None:
                raise LookupError(f"no run {key!r} in {company}")
            booking = bookings[(company.pk, key)]
            wanted = state.target if want == WANT_TARGET else None
            if wanted != booking.wanted_version:
                booking.wanted_version = wanted
                changed.append(booking)
            state = replace(state, wanted_version=wanted)
            found[(company.pk, key)] = _advance(company, state, written)
        RunBooking.objects.bulk_update(changed, ["wanted_version"], batch_size=CHUNK)
        assign_batches(written)
        Submission.objects.bulk_create(written, batch_size=CHUNK)
        enqueue_many_after_commit(written)
    return found


def after_sent(leg: Submission, booking: RunBooking) -> None:
    """``leg`` was just sent, in the caller's transaction and under its run id's ``booking``
    lock (:func:`locked_booking`): write the run id's next leg unless the books now hold what
    is wanted — the usual case, which needs no more reads.

    The sent leg is the run id's latest settled one (a run id has one open leg at a time and
    a new one is written only when none is open), so the books hold its version (nothing after
    a reversal); with nothing wanted (``None``) no leg follows either.
    """
    booked = NOTHING if leg.kind_enum is LegKind.REVERSAL else leg.journal.run.version
    if booking.wanted_version is None or booking.wanted_version == booked:
        return
    advance(leg.company, leg.run_key)


class _Policy:
    """The company's correction policy, read only if a decision needs it (a first posting or a
    withdrawal does not)."""

    def __init__(self, company: PayrollCompany) -> None:
        self._company = company
        self._policy: CorrectionPolicy | None = None

    def get(self) -> CorrectionPolicy:
        if self._policy is None:
            self._policy = correction_policy(self._company)
        return self._policy


def _advance(
    company: PayrollCompany, state: RunState, written: list[Submission] | None = None
) -> Submission | None:
    """The decision of :func:`advance` on ``state``; a new leg is saved and enqueued, or —
    given ``written`` — added to it for the caller to save and enqueue."""
    if state.wanted_version is None:
        leg = state.open_leg
        if leg is not None and _supersede(leg):
            return None
        return leg
    policy = _Policy(company)
    plan = _plan(state, state.wanted_version, policy)
    leg = state.open_leg
    if leg is not None:
        if plan is not None and _leads_to(state, leg, plan):
            return leg
        if not _supersede(leg):
            return leg  # in flight: its settling decides again
    if plan is None:
        return None
    return _write_leg(company, state, plan, policy, written)


def _plan(state: RunState, wanted: int, policy: _Policy | CorrectionMode) -> LegPlan | None:
    booked = state.booked
    if booked in (NOTHING, wanted) or wanted == NOTHING:
        # a first posting, a withdrawal or nothing to do: the same in either mode
        return next_leg(booked, wanted, CorrectionMode.REVERSE_AND_REBOOK)
    mode = policy if isinstance(policy, CorrectionMode) else policy.get().mode
    old = load_journal(state.version(booked).journal)
    new = load_journal(state.version(wanted).journal)
    unchanged = not difference_rows(old.rows, new.rows, new.currency)
    # A moved date alone is rebooked in reverse-and-rebook mode; a difference voucher
    # cannot move a date, so in difference mode equal rows are no change to book.
    same = unchanged and (mode is CorrectionMode.DIFFERENCE or old.voucher_date == new.voucher_date)
    return next_leg(booked, wanted, mode, books_the_same=same)


def _leads_to(state: RunState, leg: Submission, plan: LegPlan) -> bool:
    return (
        leg.kind == plan.kind
        and state.version_of(leg) == plan.version
        and state.base_of(leg) == plan.base
    )


def _supersede(leg: Submission) -> bool:
    """Replace ``leg`` if it was certainly never posted; False when it may be (in flight)."""
    if leg.needs_reconcile or leg.state_enum not in (
        SubmissionState.QUEUED,
        SubmissionState.NEEDS_ACTION,
    ):
        return False
    why = "a newer version or a withdrawal replaced it before it was posted"
    try:
        transition(leg, Event.SUPERSEDED, message=why)
    except StaleSubmissionError:
        return False  # a worker claimed it meanwhile
    return True


def _write_leg(
    company: PayrollCompany,
    state: RunState,
    plan: LegPlan,
    policy: _Policy,
    written: list[Submission] | None,
) -> Submission:
    journal = state.version(plan.version).journal
    base = state.version(plan.base).journal if plan.base is not None else None
    voucher_date, move = _leg_date(state, plan, policy)
    leg = Submission(
        journal=journal,
        company=company,
        run_key=state.latest.run_id,
        kind=plan.kind.value,
        base=base,
        voucher_date=voucher_date,
        move_past_lock=move,
        marker=voucher_marker(str(company.pk), state.latest.run_id, plan.version, plan.kind),
        enqueued_at=timezone.now(),
    )
    if plan.is_empty:
        leg.state = _SENT
        leg.sent_at = timezone.now()
        leg.save(force_insert=True)
        Attempt.objects.create(
            submission=leg,
            event=Event.NOTHING_TO_BOOK.value,
            state=_SENT,
            message=f"v{plan.version} books the same as v{plan.base}: no voucher is needed",
        )
        return leg
    if written is not None:
        written.append(leg)
        return leg
    leg.save(force_insert=True)
    enqueue_after_commit(leg)
    return leg


def _leg_date(state: RunState, plan: LegPlan, policy: _Policy) -> tuple[date, bool]:
    """The voucher date of a leg, and whether the send step may move it past the lock date.

    The first posting of a run carries its journal's date. A correction leg (anything posted
    after an earlier leg) follows the company's :class:`CorrectionDate`: the corrected voucher's
    date, moved to the first open day when Visma has locked it; or the new version's date.
    """
    journal = state.version(plan.version).journal
    is_correction = any(leg.state == _SENT for leg in state.legs)
    if not is_correction:
        return journal.voucher_date, False
    rule = policy.get().date
    booked_leg = state.booking_leg(state.booked) if state.booked != NOTHING else None
    original = booked_leg.voucher_date if booked_leg is not None else journal.voucher_date
    if rule is CorrectionDate.NEW_VERSION and state.target != NOTHING:
        return state.version(state.target).journal.voucher_date, False
    if plan.kind is LegKind.FULL:
        return journal.voucher_date, True
    return original, True
