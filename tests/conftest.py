"""Shared by every test: no process memo of Visma reads outlives a test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_preflight_memo() -> Iterator[None]:
    from payjournal.preflight.cache import DailyCache

    DailyCache.forget_memo()
    yield
    DailyCache.forget_memo()
