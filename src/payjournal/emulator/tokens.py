"""The identity server's grant logic: codes, token families, rotation, revocation.

One authorization = one *family* bound to one user and one company. Refresh tokens rotate
and are single use; replaying a used one answers ``invalid_grant`` and revokes the family
(unless inside the configured grace period). A password change revokes every family of the
user. Every issue and refusal is written to ``state.token_events`` for the control API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from payjournal.emulator.config import EmulatorConfig
from payjournal.emulator.model import (
    AccessToken,
    AuthorizationCode,
    AuthorizationSession,
    OAuthClient,
    RefreshToken,
    TokenEvent,
    TokenFamily,
)
from payjournal.emulator.state import EmulatorState


@dataclass
class OAuthError(Exception):
    """An RFC 6749 error answer: ``{"error": ..., "error_description": ...}``."""

    error: str
    description: str
    status: int = 400


class TokenService:
    """Issues, rotates, checks and revokes tokens inside an :class:`EmulatorState`."""

    def __init__(
        self, state: EmulatorState, config: EmulatorConfig, now: Callable[[], datetime]
    ) -> None:
        self.state = state
        self.config = config
        self.now = now

    # --- authorization codes -----------------------------------------------------------
    def issue_code(self, session: AuthorizationSession) -> str:
        """Turn a completed login/consent session into a one-time code."""
        assert session.user_email is not None
        assert session.company_id is not None
        code = secrets.token_urlsafe(32)
        self.state.codes[code] = AuthorizationCode(
            code=code,
            client_id=session.client_id,
            redirect_uri=session.redirect_uri,
            user_email=session.user_email,
            company_id=session.company_id,
            scopes=list(session.scopes),
            code_challenge=session.code_challenge,
            code_challenge_method=session.code_challenge_method,
            expires_at=self.now() + timedelta(seconds=self.config.authorization_code_lifetime_s),
        )
        return code

    def exchange_code(
        self, client: OAuthClient, code: str, redirect_uri: str | None, verifier: str | None
    ) -> dict[str, object]:
        """``grant_type=authorization_code``."""
        grant = self.state.codes.get(code)
        if grant is None or grant.client_id != client.client_id:
            raise self._refuse("authorization_code", client, "unknown authorization code")
        if grant.used:
            if grant.family_id:
                self.revoke_family(grant.family_id, "authorization code replayed")
            raise self._refuse("authorization_code", client, "authorization code already used")
        grant.used = True
        if grant.expires_at <= self.now():
            raise self._refuse("authorization_code", client, "authorization code expired")
        if redirect_uri != grant.redirect_uri:
            raise self._refuse("authorization_code", client, "redirect_uri does not match")
        if grant.code_challenge and not _pkce_ok(grant, verifier):
            raise self._refuse("authorization_code", client, "PKCE verification failed")
        family = TokenFamily(
            id=secrets.token_hex(12),
            client_id=client.client_id,
            user_email=grant.user_email,
            company_id=grant.company_id,
            scopes=grant.scopes,
            created_at=self.now(),
        )
        self.state.families[family.id] = family
        grant.family_id = family.id
        return self._issue(family, "authorization_code")

    # --- refresh -----------------------------------------------------------------------
    def refresh(self, client: OAuthClient, token: str, scope: str | None) -> dict[str, object]:
        """``grant_type=refresh_token``: rotate; a replay kills the family."""
        record = self.state.refresh_tokens.get(token)
        family = self.state.families.get(record.family_id) if record else None
        if record is None or family is None or family.client_id != client.client_id:
            raise self._refuse("refresh_token", client, "unknown refresh token")
        now = self.now()
        if family.revoked_at is not None:
            raise self._refuse("refresh_token", client, f"grant revoked: {family.revoked_reason}")
        if record.used_at is not None:
            grace = self.config.refresh_grace_period_s
            if grace and (now - record.used_at).total_seconds() <= grace and record.successor:
                return self._issue(family, "refresh_token", record.successor)
            self.revoke_family(family.id, "refresh token reused")
            raise self._refuse("refresh_token", client, "refresh token already used")
        if record.expires_at <= now:
            raise self._refuse("refresh_token", client, "refresh token expired")
        if scope is not None and not set(scope.split()) <= set(family.scopes):
            raise OAuthError("invalid_scope", "requested scope exceeds the original grant")
        record.used_at = now
        answer = self._issue(family, "refresh_token")
        record.successor = str(answer.get("refresh_token") or "") or None
        return answer

    def mint(
        self, client_id: str, email: str, company_id: UUID, scopes: list[str]
    ) -> dict[str, object]:
        """Issue a token pair without the browser dance (control API, tests)."""
        family = TokenFamily(
            id=secrets.token_hex(12),
            client_id=client_id,
            user_email=email,
            company_id=company_id,
            scopes=scopes,
            created_at=self.now(),
        )
        self.state.families[family.id] = family
        return self._issue(family, "control")

    def _issue(
        self, family: TokenFamily, grant_type: str, refresh: str | None = None
    ) -> dict[str, object]:
        now = self.now()
        access = secrets.token_urlsafe(32)
        self.state.access_tokens[access] = AccessToken(
            access, family.id, now + timedelta(seconds=self.config.access_token_lifetime_s)
        )
        answer: dict[str, object] = {
            "access_token": access,
            "expires_in": self.config.access_token_lifetime_s,
            "token_type": "Bearer",
            "scope": " ".join(family.scopes),
        }
        if "offline_access" in family.scopes:
            if refresh is None:
                refresh = secrets.token_urlsafe(32)
                self.state.refresh_tokens[refresh] = RefreshToken(
                    refresh,
                    family.id,
                    now + timedelta(seconds=self.config.refresh_token_lifetime_s),
                )
            answer["refresh_token"] = refresh
        self._event("issued", grant_type, family.client_id, family.user_email, family.company_id)
        return answer

    # --- revocation --------------------------------------------------------------------
    def revoke_family(self, family_id: str, reason: str) -> None:
        """Kill a grant: its access tokens and its refresh tokens stop working."""
        family = self.state.families.get(family_id)
        if family is None or family.revoked_at is not None:
            return
        family.revoked_at = self.now()
        family.revoked_reason = reason
        for access in self.state.access_tokens.values():
            if access.family_id == family_id:
                access.revoked = True
        self._event("revoked", "-", family.client_id, family.user_email, family.company_id, reason)

    def revoke_user(self, email: str, reason: str, company_id: UUID | None = None) -> int:
        """Revoke every grant of a user (a password change), or only those for one company (the
        user withdrew the app's access in Visma); returns how many."""
        ids = [
            f.id
            for f in self.state.families.values()
            if f.user_email == email
            and f.revoked_at is None
            and (company_id is None or f.company_id == company_id)
        ]
        for family_id in ids:
            self.revoke_family(family_id, reason)
        return len(ids)

    def revoke_token(self, client: OAuthClient, token: str) -> None:
        """RFC 7009: an access token dies alone; a refresh token takes its family along."""
        access = self.state.access_tokens.get(token)
        if access is not None:
            family = self.state.families.get(access.family_id)
            if family is not None and family.client_id == client.client_id:
                access.revoked = True
            return
        refresh = self.state.refresh_tokens.get(token)
        if refresh is not None:
            family = self.state.families.get(refresh.family_id)
            if family is not None and family.client_id == client.client_id:
                self.revoke_family(family.id, "revoked by client")

    # --- checks ------------------------------------------------------------------------
    def check_access(self, token: str) -> tuple[TokenFamily | None, str]:
        """Resolve a bearer token to its family, or ``(None, why)``."""
        access = self.state.access_tokens.get(token)
        if access is None:
            return None, "The access token is invalid"
        family = self.state.families.get(access.family_id)
        if access.revoked or family is None or family.revoked_at is not None:
            return None, "The access token has been revoked"
        if access.expires_at <= self.now():
            return None, "The access token expired"
        return family, ""

    def authenticate_client(self, client_id: str | None, secret: str | None) -> OAuthClient:
        """Client authentication at the token and revocation endpoints."""
        client = self.state.clients.get(client_id or "")
        if (
            client is None
            or secret is None
            or not hmac.compare_digest(client.client_secret.encode(), secret.encode())
        ):
            self._event("refused", "-", client_id, None, None, "invalid client credentials")
            raise OAuthError("invalid_client", "client authentication failed", 401)
        return client

    def _refuse(self, grant_type: str, client: OAuthClient, reason: str) -> OAuthError:
        self._event("refused", grant_type, client.client_id, None, None, reason)
        return OAuthError("invalid_grant", reason)

    def _event(
        self,
        kind: str,
        grant_type: str,
        client_id: str | None,
        email: str | None,
        company_id: UUID | None,
        reason: str | None = None,
    ) -> None:
        self.state.token_events.append(
            TokenEvent(self.now(), kind, grant_type, client_id, email, company_id, reason)
        )


def _pkce_ok(grant: AuthorizationCode, verifier: str | None) -> bool:
    if not verifier:
        return False
    if grant.code_challenge_method == "plain":
        return hmac.compare_digest(verifier, grant.code_challenge or "")
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(expected, grant.code_challenge or "")
