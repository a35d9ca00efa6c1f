"""Managing the Visma accounts on the Accounts tab: rename, delete (asked first, refused while
payroll companies are mapped), disconnect (asked first), and a failed authorization that stays
explained on the account's row until the next one succeeds. Master administrators only; another
master's account is a 404."""

from __future__ import annotations

import re

import httpx2
import pytest
from django.test import Client

from payjournal import wiring
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.services import create_account, delete_account
from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.payroll.models import PayrollCompany
from payjournal.tenancy.models import Membership
from payjournal.visma import InvalidGrantError
from tests import oauth
from tests.fixtures.tenants import PUBLIC_URL, Tenant
from tests.integrations.test_visma_accounts import NORDISK

ACCOUNTS = "/integrations/visma/accounts/"


@pytest.fixture
def account(tenant: Tenant) -> VismaAccount:
    return create_account(tenant.master, "Nordisk – Erik")


@pytest.fixture
def admin(tenant: Tenant) -> Client:
    return tenant.client(tenant.admin)


def listing(client: Client) -> str:
    return client.get(f"{ACCOUNTS}list/").content.decode()


def row_of(client: Client, account: VismaAccount) -> str:
    return listing(client).split(f'id="account-{account.pk}"', 1)[1].split("</tr>", 1)[0]


def map_to(company: PayrollCompany, account: VismaAccount) -> None:
    PayrollCompany.objects.filter(pk=company.pk).update(visma_account=account)


@pytest.mark.django_db
def test_every_row_offers_rename_and_delete(admin: Client, account: VismaAccount) -> None:
    row = row_of(admin, account)
    assert f'href="{ACCOUNTS}{account.pk}/rename/"' in row
    assert f'href="{ACCOUNTS}{account.pk}/delete/"' in row


@pytest.mark.django_db
def test_rename_keeps_the_authorization_and_says_so(admin: Client, account: VismaAccount) -> None:
    form = admin.get(f"{ACCOUNTS}{account.pk}/rename/")
    assert form.status_code == 200 and 'value="Nordisk – Erik"' in form.content.decode()
    done = admin.post(f"{ACCOUNTS}{account.pk}/rename/", {"name": " Nordisk – Karin "}, follow=True)
    assert "Account “Nordisk – Erik” is now called “Nordisk – Karin”." in done.content.decode()
    account.refresh_from_db()
    assert account.name == "Nordisk – Karin"


@pytest.mark.django_db
def test_a_refused_name_answers_the_form_with_why(
    tenant: Tenant, admin: Client, account: VismaAccount
) -> None:
    create_account(tenant.master, "Bakkerij")
    taken = admin.post(f"{ACCOUNTS}{account.pk}/rename/", {"name": "Bakkerij"})
    assert taken.status_code == 400
    assert "An account named &#x27;Bakkerij&#x27; already exists." in taken.content.decode()
    too_long = admin.post(f"{ACCOUNTS}{account.pk}/rename/", {"name": "x" * 101})
    assert too_long.status_code == 400 and "Name:" in too_long.content.decode()
    empty = admin.post(f"{ACCOUNTS}{account.pk}/rename/", {"name": "   "})
    assert empty.status_code == 400
    account.refresh_from_db()
    assert account.name == "Nordisk – Erik"


@pytest.mark.django_db
def test_delete_asks_first_then_deletes(admin: Client, account: VismaAccount) -> None:
    question = admin.get(f"{ACCOUNTS}{account.pk}/delete/")
    assert question.status_code == 200
    assert "Delete account “Nordisk – Erik”?" in question.content.decode()
    assert VismaAccount.objects.filter(pk=account.pk).exists()  # asking deletes nothing
    done = admin.post(f"{ACCOUNTS}{account.pk}/delete/", follow=True)
    assert "Account “Nordisk – Erik” was deleted." in done.content.decode()
    assert not VismaAccount.objects.filter(pk=account.pk).exists()


