"""Connections watched: what every call of an account's client says about its grant.

Each client of the process's wiring reports to an :class:`AccountWatch` (the Visma client's
:class:`~payjournal.visma.CallObserver` port). A refusal of the grant — ``invalid_grant`` (the
grant revoked, the Visma user's password changed), a fresh token refused, the API module
switched off, the company no longer accessible — turns the account to *authorization needed*
at once, whichever call met it (a send, a pre-flight, the daily check), so the Accounts tab
never shows "Authorized" while Visma refuses. An answered call is stored as the account's last
successful call (at most once a minute per account and process: a month-end send makes
thousands). The first refusal's code is kept; a later one does not overwrite it.

A send stores its answer with the leg's *sent* (:func:`answers_held`): one write transaction
per journal instead of two.

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
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.site.compiled import update_where
from payjournal.visma import VismaError

__all__ = [
    "DEAD_GRANT_CODES",
    "RECOVERABLE_CODES",
    "REFUSAL_CODES",
    "AccountWatch",
    "HeldAnswers",
    "announce_authorized",
    "answers_held",
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
_held = threading.local()  # .answers: the HeldAnswers of this thread's answers_held block


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
    held: HeldAnswers | None = getattr(_held, "answers", None)
    if held is not None:
        held.accounts.add(account_id)
        return
    _store_or_lift(account_id)


#: A recoverable refusal, which an answer ends.
_LIFTED = Q(status=AccountStatus.AUTHORIZATION_NEEDED, refusal_code__in=RECOVERABLE_CODES)


def _store_answer(account_id: int) -> bool:
    """The answer's time stored; ``False`` when the account is in a recoverable refusal (or
    gone). The usual case, an authorized account, is one statement built once per process
    (:func:`~payjournal.site.compiled.update_where`: through the ORM, building it cost more
    than a send's other writes together at month-end); any other status a second one."""
    now = timezone.now()
    if update_where(
        VismaAccount, account_id, ("status", AccountStatus.AUTHORIZED), last_call_ok_at=now
    ):
        return True
    rows = VismaAccount.objects.filter(pk=account_id).exclude(_LIFTED)
    return bool(rows.update(last_call_ok_at=now))


def _store_or_lift(account_id: int) -> None:
    """Store the answer; an account in a recoverable refusal is authorized again instead."""
    if not _store_answer(account_id):
        _lift_refusal(account_id)


def _lift_refusal(account_id: int) -> None:
    """The answer ends a recoverable refusal: authorized again, and announced."""
    rows = VismaAccount.objects.filter(pk=account_id)
    if rows.filter(_LIFTED).update(
        last_call_ok_at=timezone.now(), status=AccountStatus.AUTHORIZED, refusal_code=""
    ):
        announce_authorized(rows.get())


class HeldAnswers:
    """The answers noted in an :func:`answers_held` block, not yet stored."""

    def __init__(self) -> None:
        self.accounts: set[int] = set()

    def store(self) -> None:
        """Store the held answers in the transaction under way; once it commits, they are no
        longer held. An answer that ends a refusal stays held: the block's end stores it (the
        announcement starts work of its own, never inside another's transaction)."""
        stored = {account_id for account_id in self.accounts if _store_answer(account_id)}
        if stored:
            transaction.on_commit(lambda: self.accounts.difference_update(stored))

    def store_rest(self) -> None:
        """Store what is still held, each in its own statement (the block's end)."""
        while self.accounts:
            _store_or_lift(self.accounts.pop())


@contextmanager
def answers_held() -> Iterator[HeldAnswers]:
    """Inside, this thread's answered calls are held instead of written: the caller stores them
    with :meth:`HeldAnswers.store` inside the write transaction it makes next (a send: with the
    leg's *sent*), and the block's end stores whatever is still held (a refused send, a
    rolled-back transaction). A failure to store them then is logged, never raised over the
    block's own outcome."""
    outer: HeldAnswers | None = getattr(_held, "answers", None)
    held = _held.answers = HeldAnswers()
    try:
        yield held
    finally:
        _held.answers = outer
        try:
            held.store_rest()
        except Exception:
            log.exception(
                "answered calls not stored",
                extra={"event": "watch.answers_not_stored", "accounts": sorted(held.accounts)},
            )


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
