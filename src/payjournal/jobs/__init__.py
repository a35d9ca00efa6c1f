"""The durable-jobs port: start, enqueue, sweep. DBOS lives behind it (``payjournal.jobs.dbos``).

The rest of the app calls :func:`enqueue_submission` only. Until a DBOS executor is started in
this process (``payjournal serve``/``demo``/``worker``/``web``), enqueueing is a no-op: the
submission row is already the durable record, and the sweep of the next running executor
enqueues it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from payjournal.sending.models import Submission

__all__ = ["JobBackend", "active_backend", "enqueue_submission", "set_backend"]


class JobBackend(Protocol):
    def enqueue(self, workflow_id: str, submission_id: str, partition: str) -> None:
        """Start the send workflow of a submission (idempotent for one ``workflow_id``)."""


_backend: JobBackend | None = None


def set_backend(backend: JobBackend | None) -> None:
    """Install (or remove, with ``None``) the backend this process enqueues through."""
    global _backend
    _backend = backend


def active_backend() -> JobBackend | None:
    return _backend


def enqueue_submission(submission: Submission) -> None:
    """Hand the submission to the job backend, partitioned by its Visma account."""
    if _backend is None:
        return
    partition = str(submission.company.visma_account_id or submission.company_id)
    _backend.enqueue(submission.workflow_id, str(submission.pk), partition)
