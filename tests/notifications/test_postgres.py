"""The notification tests again on PostgreSQL, from the default (SQLite) session: one
subprocess with ``--ds tests.pg_settings`` — the outbox rows (notices, deliveries), the
digest's claim (``SELECT … FOR UPDATE``) and the DBOS deliveries on the other database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.waiting import SUITE_PATIENCE_S

ROOT = Path(__file__).resolve().parents[2]
TESTS = ["tests/notifications", "tests/preflight/test_daily_notifies.py"]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
def test_the_notification_tests_pass_on_postgresql() -> None:
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", *TESTS, "--ds", "tests.pg_settings", "-q",
            "-p", "no:cacheprovider", "-k", "not test_the_notification_tests_pass_on_postgresql",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=SUITE_PATIENCE_S, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
