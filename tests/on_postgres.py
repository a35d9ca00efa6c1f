"""Run a test file again on PostgreSQL from the default (SQLite) session: one pytest subprocess
with :mod:`tests.pg_settings`, every test of the file but the one that asks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.waiting import SUITE_PATIENCE_S

ROOT = Path(__file__).resolve().parents[1]


def assert_passes_on_postgresql(test_file: str, caller: str) -> None:
    """Run ``test_file`` on PostgreSQL, leaving out the test ``caller``; fail with its output."""
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", test_file, "--ds", "tests.pg_settings", "-q",
            "-p", "no:cacheprovider", "-k", f"not {caller}",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=SUITE_PATIENCE_S, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
