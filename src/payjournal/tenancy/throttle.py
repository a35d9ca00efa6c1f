"""Throttles: refuse an action once one of its keys (a user name, an account, an address) was
counted too often within a window.

Events are rows in the database (:class:`~payjournal.tenancy.models.ThrottleEvent`, one per key),
so every web process sees the same count. A key is only as good as its normalisation: Django
signs ``ｔhr872c9b`` (fullwidth t) in as ``thr872c9b`` because the login form NFKC-normalises the
user name, so a counter on the raw input is bypassed by look-alikes. Names and e-mail addresses
are therefore keyed the way Django compares them (NFKC, then case-folded), and the account they
resolve to is a key of its own.

* Sign-in: failures per user name, per resolved user and per address
  (``PAYJOURNAL_LOGIN_ATTEMPTS`` each, four times that per address).
* Password reset: requests per e-mail address, per account it reaches and per address
  (``PAYJOURNAL_RESET_REQUESTS_PER_ACCOUNT`` / ``_PER_ADDRESS``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from payjournal.tenancy.models import ThrottleEvent

__all__ = [
    "Key",
    "forget",
    "is_over",
    "login_keys",
    "normalized",
    "record",
    "reset_keys",
]


@dataclass(frozen=True)
class Key:
    """One counter: its kind (``login-user``), its value (a normalised name, an id, an
    address) and how many events within the window it allows."""

    kind: str
    value: str
    limit: int


def normalized(text: str) -> str:
    """A user name or e-mail address as Django compares it: NFKC, then case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def _since(window_s: int) -> datetime:
    return timezone.now() - timedelta(seconds=window_s)


def is_over(keys: Iterable[Key], window_s: int) -> bool:
    """True when any key reached its limit within the last ``window_s`` seconds."""
    recent = ThrottleEvent.objects.filter(at__gte=_since(window_s))
    return any(recent.filter(kind=k.kind, key=k.value).count() >= k.limit for k in keys)


def record(keys: Sequence[Key], window_s: int) -> None:
    """Count one event for each key (and drop the events of these kinds that are too old)."""
    now = timezone.now()
    ThrottleEvent.objects.bulk_create(ThrottleEvent(kind=k.kind, key=k.value, at=now) for k in keys)
    kinds = {k.kind for k in keys}
    ThrottleEvent.objects.filter(kind__in=kinds, at__lt=_since(window_s)).delete()


def forget(keys: Iterable[Key]) -> None:
    """Drop every event of these keys (a successful sign-in clears its failures)."""
    match = Q(pk__in=[])
    for k in keys:
        match |= Q(kind=k.kind, key=k.value)
    ThrottleEvent.objects.filter(match).delete()


def _user_id(username: str) -> int | None:
    """The id of the user Django's ``ModelBackend`` would check the password of."""
    users = get_user_model()
    name = users.normalize_username(username)
    found = users._default_manager.filter(**{users.USERNAME_FIELD: name}).values_list(
        "pk", flat=True
    )
    return next(iter(found), None)


def login_keys(username: str, address: str) -> list[Key]:
    """The counters a sign-in with ``username`` from ``address`` touches."""
    limit = settings.PAYJOURNAL_LOGIN_ATTEMPTS
    keys = [Key("login-name", normalized(username)[:254], limit)]
    user_id = _user_id(username)
    if user_id is not None:
        keys.append(Key("login-user", str(user_id), limit))
    keys.append(Key("login-address", address, limit * 4))
    return keys


def reset_keys(email: str, address: str, user_ids: Iterable[int]) -> list[Key]:
    """The counters a password-reset request for ``email`` (reaching ``user_ids``) touches."""
    per_account = settings.PAYJOURNAL_RESET_REQUESTS_PER_ACCOUNT
    keys = [Key("reset-email", normalized(email)[:254], per_account)]
    keys += [Key("reset-user", str(pk), per_account) for pk in user_ids]
    keys.append(Key("reset-address", address, settings.PAYJOURNAL_RESET_REQUESTS_PER_ADDRESS))
    return keys
