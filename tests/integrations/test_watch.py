"""An answered call is stored as the account's last successful call, at most once a minute per
account and process (:mod:`payjournal.integrations.watch`): a month-end's thousands of calls
write it once per account, and a process that forgot its answers writes it again. A send holds
its answer and stores it in the leg's sent transaction (:func:`watch.answers_held`)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db import connection as database

from payjournal.integrations import watch
from payjournal.integrations.models import AccountStatus, VismaAccount
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


def _answers_stored(written: list[str]) -> int:
    return sum(sql.startswith(ANSWER_STORED) for sql in written)


ANSWER_STORED = 'UPDATE "integrations_vismaaccount" SET "last_call_ok_at"'


@pytest.mark.django_db(transaction=True)
def test_held_answers_are_stored_in_the_callers_transaction_once(tenant: Tenant) -> None:
    account = _authorized(create_account(tenant.master, "Held"))
    watch.forget_answers()
    written: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        written.append(sql)
        return execute(sql, params, many, context)

    with database.execute_wrapper(record), watch.answers_held() as answers:
        watch.note_answered(account.pk)
        assert _last_call_ok_at(account) is None  # held, not written
        with transaction.atomic():
            answers.store()
        assert _last_call_ok_at(account) is not None
    assert _answers_stored(written) == 1  # the block's end found nothing left to store


def _authorized(account: VismaAccount) -> VismaAccount:
    """The account as one whose calls Visma answers: authorized."""
    VismaAccount.objects.filter(pk=account.pk).update(status=AccountStatus.AUTHORIZED)
    account.refresh_from_db()
    return account


def _statements_storing_the_answer_of(account: VismaAccount) -> list[str]:
    written: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        written.append(sql)
        return execute(sql, params, many, context)

    watch.forget_answers()
    with database.execute_wrapper(record):
        watch.note_answered(account.pk)
    return written


@pytest.mark.django_db(transaction=True)
def test_an_authorized_accounts_answer_is_one_compiled_compare_and_set(
    tenant: Tenant,
) -> None:
    account = _authorized(create_account(tenant.master, "Usual"))
    written = _statements_storing_the_answer_of(account)
    # The compare-and-set of site.compiled, guarded by the status; not the ORM's NOT (…).
    assert len(written) == 1 and written[0].startswith(ANSWER_STORED)
    assert 'AND "status" = ' in written[0] and "NOT" not in written[0]
    assert _last_call_ok_at(account) is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("status", "code"),
    [(AccountStatus.AUTHORIZATION_NEEDED, "invalid_grant"), (AccountStatus.NOT_AUTHORIZED, "")],
)
def test_an_answer_of_an_account_in_another_status_is_stored_and_the_status_kept(
    tenant: Tenant, status: AccountStatus, code: str
) -> None:
    account = create_account(tenant.master, "Other status")
    VismaAccount.objects.filter(pk=account.pk).update(status=status, refusal_code=code)
    written = _statements_storing_the_answer_of(account)
    assert _answers_stored(written) == 2  # the usual case's guard, then the general one
    account.refresh_from_db()
    assert account.last_call_ok_at is not None
    assert account.status == status and account.refusal_code == code


@pytest.mark.django_db(transaction=True)
def test_answers_held_in_a_rolled_back_transaction_are_stored_at_the_blocks_end(
    tenant: Tenant,
) -> None:
    account = create_account(tenant.master, "Rolled back")
    watch.forget_answers()
    with watch.answers_held() as answers:
        watch.note_answered(account.pk)
        with pytest.raises(IntegrityError):
            _store_then_fail(answers)
        assert _last_call_ok_at(account) is None
    assert _last_call_ok_at(account) is not None


def _store_then_fail(answers: watch.HeldAnswers) -> None:
    with transaction.atomic():
        answers.store()
        raise IntegrityError("another leg of this version is sent")


@pytest.mark.django_db(transaction=True)
def test_a_held_answer_that_ends_a_refusal_authorizes_the_account_at_the_blocks_end(
    tenant: Tenant,
) -> None:
    account = create_account(tenant.master, "Module back on")
    VismaAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.AUTHORIZATION_NEEDED, refusal_code="module_not_activated"
    )
    watch.forget_answers()
    announced: list[int] = []

    def receiver(sender: object, account: VismaAccount, **_kwargs: object) -> None:
        announced.append(account.pk)

    watch.authorized.connect(receiver)
    try:
        with watch.answers_held() as answers:
            watch.note_answered(account.pk)
            with transaction.atomic():
                answers.store()  # not in the caller's transaction: it announces
            assert announced == []
    finally:
        watch.authorized.disconnect(receiver)
    account.refresh_from_db()
    assert account.status == AccountStatus.AUTHORIZED and account.last_call_ok_at is not None
    assert announced == [account.pk]
