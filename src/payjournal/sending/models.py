"""The outbox: one :class:`Submission` per journal version and send decision, with its attempts.

The state column takes the values of :class:`payjournal.domain.submission.SubmissionState`;
transitions go through :func:`payjournal.domain.submission.next_state` only (see
``payjournal.sending.states``). A partial unique index forbids a second ``sent`` submission
for one journal version (invariant 3) on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from payjournal.domain.submission import SubmissionState
from payjournal.payroll.models import JournalSnapshot, PayrollCompany

STATE_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in SubmissionState]
OPEN_STATES = (
    SubmissionState.QUEUED,
    SubmissionState.SENDING,
    SubmissionState.RECONCILING,
    SubmissionState.NEEDS_ACTION,
)


class SendingSettings(models.Model):
    """Per payroll company: send every processed run (corrections, off-cycle) automatically."""

    company = models.OneToOneField(
        PayrollCompany, on_delete=models.CASCADE, related_name="sending_settings"
    )
    send_automatically = models.BooleanField(default=False)


class Submission(models.Model):
    """The decision to send one journal version, and where it stands. Its id is the workflow id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    journal = models.ForeignKey(
        JournalSnapshot, on_delete=models.CASCADE, related_name="submissions"
    )
    company = models.ForeignKey(
        PayrollCompany, on_delete=models.CASCADE, related_name="submissions"
    )
    state = models.CharField(max_length=16, choices=STATE_CHOICES, default=SubmissionState.QUEUED)
    marker = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts_count = models.PositiveIntegerField(default=0)
    round = models.PositiveIntegerField(
        default=1, help_text="Bumped when the work starts over (user retry, sweep)."
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
                fields=("journal",),
                condition=Q(state="sent"),
                name="submission_one_sent_per_journal",
            ),
            models.UniqueConstraint(
                fields=("journal",),
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
                name="submission_one_open_per_journal",
            ),
        )
        indexes = (models.Index(fields=("state", "enqueued_at")),)

    def __str__(self) -> str:
        return f"submission {self.id} ({self.state})"

    @property
    def state_enum(self) -> SubmissionState:
        return SubmissionState(self.state)

    @property
    def workflow_id(self) -> str:
        """The DBOS workflow id of the current round: the submission id, then ``-r<round>``.

        A finished DBOS workflow answers a second start with the same id with its old result,
        so a new round of work (a retry after "needs action") needs a new id.
        """
        return str(self.id) if self.round == 1 else f"{self.id}-r{self.round}"


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
