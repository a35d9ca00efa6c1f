"""Shared by every test: the process's wiring built from the test settings, as start-up builds
it; no process memo of Visma reads, and no active language, outlives a test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


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
