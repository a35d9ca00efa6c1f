"""The durable-jobs port: enqueue a send, ask how jobs stand, defer enqueues, name a schedule.

Nothing here knows the apps: a job is a workflow id, the submission id its workflow takes and a
partition key; jobs that share a workflow id are one workflow, which takes their submissions in
order (a bulk send's batch). The backend that runs them (DBOS, :mod:`payjournal.jobs.dbos`) is part of the
process's wiring (:attr:`payjournal.wiring.Wiring.jobs`), which the executor's start installs;
the workflows themselves live with the code they run (:mod:`payjournal.sending.workflows`,
:mod:`payjournal.preflight.workflows`). Without a backend in this process enqueueing is a
no-op: the submission row is already the durable record, and the sweep of the next running
executor enqueues it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

#: (workflow id, submission id, partition) of an enqueue: what :func:`deferred_enqueues` collects.
#: Jobs with one workflow id (in one :func:`enqueue_many`) are one workflow sending them in turn.
Enqueue = tuple[str, str, str]

__all__ = [
    "ENDED",
    "Enqueue",
    "JobBackend",
    "JobStatus",
    "Schedule",
    "deferred_enqueues",
    "enqueue",
    "enqueue_many",
    "job_statuses",
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

    def enqueue_many(self, jobs: Sequence[Enqueue]) -> None:
        """Start the send workflows of many submissions at once: one per workflow id, which
        sends the submissions of its jobs in their order (one each: as :meth:`enqueue`)."""

    def statuses(self, workflow_ids: Sequence[str]) -> Mapping[str, JobStatus]:
        """The status of each of ``workflow_ids`` the backend knows; unknown ids are left out."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A workflow the executor starts on a cron (six fields, seconds first, in ``TIME_ZONE``);
    the workflow is called with the time it was scheduled for and a context."""

    name: str
    cron: str
    workflow: Callable[[datetime, Any], None]


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


def enqueue(
    backend: JobBackend | None, workflow_id: str, submission_id: str, partition: str
) -> None:
    """Start the workflow on ``backend`` (nothing without one); inside
    :func:`deferred_enqueues`, collect it instead."""
    if backend is None:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.append((workflow_id, submission_id, partition))
        return
    backend.enqueue(workflow_id, submission_id, partition)


def enqueue_many(backend: JobBackend | None, jobs: Sequence[Enqueue]) -> None:
    """:func:`enqueue` of each of ``jobs``, handed to the backend together."""
    if backend is None or not jobs:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.extend(jobs)
        return
    backend.enqueue_many(jobs)


def job_statuses(
    backend: JobBackend | None, workflow_ids: Sequence[str]
) -> Mapping[str, JobStatus] | None:
    """The statuses of these jobs, or ``None`` without a backend in this process."""
    if backend is None:
        return None
    return backend.statuses(workflow_ids)
