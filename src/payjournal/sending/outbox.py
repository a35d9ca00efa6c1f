"""Handing submissions (the outbox rows) to the job backend of the process's wiring.

A submission is written in the transaction that decides to send it; its job is started after
the commit. Without a backend in this process (no executor started) nothing is enqueued: the
row is the durable record, and the sweep of the next running executor enqueues it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from payjournal import jobs, wiring
from payjournal.sending.models import Submission

__all__ = ["enqueue_after_commit", "enqueue_many_after_commit", "enqueue_submission"]


def _job(submission: Submission) -> jobs.Enqueue:
    """The submission's job, partitioned by its Visma account (one in flight each)."""
    partition = str(submission.company.visma_account_id or submission.company_id)
    return submission.workflow_id, str(submission.pk), partition


def enqueue_submission(submission: Submission) -> None:
    """Start the submission's workflow."""
    jobs.enqueue(wiring.current().jobs, *_job(submission))


def enqueue_after_commit(submission: Submission) -> None:
    """Start the submission's workflow once the current transaction commits."""
    transaction.on_commit(lambda: enqueue_submission(submission))


def enqueue_many_after_commit(submissions: Sequence[Submission]) -> None:
    """Start the workflows of ``submissions`` together once the current transaction commits
    (a bulk decision: one write to the job backend instead of one per submission)."""
    if submissions:
        found = [_job(submission) for submission in submissions]
        transaction.on_commit(lambda: jobs.enqueue_many(wiring.current().jobs, found))
