"""Shared by every test: no process memo of Visma reads, and no active language, outlives a
test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


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
