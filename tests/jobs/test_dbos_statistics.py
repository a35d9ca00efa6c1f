"""A month-end's enqueue renews the planner's statistics of DBOS's workflow table on PostgreSQL
(:class:`payjournal.jobs.dbos.BulkEnqueue`): with the statistics of a table where nothing was queued,
each poll of each worker rescanned every queued row once per partition (18.7 s a poll at 7,700
partitions)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from payjournal import wiring
from payjournal.jobs.dbos import ANALYZE_AFTER
from payjournal.sending import workflows
from tests.fixtures.books import drop_throwaway_dbos, throwaway_dbos_url
from tests.on_postgres import assert_passes_on_postgresql


def rows_known(url: str) -> float:
    """The planner's row count of the workflow table (-1: never analyzed)."""
    with psycopg.connect(url) as database:
        found = database.execute(
            "SELECT reltuples FROM pg_class WHERE oid = 'dbos.workflow_status'::regclass"
        ).fetchone()
    assert found is not None
    return float(found[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_a_large_enqueue_renews_the_statistics_of_the_workflow_table(
    tmp_path: Path, settings: Any
) -> None:
    url = throwaway_dbos_url(tmp_path, settings)
    workflows.start(url, executor_id="test-statistics", execute=False)  # enqueues only
    try:
        backend = wiring.current().jobs
        assert backend is not None
        backend.enqueue_many(
            [(f"stats-{n}", str(uuid.uuid4()), f"account-{n}") for n in range(ANALYZE_AFTER - 1)]
        )
        assert rows_known(url) < ANALYZE_AFTER - 1
        backend.enqueue_many([("stats-last", str(uuid.uuid4()), "account-last")])
        assert rows_known(url) >= ANALYZE_AFTER
    finally:
        workflows.stop()
        drop_throwaway_dbos(url)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(__file__)
def test_the_statistics_on_postgresql(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)
