"""DBOS Transact as the job backend: one workflow per submission round, one partitioned queue.

* Queue ``visma-send``: a global limiter under Visma's 600 requests/min (``per_minute`` starts
  per minute across every executor) and ``partition_concurrency=1`` with the Visma account as
  the partition key, so at most one submission per Visma company is in flight anywhere.
* Workflow id = the submission id (``-r<n>`` for later rounds): enqueueing twice is a no-op.
* The send is one step; if the process dies inside it, DBOS recovers the workflow and runs the
  step again, which finds the submission ``sending`` and reconciles before anything else.
* A schedule runs :func:`sweep_workflow` every minute: queued submissions untouched for two
  minutes are enqueued again (a no-op for those DBOS already holds).

System database: ``sqlite:///<data_dir>/dbos.sqlite`` embedded, the app's PostgreSQL database
(schema ``dbos``) when the app runs on PostgreSQL, or ``PAYJOURNAL_DBOS_URL``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dbos import DBOS, DBOSConfig, SetEnqueueOptions, SetWorkflowID
from django.db import close_old_connections

from payjournal import jobs
from payjournal.jobs.dbos_status import workflow_statuses

QUEUE = "visma-send"
SWEEP_SCHEDULE = "payjournal-sweep"
log = logging.getLogger("payjournal.jobs")


@DBOS.step(name="payjournal.send_submission_step")
def send_step(submission_id: str) -> str:
    """Run the send step in this thread's own database connection."""
    from payjournal.sending.send import process_submission

    close_old_connections()
    try:
        return process_submission(submission_id).value
    finally:
        close_old_connections()


@DBOS.workflow(name="payjournal.send_submission")
def send_workflow(submission_id: str) -> str:
    """The durable send of one submission: sent or needs_action."""
    return send_step(submission_id)


@DBOS.step(name="payjournal.sweep_step")
def sweep_step() -> tuple[int, list[jobs.Enqueue]]:
    """The sweep; what it enqueues is returned, not enqueued: a step may not start workflows."""
    from payjournal.sending.services import sweep

    close_old_connections()
    try:
        with jobs.deferred_enqueues() as pending:
            swept = sweep()
        return swept, pending
    finally:
        close_old_connections()


@DBOS.workflow(name="payjournal.sweep")
def sweep_workflow(scheduled_at: datetime, context: Any) -> None:
    """Every minute: enqueue what never reached DBOS, recover what its workflow left open."""
    swept, pending = sweep_step()
    for workflow_id, submission_id, partition in pending:
        DbosBackend().enqueue(workflow_id, submission_id, partition)
    if swept:
        log.info("swept submissions", extra={"event": "jobs.sweep", "count": swept})


@dataclass(frozen=True, slots=True)
class DbosBackend:
    """Enqueue onto the ``visma-send`` queue with the workflow id and partition key."""

    def enqueue(self, workflow_id: str, submission_id: str, partition: str) -> None:
        queue = DBOS.retrieve_queue(QUEUE)
        assert queue is not None, "DBOS is launched without the visma-send queue"
        with SetWorkflowID(workflow_id), SetEnqueueOptions(queue_partition_key=partition):
            queue.enqueue(send_workflow, submission_id)

    def statuses(self, workflow_ids: Sequence[str]) -> Mapping[str, jobs.JobStatus]:
        return workflow_statuses(workflow_ids)


def system_database_url(data_dir: Path, app_database_url: str, override: str | None) -> str:
    """Where DBOS keeps its state: the override, the app's PostgreSQL, else SQLite in data_dir."""
    if override:
        return override
    if app_database_url.startswith(("postgres://", "postgresql://")):
        return app_database_url
    return f"sqlite:///{data_dir / 'dbos.sqlite'}"


def start(
    system_db_url: str,
    *,
    executor_id: str | None = None,
    execute: bool = True,
    per_minute: int = 540,
    worker_concurrency: int = 8,
) -> None:
    """Launch DBOS in this process and make it the job backend.

    ``execute=False`` (``payjournal web``) enqueues only: the process listens to no queue.
    """
    config: DBOSConfig = {
        "name": "payjournal",
        "system_database_url": system_db_url,
    }
    if executor_id:
        config["executor_id"] = executor_id
    DBOS(config=config)
    if not execute:
        DBOS.listen_queues([])
    DBOS.launch()
    DBOS.register_queue(
        QUEUE,
        limiter={"limit": per_minute, "period": 60.0},
        partition_concurrency=1,
        worker_concurrency=worker_concurrency,
        polling_interval_sec=0.05,
        on_conflict="always_update",
    )
    if execute and DBOS.get_schedule(SWEEP_SCHEDULE) is None:
        DBOS.create_schedule(
            schedule_name=SWEEP_SCHEDULE, workflow_fn=sweep_workflow, schedule="0 * * * * *"
        )
    jobs.set_backend(DbosBackend())


def stop() -> None:
    """Shut DBOS down in this process (tests, Ctrl-C)."""
    jobs.set_backend(None)
    DBOS.destroy(destroy_registry=False)
