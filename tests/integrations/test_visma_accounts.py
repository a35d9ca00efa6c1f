"""The Accounts tab and the authorization flow against the emulator over loopback (real HTTP)."""

from __future__ import annotations

import logging

import httpx2
import pytest
from django.db import connection
from django.test import Client

from payjournal import wiring
from payjournal.emulator import stable_id
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.services import create_account
from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.visma import InvalidGrantError, TokenSet
from tests import oauth
from tests.fixtures.tenants import PUBLIC_URL, Tenant
from tests.site.database_files import database_bytes

NORDISK = str(stable_id("company", "se-nordisk"))
SUNDSVALL = str(stable_id("company", "se-sundsvall"))
FIETSEN = str(stable_id("company", "nl-fietsen"))


def problem_of(response: object) -> str:
    content = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    return content.split('data-problem="', 1)[1].split('"', 1)[0]


@pytest.fixture
def account(tenant: Tenant) -> VismaAccount:
    return create_account(tenant.master, "Nordisk – Erik")


@pytest.fixture
def admin(tenant: Tenant) -> Client:
    return tenant.client(tenant.admin)


@pytest.mark.django_db
def test_a_new_account_is_listed_with_a_grey_mark_and_a_label(admin: Client) -> None:
    response = admin.post("/integrations/visma/accounts/", {"name": "Bakkerij"}, follow=True)
    listing = admin.get("/integrations/visma/accounts/list/").content.decode()
    assert "Click its grey mark" in response.content.decode()
    assert 'class="mark grey" data-status="not_authorized"' in listing
    assert "Not authorized" in listing


@pytest.mark.django_db
def test_account_names_are_unique_per_master(admin: Client, account: VismaAccount) -> None:
    response = admin.post("/integrations/visma/accounts/", {"name": account.name})
    assert account.name != account.name.lower()  # the message must keep the name as typed
    assert (
        f"An account named &#x27;{account.name}&#x27; already exists." in response.content.decode()
    )


@pytest.mark.django_db
def test_the_grey_mark_redirects_to_visma_with_state_pkce_and_company_selection(
    visma_on_loopback: str, admin: Client, account: VismaAccount
) -> None:
    url = oauth.start(admin, account.pk)
    assert url.startswith(f"{visma_on_loopback}/connect/authorize?")
    for part in (
        "state=",
        "code_challenge=",
        "code_challenge_method=S256",
        "prompt=select_account",
    ):
        assert part in url
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fintegrations%2Fvisma%2Fcallback%2F" in url


