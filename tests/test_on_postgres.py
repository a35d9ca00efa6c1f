"""The serial session's PostgreSQL pass (:mod:`tests.on_postgres`) ends with the session.

A pass starts as soon as the session has collected; when the session ends before any test
waited for it (``-x`` after a failure, Ctrl-C), :func:`~tests.on_postgres.finished` kills it
and removes its folder, so no pytest process is left running on the machine's other core.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.on_postgres import SHARED, Running, finished


@pytest.fixture
def pass_of() -> Iterator[Callable[[str], Running]]:
    """Stand-ins for a PostgreSQL pass: a Python process running the code given, its output in
    the pass's folder as :func:`~tests.on_postgres.start_on_postgresql` keeps it. Whatever a
    failed test left running is killed after it."""
    started: list[Running] = []

    def start(code: str) -> Running:
        folder = tempfile.TemporaryDirectory(prefix="on-postgres-test-")
        with (Path(folder.name) / "output.txt").open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-c", code],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        started.append(Running(process, folder))
        return started[-1]

    yield start
    for running in started:
        running.stop()


def test_a_pass_nobody_waited_for_is_killed_and_its_folder_removed(
    pass_of: Callable[[str], Running],
) -> None:
    running = pass_of("import time; time.sleep(600)")
    stash = pytest.Stash()
    stash[SHARED] = running

    finished(stash)

    assert running.process.returncode == -signal.SIGKILL
    assert not Path(running.folder.name).exists()


def test_a_pass_that_ended_unread_leaves_no_folder(pass_of: Callable[[str], Running]) -> None:
    running = pass_of("print('done')")
    running.process.wait()
    stash = pytest.Stash()
    stash[SHARED] = running

    finished(stash)

    assert running.process.returncode == 0
    assert not Path(running.folder.name).exists()


def test_a_pass_waited_for_keeps_its_outcome(pass_of: Callable[[str], Running]) -> None:
    running = pass_of("print('done')")
    stash = pytest.Stash()
    stash[SHARED] = running
    done = running.wait()

    finished(stash)

    assert running.wait() is done
    assert (done.returncode, done.output.strip()) == (0, "done")


def test_a_session_without_a_pass_ends_as_it_is() -> None:
    finished(pytest.Stash())
