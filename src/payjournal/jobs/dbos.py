"""DBOS Transact as the job backend: one workflow per submission round, one partitioned queue.

* Queue ``visma-send``: ``partition_concurrency=1`` with the Visma account as the partition
  key, so at most one submission per Visma company is in flight anywhere, and
  ``worker_concurrency`` sends per executor process.
* The rate limit is not the queue's: every Visma call of every process goes through the OAuth
  client's shared limiter (:func:`payjournal.integrations.gateway.shared_limiter`: per
  endpoint, under Visma's 600/min, kept in PostgreSQL in scaled mode). It counts calls, not
  workflow starts, so a send that reads back or retries is counted right. A DBOS limiter on
  top would also switch DBOS from its batched dequeue of single-concurrency partitions to
  polling each partition in turn: about 10 ms of CPU per send at month-end.
* Workflow id = the submission id (``-r<n>`` for later rounds): enqueueing twice is a no-op.
* The send runs in the workflow body; if the process dies inside it, DBOS recovers the workflow
  and runs it again, which finds the submission ``sending`` and reconciles before anything else.
* A schedule runs :func:`sweep_workflow` every minute: queued submissions untouched for two
  minutes are enqueued again (a no-op for those DBOS already holds).
* A schedule runs :func:`daily_checks_workflow` at 03:00: the drift check of every mapped
  company (:mod:`payjournal.preflight.daily`), which also reads the day's books into the cache.

System database: ``sqlite:///<data_dir>/dbos.sqlite`` embedded, the app's PostgreSQL database
(schema ``dbos``) when the app runs on PostgreSQL, or ``PAYJOURNAL_DBOS_URL``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from dbos import DBOS, DBOSConfig, Queue, SetEnqueueOptions, SetWorkflowID
from django.conf import settings
from django.db import close_old_connections

from payjournal import jobs
from payjournal.jobs.dbos_status import workflow_statuses
from payjournal.private_files import private_sqlite

QUEUE = "visma-send"
SWEEP_SCHEDULE = "payjournal-sweep"
DAILY_CHECKS_SCHEDULE = "payjournal-daily-checks"
#: How often an executor looks for queued sends. Each look costs a few system-database queries
#: whatever it finds, and starts up to ``worker_concurrency`` sends: 0.2 s keeps a month-end
#: batch at the rate limit (100 starts/s need 20 per look) without spending the CPU on polling.
POLLING_INTERVAL_S = 0.2
#: Connections DBOS keeps to its system database per process (its default is 20). Each
#: workflow holds one only for its short bookkeeping writes; with the app's pool
#: (``PAYJOURNAL_DB_POOL_SIZE``) and the limiter's this sets what a process asks of PostgreSQL.
SYSTEM_DB_POOL_SIZE = 8
#: Six-field cron (seconds first) in ``TIME_ZONE``: the drift check at 03:00.
DAILY_CHECKS_CRON = "0 0 3 * * *"
log = logging.getLogger("payjournal.jobs")


@DBOS.workflow(name="payjournal.send_submission")
def send_workflow(submission_id: str) -> str:
    """The durable send of one submission: sent or needs_action.

    The send runs in the workflow itself, not in a step: every decision is read from the
    submission row, so a recovered workflow that runs it again resumes where the row stands
    (``sending`` → reconcile by marker). A step would only add a checkpoint write per send.
    """
    from payjournal.sending.send import process_submission

    close_old_connections()
    try:
        return process_submission(submission_id).value
    finally:
        close_old_connections()


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
    queue = DBOS.retrieve_queue(QUEUE)
    assert queue is not None, "DBOS is launched without the visma-send queue"
    backend = DbosBackend(queue)
    for workflow_id, submission_id, partition in pending:
        backend.enqueue(workflow_id, submission_id, partition)
    if swept:
        log.info("swept submissions", extra={"event": "jobs.sweep", "count": swept})


@DBOS.step(name="payjournal.daily_checks_step")
def daily_checks_step() -> int:
    from payjournal.preflight.daily import check_every_company

    close_old_connections()
    try:
        return check_every_company().drifted
    finally:
        close_old_connections()


@DBOS.workflow(name="payjournal.daily_checks")
def daily_checks_workflow(scheduled_at: datetime, context: Any) -> None:
    """Every day: the drift check of every mapped company (it also warms the day's reads)."""
    daily_checks_step()


@dataclass(frozen=True, slots=True)
class DbosBackend:
    """Enqueue onto the ``visma-send`` queue with the workflow id and partition key."""

    queue: Queue

    def enqueue(self, workflow_id: str, submission_id: str, partition: str) -> None:
        with SetWorkflowID(workflow_id), SetEnqueueOptions(queue_partition_key=partition):
            self.queue.enqueue(send_workflow, submission_id)

    def statuses(self, workflow_ids: Sequence[str]) -> Mapping[str, jobs.JobStatus]:
        return workflow_statuses(workflow_ids)


def system_database_url(data_dir: Path, app_database_url: str, override: str | None) -> str:
    """Where DBOS keeps its state: the override, the app's PostgreSQL, else SQLite in data_dir."""
    if override:
        return override
    if app_database_url.startswith(("postgres://", "postgresql://")):
        return app_database_url
    return f"sqlite:///{data_dir / 'dbos.sqlite'}"


def sqlite_engine(url: str) -> sa.Engine:
    """The embedded system database as DBOS sets it up (IMMEDIATE transactions, a long busy
    timeout, foreign keys), plus write-ahead logging and ``synchronous=NORMAL`` like the app's
    SQLite: readers no longer block the writers, and a commit does not wait for an fsync. The
    file is created 0600 (it holds the send workflows' inputs and outputs)."""
    database = sa.engine.make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        private_sqlite(Path(database))  # 0600 before SQLite creates it (and its -wal, -shm)
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def configure(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = "IMMEDIATE"
        dbapi_conn.execute("PRAGMA busy_timeout=30000")
        dbapi_conn.execute("PRAGMA foreign_keys=ON")
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")

    return engine


def start(
    system_db_url: str,
    *,
    executor_id: str | None = None,
    execute: bool = True,
    worker_concurrency: int = 8,
) -> None:
    """Launch DBOS in this process and make it the job backend.

    ``execute=False`` (``payjournal web``) enqueues only: the process listens to no queue.
    """
    config: DBOSConfig = {
        "name": "payjournal",
        "system_database_url": system_db_url,
        "sys_db_pool_size": SYSTEM_DB_POOL_SIZE,
    }
    if system_db_url.startswith("sqlite:"):
        config["system_database_engine"] = sqlite_engine(system_db_url)
    if executor_id:
        config["executor_id"] = executor_id
    DBOS(config=config)
    if not execute:
        DBOS.listen_queues([])
    DBOS.launch()
    queue = DBOS.register_queue(
        QUEUE,
        partition_concurrency=1,
        worker_concurrency=worker_concurrency,
        polling_interval_sec=POLLING_INTERVAL_S,
        on_conflict="always_update",
    )
    if execute:
        for name, workflow, cron in (
            (SWEEP_SCHEDULE, sweep_workflow, "0 * * * * *"),
            (DAILY_CHECKS_SCHEDULE, daily_checks_workflow, DAILY_CHECKS_CRON),
        ):
            if DBOS.get_schedule(name) is None:
                DBOS.create_schedule(
                    schedule_name=name,
                    workflow_fn=workflow,
                    schedule=cron,
                    cron_timezone=settings.TIME_ZONE,
                )
    jobs.set_backend(DbosBackend(queue))


def wait_until_listening(timeout_s: float = 10.0) -> None:
    """Block until this process's DBOS dequeues ``visma-send`` (its queue manager starts a
    queue's thread within a second of launch); ``TimeoutError`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not any(t.name == f"queue-worker-{QUEUE}" for t in threading.enumerate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"DBOS did not start dequeuing {QUEUE} within {timeout_s:.0f} s")
        time.sleep(0.05)


def stop() -> None:
    """Shut DBOS down in this process (tests, Ctrl-C)."""
    jobs.set_backend(None)
    DBOS.destroy(destroy_registry=False)
