"""The account's token store given the row its caller has just read: the first load takes the
tokens from it, and nothing after that trusts it (a refresh reads what is stored now)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from payjournal.integrations.models import VismaAccount
from payjournal.integrations.services import create_account
from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.visma import TokenSet
from tests.fixtures.tenants import Tenant

LATER = datetime.now(UTC) + timedelta(hours=1)


@pytest.fixture
def account(tenant: Tenant) -> VismaAccount:
    return create_account(tenant.master, "Nordisk – Erik")


def refused(_tokens: TokenSet) -> TokenSet:
    raise AssertionError("the store asked Visma although newer tokens were stored")


@pytest.mark.django_db
def test_the_row_just_read_serves_the_first_load_and_no_refresh(account: VismaAccount) -> None:
    store = DatabaseTokenStore(account.pk)
    store.save(TokenSet("access-1", "refresh-1", LATER))
    read = VismaAccount.objects.get(pk=account.pk)
    store.save(TokenSet("access-2", "refresh-2", LATER))  # another process refreshed meanwhile

    seeded = DatabaseTokenStore(account.pk, row=read)
    first = seeded.load()
    assert first is not None and first.access_token == "access-1"  # no statement of its own
    # Visma refuses access-1 (401): the refresh finds the stored pair and takes it.
    assert seeded.refresh(refused, first).access_token == "access-2"
    again = seeded.load()
    assert again is not None and again.access_token == "access-2"


@pytest.mark.django_db
def test_a_row_read_before_the_account_was_disconnected_is_used_once(
    account: VismaAccount,
) -> None:
    DatabaseTokenStore(account.pk).save(TokenSet("access-1", "refresh-1", LATER))
    read = VismaAccount.objects.get(pk=account.pk)
    VismaAccount.objects.filter(pk=account.pk).update(token_ciphertext=None)

    seeded = DatabaseTokenStore(account.pk, row=read)
    assert seeded.load() is not None
    assert seeded.load() is None