@pytest.mark.django_db(transaction=True)
def test_authorization_binds_the_company_and_turns_the_mark_red(
    visma_on_loopback: str,
    admin: Client,
    account: VismaAccount,
    browser_http: httpx2.Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # what the app logs in production (LOGGING root level)
    callback = oauth.visma_callback(
        browser_http, oauth.start(admin, account.pk), "erik@nordisk.example", company_id=NORDISK
    )
    page = admin.get(oauth.local(callback))
    assert page.status_code == 200
    assert "Authorization succeeded" in page.content.decode()
    account.refresh_from_db()
    assert account.status == AccountStatus.AUTHORIZED
    assert account.visma_company_name == "Nordisk Trä AB"
    assert account.visma_company_id == NORDISK
    listing = admin.get("/integrations/visma/accounts/list/").content.decode()
    assert 'class="mark red" data-status="authorized"' in listing and "Nordisk Trä AB" in listing

    tokens = DatabaseTokenStore(account.pk).load()
    assert tokens is not None and tokens.refresh_token
    secrets = (tokens.access_token, tokens.refresh_token)
    connection.close()
    raw = database_bytes()
    logs = caplog.text
    for secret in secrets:
        assert secret.encode() not in raw
        assert secret not in logs
    assert callback.split("code=", 1)[1].split("&", 1)[0] not in logs


@pytest.mark.django_db
def test_denied_consent_ends_on_a_page_that_explains(
    visma_on_loopback: str, admin: Client, account: VismaAccount, browser_http: httpx2.Client
) -> None:
    start = oauth.start(admin, account.pk)
    callback = oauth.visma_callback(
        browser_http, start, "erik@nordisk.example", company_id=NORDISK, decision="deny"
    )
    response = admin.get(oauth.local(callback))
    assert problem_of(response) == "access_denied"
    for heading in ("What happened", "Why", "What to do"):
        assert heading in response.content.decode()
    account.refresh_from_db()
    assert account.status == AccountStatus.NOT_AUTHORIZED


@pytest.mark.django_db
def test_a_callback_with_an_unknown_state_is_refused(
    visma_on_loopback: str, admin: Client, account: VismaAccount
) -> None:
    response = admin.get("/integrations/visma/callback/?code=forged&state=not-ours")
    assert problem_of(response) == "state_mismatch"


@pytest.mark.django_db
def test_a_callback_from_another_session_is_refused(
    visma_on_loopback: str, tenant: Tenant, account: VismaAccount, browser_http: httpx2.Client
) -> None:
    callback = oauth.visma_callback(
        browser_http,
        oauth.start(tenant.client(tenant.admin), account.pk),
        "erik@nordisk.example",
        company_id=NORDISK,
    )
    other_session = tenant.client(tenant.admin)
    assert problem_of(other_session.get(oauth.local(callback))) == "state_mismatch"


@pytest.mark.django_db
def test_reloading_the_callback_says_it_was_already_used(
    visma_on_loopback: str, admin: Client, account: VismaAccount, browser_http: httpx2.Client
) -> None:
    callback = oauth.connect(admin, browser_http, account.pk, company_id=NORDISK)
    assert problem_of(admin.get(oauth.local(callback))) == "code_reused"


@pytest.mark.django_db
def test_a_replayed_code_is_invalid_grant(
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
    assert problem_of(admin.get(oauth.local(callback))) == "invalid_grant"


@pytest.mark.django_db
def test_a_company_without_the_api_module_is_explained(
    visma_on_loopback: str, admin: Client, account: VismaAccount, browser_http: httpx2.Client
) -> None:
    callback = oauth.visma_callback(
        browser_http, oauth.start(admin, account.pk), "anna@bakkerij.example", company_id=FIETSEN
    )
    assert problem_of(admin.get(oauth.local(callback))) == "module_not_activated"
    account.refresh_from_db()
    assert account.status == AccountStatus.NOT_AUTHORIZED and account.token_ciphertext is None


@pytest.mark.django_db
def test_disconnect_revokes_the_grant(
    visma_on_loopback: str, admin: Client, account: VismaAccount, browser_http: httpx2.Client
) -> None:
    oauth.connect(admin, browser_http, account.pk, company_id=NORDISK)
    tokens = DatabaseTokenStore(account.pk).load()
    assert tokens is not None
    assert admin.post(f"/integrations/visma/accounts/{account.pk}/disconnect/").status_code == 302
    account.refresh_from_db()
    assert account.status == AccountStatus.NOT_AUTHORIZED and account.token_ciphertext is None
    with (
        wiring.current().oauth(PUBLIC_URL + "/integrations/visma/callback/") as client,
        pytest.raises(InvalidGrantError),
    ):
        client.refresh(tokens)


@pytest.mark.django_db(transaction=True)
def test_invalid_grant_on_refresh_asks_for_authorization_on_every_dependent_page(
    visma_on_loopback: str,
    tenant: Tenant,
    admin: Client,
    account: VismaAccount,
    browser_http: httpx2.Client,
) -> None:
    oauth.connect(admin, browser_http, account.pk, company_id=NORDISK)
    assert (
        admin.post(f"/companies/{tenant.nordisk.pk}/mapping/", {"account": account.pk}).status_code
        == 302
    )
    store = DatabaseTokenStore(account.pk)
    stale = store.load()
    assert stale is not None
    asked: list[TokenSet] = []
    with wiring.current().oauth(PUBLIC_URL + "/integrations/visma/callback/") as client:
        client.revoke(stale.refresh_token or "")

        def refresh(tokens: TokenSet) -> TokenSet:
            asked.append(tokens)
            return client.refresh(tokens)

        with pytest.raises(InvalidGrantError):
            store.refresh(refresh, stale)
        with pytest.raises(InvalidGrantError):  # the dead token is not sent to Visma again
            store.refresh(refresh, stale)
    assert len(asked) == 1
    account.refresh_from_db()
    assert account.status == AccountStatus.AUTHORIZATION_NEEDED
    assert (
        "Authorization needed" in admin.get("/integrations/visma/accounts/list/").content.decode()
    )
    assert "Authorization needed" in admin.get(f"/companies/{tenant.nordisk.pk}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_refresh_is_single_flight_and_saved_encrypted(
    visma_on_loopback: str, admin: Client, account: VismaAccount, browser_http: httpx2.Client
) -> None:
    oauth.connect(admin, browser_http, account.pk, company_id=NORDISK)
    first, second = DatabaseTokenStore(account.pk), DatabaseTokenStore(account.pk)
    stale = first.load()
    assert stale is not None
    with wiring.current().oauth(PUBLIC_URL + "/integrations/visma/callback/") as client:
        fresh = first.refresh(client.refresh, stale)
        again = second.refresh(client.refresh, stale)  # a second process with the same stale set
    assert fresh.access_token != stale.access_token
    assert again == fresh
    account.refresh_from_db()
    assert account.refresh_lease_until is None and account.token_version == 2


@pytest.mark.django_db
def test_re_authorizing_to_another_company_than_the_mapped_one_is_refused(
    visma_on_loopback: str,
    tenant: Tenant,
    admin: Client,
    account: VismaAccount,
    browser_http: httpx2.Client,
) -> None:
    oauth.connect(admin, browser_http, account.pk, company_id=NORDISK)
    admin.post(f"/companies/{tenant.nordisk.pk}/mapping/", {"account": account.pk})
    callback = oauth.visma_callback(
        browser_http, oauth.start(admin, account.pk), "erik@nordisk.example", company_id=SUNDSVALL
    )
    assert problem_of(admin.get(oauth.local(callback))) == "wrong_company"
    account.refresh_from_db()
    assert account.visma_company_id == NORDISK and account.status == AccountStatus.AUTHORIZED
    assert DatabaseTokenStore(account.pk).load() is not None
