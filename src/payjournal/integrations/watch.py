"""Connections watched: what every call of an account's client says about its grant.

Each client of the process's wiring reports to an :class:`AccountWatch` (the Visma client's
:class:`~payjournal.visma.CallObserver` port). A refusal of the grant — ``invalid_grant`` (the
grant revoked, the Visma user's password changed), a fresh token refused, the API module
switched off, the company no longer accessible — turns the account to *authorization needed*
at once, whichever call met it (a send, a pre-flight, the daily check), so the Accounts tab
never shows "Authorized" while Visma refuses. An answered call is stored as the account's last
successful call (at most once a minute per account and process: a month-end send makes
thousands). The first refusal's code is kept; a later one does not overwrite it.

A refused grant is dead: payjournal does not send its refresh token again. The module and
company refusals are not: the grant may work again once fixed in Visma, so the pre-flight and
the daily check still ask Visma, and an answer puts the account back to *authorized* — and,
as after a new authorization, announces it (:data:`authorized`): the journals that waited for
the account are retried by themselves.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.visma import VismaError

__all__ = [
    "DEAD_GRANT_CODES",
    "RECOVERABLE_CODES",
    "REFUSAL_CODES",
    "AccountWatch",
    "announce_authorized",
    "authorized",
    "forget_answers",
    "mark_refused",
    "note_answered",
    "refused",
]

#: Visma refused the grant itself: only a new authorization helps.
DEAD_GRANT_CODES = frozenset({"invalid_grant", "authentication_failed"})
#: Visma refused the company behind the grant: fixed in Visma, the grant may work again.
RECOVERABLE_CODES = frozenset({"module_not_activated", "no_company_access"})
REFUSAL_CODES = DEAD_GRANT_CODES | RECOVERABLE_CODES
#: How often one process stores an account's last successful call.
ANSWER_WRITE_EVERY_S = 60.0

#: Sent when an account turns *authorization needed* (``account_id``, ``code``): the
#: notifications tell who depends on it (:mod:`payjournal.notifications.apps`).
refused = Signal()
#: Sent once an account is authorized (again): ``account`` — a new authorization, or Visma
#: answering after a recoverable refusal. The outbox retries the journals that waited for it
#: (:mod:`payjournal.sending.apps`).
authorized = Signal()

log = logging.getLogger("payjournal.integrations")

_lock = threading.Lock()
_written: dict[int, float] = {}  # account id → time.monotonic() of the last stored answer


def mark_refused(account_id: int, code: str) -> bool:
    """Turn the account to *authorization needed* because Visma refused with ``code`` (a
    catalog code); ``False`` when it already was. The stored answer memo is dropped, so the
    next answered call is stored (and may restore a recoverable refusal) at once."""
    with _lock:
        _written.pop(account_id, None)
    changed = VismaAccount.objects.filter(pk=account_id, status=AccountStatus.AUTHORIZED).update(
        status=AccountStatus.AUTHORIZATION_NEEDED, refusal_code=code, status_reason=""
    )
    if changed == 1:
        refused.send(sender=VismaAccount, account_id=account_id, code=code)
    return changed == 1


def forget_answers() -> None:
    """Forget when this process last stored each account's answer: the next answered call of
    every account is stored. A month-end hours after the 03:00 daily checks finds the process
    so; the month-end benchmark, which runs those checks just before its window, starts here."""
    with _lock:
        _written.clear()


def note_answered(account_id: int) -> None:
    """Visma answered a call of the account: store when (throttled), and end a recoverable
    refusal (the module is on again, the user has access again), announced as an authorization
    (:func:`announce_authorized`)."""
    now = time.monotonic()
    with _lock:
        last = _written.get(account_id)
        if last is not None and now - last < ANSWER_WRITE_EVERY_S:
            return
        _written[account_id] = now
    lifted = Q(status=AccountStatus.AUTHORIZATION_NEEDED, refusal_code__in=RECOVERABLE_CODES)
    at = timezone.now()
    rows = VismaAccount.objects.filter(pk=account_id)
    if rows.exclude(lifted).update(last_call_ok_at=at):  # the usual case: one statement
        return
    if rows.filter(lifted).update(
        last_call_ok_at=at, status=AccountStatus.AUTHORIZED, refusal_code=""
    ):
        announce_authorized(rows.get())


def announce_authorized(account: VismaAccount) -> None:
    """Tell :data:`authorized`'s receivers that ``account`` works (again); a receiver's failure
    is logged and keeps the others going."""
    for receiver, answer in authorized.send_robust(sender=VismaAccount, account=account):
        if isinstance(answer, Exception):
            log.error(
                "a receiver of the authorization failed",
                extra={"account_id": account.pk, "receiver": getattr(receiver, "__name__", "?")},
                exc_info=answer,
            )


class AccountWatch:
    """The :class:`~payjournal.visma.CallObserver` of one account's client."""

    def __init__(self, account_id: int) -> None:
        self.account_id = account_id

    def answered(self) -> None:
        note_answered(self.account_id)

    def failed(self, error: VismaError) -> None:
        if error.code in REFUSAL_CODES:
            mark_refused(self.account_id, error.code)
