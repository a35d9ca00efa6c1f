"""OAuth2 end to end against the emulator's identity server: the pages a user sees, PKCE,
single-use codes, rotating single-use refresh tokens, and refresh only through the store."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from payjournal.visma import (
    AuthenticationFailedError,
    AuthorizationDeniedError,
    AuthorizationRequiredError,
    CompanySelection,
    InMemoryTokenStore,
    InvalidGrantError,
    OAuthError,
    OutcomeUnknownError,
    VismaEndpoints,
)
from tests.fixtures.visma_client import PASSWORDS, World, company_id
from tests.visma.browser import authorize
from tests.visma.fakes import BrokenRefreshStore

SERVICE = "service:44643EB1-3F76-4C1C-A672-402AE8085934"


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_the_authorize_url_carries_state_pkce_scopes_and_company_selection(world: World) -> None:
    request = world.oauth().authorization_url()
    query = query_of(request.url)
    assert request.url.startswith("http://visma.test/connect/authorize?")
    digest = hashlib.sha256(request.code_verifier.encode()).digest()
    assert query == {
        "response_type": "code",
        "client_id": "payjournal-demo",
        "redirect_uri": "http://127.0.0.1:8123/visma/callback",
        "scope": "ea:api offline_access ea:accounting ea:sales_readonly",
        "state": request.state,
        "prompt": "select_account",
        "acr_values": SERVICE,
        "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    assert 43 <= len(request.code_verifier) <= 128
    assert request.code_verifier not in repr(request)


def test_production_is_the_default_and_the_sandbox_forces_the_picker_differently() -> None:
    assert VismaEndpoints().token_url == "https://identity.vismaonline.com/connect/token"
    assert VismaEndpoints().api_base == "https://eaccountingapi.vismaonline.com/v2/"
    sandbox = VismaEndpoints.legacy_sandbox()
    assert sandbox.authorize_url.startswith("https://identity-sandbox.test.vismaonline.com/")
    assert sandbox.api_url("vouchers") == (
        "https://eaccountingapi-sandbox.test.vismaonline.com/v2/vouchers"
    )
    assert CompanySelection.FORCE_SELECT_COMPANY.authorize_params() == {
        "prompt": "login",
        "acr_values": f"{SERVICE} forceselectcompany:true",
    }


def test_a_user_logs_in_picks_a_company_consents_and_the_token_is_bound_to_it(world: World) -> None:
    oauth = world.oauth()
    request = oauth.authorization_url()
    visit = authorize(
        world.browser,
        request.url,
        "erik@nordisk.example",
        "erik-demo",
        company_id=company_id("se-sundsvall"),
    )
    assert visit.pages == ["login", "company", "consent"]
    assert set(visit.companies_offered) == {company_id("se-nordisk"), company_id("se-sundsvall")}
    tokens = oauth.exchange_code(
        oauth.parse_callback(visit.callback, request.state), request.code_verifier
    )
    assert tokens.refresh_token and tokens.scopes >= {"ea:api", "ea:accounting"}
    assert (tokens.expires_at - world.clock.now()).total_seconds() == 3600
    client = world.client(InMemoryTokenStore(tokens))
    assert client.get_company_settings().name == "Sundsvall Konsult AB"


def test_select_account_shows_the_picker_even_with_a_default_company(world: World) -> None:
    request = world.oauth().authorization_url()
    visit = authorize(
        world.browser,
        request.url,
        "anna@bakkerij.example",
        "anna-demo",
        company_id=company_id("se-nordisk"),
    )
    assert "company" in visit.pages


def test_deny_on_the_consent_page(world: World) -> None:
    oauth = world.oauth()
    request = oauth.authorization_url()
    visit = authorize(
        world.browser, request.url, "erik@nordisk.example", "erik-demo", decision="deny"
    )
    with pytest.raises(AuthorizationDeniedError) as caught:
        oauth.parse_callback(visit.callback, request.state)
    assert caught.value.oauth_error == "access_denied"


def test_a_callback_with_a_foreign_state_is_refused(world: World) -> None:
    oauth = world.oauth()
    request = oauth.authorization_url()
    visit = authorize(world.browser, request.url, "erik@nordisk.example", "erik-demo")
    with pytest.raises(OAuthError, match="state") as caught:
        oauth.parse_callback(visit.callback, "someone-elses-state")
    code = query_of(visit.callback)["code"]
    assert code not in str(caught.value)
    assert "code=***" in str(caught.value)


def _code(world: World, email: str = "erik@nordisk.example") -> tuple[str, str]:
    oauth = world.oauth()
    request = oauth.authorization_url()
    visit = authorize(world.browser, request.url, email, PASSWORDS[email])
    return oauth.parse_callback(visit.callback, request.state), request.code_verifier


def test_pkce_a_wrong_or_missing_verifier_is_an_invalid_grant(world: World) -> None:
    code, _ = _code(world)
    with pytest.raises(InvalidGrantError):
        world.oauth().exchange_code(code, "x" * 64)
    code, _ = _code(world)
    with pytest.raises(InvalidGrantError):
        world.oauth().exchange_code(code, None)


def test_a_code_is_single_use_and_replaying_it_revokes_what_it_issued(world: World) -> None:
    code, verifier = _code(world)
    oauth = world.oauth()
    first = oauth.exchange_code(code, verifier)
    with pytest.raises(InvalidGrantError):
        oauth.exchange_code(code, verifier)
    with pytest.raises(InvalidGrantError):
        oauth.refresh(first)


def test_refresh_tokens_rotate_and_reusing_one_kills_the_grant(world: World) -> None:
    oauth = world.oauth()
    first = world.connect("erik@nordisk.example", "se-nordisk")
    second = oauth.refresh(first)
    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token
    assert world.client(InMemoryTokenStore(second)).get_company_settings().name == "Nordisk Trä AB"
    with pytest.raises(InvalidGrantError) as caught:
        oauth.refresh(first)
    assert caught.value.status == 400 and caught.value.request is not None
    with pytest.raises(InvalidGrantError):  # the whole family is revoked
        oauth.refresh(second)


def test_the_client_refreshes_through_the_store_when_less_than_60s_are_left(world: World) -> None:
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    client = world.client(store)
    world.advance(3600 - 61)
    client.get_company_settings()
    assert store.refresh_count == 0
    world.advance(2)
    client.get_company_settings()
    assert store.refresh_count == 1


def test_a_401_gets_one_forced_refresh(world: World) -> None:
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    client = world.client(store)
    world.emulator_clock.advance(3700)  # Visma's clock runs ahead of ours: token expired there
    assert client.get_company_settings().name == "Nordisk Trä AB"
    assert store.refresh_count == 1


@pytest.mark.parametrize("json_body", [True, False], ids=["visma-json-401", "empty-401"])
def test_a_401_after_the_forced_refresh_is_an_authentication_failure(
    make_world: Callable[..., World], json_body: bool
) -> None:
    world = make_world(unauthorized_json_body=json_body)
    tokens = world.connect("erik@nordisk.example", "se-nordisk")
    store = BrokenRefreshStore(tokens)
    world.emulator_clock.advance(3700)
    with pytest.raises(AuthenticationFailedError) as caught:
        world.client(store).get_company_settings()
    assert caught.value.status == 401 and store.refreshes == 1
    if json_body:  # production's body: the code, the message and the id are kept
        assert caught.value.error_code == 4005
        assert "Authorization has been denied" in caught.value.message
        assert caught.value.error_id
    else:
        assert caught.value.error_code is None and caught.value.body == ""


@pytest.mark.parametrize("json_body", [True, False], ids=["visma-json-401", "empty-401"])
def test_a_401_gets_one_forced_refresh_whatever_its_body(
    make_world: Callable[..., World], json_body: bool
) -> None:
    world = make_world(unauthorized_json_body=json_body)
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    world.emulator_clock.advance(3700)
    assert world.client(store).get_company_settings().name == "Nordisk Trä AB"
    assert store.refresh_count == 1


def test_threads_share_one_refresh_so_the_grant_survives(world: World) -> None:
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    client = world.client(store)
    world.advance(3590)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            client.get_company_settings()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.refresh_count == 1


def test_a_password_change_kills_the_grant(world: World) -> None:
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    client = world.client(store)
    world.control.put(
        "/_emulator/users/erik@nordisk.example/password", json={"password": "new-secret"}
    ).raise_for_status()
    world.advance(3600)
    with pytest.raises(InvalidGrantError):
        client.get_company_settings()


def test_revoking_the_refresh_token_ends_the_grant(world: World) -> None:
    oauth = world.oauth()
    tokens = world.connect("erik@nordisk.example", "se-nordisk")
    assert tokens.refresh_token is not None
    oauth.revoke(tokens.refresh_token)
    with pytest.raises(InvalidGrantError):
        oauth.refresh(tokens)


def test_a_broken_token_endpoint_leaves_the_refresh_outcome_unknown(world: World) -> None:
    tokens = world.connect("erik@nordisk.example", "se-nordisk")
    world.faults(error_next=1, error_status=503, endpoints=["POST /connect/token"])
    with pytest.raises(OutcomeUnknownError) as caught:
        world.oauth().refresh(tokens)
    assert caught.value.status == 503


def test_no_tokens_means_authorization_is_required(world: World) -> None:
    with pytest.raises(AuthorizationRequiredError):
        world.client(InMemoryTokenStore()).get_company_settings()
