"""Fixtures of the pre-flight tests: a Visma emulator of their own on loopback (its books are
changed by the tests, so it is not shared), the app pointed at it, and tenants."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from django.core.cache import caches

from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, create_app
from payjournal.emulator.server import run_in_thread
from tests.fixtures.tenants import PUBLIC_URL
from tests.wiring import rewired


@pytest.fixture(scope="module")
def emulator_of_books() -> Iterator[str]:
    with run_in_thread(create_app(seed="demo"), host="127.0.0.1", port=0) as url:
        yield url


@pytest.fixture
def books_url(settings: Any, emulator_of_books: str) -> Iterator[str]:
    """The app's Visma settings and wiring on the emulator, rebuilt from its seed for every
    test."""
    httpx2.post(f"{emulator_of_books}/_emulator/reset", json={"seed": "demo"}).raise_for_status()
    caches["default"].clear()
    settings.VISMA_IDENTITY_URL = emulator_of_books
    settings.VISMA_API_URL = f"{emulator_of_books}/v2/"
    settings.VISMA_CLIENT_ID = DEMO_CLIENT_ID
    settings.VISMA_CLIENT_SECRET = DEMO_CLIENT_SECRET
    settings.PAYJOURNAL_PUBLIC_URL = PUBLIC_URL
    with rewired():
        yield emulator_of_books
    caches["default"].clear()


@pytest.fixture
def control(books_url: str) -> Iterator[httpx2.Client]:
    """The emulator's control API (``/_emulator/…``)."""
    with httpx2.Client(base_url=books_url) as client:
        yield client
