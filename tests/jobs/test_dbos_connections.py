"""The embedded system database keeps a connection for each of DBOS's threads: a month-end's
workflows open none of their own (:func:`payjournal.jobs.dbos.sqlite_engine`).

SQLAlchemy's default pool for a SQLite file keeps 5 connections and closes what it opened
beyond them when they come back; with 32 workflow threads writing their outcomes, DBOS opened
(and configured) a connection for most workflows: about 0.25 ms of CPU each at month-end.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from dbos import DBOS

from payjournal.jobs import dbos
from tests.waiting import wait_until

CONCURRENCY = 16
JOBS = 6 * CONCURRENCY
_finished: list[str] = []
_lock = threading.Lock()


def _hold(job: str) -> str:
    time.sleep(0.02)
    with _lock:
        _finished.append(job)
    return job


@DBOS.workflow(name="tests.jobs.hold_a_moment")
def hold_a_moment(job: str) -> str:
    """A send's shape without its work: the wait for Visma's answer."""
    return _hold(job)


@DBOS.workflow(name="tests.jobs.hold_a_moment_each")
def hold_a_moment_each(jobs: list[str]) -> list[str]:
    """A bulk send's batch without its work."""
    return [_hold(job) for job in jobs]


def _start(tmp_path: Path, executor_id: str, concurrency: int) -> dbos.DbosBackend:
    """DBOS on a SQLite system database in ``tmp_path``, running this module's workflows."""
    return dbos.start(
        f"sqlite:///{tmp_path / 'dbos.sqlite'}",
        send_workflow=hold_a_moment,
        send_workflow_name="tests.jobs.hold_a_moment",
        send_batch_workflow=hold_a_moment_each,
        send_batch_workflow_name="tests.jobs.hold_a_moment_each",
        executor_id=executor_id,
        worker_concurrency=concurrency,
    )


def test_the_workflows_of_a_month_end_open_no_connection_of_their_own(tmp_path: Path) -> None:
    opened: list[Any] = []

    def count(connection: Any, _record: Any) -> None:
        if isinstance(connection, sqlite3.Connection):
            opened.append(connection)

    _finished.clear()
    sa.event.listen(sa.pool.Pool, "connect", count)
    backend = _start(tmp_path, "test-connections", CONCURRENCY)
    try:
        dbos.wait_until_listening()
        # Half as workflows of their own, half in batches of four (jobs sharing a workflow id).
        half = JOBS // 2
        singles = [(f"job-{n}", f"job-{n}", f"account-{n}") for n in range(half)]
        batched = [(f"batch-{n // 4}", f"job-{n}", f"batch-{n // 4}") for n in range(half, JOBS)]
        backend.enqueue_many(singles + batched)
        wait_until(lambda: len(_finished) == JOBS, "every workflow to end")
        batches = DBOS.list_workflows(name="tests.jobs.hold_a_moment_each")
        assert sorted(w.input["args"][0] for w in batches if w.input) == [
            [f"job-{n}" for n in range(first, first + 4)] for first in range(half, JOBS, 4)
        ]
    finally:
        dbos.stop()
        sa.event.remove(sa.pool.Pool, "connect", count)
    assert sorted(_finished) == sorted(f"job-{n}" for n in range(JOBS))  # each once
    # One per thread that may hold one at once, opened once: DBOS's own threads and the
    # enqueuer's, and one per workflow thread.
    assert len(opened) <= CONCURRENCY + 2 * dbos.SYSTEM_DB_POOL_SIZE + 1, len(opened)


def test_a_batch_enqueued_again_runs_once_and_its_neighbours_still_run(tmp_path: Path) -> None:
    """A batch enqueued again in one transaction with new workflows (a sweep's or a user's
    second hand-over): the known batch does not run again, the new ones run."""
    _finished.clear()
    backend = _start(tmp_path, "test-again", 4)
    try:
        dbos.wait_until_listening()
        first = [("batch-a", "a-1", "batch-a"), ("batch-a", "a-2", "batch-a")]
        backend.enqueue_many(first)
        wait_until(lambda: len(_finished) == 2, "the first batch to end")
        again = [*first, ("batch-b", "b-1", "batch-b"), ("batch-b", "b-2", "batch-b")]
        backend.enqueue_many([*again, ("single-c", "c-1", "account-c")])
        wait_until(lambda: len(_finished) == 5, "the new workflows to end")
    finally:
        dbos.stop()
    assert sorted(_finished) == ["a-1", "a-2", "b-1", "b-2", "c-1"]


def test_one_workflow_id_with_two_partitions_is_refused() -> None:
    with pytest.raises(ValueError, match="batch-a named with partitions batch-a and other"):
        dbos.grouped([("batch-a", "a-1", "batch-a"), ("batch-a", "a-2", "other")])
    assert dbos.grouped([("w", "1", "p"), ("v", "2", "q"), ("w", "3", "p")]) == [
        dbos.Workflow("w", ("1", "3"), "p"),
        dbos.Workflow("v", ("2",), "q"),
    ]
