"""DBOS Transact as the job backend: the adapter behind the port (:mod:`payjournal.jobs`).

It knows no app: :func:`start` is given the send workflow and the schedules (defined, with the
code they run, in :mod:`payjournal.sending.workflows` and :mod:`payjournal.preflight.workflows`,
which register them with DBOS when imported) and returns the backend the wiring holds.

* Queue ``visma-send``: ``partition_concurrency=1`` with the partition key the job names
  (the app's: a leg's own workflow by its Visma account, so at most one of them per Visma
  company is in flight anywhere; a bulk send's batch by itself), and ``worker_concurrency``
  workflows per executor process.
* The rate limit is not the queue's: every Visma call of every process goes through the OAuth
  client's shared limiter (:attr:`payjournal.wiring.SharedParts.limiter`: per endpoint, under
  Visma's 600/min, kept in PostgreSQL in scaled mode). It counts calls, not workflow starts,
  so a send that reads back or retries is counted right. A DBOS limiter on top would also
  switch DBOS from its batched dequeue of single-concurrency partitions to polling each
  partition in turn: about 10 ms of CPU per send at month-end.
* Workflow id = the submission id (``-r<n>`` for later rounds), or a bulk send's batch's
  (``batch-<first submission id>``, partitioned by itself): enqueueing twice is a no-op.

System database: ``sqlite:///<data_dir>/dbos.sqlite`` embedded, the app's PostgreSQL database
(schema ``dbos``) when the app runs on PostgreSQL, or ``PAYJOURNAL_DBOS_URL``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from dbos import DBOS, DBOSClient, DBOSConfig, Queue, SetEnqueueOptions, SetWorkflowID
from django.conf import settings

from payjournal import cpu_budget, jobs
from payjournal.jobs.dbos_status import workflow_statuses
from payjournal.private_files import private_sqlite
from payjournal.sqlite_writers import connection_class

log = logging.getLogger("payjournal.jobs")

QUEUE = "visma-send"
APPLICATION = "payjournal"
#: How often an executor looks for queued sends (DBOS's default: 1 s). A look costs a few
#: system-database queries, which DBOS builds anew each time (about 8 ms of CPU at month-end),
#: whatever it finds, and starts up to ``worker_concurrency`` workflows. Since a bulk send's
#: legs go eight to a workflow, 100 legs/s need 12.5 starts/s: a look every 0.5 s keeps a
#: month-end at the rate limit with 32 workflows in flight, and at Visma's (540/min) with 8,
#: for 0.12 ms of CPU per journal where 0.2 s cost 0.43 (``docs/deploy.md``, *Twelfth look*).
#: A single send waits at most this long to start.
POLLING_INTERVAL_S = 0.5
#: Connections DBOS keeps to its system database per process (its default is 20). Each
#: workflow holds one only for its short bookkeeping writes; with the app's pool
#: (``PAYJOURNAL_DB_POOL_SIZE``) and the limiter's this sets what a process asks of PostgreSQL.
SYSTEM_DB_POOL_SIZE = 8
#: How often DBOS's notification listener wakes on SQLite (its default: 1 s). It reads the
#: database only for a workflow that waits on a message or event (payjournal has none), but
#: ``stop`` joins it, so its sleep was up to a second of every shutdown (Ctrl-C, each test
#: with an executor: about 0.5 s each).
NOTIFICATION_POLL_S = 0.1
#: How long a writer of the embedded system database waits for another (DBOS's own setting).
BUSY_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class DbosBackend:
    """Enqueue the send workflows onto the ``visma-send`` queue with their workflow ids and
    partition keys: a submission's own (:attr:`send_workflow`), or one for the jobs that share
    a workflow id (:attr:`send_batch_workflow`, the submissions in the jobs' order); many at
    once in one transaction of the system database (a month-end's decision: one commit instead
    of one per workflow)."""

    queue: Queue
    send_workflow: Callable[[str], str]
    send_batch_workflow: Callable[[list[str]], list[str]]
    bulk: BulkEnqueue | None = None

    def enqueue_many(self, jobs: Sequence[jobs.Enqueue]) -> None:
        workflows = grouped(jobs)
        if self.bulk is None or len(workflows) < 2:
            for workflow in workflows:
                self._enqueue(workflow)
            return
        try:
            with cpu_budget.part("enqueue"):
                self.bulk.enqueue(workflows)
        except Exception:  # e.g. an id DBOS already holds: its insert aborts the transaction
            log.warning(
                "batched enqueue failed; enqueueing one by one",
                extra={"event": "jobs.batch_enqueue_failed", "count": len(workflows)},
                exc_info=True,
            )
            for workflow in workflows:
                self._enqueue(workflow)

    def enqueue(self, workflow_id: str, submission_id: str, partition: str) -> None:
        self._enqueue(Workflow(workflow_id, (submission_id,), partition))

    def _enqueue(self, workflow: Workflow) -> None:
        with (
            cpu_budget.part("enqueue"),
            SetWorkflowID(workflow.workflow_id),
            SetEnqueueOptions(queue_partition_key=workflow.partition),
        ):
            if workflow.is_batch:
                self.queue.enqueue(self.send_batch_workflow, list(workflow.submission_ids))
            else:
                self.queue.enqueue(self.send_workflow, workflow.submission_ids[0])
        if self.bulk is not None:
            self.bulk.enqueued(1)

    def statuses(self, workflow_ids: Sequence[str]) -> Mapping[str, jobs.JobStatus]:
        return workflow_statuses(workflow_ids)


@dataclass(frozen=True, slots=True)
class Workflow:
    """One send workflow to enqueue: its id, the submissions it sends, its partition key."""

    workflow_id: str
    submission_ids: tuple[str, ...]
    partition: str

    @property
    def is_batch(self) -> bool:
        return len(self.submission_ids) > 1


def grouped(jobs: Sequence[jobs.Enqueue]) -> list[Workflow]:
    """The workflows of ``jobs``: those that share a workflow id are one, which sends their
    submissions in the jobs' order (``ValueError`` if they name two partitions)."""
    found: dict[str, tuple[list[str], str]] = {}
    for workflow_id, submission_id, partition in jobs:
        ids, first = found.setdefault(workflow_id, ([], partition))
        if partition != first:
            raise ValueError(
                f"workflow {workflow_id} named with partitions {first} and {partition}"
            )
        ids.append(submission_id)
    return [
        Workflow(workflow_id, tuple(ids), partition)
        for workflow_id, (ids, partition) in found.items()
    ]


#: Jobs enqueued by one process after which, on PostgreSQL, the system database's statistics of
#: its workflow table are renewed (see :meth:`BulkEnqueue.enqueue`).
ANALYZE_AFTER = 500


class BulkEnqueue:
    """Enqueues in one transaction of the system database, through DBOS's client (its
    ``enqueue_in_transaction``) on an engine of its own.

    On PostgreSQL, every :data:`ANALYZE_AFTER` jobs it renews the statistics of DBOS's workflow
    table (``ANALYZE dbos.workflow_status``). A month-end enqueues thousands of jobs, one
    partition (a Visma account, a batch) each, into a table whose statistics say almost nothing
    is queued; the planner then walks DBOS's partitions through the wrong index, and each poll of each
    worker rescans every queued row once per partition: 18.7 s per poll at 7,700 partitions
    (``payjournal bench month-end --companies 10000``), 55 ms after an ``ANALYZE``. Autovacuum
    would renew them too, but only on its own schedule, a minute or more into the month-end.
    """

    def __init__(self, system_db_url: str, workflow_name: str, batch_workflow_name: str) -> None:
        if system_db_url.startswith("sqlite:"):
            self.engine = sqlite_engine(system_db_url, connections=1)
        else:
            url = sa.engine.make_url(system_db_url).set(drivername="postgresql+psycopg")
            self.engine = sa.create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)
        self.client = DBOSClient(
            system_database_engine=self.engine, application_name=APPLICATION, lazy=True
        )
        self.workflow_name = workflow_name
        self.batch_workflow_name = batch_workflow_name
        self._since_analyze = 0
        self._lock = threading.Lock()

    def enqueue(self, workflows: Sequence[Workflow]) -> None:
        version = DBOS.application_version
        with self.engine.begin() as connection:
            for workflow in workflows:
                batch = workflow.is_batch
                self.client.enqueue_in_transaction(
                    connection,
                    {
                        "queue_name": QUEUE,
                        "workflow_name": self.batch_workflow_name if batch else self.workflow_name,
                        "workflow_id": workflow.workflow_id,
                        "queue_partition_key": workflow.partition,
                        "app_version": version,
                    },
                    list(workflow.submission_ids) if batch else workflow.submission_ids[0],
                )
        self.enqueued(len(workflows))

    def enqueued(self, count: int) -> None:
        """``count`` more jobs are in DBOS's workflow table (by this batch or one by one)."""
        if self.engine.dialect.name != "postgresql":
            return
        with self._lock:
            self._since_analyze += count
            due = self._since_analyze >= ANALYZE_AFTER
            if due:
                self._since_analyze = 0
        if due:
            self._analyze()

    def _analyze(self) -> None:
        """Renew the planner's statistics of DBOS's workflow table (outside a transaction: a
        failure costs nothing but the figures)."""
        try:
            with self.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    sa.text("ANALYZE dbos.workflow_status")
                )
        except sa.exc.SQLAlchemyError:
            log.warning(
                "the statistics of the workflow table were not renewed",
                extra={"event": "jobs.analyze_failed"},
                exc_info=True,
            )

    def close(self) -> None:
        self.client.destroy()
        self.engine.dispose()