@pytest.mark.django_db
def test_delete_is_refused_while_companies_are_mapped(
    tenant: Tenant, admin: Client, account: VismaAccount
) -> None:
    map_to(tenant.nordisk, account)
    map_to(tenant.bakkerij, account)
    question = admin.get(f"{ACCOUNTS}{account.pk}/delete/").content.decode()
    refusal = (
        "Account “Nordisk – Erik” cannot be deleted: payroll companies a Bakkerij, a Nordisk are "
        "mapped to it."
    )
    assert refusal in question
    assert 'href="/integrations/visma/administrations/"' in question
    assert "<form" not in question.split('id="account-confirm"', 1)[1]  # nothing to confirm
    refused = admin.post(f"{ACCOUNTS}{account.pk}/delete/")
    assert refused.status_code == 409 and refusal in refused.content.decode()
    assert VismaAccount.objects.filter(pk=account.pk).exists()


@pytest.mark.django_db
def test_deleting_an_authorized_account_revokes_its_grant(
    visma_on_loopback: str, admin: Client, account: VismaAccount, browser_http: httpx2.Client
) -> None:
    oauth.connect(admin, browser_http, account.pk, company_id=NORDISK)
    tokens = DatabaseTokenStore(account.pk).load()
    assert tokens is not None
    assert admin.post(f"{ACCOUNTS}{account.pk}/delete/").status_code == 302
    with (
        wiring.current().oauth(PUBLIC_URL + "/integrations/visma/callback/") as client,
        pytest.raises(InvalidGrantError),
    ):
        client.refresh(tokens)


@pytest.mark.django_db
def test_disconnect_asks_first_naming_the_companies_that_stop(
    visma_on_loopback: str,
    tenant: Tenant,
    admin: Client,
    account: VismaAccount,
    browser_http: httpx2.Client,
) -> None:
    oauth.connect(admin, browser_http, account.pk, company_id=NORDISK)
    map_to(tenant.nordisk, account)
    row = row_of(admin, account)
    assert f'<a href="{ACCOUNTS}{account.pk}/disconnect/"' in row  # a link to the question
    question = admin.get(f"{ACCOUNTS}{account.pk}/disconnect/").content.decode()
    assert "Disconnect account “Nordisk – Erik”?" in question
    assert "journals of payroll company a Nordisk cannot be sent" in question
    account.refresh_from_db()
    assert account.status == AccountStatus.AUTHORIZED  # asking changes nothing
    assert admin.post(f"{ACCOUNTS}{account.pk}/disconnect/").status_code == 302
    account.refresh_from_db()
    assert account.status == AccountStatus.NOT_AUTHORIZED


@pytest.mark.django_db
def test_a_denied_consent_stays_explained_on_the_row_until_an_authorization_succeeds(
    visma_on_loopback: str, admin: Client, account: VismaAccount, browser_http: httpx2.Client
) -> None:
    denied = oauth.visma_callback(
        browser_http,
        oauth.start(admin, account.pk),
        "erik@nordisk.example",
        company_id=NORDISK,
        decision="deny",
    )
    admin.get(oauth.local(denied))
    row = row_of(admin, account)
    assert 'data-problem="access_denied"' in row
    assert "The last authorization failed:" in row
    assert "Someone chose “Deny” on Visma" in row  # the cause
    assert "choose “Allow”" in row  # what to do
    assert 'href="/integrations/visma/accounts/"' not in row  # not a link to this very tab
    assert "The last authorization failed:" in row_of(admin, account)  # it stays

    oauth.connect(admin, browser_http, account.pk, company_id=NORDISK)
    assert "data-problem" not in row_of(admin, account)


