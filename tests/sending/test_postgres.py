"""The sending tests again on PostgreSQL, from the default (SQLite) session: one subprocess with
``--ds tests.pg_settings``, so ``pytest`` alone covers both databases. The sending tests are
this package's and those of the API and the job backend that send through the outbox."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.waiting import SUITE_PATIENCE_S

ROOT = Path(__file__).resolve().parents[2]
SENDING_TESTS = ["tests/sending", "tests/api/test_api.py", "tests/jobs"]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
def test_the_sending_tests_pass_on_postgresql() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *SENDING_TESTS,
            "--ds",
            "tests.pg_settings",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "not test_the_sending_tests_pass_on_postgresql",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SUITE_PATIENCE_S,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
