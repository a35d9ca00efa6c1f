"""Whether anyone of a master may want an opt-in event (a sent voucher), cheaply enough to ask on
every send of a month-end."""

from __future__ import annotations

import time

from payjournal.notifications.events import DEFAULT_KINDS, EventKind
from payjournal.notifications.models import Preference, WebhookEndpoint

__all__ = ["forget_wanted", "is_wanted", "known_unwanted"]

#: How long a process trusts what it read about who wants an opt-in event (a sent voucher).
WANTED_TTL_S = 60.0
_wanted: dict[tuple[int, str], tuple[float, bool]] = {}


def is_wanted(kind: EventKind, master_id: int) -> bool:
    """Whether anyone of the master may want ``kind``: a person who chose it or an enabled
    endpoint that receives it. For the opt-in events only (a sent voucher: thousands at
    month-end, wanted by few), remembered for :data:`WANTED_TTL_S`, so that month-end's sends
    pay no query for an event nobody asked for. Every other kind is always wanted."""
    if kind.value in DEFAULT_KINDS:
        return True
    key = (master_id, kind.value)
    now = time.monotonic()
    known = _wanted.get(key)
    if known is not None and now - known[0] < WANTED_TTL_S:
        return known[1]
    kinds = [
        *Preference.objects.filter(user__membership__master_id=master_id).values_list(
            "kinds", flat=True
        ),
        *WebhookEndpoint.objects.filter(master_id=master_id, enabled=True).values_list(
            "kinds", flat=True
        ),
    ]
    wanted = any(kind.value in chosen for chosen in kinds)
    _wanted[key] = (now, wanted)
    return wanted


def known_unwanted(kind: EventKind, master_id: int) -> bool:
    """Whether :func:`is_wanted` already knows, without a query, that nobody of the master
    wants ``kind`` (a sent voucher at month-end): the caller need not even open a savepoint."""
    known = _wanted.get((master_id, kind.value))
    return known is not None and not known[1] and time.monotonic() - known[0] < WANTED_TTL_S


def forget_wanted() -> None:
    """Drop what :func:`is_wanted` remembers (a preference or endpoint just changed here)."""
    _wanted.clear()
