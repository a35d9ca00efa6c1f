"""An answered call is stored as the account's last successful call, at most once a minute per
account and process (:mod:`payjournal.integrations.watch`): a month-end's thousands of calls
write it once per account, and a process that forgot its answers writes it again."""

from __future__ import annotations

from datetime import datetime

from payjournal.integrations import watch
from payjournal.integrations.models import VismaAccount
from payjournal.integrations.services import create_account
from tests.fixtures.tenants import Tenant


def _last_call_ok_at(account: VismaAccount) -> datetime | None:
    account.refresh_from_db()
    return account.last_call_ok_at


def _cleared(account: VismaAccount) -> None:
    VismaAccount.objects.filter(pk=account.pk).update(last_call_ok_at=None)


def test_an_answer_is_stored_once_a_minute_per_account(tenant: Tenant) -> None:
    account = create_account(tenant.master, "Answers")
    other = create_account(tenant.master, "Other answers")
    watch.forget_answers()  # what earlier tests of this process noted

    watch.note_answered(account.pk)
    assert _last_call_ok_at(account) is not None
    _cleared(account)
    watch.note_answered(account.pk)
    watch.note_answered(other.pk)

    assert _last_call_ok_at(account) is None  # within the minute: not written again
    assert _last_call_ok_at(other) is not None  # another account's first answer is


def test_a_process_that_forgot_its_answers_stores_the_next_one(tenant: Tenant) -> None:
    account = create_account(tenant.master, "Answers")
    watch.forget_answers()
    watch.note_answered(account.pk)
    _cleared(account)

    watch.forget_answers()
    watch.note_answered(account.pk)

    assert _last_call_ok_at(account) is not None
