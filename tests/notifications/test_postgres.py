"""The notification tests again on PostgreSQL, from the default (SQLite) session
(:mod:`tests.on_postgres`) — the outbox rows (notices, deliveries), the digest's claim
(``SELECT … FOR UPDATE``) and the DBOS deliveries on the other database."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.on_postgres import assert_passes_on_postgresql

TESTS = ["tests/notifications", "tests/preflight/test_daily_notifies.py"]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(*TESTS)
def test_the_notification_tests_pass_on_postgresql(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)
