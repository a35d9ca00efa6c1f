"""Shared by every test: the process's wiring built from the test settings, as start-up builds
it; no process memo of Visma reads, and no active language, outlives a test; no test fails
because the machine is busy.

The fixtures used by more than one package are registered here, from the modules of
:mod:`tests.fixtures` (pytest takes ``pytest_plugins`` only from this root conftest): tenants
and the emulator on loopback, books to send to and a DBOS executor, the Visma client's world, and
the browser. A test asks for them by name and never imports a fixture; a package's own fixtures
stay in its conftest.

Every emulator the suite starts — in-process, on loopback for a worker subprocess, or as a
command in a child process — checks each ``/v2`` exchange it serves against Visma's vendored
spec (``payjournal.emulator.conformance``): the environment switches the check on before any
emulator exists and names one report file per test process; a test during which a departure
was reported fails (``_every_exchange_held_to_the_spec``).

Hypothesis measures time: a deadline per example (200 ms) and a health check that fails a test
whose data takes long to generate (``too_slow``). On a machine loaded by another test suite
both trip on correct code, so the profile every test runs under turns them off; what a
property checks never depends on speed. Playwright's assertions wait up to
:data:`~tests.waiting.PATIENCE_MS` (their own default is 5 s).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from playwright.sync_api import expect

from payjournal.emulator.config import CHECK_SPEC_ENV, SPEC_REPORT_ENV
from tests.waiting import PATIENCE_MS

# Set before any emulator is created; children (workers, `visma-emulator`) inherit it.
_report_fd, _report_name = tempfile.mkstemp(prefix="visma-spec-", suffix=".jsonl")
os.close(_report_fd)
SPEC_REPORT = Path(_report_name)
os.environ[CHECK_SPEC_ENV] = "1"
os.environ[SPEC_REPORT_ENV] = str(SPEC_REPORT)

# The command line speaks the language of the environment (``payjournal.cli.history``); the
# suite expects English whatever the shell of whoever runs it says. Tests of another language
# set the variables themselves.
for _variable in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"

pytest_plugins = [
    "tests.fixtures.books",
    "tests.fixtures.stamps",
    "tests.fixtures.browser",
    "tests.fixtures.tenants",
    "tests.fixtures.visma_client",
]


def pytest_configure(config: pytest.Config) -> None:
    """The test run is a build: it compiles the catalogs edited since the install (the product
    itself never compiles them at start-up)."""
    from payjournal.catalog.messages import compile_all

    compile_all()


settings.register_profile("payjournal", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("payjournal")
expect.set_options(timeout=PATIENCE_MS)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a session without xdist the tests that wait for the PostgreSQL pass come last, so the
    pass has the whole session to run beside (after pytest-django's own ordering)."""
    from tests.on_postgres import waiting_last

    waiting_last(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The tests that run others again on PostgreSQL share one pass (:mod:`tests.on_postgres`)."""
    from tests.on_postgres import collected

    collected(session)


def pytest_unconfigure(config: pytest.Config) -> None:
    """The report file of this test process goes with it (departures already failed tests), and
    a PostgreSQL pass still under way ends."""
    from tests.on_postgres import finished

    finished(config.stash)
    SPEC_REPORT.unlink(missing_ok=True)


@pytest.fixture(scope="session", autouse=True)
def _wiring_of_the_test_settings() -> Iterator[None]:
    """What ``start_django`` installs in a real process; a test that changes the Visma settings
    installs its own on top (:func:`tests.wiring.rewired`)."""
    from payjournal import wiring

    built = wiring.from_settings()
    previous = wiring.install(built)
    yield
    wiring.install(previous)
    built.close()


@pytest.fixture(autouse=True)
def _every_exchange_held_to_the_spec() -> Iterator[None]:
    """Fails the test during which any emulator answered something Visma's spec does not allow
    (torn down last, after the emulators and workers of the test have stopped)."""
    start = SPEC_REPORT.stat().st_size
    yield
    with SPEC_REPORT.open("rb") as report:
        report.seek(start)
        departures = report.read().decode("utf-8", "replace").strip()
    assert not departures, f"the emulator answered outside Visma's spec:\n{departures}"


@pytest.fixture(autouse=True)
def _fresh_preflight_memo() -> Iterator[None]:
    from payjournal.preflight.cache import DailyCache

    DailyCache.forget_memo()
    yield
    DailyCache.forget_memo()


@pytest.fixture(autouse=True)
def _no_language_left_active() -> Iterator[None]:
    """A request or command that activated Dutch or Swedish in this thread does not leak into
    the next test (Django keeps the active language per thread)."""
    yield
    from django.utils import translation

    translation.deactivate()
