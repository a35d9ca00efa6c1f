"""Fixtures: the emulator mounted in-process (sync transport), a client wired to it with an
injected clock, and a connected company reached through the real OAuth pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from payjournal.emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    EmulatorConfig,
    ManualClock,
    create_app,
    stable_id,
)
from payjournal.emulator.transport import EmulatorTransport
from payjournal.visma import (
    ClientCredentials,
    InMemoryTokenStore,
    NoRateLimit,
    RetryPolicy,
    TokenSet,
    VismaClient,
    VismaEndpoints,
    VismaOAuth,
)
from tests.emulator.spec import ConformingTransport
from tests.visma.browser import authorize
from tests.visma.fakes import FakeClock, fixed_jitter

BASE = "http://visma.test"
REDIRECT_URI = "http://127.0.0.1:8123/visma/callback"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PASSWORDS = {
    "anna@bakkerij.example": "anna-demo",
    "erik@nordisk.example": "erik-demo",
    "lena@fietsen.example": "lena-demo",
}


def company_id(key: str) -> str:
    return str(stable_id("company", key))


class World:
    """The emulator, the client's view of time, and helpers to move both."""

    def __init__(self, **config: Any) -> None:
        self.emulator_clock = ManualClock(START)
        self.config = EmulatorConfig(clock=self.emulator_clock, **config)
        self.app = create_app(self.config, seed="demo")
        # every /v2 exchange of the client's tests is checked against the official spec
        self.transport = ConformingTransport(EmulatorTransport(self.app))
        self.clock = FakeClock(START)
        self.endpoints = VismaEndpoints.at(BASE)
        self.control = httpx2.Client(base_url=BASE, transport=self.transport)
        self.browser = httpx2.Client(transport=self.transport)

    def oauth(self, **kwargs: Any) -> VismaOAuth:
        credentials = ClientCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, REDIRECT_URI)
        return VismaOAuth(
            credentials, self.endpoints, clock=self.clock, transport=self.transport, **kwargs
        )

    def advance(self, seconds: float) -> None:
        self.emulator_clock.advance(seconds)
        self.clock.advance(seconds)

    def connect(self, email: str, company: str | None = None) -> TokenSet:
        """Authorize through the identity pages and exchange the code."""
        oauth = self.oauth()
        request = oauth.authorization_url()
        visit = authorize(
            self.browser,
            request.url,
            email,
            PASSWORDS[email],
            company_id=company_id(company) if company else None,
        )
        code = oauth.parse_callback(visit.callback, request.state)
        return oauth.exchange_code(code, request.code_verifier)

    def client(self, store: Any, **kwargs: Any) -> VismaClient:
        options: dict[str, Any] = {
            "rate_limiter": NoRateLimit(),
            "retry": RetryPolicy.never(),
            "clock": self.clock,
            "jitter": fixed_jitter(0.5),
            "transport": self.transport,
        } | kwargs
        return VismaClient(store, self.oauth(), **options)

    def faults(self, **plan: Any) -> None:
        self.control.put("/_emulator/faults", json=plan).raise_for_status()

    def close(self) -> None:
        self.control.close()
        self.browser.close()
        self.transport.close()


@pytest.fixture
def make_world() -> Iterator[Callable[..., World]]:
    """Build an emulator with some ``EmulatorConfig`` fields set."""
    worlds: list[World] = []

    def make(**config: Any) -> World:
        worlds.append(World(**config))
        return worlds[-1]

    yield make
    for w in worlds:
        w.close()
    for w in worlds:
        assert not w.transport.problems, "\n".join(w.transport.problems)


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world()


@pytest.fixture
def nordisk(world: World) -> VismaClient:
    """A client connected to Nordisk Trä AB (se-nordisk) through the OAuth pages."""
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    return world.client(store)


@pytest.fixture
def connect_client(world: World) -> Callable[..., VismaClient]:
    def make(email: str, company: str | None = None, **kwargs: Any) -> VismaClient:
        return world.client(InMemoryTokenStore(world.connect(email, company)), **kwargs)

    return make
