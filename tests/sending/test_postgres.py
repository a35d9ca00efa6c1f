"""The sending tests again on PostgreSQL, from the default (SQLite) session
(:mod:`tests.on_postgres`), so ``pytest`` alone covers both databases. The sending tests are
this package's and those of the API and the job backend that send through the outbox."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.on_postgres import assert_passes_on_postgresql

SENDING_TESTS = ["tests/sending", "tests/api/test_api.py", "tests/jobs"]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(*SENDING_TESTS)
def test_the_sending_tests_pass_on_postgresql(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)
