"""The durable-jobs port: start, enqueue, sweep. DBOS lives behind it (``payjournal.jobs.dbos``).

The rest of the app calls :func:`enqueue_submission` only. Until a DBOS executor is started in
this process (``payjournal serve``/``demo``/``worker``/``web``), enqueueing is a no-op: the
submission row is already the durable record, and the sweep of the next running executor
enqueues it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from payjournal.sending.models import Submission

__all__ = [
    "ENDED",
    "JobBackend",
    "JobStatus",
    "active_backend",
    "deferred_enqueues",
    "enqueue_submission",
    "job_statuses",
    "set_backend",
]

#: Statuses of a job that will not run again by itself (DBOS's names): a submission that is
#: still open when its job is in one of them is stranded until the sweep acts.
ENDED = frozenset({"SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"})


@dataclass(frozen=True, slots=True)
class JobStatus:
    """Where one durable job stands: the backend's status and, after ``ERROR``, the class name
    of the exception (never its message, which may carry data)."""

    status: str
    error_type: str = ""

    @property
    def has_ended(self) -> bool:
        return self.status in ENDED


class JobBackend(Protocol):
    def enqueue(self, workflow_id: str, submission_id: str, partition: str) -> None:
        """Start the send workflow of a submission (idempotent for one ``workflow_id``)."""

    def statuses(self, workflow_ids: Sequence[str]) -> Mapping[str, JobStatus]:
        """The status of each of ``workflow_ids`` the backend knows; unknown ids are left out."""


_backend: JobBackend | None = None


def set_backend(backend: JobBackend | None) -> None:
    """Install (or remove, with ``None``) the backend this process enqueues through."""
    global _backend
    _backend = backend


def active_backend() -> JobBackend | None:
    return _backend


#: (workflow id, submission id, partition) of every enqueue made inside :func:`deferred_enqueues`.
Enqueue = tuple[str, str, str]
_deferred: ContextVar[list[Enqueue] | None] = ContextVar("payjournal_deferred", default=None)


@contextmanager
def deferred_enqueues() -> Iterator[list[Enqueue]]:
    """Collect the enqueues made in this thread instead of making them.

    Code running inside a DBOS step may not start workflows (DBOS asserts "not in a step"),
    so the sweep's step collects what it would enqueue and its workflow enqueues the list.
    """
    pending: list[Enqueue] = []
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)


def enqueue_submission(submission: Submission) -> None:
    """Hand the submission to the job backend, partitioned by its Visma account."""
    if _backend is None:
        return
    partition = str(submission.company.visma_account_id or submission.company_id)
    pending = _deferred.get()
    if pending is not None:
        pending.append((submission.workflow_id, str(submission.pk), partition))
        return
    _backend.enqueue(submission.workflow_id, str(submission.pk), partition)


def job_statuses(workflow_ids: Sequence[str]) -> Mapping[str, JobStatus] | None:
    """The statuses of these jobs, or ``None`` when no backend runs in this process."""
    if _backend is None:
        return None
    return _backend.statuses(workflow_ids)
