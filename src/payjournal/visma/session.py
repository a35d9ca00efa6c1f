"""The request pipeline every API call goes through, in this order, per attempt:

1. a fresh access token from the :class:`TokenStore` (refreshed through the store when less
   than ``refresh_margin`` is left; never refreshed here directly);
2. a slot from the :class:`RateLimiter` under the endpoint's key (``POST /v2/vouchers``);
3. the HTTP request; transport failures become ``NetworkError`` / ``OutcomeUnknownError``;
4. on 401, one forced refresh through the store and one more try;
5. error statuses become the matching :class:`VismaError`; bodies are decoded with Decimal.

Attempts are repeated by :func:`call_with_retry` as the endpoint's :class:`RetryMode` allows.
Logs carry method, endpoint template, status, attempt, timing and Visma's ``ErrorId`` — never
tokens, bodies or amounts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx2

from payjournal import cpu_budget
from payjournal.visma import wire
from payjournal.visma.clock import Clock
from payjournal.visma.config import VismaEndpoints
from payjournal.visma.error_mapping import error_from_http_response
from payjournal.visma.errors import (
    AuthorizationRequiredError,
    OutcomeUnknownError,
    RequestInfo,
    ResponseFormatError,
    VismaError,
)
from payjournal.visma.observer import CallObserver
from payjournal.visma.ratelimit import RateLimiter
from payjournal.visma.retry import RetryMode, RetryPolicy, call_with_retry
from payjournal.visma.tokens import RefreshFn, TokenSet, TokenStore
from payjournal.visma.transport import error_from_exception

__all__ = ["ApiSession", "Endpoint"]

log = logging.getLogger("payjournal.visma")

T = TypeVar("T")
Params = Mapping[str, str | int]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One API operation: method, path template under the API base, and its retry mode."""

    method: str
    template: str
    retry: RetryMode = RetryMode.IDEMPOTENT

    def path(self, **params: str) -> str:
        return self.template.format(**{k: quote(v, safe="") for k, v in params.items()})


