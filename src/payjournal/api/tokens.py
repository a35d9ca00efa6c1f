"""Create, check and revoke API tokens. The secret is shown once and stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.utils import timezone

from payjournal.api.models import ApiToken, Scope
from payjournal.tenancy.models import Master

PREFIX = "pj_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(master: Master, name: str, scopes: Iterable[Scope]) -> tuple[ApiToken, str]:
    """A new token of ``master`` with ``scopes``; returns the row and the secret (shown once)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        master=master,
        name=name,
        prefix=secret[:10],
        digest=_digest(secret),
        scopes=" ".join(sorted({Scope(s).value for s in scopes})),
    )
    return token, secret


def authenticate(secret: str) -> ApiToken | None:
    """The live token with this secret, or ``None``; notes when it was last used."""
    token = (
        ApiToken.objects.select_related("master")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def revoke(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
