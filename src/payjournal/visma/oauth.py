"""OAuth2 against Visma's identity server: authorize URL, code exchange, refresh, revoke.

Built on Authlib's httpx2 ``OAuth2Client`` (PKCE S256, form-encoded token requests, HTTP
Basic client authentication). Authlib's automatic refresh is *not* used: refresh tokens are
single use, so refreshing goes through a :class:`~payjournal.visma.tokens.TokenStore`, which
calls :meth:`VismaOAuth.refresh`. Identity-server refusals become errors of
:mod:`payjournal.visma.errors` (``invalid_grant`` → :class:`InvalidGrantError`).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from authlib.integrations.httpx_client import OAuth2Client  # type: ignore[import-untyped]

from payjournal.visma.clock import Clock, SystemClock
from payjournal.visma.config import DEFAULT_SCOPES, VismaEndpoints
from payjournal.visma.error_mapping import error_from_http_response, error_from_response
from payjournal.visma.errors import (
    OAuthError,
    RequestInfo,
    ResponseFormatError,
)
from payjournal.visma.tokens import TokenSet
from payjournal.visma.transport import error_from_exception

__all__ = ["AuthorizationRequest", "ClientCredentials", "VismaOAuth"]

log = logging.getLogger("payjournal.visma.oauth")


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """The registered OAuth client. ``repr`` never shows the secret."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """Where to send the user, plus what to keep (in the session) for the callback."""

    url: str
    state: str = field(repr=False)
    code_verifier: str = field(repr=False)


class VismaOAuth:
    """The identity-server side of a connection. Thread-safe; one per OAuth client."""

    def __init__(
        self,
        credentials: ClientCredentials,
        endpoints: VismaEndpoints | None = None,
        *,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
        clock: Clock | None = None,
        transport: httpx2.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.credentials = credentials
        self.endpoints = endpoints or VismaEndpoints()
        self.scopes = scopes
        self._clock = clock or SystemClock()
        # Authlib keeps the last token on the client object, so calls are serialized.
        self._lock = threading.Lock()
        self._client: Any = OAuth2Client(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
            revocation_endpoint_auth_method="client_secret_basic",
            redirect_uri=credentials.redirect_uri,
            code_challenge_method="S256",
            transport=transport,
            timeout=timeout,
        )
        self._client.register_compliance_hook("access_token_response", self._check_response)
        self._client.register_compliance_hook("refresh_token_response", self._check_response)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> VismaOAuth:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- the browser leg -------------------------------------------------------------------

    def authorization_url(
        self, state: str | None = None, code_verifier: str | None = None
    ) -> AuthorizationRequest:
        """The URL of Visma's login and company picker, with ``state`` and a PKCE challenge."""
        state = state or secrets.token_urlsafe(32)
        code_verifier = code_verifier or secrets.token_urlsafe(64)
        url, _ = self._client.create_authorization_url(
            self.endpoints.authorize_url,
            state=state,
            code_verifier=code_verifier,
            scope=" ".join(self.scopes),
            **self.endpoints.company_selection.authorize_params(),
        )
        return AuthorizationRequest(url=url, state=state, code_verifier=code_verifier)

    def parse_callback(self, callback_url: str, expected_state: str) -> str:
        """The ``code`` of the redirect back to us, after checking ``state``.

        Raises :class:`AuthorizationDeniedError` if the user declined, :class:`OAuthError` for any
        other ``error`` or a state mismatch (a forged or stale callback).
        """
        query = {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}
        request = RequestInfo.of("GET", callback_url)
        if "error" in query:
            body = json.dumps({k: query[k] for k in ("error", "error_description") if k in query})
            raise error_from_response(400, body, query, request=request)
        if not secrets.compare_digest(query.get("state", ""), expected_state):
            raise OAuthError(
                "callback state does not match", oauth_error="state_mismatch", request=request
            )
        code = query.get("code")
        if not code:
            raise OAuthError("callback has no code", oauth_error="invalid_request", request=request)
        return code

    # --- the back channel ------------------------------------------------------------------

    def exchange_code(self, code: str, code_verifier: str | None) -> TokenSet:
        """Trade the authorization code for the first token set of the grant."""
        token = self._token_call(
            "authorization_code",
            lambda: self._client.fetch_token(
                self.endpoints.token_url,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
            ),
        )
        return self._token_set(token, previous=None)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """Use (and so spend) the refresh token. Call this only through a ``TokenStore``.

        :class:`InvalidGrantError` means the grant is dead; :class:`OutcomeUnknownError` means the old
        refresh token may already be spent and the new one was lost.
        """
        if not tokens.refresh_token:
            raise OAuthError("token set has no refresh token", oauth_error="invalid_request")
        token = self._token_call(
            "refresh_token",
            lambda: self._client.refresh_token(
                self.endpoints.token_url, refresh_token=tokens.refresh_token
            ),
        )
        return self._token_set(token, previous=tokens)

    def revoke(self, token: str, token_type_hint: str = "refresh_token") -> None:  # noqa: S107
        """Revoke a token (RFC 7009), e.g. when the user disconnects the company."""
        request = RequestInfo.of("POST", self.endpoints.revocation_url)
        with self._lock:
            try:
                response = self._client.revoke_token(
                    self.endpoints.revocation_url, token=token, token_type_hint=token_type_hint
                )
            except httpx2.HTTPError as exc:
                raise error_from_exception(exc, request) from exc
        log.info(
            "visma oauth", extra={"event": "visma.oauth.revoke", "status": response.status_code}
        )
        if response.status_code >= 400:
            raise self._error(response, idempotent=True)

    # --- helpers ---------------------------------------------------------------------------

    def _token_call(self, grant: str, call: Any) -> dict[str, Any]:
        request = RequestInfo.of("POST", self.endpoints.token_url)
        started = self._clock.monotonic()
        with self._lock:
            try:
                token = call()
            except httpx2.HTTPError as exc:
                raise error_from_exception(exc, request) from exc
        elapsed_ms = round((self._clock.monotonic() - started) * 1000)
        log.info(
            "visma oauth",
            extra={"event": "visma.oauth.token", "grant_type": grant, "elapsed_ms": elapsed_ms},
        )
        return dict(token)

    def _check_response(self, response: httpx2.Response) -> httpx2.Response:
        if response.status_code >= 400:
            # A failed token request may have spent the refresh token only if Visma broke
            # down after using it; a 5xx therefore maps to OutcomeUnknownError.
            raise self._error(response, idempotent=False)
        return response

    def _error(self, response: httpx2.Response, *, idempotent: bool) -> Exception:
        request = RequestInfo.of(response.request.method, str(response.request.url))
        return error_from_http_response(response, request, idempotent=idempotent)

    def _token_set(self, token: dict[str, Any], previous: TokenSet | None) -> TokenSet:
        access = token.get("access_token")
        expires_in = token.get("expires_in")
        if not isinstance(access, str) or not isinstance(expires_in, int | float):
            raise ResponseFormatError("token response lacks access_token or expires_in")
        refresh = token.get("refresh_token")
        if not isinstance(refresh, str):
            # Visma always rotates; keep the old one if a server ever omits it.
            refresh = previous.refresh_token if previous else None
        scope = token.get("scope")
        if not isinstance(scope, str):
            scope = previous.scope if previous else ""
        return TokenSet(
            access_token=access,
            refresh_token=refresh,
            expires_at=self._clock.now() + timedelta(seconds=float(expires_in)),
            scope=scope,
        )
