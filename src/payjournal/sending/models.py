"""The outbox: one :class:`Submission` per booking leg (a voucher for one run id), its attempts,
and per run id the :class:`RunBooking` that says which version the books should hold.

A leg is a full posting of a journal version, a reversal of one, or a difference between two
(:mod:`payjournal.domain.booking`). The state column takes the values of
:class:`payjournal.domain.submission.SubmissionState`; transitions go through
:func:`payjournal.domain.submission.next_state` only (see ``payjournal.sending.states``).
Partial unique indexes, on SQLite and PostgreSQL alike, forbid a second ``sent`` leg of one
kind for one journal version (invariants 3 and 7) and a second open leg for one run id (legs
of a run are posted one after the other).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from payjournal.domain.booking import CorrectionDate, CorrectionMode, LegKind
from payjournal.domain.submission import SubmissionState
from payjournal.payroll.models import JournalSnapshot, PayrollCompany
from payjournal.tenancy.models import Master

STATE_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in SubmissionState]
#: The open states in the enum's order: the partial index's condition must not change order.
_OPEN_VALUES = [s.value for s in SubmissionState if s.is_open]


MODE_CHOICES = [
    (CorrectionMode.REVERSE_AND_REBOOK.value, "Reverse and rebook"),
    (CorrectionMode.DIFFERENCE.value, "Difference"),
]
DATE_CHOICES = [
    (
        CorrectionDate.ORIGINAL_OR_FIRST_OPEN.value,
        "The original date, or the first open day after the lock date",
    ),
    (CorrectionDate.NEW_VERSION.value, "The new version's date"),
]
KIND_CHOICES = [(kind.value, kind.value.capitalize()) for kind in LegKind]


class CorrectionDefaults(models.Model):
    """Per master: how its companies book corrections unless a company says otherwise."""

    master = models.OneToOneField(
        Master, on_delete=models.CASCADE, related_name="correction_defaults"
    )
    correction_mode = models.CharField(
        max_length=20, choices=MODE_CHOICES, default=CorrectionMode.REVERSE_AND_REBOOK.value
    )
    correction_date = models.CharField(
        max_length=24, choices=DATE_CHOICES, default=CorrectionDate.ORIGINAL_OR_FIRST_OPEN.value
    )


class SendingSettings(models.Model):
    """Per payroll company: send every processed run (corrections, withdrawals, off-cycle)
    automatically; how corrections are booked (blank: the master's default)."""

    company = models.OneToOneField(
        PayrollCompany, on_delete=models.CASCADE, related_name="sending_settings"
    )
    send_automatically = models.BooleanField(default=False)
    correction_mode = models.CharField(max_length=20, choices=MODE_CHOICES, blank=True)
    correction_date = models.CharField(max_length=24, choices=DATE_CHOICES, blank=True)


class RunBooking(models.Model):
    """Per run id of a company: which version someone asked to have in the books.

    ``wanted_version`` is set by a send (a click, the API, automatic sending): the version to
    book, or 0 for nothing (a withdrawn run). Every decision about the legs of the run id locks
    this row first, so two decisions never race (a send, a new version, a settled leg).
    """

    company = models.ForeignKey(PayrollCompany, on_delete=models.CASCADE, related_name="+")
    run_key = models.CharField(max_length=64)
    wanted_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("company", "run_key"), name="run_booking_unique"),
        )