class ApiSession:
    def __init__(
        self,
        *,
        endpoints: VismaEndpoints,
        tokens: TokenStore,
        refresh: RefreshFn,
        http: httpx2.Client,
        limiter: RateLimiter,
        retry: RetryPolicy,
        clock: Clock,
        jitter: Callable[[], float],
        refresh_margin: timedelta = timedelta(seconds=60),
        observer: CallObserver | None = None,
    ) -> None:
        self.endpoints = endpoints
        self._observer = observer
        self._tokens = tokens
        self._refresh = refresh
        self._http = http
        self._limiter = limiter
        self._retry = retry
        self._clock = clock
        self._jitter = jitter
        self._refresh_margin = refresh_margin
        self._base_path = urlsplit(endpoints.api_base).path.rstrip("/")

    def key(self, endpoint: Endpoint) -> str:
        """The rate-limit key: method and path template, e.g. ``POST /v2/vouchers``."""
        return f"{endpoint.method} {self._base_path}/{endpoint.template}"

    def call(
        self,
        endpoint: Endpoint,
        parse: Callable[[Any], T],
        *,
        path: Mapping[str, str] | None = None,
        params: Params | None = None,
        body: Any = None,
    ) -> T:
        """Send the request (with retries) and return ``parse(decoded JSON body)``."""
        url = self.endpoints.api_url(endpoint.path(**(path or {})))
        content = None if body is None else wire.dumps(body)

        def request() -> RequestInfo:
            """What an error names (the URL with its query, secrets redacted): parsed only
            when an error is raised, not for every call."""
            return RequestInfo.of(endpoint.method, str(httpx2.URL(url, params=dict(params or {}))))

        def attempt(number: int) -> T:
            raw = self._attempt(endpoint, url, params, content, request, number)
            try:
                return parse(raw)
            except (wire.WireFormatError, ValueError, TypeError) as exc:
                raise self._unreadable(endpoint, request(), str(exc)) from exc

        def on_retry(number: int, error: VismaError, wait: float) -> None:
            log.warning(
                "visma retry",
                extra={
                    "event": "visma.retry",
                    "endpoint": self.key(endpoint),
                    "attempt": number,
                    "error": error.code,
                    "status": error.status,
                    "wait_s": round(wait, 3),
                },
            )

        try:
            result = call_with_retry(
                attempt,
                mode=endpoint.retry,
                policy=self._retry,
                clock=self._clock,
                jitter=self._jitter,
                on_retry=on_retry,
            )
        except VismaError as exc:
            if self._observer is not None:
                self._observer.failed(exc)
            raise
        if self._observer is not None:
            self._observer.answered()
        return result

    # --- one attempt -----------------------------------------------------------------------

    def _attempt(
        self,
        endpoint: Endpoint,
        url: str,
        params: Params | None,
        content: bytes | None,
        request: Callable[[], RequestInfo],
        number: int,
    ) -> Any:
        tokens = self._fresh_tokens()
        response = self._send(endpoint, url, params, content, request, tokens, number)
        if response.status_code == 401:
            # The token may have been revoked or expired early: one forced refresh, once.
            tokens = self._tokens.refresh(self._refresh, tokens)
            response = self._send(endpoint, url, params, content, request, tokens, number)
        idempotent = endpoint.retry is RetryMode.IDEMPOTENT
        if response.status_code >= 400:
            raise error_from_http_response(response, request(), idempotent=idempotent)
        if not response.content:
            return None
        try:
            return wire.loads(response.content)
        except ValueError as exc:
            raise self._unreadable(endpoint, request(), f"body is not JSON: {exc}") from exc

    def _fresh_tokens(self) -> TokenSet:
        with cpu_budget.part("token"):
            tokens = self._tokens.load()
        if tokens is None:
            raise AuthorizationRequiredError("no tokens stored; authorize the connection first")
        if tokens.expires_within(self._clock.now(), self._refresh_margin):
            tokens = self._tokens.refresh(self._refresh, tokens)
        return tokens

    def _send(
        self,
        endpoint: Endpoint,
        url: str,
        params: Params | None,
        content: bytes | None,
        request: Callable[[], RequestInfo],
        tokens: TokenSet,
        number: int,
    ) -> httpx2.Response:
        key = self.key(endpoint)
        self._limiter.acquire(key)
        headers = {"Authorization": f"Bearer {tokens.access_token}"}
        if content is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        started = self._clock.monotonic()
        fields: dict[str, object] = {"event": "visma.request", "endpoint": key, "attempt": number}
        try:
            response = self._http.request(
                endpoint.method, url, params=params, content=content, headers=headers
            )
        except httpx2.HTTPError as exc:
            error = error_from_exception(exc, request())
            fields.update(error=error.code, elapsed_ms=self._elapsed_ms(started))
            log.warning("visma request failed", extra=fields)
            raise error from exc
        fields.update(status=response.status_code, elapsed_ms=self._elapsed_ms(started))
        if response.status_code >= 400:
            fields["error_id"] = _error_id(response)
        log.info("visma request", extra=fields)
        return response

    def _elapsed_ms(self, started: float) -> int:
        return round((self._clock.monotonic() - started) * 1000)

    @staticmethod
    def _unreadable(endpoint: Endpoint, request: RequestInfo, detail: str) -> VismaError:
        if endpoint.retry is RetryMode.IDEMPOTENT:
            return ResponseFormatError(f"unexpected response: {detail}", request=request)
        # Created, but we cannot read what: the caller must reconcile as if no answer came.
        return OutcomeUnknownError(
            f"created, but the answer is unreadable: {detail}", request=request
        )


def _error_id(response: httpx2.Response) -> str | None:
    try:
        data = json.loads(response.text)
    except ValueError:
        return None
    value = data.get("ErrorId") if isinstance(data, dict) else None
    return str(value) if value else None
