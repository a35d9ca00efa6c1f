"""The retry loop: exact schedules with an injected clock and jitter, and what is never retried.

The server here is an ``httpx2.MockTransport`` answering from a script: the point is the
client's own loop, not Visma's behaviour (that is tested against the emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import httpx2
import pytest

from payjournal.visma import (
    ClientCredentials,
    InMemoryTokenStore,
    NetworkError,
    NewVoucher,
    NoRateLimit,
    OutcomeUnknownError,
    RateLimitedError,
    ResponseFormatError,
    RetryMode,
    RetryPolicy,
    ServerError,
    VismaClient,
    VismaEndpoints,
    VismaOAuth,
    VoucherRow,
)
from payjournal.visma.retry import call_with_retry
from tests.visma.fakes import FakeClock, fixed_jitter, tokens

SETTINGS = {"Name": "Bakkerij", "CountryCode": "NL"}
VOUCHER = NewVoucher(
    date(2026, 1, 31),
    "Payroll [pj:1]",
    (
        VoucherRow(7010, debit_amount=Decimal("1.00")),
        VoucherRow(1930, credit_amount=Decimal("1.00")),
    ),
)


class Script:
    """Answers requests in order; an exception in the script is raised as the transport's."""

    def __init__(self, *answers: httpx2.Response | Exception) -> None:
        self._answers: Iterator[httpx2.Response | Exception] = iter(answers)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        answer = next(self._answers)
        if isinstance(answer, Exception):
            raise answer
        return answer


def make_client(script: Script, clock: FakeClock, policy: RetryPolicy | None = None) -> VismaClient:
    endpoints = VismaEndpoints.at("http://visma.test")
    oauth = VismaOAuth(ClientCredentials("c", "s", "http://127.0.0.1/cb"), endpoints)
    store = InMemoryTokenStore(tokens(expires_at=clock.now() + timedelta(hours=1)))
    return VismaClient(
        store,
        oauth,
        rate_limiter=NoRateLimit(),
        retry=policy or RetryPolicy(),
        clock=clock,
        jitter=fixed_jitter(0.5),
        transport=httpx2.MockTransport(script),
    )


def ok(body: object, status: int = 200) -> httpx2.Response:
    return httpx2.Response(status, json=body)


def test_a_get_backs_off_exponentially_with_jitter_then_succeeds() -> None:
    clock = FakeClock()
    script = Script(
        httpx2.ConnectError("refused"),
        httpx2.ReadTimeout("slow"),
        httpx2.Response(503, text="503 Service Unavailable"),
        ok(SETTINGS),
    )
    client = make_client(script, clock, RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=8))
    assert client.get_company_settings().name == "Bakkerij"
    # full jitter 0.5 × min(8, 0.5 × 2^(n-1)) for n = 1, 2, 3
    assert clock.sleeps == [0.25, 0.5, 1.0]
    assert len(script.requests) == 4


def test_backoff_is_capped_by_max_delay() -> None:
    clock = FakeClock()
    script = Script(*[httpx2.Response(500) for _ in range(5)], ok(SETTINGS))
    client = make_client(
        script, clock, RetryPolicy(max_attempts=6, base_delay=1, max_delay=3, max_elapsed=100)
    )
    client.get_company_settings()
    assert clock.sleeps == [0.5, 1.0, 1.5, 1.5, 1.5]


def test_retry_after_is_waited_exactly() -> None:
    clock = FakeClock()
    script = Script(
        httpx2.Response(429, headers={"Retry-After": "7"}, json={"ErrorCode": 4010}),
        httpx2.Response(
            429, json={"ErrorCode": 4010, "DeveloperErrorMessage": "Try again in 3 seconds."}
        ),
        ok(SETTINGS),
    )
    make_client(script, clock).get_company_settings()
    assert clock.sleeps == [7.0, 3.0]


def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    clock = FakeClock()
    script = Script(*[httpx2.Response(503) for _ in range(3)])
    with pytest.raises(ServerError) as caught:
        make_client(script, clock, RetryPolicy(max_attempts=3)).get_company_settings()
    assert caught.value.status == 503
    assert clock.sleeps == [0.25, 0.5]


def test_total_time_is_bounded_including_a_long_retry_after() -> None:
    clock = FakeClock()
    script = Script(httpx2.Response(429, headers={"Retry-After": "30"}))
    with pytest.raises(RateLimitedError):
        make_client(script, clock, RetryPolicy(max_elapsed=20)).get_company_settings()
    assert clock.sleeps == []


def test_a_voucher_post_is_never_retried_not_even_a_transport_failure() -> None:
    for answer, expected in [
        (httpx2.ConnectError("refused"), NetworkError),
        (httpx2.ReadTimeout("slow"), OutcomeUnknownError),
        (httpx2.RemoteProtocolError("Server disconnected"), OutcomeUnknownError),
        (httpx2.Response(500), OutcomeUnknownError),
        (httpx2.Response(429, headers={"Retry-After": "1"}), RateLimitedError),
    ]:
        clock = FakeClock()
        script = Script(answer, ok({}, 201))
        with pytest.raises(expected):
            make_client(script, clock).create_voucher(VOUCHER)
        assert len(script.requests) == 1, answer
        assert clock.sleeps == []


def test_a_created_voucher_with_an_unreadable_answer_is_an_unknown_outcome() -> None:
    script = Script(httpx2.Response(201, text="<html>oops</html>"))
    with pytest.raises(OutcomeUnknownError, match="unreadable"):
        make_client(script, FakeClock()).create_voucher(VOUCHER)


def test_an_unreadable_answer_to_a_read_is_a_format_error() -> None:
    script = Script(ok({"Name": 42}))
    with pytest.raises(ResponseFormatError, match="Name should be a string"):
        make_client(script, FakeClock(), RetryPolicy.never()).get_company_settings()


def test_other_creating_posts_retry_only_what_never_reached_visma() -> None:
    clock = FakeClock()
    year = {
        "Id": "9a5f5d64-dbdb-5ac5-bd0a-46aaa5bd76c9",
        "StartDate": "2027-01-01T00:00:00",
        "EndDate": "2027-12-31T00:00:00",
    }
    script = Script(httpx2.ConnectError("refused"), ok(year, 201))
    make_client(script, clock).create_fiscal_year(date(2027, 1, 1), date(2027, 12, 31))
    assert len(script.requests) == 2
    script = Script(httpx2.ReadTimeout("slow"), ok(year, 201))
    with pytest.raises(OutcomeUnknownError):
        make_client(script, clock).create_fiscal_year(date(2027, 1, 1), date(2027, 12, 31))
    assert len(script.requests) == 1


def test_the_loop_reports_each_retry() -> None:
    seen: list[tuple[int, str, float]] = []
    failures = iter([RateLimitedError("x", retry_after=2.0), ServerError("y")])

    def attempt(number: int) -> str:
        error = next(failures, None)
        if error is not None:
            raise error
        return f"done at {number}"

    result = call_with_retry(
        attempt,
        mode=RetryMode.IDEMPOTENT,
        policy=RetryPolicy(),
        clock=FakeClock(),
        jitter=fixed_jitter(1.0),
        on_retry=lambda n, e, w: seen.append((n, e.code, w)),
    )
    assert result == "done at 3"
    assert seen == [(1, "rate_limited", 2.0), (2, "server_error", 1.0)]