class Submission(models.Model):
    """One leg of a run id's booking — one voucher — and where it stands. Its id is its own
    workflow's id (:attr:`workflow_id`); a bulk send's legs are sent in batches, several to one
    workflow (:attr:`batch`, :attr:`job_id`).

    ``journal`` is the version the leg is of: the one posted in full, the one reversed, or the
    new one of a difference (whose ``base`` is the booked version it is netted against).
    ``voucher_date`` is the date the voucher carries; with ``move_past_lock`` the send step
    moves it to the first open day when Visma's lock date has passed it (and stores the date
    it posts with before the POST, so reconciliation reads back the right day).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    journal = models.ForeignKey(
        JournalSnapshot, on_delete=models.CASCADE, related_name="submissions"
    )
    company = models.ForeignKey(
        PayrollCompany, on_delete=models.CASCADE, related_name="submissions"
    )
    run_key = models.CharField(max_length=64, help_text="The payroll run id the leg books.")
    kind = models.CharField(max_length=12, choices=KIND_CHOICES, default=LegKind.FULL.value)
    base = models.ForeignKey(
        JournalSnapshot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="difference_legs",
    )
    voucher_date = models.DateField()
    move_past_lock = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=STATE_CHOICES, default=SubmissionState.QUEUED)
    marker = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts_count = models.PositiveIntegerField(default=0)
    round = models.PositiveIntegerField(
        default=1, help_text="Bumped when the work starts over (user retry, sweep)."
    )
    batch = models.CharField(
        max_length=64,
        blank=True,
        help_text=(
            "The workflow that sends this round together with other legs of a bulk send; "
            "empty when the leg's own workflow sends it."
        ),
    )
    needs_reconcile = models.BooleanField(
        default=False, help_text="A POST's outcome is unknown: read vouchers back before posting."
    )
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    voucher_id = models.CharField(max_length=64, blank=True)
    voucher_number = models.CharField(max_length=40, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = (
            models.UniqueConstraint(
                fields=("journal", "kind"),
                condition=Q(state=SubmissionState.SENT.value),
                name="submission_one_sent_leg_per_kind",
            ),
            models.UniqueConstraint(
                fields=("company", "run_key"),
                condition=Q(state__in=_OPEN_VALUES),
                name="submission_one_open_leg_per_run",
            ),
        )
        indexes = (
            models.Index(fields=("state", "enqueued_at")),
            models.Index(fields=("company", "run_key")),
        )

    def __str__(self) -> str:
        return f"submission {self.id} ({self.state})"

    @property
    def state_enum(self) -> SubmissionState:
        return SubmissionState(self.state)

    @property
    def kind_enum(self) -> LegKind:
        return LegKind(self.kind)

    @property
    def is_empty(self) -> bool:
        """A leg recorded as booked with no voucher: the version books like the one before."""
        return self.state == SubmissionState.SENT.value and not self.voucher_id

    @property
    def workflow_id(self) -> str:
        """The DBOS workflow id of the current round: the submission id, then ``-r<round>``.

        A finished DBOS workflow answers a second start with the same id with its old result,
        so a new round of work (a retry after "needs action") needs a new id.
        """
        return str(self.id) if self.round == 1 else f"{self.id}-r{self.round}"

    @property
    def job_id(self) -> str:
        """The workflow that sends the current round: its batch's, else its own
        (:attr:`workflow_id`). A new round (a retry, a restart) clears the batch."""
        return self.batch or self.workflow_id


class Attempt(models.Model):
    """One line of a submission's timeline: what happened, when, and the error if any."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(auto_now_add=True)
    event = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=STATE_CHOICES)
    error_code = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("at", "id")


class CompanySummary(models.Model):
    """Per payroll company: where its latest run and its open legs stand, as of the company's
    change stamp ``stamp`` (brought up to date when the cockpit reads it:
    :mod:`payjournal.sending.summary`), so the cockpit filters and sorts thousands of companies
    in one query instead of folding every leg of every run.

    Only facts of the outbox and the runs live here; the connection (the account's status),
    the drift report and the scheme's coverage are read where they are kept.
    """

    company = models.OneToOneField(
        PayrollCompany, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    last_run_pk = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The latest version of the latest run id."
    )
    last_run_key = models.CharField(max_length=64, blank=True)
    last_period = models.CharField(max_length=40, blank=True)
    last_payment_date = models.DateField(null=True, blank=True)
    last_status = models.CharField(
        max_length=24, blank=True, help_text="The latest run's status (RunStory.status)."
    )
    last_voucher = models.CharField(max_length=40, blank=True)
    needs_action = models.PositiveIntegerField(default=0, help_text="Legs waiting for a person.")
    moving = models.PositiveIntegerField(default=0, help_text="Legs queued or in flight.")
    error_code = models.CharField(max_length=64, blank=True, help_text="Of one leg needing action.")
    for_payroll = models.PositiveIntegerField(
        default=0, help_text="Legs needing action whose cause the payroll administrator fixes."
    )
    for_bookkeeper = models.PositiveIntegerField(
        default=0, help_text="Legs needing action whose cause the bookkeeper fixes in Visma."
    )
    for_master = models.PositiveIntegerField(
        default=0, help_text="Legs needing action whose cause the master administrator fixes."
    )
    next_voucher_date = models.DateField(
        null=True, blank=True, help_text="The earliest voucher date still to book."
    )
    unmapped = models.PositiveIntegerField(
        default=0, help_text="Wage components seen in the run files that the scheme does not map."
    )
    stamp = models.BigIntegerField(
        default=0, help_text="The company's change stamp (company:<id>) these facts are of."
    )
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"summary of company {self.company_id}"
