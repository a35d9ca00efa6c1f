"""The durable workflows of sending, and the start of the executor that runs them (DBOS).

* ``payjournal.send_submission`` (:func:`send_workflow`): one workflow per submission round,
  enqueued on the ``visma-send`` queue (:mod:`payjournal.jobs.dbos`). The send runs in the
  workflow body; if the process dies inside it, DBOS recovers the workflow and runs it again,
  which finds the submission ``sending`` and reconciles before anything else.
* ``payjournal.send_batch`` (:func:`send_batch_workflow`): a bulk send's batch, eight legs to
  a workflow with a Visma company's legs together (:mod:`payjournal.sending.outbox`), sent in
  turn (:func:`~payjournal.sending.send.process_in_turn`); recovered the same way.
* ``payjournal.sweep`` (:func:`sweep_workflow`), every minute: queued submissions untouched for
  two minutes are enqueued again (a no-op for those DBOS already holds), stranded ones
  recovered (:mod:`payjournal.sending.recovery`).
* The daily checks at 03:00 are the pre-flight's (:mod:`payjournal.preflight.workflows`);
  :func:`start` schedules them with the sweep, and the notifications' queue, deliveries, digest
  and sweep (:mod:`payjournal.notifications.workflows`).

The workflows take their collaborators from the process's wiring (:func:`payjournal.wiring.current`):
a workflow's arguments are stored by DBOS, so they are ids, never clients.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from dbos import DBOS
from django.db import close_old_connections

from payjournal import cpu_budget, jobs, wiring
from payjournal.jobs import dbos
from payjournal.notifications import workflows as notifications
from payjournal.preflight.workflows import DAILY_CHECKS
from payjournal.sending.send import process_in_turn, process_submission
from payjournal.sending.services import sweep

__all__ = [
    "SCHEDULES",
    "SWEEP",
    "send_batch_workflow",
    "send_workflow",
    "start",
    "stop",
    "sweep_workflow",
]

log = logging.getLogger("payjournal.jobs")


#: The send workflows' names in DBOS (an enqueue in one transaction names them).
SEND_WORKFLOW = "payjournal.send_submission"
SEND_BATCH_WORKFLOW = "payjournal.send_batch"


@DBOS.workflow(name=SEND_WORKFLOW)
def send_workflow(submission_id: str) -> str:
    """The durable send of one submission: sent or needs_action.

    The send runs in the workflow itself, not in a step: every decision is read from the
    submission row, so a recovered workflow that runs it again resumes where the row stands
    (``sending`` → reconcile by marker). A step would only add a checkpoint write per send.
    """
    with cpu_budget.part("send: the rest"):
        close_old_connections()
        try:
            return process_submission(submission_id, job_id=DBOS.workflow_id).value
        finally:
            close_old_connections()


@DBOS.workflow(name=SEND_BATCH_WORKFLOW)
def send_batch_workflow(submission_ids: list[str]) -> list[str]:
    """The durable send of a bulk send's batch, leg by leg: where each leg stands, in order.
    Like :func:`send_workflow`, it runs the send in the body: a recovered batch resumes each
    leg where its row stands, and leaves alone a leg that has left it."""
    with cpu_budget.part("send: the rest"):
        close_old_connections()
        try:
            states = process_in_turn(
                submission_ids, job_id=DBOS.workflow_id, before_each=close_old_connections
            )
            return [states[submission_id].value for submission_id in submission_ids]
        finally:
            close_old_connections()


@DBOS.step(name="payjournal.sweep_step")
def sweep_step() -> tuple[int, list[jobs.Enqueue]]:
    """The sweep; what it enqueues is returned, not enqueued: a step may not start workflows."""
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
    backend = wiring.current().jobs
    assert backend is not None, "the sweep runs in an executor: its backend is wired"
    # Each a leg's own workflow (the sweep clears a batch before it enqueues a leg), enqueued
    # from the workflow so DBOS checkpoints it.
    for workflow_id, submission_id, partition in pending:
        backend.enqueue(workflow_id, submission_id, partition)
    if swept:
        log.info("swept submissions", extra={"event": "jobs.sweep", "count": swept})


SWEEP = jobs.Schedule("payjournal-sweep", "0 * * * * *", sweep_workflow)
#: What an executing process runs on a clock.
SCHEDULES = (SWEEP, DAILY_CHECKS, *notifications.SCHEDULES)


def start(
    system_db_url: str,
    *,
    executor_id: str | None = None,
    execute: bool = True,
    worker_concurrency: int = 8,
) -> None:
    """Launch DBOS in this process with these workflows and schedules, and make it the job
    backend of the process's wiring. ``execute=False`` (``payjournal web``) enqueues only."""
    backend = dbos.start(
        system_db_url,
        send_workflow=send_workflow,
        send_workflow_name=SEND_WORKFLOW,
        send_batch_workflow=send_batch_workflow,
        send_batch_workflow_name=SEND_BATCH_WORKFLOW,
        schedules=SCHEDULES,
        executor_id=executor_id,
        execute=execute,
        worker_concurrency=worker_concurrency,
    )
    notifications.register()
    wiring.install(wiring.current().with_jobs(backend))


def stop() -> None:
    """Take the backend out of the wiring and shut DBOS down (tests, Ctrl-C)."""
    wiring.install(wiring.current().with_jobs(None))
    notifications.unregister()
    dbos.stop()
