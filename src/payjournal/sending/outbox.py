"""Handing submissions (the outbox rows) to the job backend of the process's wiring.

A submission is written in the transaction that decides to send it; its job is started after
the commit. Without a backend in this process (no executor started) nothing is enqueued: the
row is the durable record, and the sweep of the next running executor enqueues it.

A bulk decision's legs are sent in batches (:func:`assign_batches`): eight legs to one workflow,
which sends them in turn (:func:`payjournal.sending.send.process_in_turn`); a Visma company's
legs of one decision go to one batch (which may then hold more). A workflow's own cost in DBOS
(its enqueue, dequeue, start and outcome: about 1.5–2.5 ms of CPU at month-end, whatever it
sends) is then paid once per batch instead of once per leg. A leg's later rounds (a retry, a
restart by the sweep) and a run id's next leg are sent by the leg's own workflow, partitioned
by its Visma account.

The queue no longer keeps every company to one leg in flight: two batches of one company
(decisions in two transactions, two bulk sends at once), or a batch and a leg's own workflow,
can send together. That is harmless: a run id has one open leg, the token's refresh is
single-flight, the rate limit is shared, and Visma takes a company's vouchers in any order.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from payjournal import jobs, wiring
from payjournal.sending.models import Submission

__all__ = [
    "BATCH_SIZE",
    "assign_batches",
    "enqueue_after_commit",
    "enqueue_many_after_commit",
    "enqueue_submission",
]

#: Legs per batch of a bulk send. Eight cut DBOS's share of a month-end journal by about
#: seven eighths, and the batches in flight still keep the rate limit busy: each waits for its
#: legs' rate-limit slots in turn, so at the bound a batch of eight takes about eight times the
#: slot spacing times the batches in flight.
BATCH_SIZE = 8


def _account(submission: Submission) -> str:
    """The Visma account the leg is sent through (its company's, if none is mapped)."""
    return str(submission.company.visma_account_id or submission.company_id)


def _job(submission: Submission) -> jobs.Enqueue:
    """The submission's job: its batch's workflow (partitioned by the batch), else its own,
    partitioned by its Visma account (one in flight each)."""
    if submission.batch:
        return submission.batch, str(submission.pk), submission.batch
    return submission.workflow_id, str(submission.pk), _account(submission)


def assign_batches(legs: Sequence[Submission], size: int = BATCH_SIZE) -> None:
    """Put new ``legs`` (not yet saved) into batches of ``size``, each Visma account's legs in
    one batch (which may then hold more); a batch of one leg is the leg's own workflow. A batch
    is named after its first leg (``batch-<id>``): unique, and known before the commit."""
    by_account: dict[str, list[Submission]] = {}
    for leg in legs:
        by_account.setdefault(_account(leg), []).append(leg)
    batch: list[Submission] = []
    for group in by_account.values():
        if batch and len(batch) + len(group) > size:
            _label_batch(batch)
            batch = []
        batch.extend(group)
    if batch:
        _label_batch(batch)


def _label_batch(batch: list[Submission]) -> None:
    """Set ``batch``'s name on each of its legs (none for a batch of one)."""
    name = f"batch-{batch[0].pk}" if len(batch) > 1 else ""
    for leg in batch:
        leg.batch = name


def enqueue_submission(submission: Submission) -> None:
    """Start the submission's workflow."""
    jobs.enqueue(wiring.current().jobs, *_job(submission))


def enqueue_after_commit(submission: Submission) -> None:
    """Start the submission's workflow once the current transaction commits."""
    transaction.on_commit(lambda: enqueue_submission(submission))


def enqueue_many_after_commit(submissions: Sequence[Submission]) -> None:
    """Start the workflows of ``submissions`` together once the current transaction commits
    (a bulk decision: one write to the job backend instead of one per submission); the legs of
    one batch are one job."""
    if submissions:
        found = [_job(submission) for submission in submissions]
        transaction.on_commit(lambda: jobs.enqueue_many(wiring.current().jobs, found))