@pytest.mark.django_db
def test_an_answer_that_belongs_to_no_authorization_is_explained_on_the_row_started_last(
    visma_on_loopback: str, tenant: Tenant, admin: Client, account: VismaAccount
) -> None:
    other = create_account(tenant.master, "Bakkerij")
    oauth.start(admin, other.pk)
    oauth.start(admin, account.pk)
    admin.get("/integrations/visma/callback/?code=forged&state=not-ours")
    assert 'data-problem="state_mismatch"' in row_of(admin, account)
    assert "data-problem" not in row_of(admin, other)


@pytest.mark.django_db
def test_a_refused_code_exchange_is_explained_on_the_row(
    visma_on_loopback: str, admin: Client, account: VismaAccount, browser_http: httpx2.Client
) -> None:
    start = oauth.start(admin, account.pk)
    pending = dict(admin.session["visma_pending"])
    callback = oauth.visma_callback(browser_http, start, "erik@nordisk.example", company_id=NORDISK)
    assert admin.get(oauth.local(callback)).status_code == 200
    session = admin.session
    session["visma_pending"] = pending
    session["visma_used_states"] = []
    session.save()
    admin.get(oauth.local(callback))  # Visma refuses the code a second time: invalid_grant
    assert 'data-problem="invalid_grant"' in row_of(admin, account)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["rename", "delete", "disconnect"])
def test_only_master_administrators_manage_accounts(
    tenant: Tenant, account: VismaAccount, action: str
) -> None:
    for member in (tenant.payroll, tenant.viewer):
        client = tenant.client(member)
        assert client.get(f"{ACCOUNTS}{account.pk}/{action}/").status_code == 403
        assert client.post(f"{ACCOUNTS}{account.pk}/{action}/", {"name": "x"}).status_code == 403
    account.refresh_from_db()
    assert account.name == "Nordisk – Erik"


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["rename", "delete", "disconnect"])
def test_another_masters_account_is_not_found(
    tenant: Tenant, other_tenant: Tenant, action: str
) -> None:
    theirs = create_account(other_tenant.master, "Theirs")
    client = tenant.client(tenant.admin)
    assert client.get(f"{ACCOUNTS}{theirs.pk}/{action}/").status_code == 404
    assert client.post(f"{ACCOUNTS}{theirs.pk}/{action}/", {"name": "Mine"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "sv"])
def test_the_account_pages_speak_the_users_language(
    tenant: Tenant, account: VismaAccount, language: str
) -> None:
    from tests.web.test_browser_languages import SAME_WORD, english_on

    Membership.objects.filter(pk=tenant.admin.pk).update(language=language)
    unused = create_account(tenant.master, "Bakkerij – Anna")
    VismaAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.AUTHORIZED, authorization_problem="access_denied"
    )
    map_to(tenant.nordisk, account)
    client = tenant.client(tenant.admin)
    pages = {
        "accounts": ACCOUNTS,
        "rename": f"{ACCOUNTS}{account.pk}/rename/",
        "disconnect": f"{ACCOUNTS}{account.pk}/disconnect/",
        "delete refused": f"{ACCOUNTS}{account.pk}/delete/",
        "delete": f"{ACCOUNTS}{unused.pk}/delete/",
    }
    english = {}
    for name, path in pages.items():
        html = client.get(path).content.decode()
        assert f'lang="{language}"' in html
        main = html.split("<main", 1)[1].split("</main>", 1)[0]
        text = re.sub(r"<[^>]+>", "\n", main)
        found = english_on(text, SAME_WORD[language])
        if found:
            english[name] = found
    assert not english


@pytest.mark.django_db
def test_an_account_deleted_meanwhile_in_another_tab_is_not_an_error(
    tenant: Tenant, account: VismaAccount
) -> None:
    stale = VismaAccount.objects.get(pk=account.pk)
    with wiring.current().oauth(PUBLIC_URL + "/integrations/visma/callback/") as client:
        delete_account(account, client)
        delete_account(stale, client)  # the second tab's click
    assert not VismaAccount.objects.filter(pk=account.pk).exists()
