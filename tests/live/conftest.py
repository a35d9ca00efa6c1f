"""The stamps of a test that runs in one transaction.

On PostgreSQL the triggers bump the stamps when the transaction commits (deferred constraint
triggers, :mod:`payjournal.live.triggers`), and a test on the ``db`` fixture never commits: its
stamps are made to move at each statement instead, as they would by its commit. Tests on
``transactional_db`` commit and keep the deferral.
"""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def stamps_at_each_statement(request: pytest.FixtureRequest) -> None:
    if "db" in request.fixturenames and "transactional_db" not in request.fixturenames:
        request.getfixturevalue("db")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
