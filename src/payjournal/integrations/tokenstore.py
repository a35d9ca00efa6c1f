"""The database-backed :class:`~payjournal.visma.TokenStore` of one Visma account.

Refresh is single-flight across processes (invariant 4): a process takes the account's lease
row with a conditional UPDATE, refreshes once, stores the new pair (encrypted) and releases
the lease in one transaction before anyone uses the new access token. Others wait for the token
version to move. ``invalid_grant`` marks the account "authorization needed".
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from payjournal.integrations.crypto import decrypt_tokens, encrypt_tokens
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.watch import RECOVERABLE_CODES, refused
from payjournal.site.compiled import CompiledGet
from payjournal.visma import AuthorizationRequiredError, InvalidGrantError, RefreshFn, TokenSet

#: Longer than the OAuth client's timeout (30 s): a refresh under way keeps its lease.
LEASE = timedelta(seconds=90)
WAIT_STEP_S = 0.1


def _owner() -> str:
    return f"{os.getpid()}-{threading.get_ident()}-{uuid.uuid4().hex[:8]}"


#: The account's stored token pair, read before every Visma call: compiled once
#: (:mod:`payjournal.site.compiled`).
_TOKENS = CompiledGet(lambda: VismaAccount.objects.only("token_ciphertext", "token_version"))


class DatabaseTokenStore:
    """Tokens of one :class:`VismaAccount`, encrypted in its row.

    ``row``, when given, is the account's row as the caller has just read it (a send reads it
    with its leg): the first :meth:`load` decrypts its tokens instead of reading the row again,
    one statement less per send. Every later load, and every load of a refresh, reads the row.
    A token that changed in between is no risk: an expiring one is refreshed through the
    store, which reads the row first, and a refused one (401) is refreshed the same way.
    """

    def __init__(
        self, account_id: int, *, wait_s: float = 35.0, row: VismaAccount | None = None
    ) -> None:
        self.account_id = account_id
        self.wait_s = wait_s
        self._just_read = row

    def load(self) -> TokenSet | None:
        row, self._just_read = self._just_read, None
        return self._tokens_of(row if row is not None else _TOKENS.get(self.account_id))

    def _stored(self) -> TokenSet | None:
        """The tokens as stored now (a refresh never trusts the row read before)."""
        return self._tokens_of(_TOKENS.get(self.account_id))

    def _tokens_of(self, row: VismaAccount) -> TokenSet | None:
        if row.token_ciphertext is None:
            return None
        return decrypt_tokens(self.account_id, row.token_ciphertext)

    def save(self, tokens: TokenSet) -> None:
        VismaAccount.objects.filter(pk=self.account_id).update(
            token_ciphertext=encrypt_tokens(self.account_id, tokens),
            token_version=F("token_version") + 1,
            tokens_issued_at=timezone.now(),
        )

    def refresh(self, refresh: RefreshFn, stale: TokenSet) -> TokenSet:
        deadline = time.monotonic() + self.wait_s
        owner = _owner()
        lost = VismaAccount.objects.filter(
            pk=self.account_id, status=AccountStatus.AUTHORIZATION_NEEDED
        ).exclude(refusal_code__in=RECOVERABLE_CODES)
        if lost.exists():  # Visma refused the refresh token before: don't send it again
            raise InvalidGrantError("Visma refused this account's refresh token; authorize again.")
        while True:
            current = self._stored()
            if current is None:
                raise AuthorizationRequiredError("no tokens stored; authorize the account first")
            if current.access_token != stale.access_token:
                return current
            now = timezone.now()
            free = Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now)
            taken = VismaAccount.objects.filter(free, pk=self.account_id).update(
                refresh_lease_until=now + LEASE, refresh_lease_owner=owner
            )
            if taken:
                return self._refresh_holding_lease(refresh, stale, owner)
            if time.monotonic() > deadline:
                raise AuthorizationRequiredError("another process holds the refresh lease too long")
            time.sleep(WAIT_STEP_S)

    def _refresh_holding_lease(self, refresh: RefreshFn, stale: TokenSet, owner: str) -> TokenSet:
        mine = VismaAccount.objects.filter(pk=self.account_id, refresh_lease_owner=owner)
        try:
            current = self._stored()
            if current is None or current.access_token != stale.access_token:
                mine.update(refresh_lease_until=None, refresh_lease_owner="")
                if current is None:
                    raise AuthorizationRequiredError("the account was disconnected")
                return current
            fresh = refresh(current)
        except InvalidGrantError:
            newly = mine.exclude(status=AccountStatus.AUTHORIZATION_NEEDED).exists()
            mine.update(
                refresh_lease_until=None,
                refresh_lease_owner="",
                status=AccountStatus.AUTHORIZATION_NEEDED,
                refusal_code=InvalidGrantError.code,
                status_reason="",
            )
            if newly:  # who depends on the account hears of it (the notifications)
                refused.send(
                    sender=VismaAccount, account_id=self.account_id, code=InvalidGrantError.code
                )
            raise
        except BaseException:
            mine.update(refresh_lease_until=None, refresh_lease_owner="")
            raise
        # Stored whoever holds the lease now: Visma has already spent the old refresh token, so
        # this pair is the only one that works. (The lease outlives the OAuth timeout, so
        # losing it mid-refresh means a stalled process, not a normal race.)
        with transaction.atomic():
            VismaAccount.objects.filter(pk=self.account_id).update(
                token_ciphertext=encrypt_tokens(self.account_id, fresh),
                token_version=F("token_version") + 1,
                tokens_issued_at=timezone.now(),
            )
            mine.update(refresh_lease_until=None, refresh_lease_owner="")
        return fresh
