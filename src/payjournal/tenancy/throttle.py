"""Login throttle: too many failures for a user name or from an address lock logins for a while.

Failures are rows in the database, so every web process sees the same count.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from payjournal.tenancy.models import LoginFailure


def _since() -> timezone.datetime:
    return timezone.now() - timedelta(seconds=settings.PAYJOURNAL_LOGIN_WINDOW_S)


def is_locked(username: str, address: str) -> bool:
    """True when the user name or the address reached the limit within the window."""
    limit = settings.PAYJOURNAL_LOGIN_ATTEMPTS
    recent = LoginFailure.objects.filter(at__gte=_since())
    return (
        recent.filter(username=username.lower()).count() >= limit
        or recent.filter(address=address).count() >= limit * 4
    )


def record_failure(username: str, address: str) -> None:
    LoginFailure.objects.create(username=username.lower(), address=address, at=timezone.now())
    LoginFailure.objects.filter(at__lt=_since()).delete()


def clear(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