def system_database_url(data_dir: Path, app_database_url: str, override: str | None) -> str:
    """Where DBOS keeps its state: the override, the app's PostgreSQL, else SQLite in data_dir."""
    if override:
        return override
    if app_database_url.startswith(("postgres://", "postgresql://")):
        return app_database_url
    return f"sqlite:///{data_dir / 'dbos.sqlite'}"


def sqlite_engine(url: str, *, connections: int = SYSTEM_DB_POOL_SIZE) -> sa.Engine:
    """The embedded system database as DBOS sets it up (IMMEDIATE transactions, a long busy
    timeout, foreign keys), plus write-ahead logging and ``synchronous=NORMAL`` like the app's
    SQLite: readers no longer block the writers, and a commit does not wait for an fsync; and
    the writers of this process take turns (:mod:`payjournal.sqlite_writers`). The file is
    created 0600 (it holds the send workflows' inputs and outputs).

    The pool keeps ``connections`` open (one per thread that may hold one at once: each send
    workflow writes its outcome on one), and up to :data:`SYSTEM_DB_POOL_SIZE` more for a
    moment. SQLAlchemy's default for a file keeps 5 and closes the rest when they come back,
    so at month-end most workflows opened and configured a connection of their own: about
    0.25 ms of CPU each (``tests/jobs/test_dbos_connections.py``)."""
    database = sa.engine.make_url(url).database
    connect_args: dict[str, Any] = {}
    if database and database != ":memory:" and not database.startswith("file:"):
        private_sqlite(Path(database))  # 0600 before SQLite creates it (and its -wal, -shm)
        # The writers of this process take turns instead of sleeping in SQLite's busy handler.
        connect_args["factory"] = connection_class(database, BUSY_TIMEOUT_S)
    engine = sa.create_engine(
        url, connect_args=connect_args, pool_size=connections, max_overflow=SYSTEM_DB_POOL_SIZE
    )

    @sa.event.listens_for(engine, "connect")
    def configure(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = "IMMEDIATE"
        dbapi_conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        dbapi_conn.execute("PRAGMA foreign_keys=ON")
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")

    return engine


def start(
    system_db_url: str,
    *,
    send_workflow: Callable[[str], str],
    send_workflow_name: str,
    send_batch_workflow: Callable[[list[str]], list[str]],
    send_batch_workflow_name: str,
    schedules: Sequence[jobs.Schedule] = (),
    executor_id: str | None = None,
    execute: bool = True,
    worker_concurrency: int = 8,
) -> DbosBackend:
    """Launch DBOS in this process; returns the backend that enqueues ``send_workflow`` (one
    submission) and ``send_batch_workflow`` (several).

    The workflows must be registered (their modules imported) before: DBOS recovers this
    executor's unfinished ones at launch. ``execute=False`` (``payjournal web``) enqueues only:
    the process listens to no queue and creates no schedule.
    """
    config: DBOSConfig = {
        "name": APPLICATION,
        "system_database_url": system_db_url,
        "sys_db_pool_size": SYSTEM_DB_POOL_SIZE,
        "notification_listener_polling_interval_sec": NOTIFICATION_POLL_S,
    }
    if system_db_url.startswith("sqlite:"):
        config["system_database_engine"] = sqlite_engine(
            system_db_url, connections=worker_concurrency + SYSTEM_DB_POOL_SIZE
        )
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
        for schedule in schedules:
            if DBOS.get_schedule(schedule.name) is None:
                DBOS.create_schedule(
                    schedule_name=schedule.name,
                    workflow_fn=schedule.workflow,
                    schedule=schedule.cron,
                    cron_timezone=settings.TIME_ZONE,
                )
    global _bulk
    _bulk = BulkEnqueue(system_db_url, send_workflow_name, send_batch_workflow_name)
    return DbosBackend(queue, send_workflow, send_batch_workflow, _bulk)


def wait_until_listening(timeout_s: float = 10.0) -> None:
    """Block until this process's DBOS dequeues ``visma-send`` (its queue manager starts a
    queue's thread within a second of launch); ``TimeoutError`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not any(t.name == f"queue-worker-{QUEUE}" for t in threading.enumerate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"DBOS did not start dequeuing {QUEUE} within {timeout_s:.0f} s")
        time.sleep(0.05)


def stop() -> None:
    """Shut DBOS down in this process (tests, Ctrl-C); its registered workflows stay."""
    global _bulk
    if _bulk is not None:
        _bulk.close()
        _bulk = None
    DBOS.destroy(destroy_registry=False)


_bulk: BulkEnqueue | None = None
