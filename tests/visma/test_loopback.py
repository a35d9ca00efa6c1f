"""The same client over real TCP: the emulator served by uvicorn on 127.0.0.1.

This is where "never sent" and "sent, no answer" are real socket events: a refused
connection, a reset after the voucher was committed, a silent server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import httpx2
import pytest

from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorConfig, create_app
from payjournal.emulator.server import run_in_thread
from payjournal.visma import (
    ClientCredentials,
    InMemoryTokenStore,
    NetworkError,
    NoRateLimit,
    OutcomeUnknownError,
    RetryPolicy,
    TokenSet,
    VismaClient,
    VismaEndpoints,
    VismaOAuth,
)
from tests.fixtures.visma_client import REDIRECT_URI, company_id
from tests.visma.browser import authorize
from tests.visma.test_resources import salary_voucher
from tests.waiting import PATIENCE_S

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with run_in_thread(create_app(EmulatorConfig(), seed="demo"), port=0) as url:
        yield url


@pytest.fixture
def control(base_url: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=base_url) as http:
        yield http
        http.delete("/_emulator/faults").raise_for_status()


def oauth_for(base_url: str) -> VismaOAuth:
    credentials = ClientCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, REDIRECT_URI)
    return VismaOAuth(credentials, VismaEndpoints.at(base_url))


@pytest.fixture
def tokens(base_url: str) -> TokenSet:
    """Erik connects Nordisk Trä AB through the identity pages, over TCP."""
    with oauth_for(base_url) as oauth, httpx2.Client() as browser:
        request = oauth.authorization_url()
        visit = authorize(
            browser,
            request.url,
            "erik@nordisk.example",
            "erik-demo",
            company_id=company_id("se-nordisk"),
        )
        return oauth.exchange_code(
            oauth.parse_callback(visit.callback, request.state), request.code_verifier
        )


def client_at(base_url: str, tokens: TokenSet, read_s: float = PATIENCE_S) -> VismaClient:
    return VismaClient(
        InMemoryTokenStore(tokens),
        oauth_for(base_url),
        rate_limiter=NoRateLimit(),
        retry=RetryPolicy.never(),
        timeout=httpx2.Timeout(5.0, read=read_s),
        # over TCP too, every /v2 answer is checked against the official spec
    )


@pytest.fixture
def client(base_url: str, tokens: TokenSet) -> Iterator[VismaClient]:
    with client_at(base_url, tokens) as c:
        yield c


def test_oauth_and_a_voucher_over_tcp(client: VismaClient) -> None:
    assert client.get_company_settings().name == "Nordisk Trä AB"
    voucher = client.create_voucher(salary_voucher("pj:tcp"))
    assert client.find_vouchers(*NOVEMBER, marker="pj:tcp") == [voucher]


def test_a_reset_after_commit_is_an_unknown_outcome(
    client: VismaClient, control: httpx2.Client
) -> None:
    control.put("/_emulator/faults", json={"drop_next": 1, "endpoints": ["POST /v2/vouchers"]})
    with pytest.raises(OutcomeUnknownError):
        client.create_voucher(salary_voucher("pj:tcp-drop"))
    found = client.find_vouchers(*NOVEMBER, marker="pj:tcp-drop")
    assert [v.debit_total for v in found] == [Decimal("50000.00")]


def test_a_silent_server_is_an_unknown_outcome(
    base_url: str, tokens: TokenSet, control: httpx2.Client
) -> None:
    control.put(
        "/_emulator/faults",
        json={"timeout_next": 1, "timeout_delay_s": 1, "endpoints": ["POST /v2/vouchers"]},
    )
    with (
        client_at(base_url, tokens, read_s=0.5) as impatient,
        pytest.raises(OutcomeUnknownError, match="ReadTimeout"),
    ):
        impatient.create_voucher(salary_voucher("pj:tcp-slow"))


def test_a_refused_connection_never_reached_visma(tokens: TokenSet, client: VismaClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    offline = client_at(f"http://127.0.0.1:{closed_port}", tokens)
    with offline, pytest.raises(NetworkError, match="ConnectError"):
        offline.create_voucher(salary_voucher("pj:offline"))
    assert client.find_vouchers(*NOVEMBER, marker="pj:offline") == []
