"""Each person's notification preference as it applies: when, which events, which language."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from payjournal.notifications.events import DEFAULT_KINDS
from payjournal.notifications.models import Delivery, Preference

__all__ = ["Choice", "choice_of"]


@dataclass(frozen=True, slots=True)
class Choice:
    """One person's preference as it applies (the defaults where they chose nothing)."""

    delivery: str
    kinds: frozenset[str]
    language: str


def choice_of(user: object) -> Choice:
    """``user``'s notification preference, or the defaults: a daily digest of every event but
    each sent voucher, in the language of their pages (else the site's)."""
    preference = getattr(user, "notification_preference", None)
    membership = getattr(user, "membership", None)
    page_language = getattr(membership, "language", "") or settings.LANGUAGE_CODE
    if not isinstance(preference, Preference):
        return Choice(Delivery.DIGEST, frozenset(DEFAULT_KINDS), page_language)
    return Choice(
        preference.delivery, frozenset(preference.kinds), preference.language or page_language
    )
