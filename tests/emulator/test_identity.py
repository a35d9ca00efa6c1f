"""The identity server: pages, company choice, codes, PKCE, rotation, revocation."""

from __future__ import annotations

import httpx2
import pytest

from payjournal.emulator import Emulator, ManualClock, stable_id
from tests.emulator.oauth_flow import (
    CLIENT_AUTH,
    REDIRECT_URI,
    challenge,
    company_ids,
    exchange,
    refresh,
    start,
    walk,
)

BAKKERIJ = str(stable_id("company", "nl-bakkerij"))
SUNDSVALL = str(stable_id("company", "se-sundsvall"))


def company_name(http: httpx2.Client, access_token: str) -> str:
    answer = http.get("/v2/companysettings", headers={"Authorization": f"Bearer {access_token}"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["Name"])


def test_code_flow_with_pkce_binds_the_chosen_company(http: httpx2.Client) -> None:
    verifier = "v" * 64
    done = walk(
        http,
        "erik@nordisk.example",
        "erik-demo",
        company=SUNDSVALL,
        code_challenge=challenge(verifier),
        code_challenge_method="S256",
    )
    assert done.pages == ["login", "company", "consent"]
    assert done.final.headers["location"].startswith(REDIRECT_URI + "?")
    assert done.query["state"] == "st-1"
    tokens = exchange(http, done.query["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert tokens.headers["cache-control"] == "no-store"
    assert company_name(http, body["access_token"]) == "Sundsvall Konsult AB"
    renewed = refresh(http, body["refresh_token"]).json()
    assert renewed["refresh_token"] != body["refresh_token"]
    assert company_name(http, renewed["access_token"]) == "Sundsvall Konsult AB"


def test_default_company_skips_the_picker(http: httpx2.Client) -> None:
    done = walk(http, "anna@bakkerij.example", "anna-demo")
    assert done.pages == ["login", "consent"]
    token = exchange(http, done.query["code"]).json()["access_token"]
    assert company_name(http, token) == "Bakkerij De Vries B.V."


@pytest.mark.parametrize(
    "params",
    [
        {"prompt": "select_account"},
        {
            "prompt": "login",
            "acr_values": "service:44643EB1-3F76-4C1C-A672-402AE8085934 forceselectcompany:true",
        },
    ],
)
def test_picker_can_be_forced_past_the_default(http: httpx2.Client, params: dict[str, str]) -> None:
    nordisk = str(stable_id("company", "se-nordisk"))
    done = walk(http, "anna@bakkerij.example", "anna-demo", company=nordisk, **params)
    assert done.pages == ["login", "company", "consent"]
    token = exchange(http, done.query["code"]).json()["access_token"]
    assert company_name(http, token) == "Nordisk Trä AB"


def test_default_company_without_api_module_lands_in_4002(http: httpx2.Client) -> None:
    done = walk(http, "lena@fietsen.example", "lena-demo")
    assert done.pages == ["login", "consent"]
    token = exchange(http, done.query["code"]).json()["access_token"]
    answer = http.get("/v2/fiscalyears", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403
    assert answer.json()["ErrorCode"] == 4002
    assert answer.json()["DeveloperErrorMessage"] == (
        "ForbiddenRequestException - No access to module: api_standard"
    )


def test_picker_lists_only_the_users_companies(http: httpx2.Client) -> None:
    login = start(http).headers["location"]
    picker = http.post(login, data={"email": "erik@nordisk.example", "password": "erik-demo"})
    page = http.get(picker.headers["location"]).text
    assert set(company_ids(page)) == {SUNDSVALL, str(stable_id("company", "se-nordisk"))}
    refused = http.post(picker.headers["location"], data={"company_id": BAKKERIJ})
    assert refused.status_code == 400


def test_wrong_password_shows_the_form_again(http: httpx2.Client) -> None:
    login = start(http).headers["location"]
    again = http.post(login, data={"email": "anna@bakkerij.example", "password": "nope"})
    assert again.status_code == 200
    assert "Wrong e-mail or password" in again.text
    assert 'name="password"' in again.text


def test_deny_redirects_with_access_denied(http: httpx2.Client) -> None:
    done = walk(http, "anna@bakkerij.example", "anna-demo", decision="deny")
    assert done.query == {"error": "access_denied", "state": "st-1"}


def test_browser_login_is_remembered_unless_prompt_login(http: httpx2.Client) -> None:
    walk(http, "anna@bakkerij.example", "anna-demo")
    assert start(http).headers["location"].startswith("/connect/consent")
    assert start(http, prompt="login").headers["location"].startswith("/connect/login")


def test_prompt_none_without_login_is_an_error(http: httpx2.Client) -> None:
    answer = start(http, prompt="none")
    assert "error=login_required" in answer.headers["location"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"client_id": "nobody"}, "Unknown client_id"),
        ({"redirect_uri": "https://evil.example/cb"}, "redirect_uri is not registered"),
        ({"redirect_uri": "http://127.0.0.1.evil.example:80/cb"}, "redirect_uri is not registered"),
        ({"redirect_uri": "http://user@127.0.0.1:80/cb"}, "redirect_uri is not registered"),
    ],
)
def test_bad_client_or_redirect_never_redirects(
    http: httpx2.Client, params: dict[str, str], expected: str
) -> None:
    answer = start(http, **params)
    assert answer.status_code == 400
    assert expected in answer.text


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "ea:api ea:everything"}, "invalid_scope"),
        ({"code_challenge": "x", "code_challenge_method": "MD5"}, "invalid_request"),
    ],
)
def test_bad_request_redirects_with_error(
    http: httpx2.Client, params: dict[str, str], error: str
) -> None:
    answer = start(http, **params)
    assert answer.status_code == 302
    assert f"error={error}" in answer.headers["location"]
    assert "state=st-1" in answer.headers["location"]


def test_localhost_redirect_any_port_is_allowed(http: httpx2.Client) -> None:
    answer = start(http, redirect_uri="http://localhost:59999/oauth/done?x=1")
    assert answer.status_code == 303


def test_code_is_single_use_and_replay_revokes_the_grant(http: httpx2.Client) -> None:
    code = walk(http, "anna@bakkerij.example", "anna-demo").query["code"]
    first = exchange(http, code)
    assert first.status_code == 200
    replay = exchange(http, code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    token = first.json()["access_token"]
    assert (
        http.get("/v2/fiscalyears", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )


def test_code_expires(http: httpx2.Client, clock: ManualClock) -> None:
    code = walk(http, "anna@bakkerij.example", "anna-demo").query["code"]
    clock.advance(301)
    assert exchange(http, code).json()["error"] == "invalid_grant"


def test_code_needs_the_same_redirect_uri(http: httpx2.Client) -> None:
    code = walk(http, "anna@bakkerij.example", "anna-demo").query["code"]
    answer = exchange(http, code, redirect_uri="http://127.0.0.1:8123/other")
    assert answer.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("verifier", [None, "w" * 64])
def test_pkce_is_verified_when_a_challenge_was_sent(
    http: httpx2.Client, verifier: str | None
) -> None:
    done = walk(http, "anna@bakkerij.example", "anna-demo", code_challenge=challenge("v" * 64))
    answer = exchange(http, done.query["code"], verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_token_endpoint_takes_form_bodies_only(http: httpx2.Client) -> None:
    answer = http.post("/connect/token", json={"grant_type": "refresh_token"}, auth=CLIENT_AUTH)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_client_auth_in_body_works_and_bad_secret_is_401(http: httpx2.Client) -> None:
    code = walk(http, "anna@bakkerij.example", "anna-demo").query["code"]
    base = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_AUTH[0],
    }
    bad = http.post("/connect/token", data=base | {"client_secret": "wrong"})
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"
    good = http.post("/connect/token", data=base | {"client_secret": CLIENT_AUTH[1]})
    assert good.status_code == 200, good.text


def test_unknown_grant_type(http: httpx2.Client) -> None:
    answer = http.post("/connect/token", data={"grant_type": "password"}, auth=CLIENT_AUTH)
    assert answer.json()["error"] == "unsupported_grant_type"


def test_refresh_reuse_kills_the_whole_family(http: httpx2.Client, emu: Emulator) -> None:
    first = exchange(http, walk(http, "anna@bakkerij.example", "anna-demo").query["code"]).json()
    second = refresh(http, first["refresh_token"]).json()
    reuse = refresh(http, first["refresh_token"])
    assert reuse.status_code == 400
    assert reuse.json() == {
        "error": "invalid_grant",
        "error_description": "refresh token already used",
    }
    assert refresh(http, second["refresh_token"]).json()["error"] == "invalid_grant"
    auth = {"Authorization": f"Bearer {second['access_token']}"}
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 401
    assert any(e.reason == "refresh token reused" for e in emu.state.token_events)


def test_grace_period_replays_the_same_successor(http: httpx2.Client, emu: Emulator) -> None:
    emu.config.refresh_grace_period_s = 10
    first = exchange(http, walk(http, "anna@bakkerij.example", "anna-demo").query["code"]).json()
    a = refresh(http, first["refresh_token"]).json()
    b = refresh(http, first["refresh_token"]).json()
    assert a["refresh_token"] == b["refresh_token"]


def test_no_offline_access_no_refresh_token(http: httpx2.Client) -> None:
    done = walk(http, "anna@bakkerij.example", "anna-demo", scope="ea:api ea:accounting")
    assert "refresh_token" not in exchange(http, done.query["code"]).json()


def test_access_token_expires_after_an_hour(http: httpx2.Client, clock: ManualClock) -> None:
    token = exchange(http, walk(http, "anna@bakkerij.example", "anna-demo").query["code"]).json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    clock.advance(3599)
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 200
    clock.advance(1)
    expired = http.get("/v2/fiscalyears", headers=auth)
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]
    assert "expired" in expired.headers["www-authenticate"]
    assert refresh(http, token["refresh_token"]).status_code == 200


def test_password_change_revokes_every_grant(http: httpx2.Client) -> None:
    token = exchange(http, walk(http, "anna@bakkerij.example", "anna-demo").query["code"]).json()
    changed = http.put("/_emulator/users/anna@bakkerij.example/password", json={"password": "new"})
    assert changed.json()["revoked_grants"] == 1
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 401
    assert refresh(http, token["refresh_token"]).json()["error"] == "invalid_grant"
    assert start(http).headers["location"].startswith("/connect/login")
    login = start(http).headers["location"]
    old = http.post(login, data={"email": "anna@bakkerij.example", "password": "anna-demo"})
    assert "Wrong e-mail or password" in old.text


def test_revocation_of_a_refresh_token_kills_the_family(http: httpx2.Client) -> None:
    token = exchange(http, walk(http, "anna@bakkerij.example", "anna-demo").query["code"]).json()
    answer = http.post(
        "/connect/revocation", data={"token": token["refresh_token"]}, auth=CLIENT_AUTH
    )
    assert answer.status_code == 200
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 401
    assert http.post("/connect/revocation", data={"token": "x"}).status_code == 401


def test_revoking_an_access_token_leaves_the_refresh_token(http: httpx2.Client) -> None:
    token = exchange(http, walk(http, "anna@bakkerij.example", "anna-demo").query["code"]).json()
    http.post("/connect/revocation", data={"token": token["access_token"]}, auth=CLIENT_AUTH)
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 401
    assert refresh(http, token["refresh_token"]).status_code == 200


def test_discovery_document(http: httpx2.Client) -> None:
    document = http.get("/.well-known/openid-configuration").json()
    assert document["token_endpoint"].endswith("/connect/token")


FIETSEN = str(stable_id("company", "nl-fietsen"))
SELECT_ACCOUNT = {
    "prompt": "select_account",
    "acr_values": "service:44643EB1-3F76-4C1C-A672-402AE8085934",
}


def api_answer(http: httpx2.Client, code: str) -> httpx2.Response:
    token = exchange(http, code).json()["access_token"]
    return http.get("/v2/companysettings", headers={"Authorization": f"Bearer {token}"})


def test_the_default_company_trap_and_its_fix(http: httpx2.Client, emu: Emulator) -> None:
    """Seeded ``jan@fietsen.example``: his starred company (API module off) wins over the
    picker payjournal asks for, OAuth succeeds, the API refuses with 4002, and authorizing
    again loops; removing the star on his settings page ends it."""
    for attempt in range(2):  # re-authorizing does not help: it "loops forever"
        done = walk(http, "jan@fietsen.example", "jan-demo", **SELECT_ACCOUNT)
        assert done.pages == (["login", "consent"] if attempt == 0 else ["consent"])
        refused = api_answer(http, done.query["code"])
        assert (refused.status_code, refused.json()["ErrorCode"]) == (403, 4002)
        assert "No access to module: api_standard" in refused.json()["DeveloperErrorMessage"]
    grants = {(f.user_email, str(f.company_id)) for f in emu.state.families.values()}
    assert grants == {("jan@fietsen.example", FIETSEN)}  # every grant bound to the default

    settings = http.get("/settings/default-company")  # the browser login is remembered
    assert settings.status_code == 200 and "Fietsenmaker Jansen B.V. ★" in settings.text
    saved = http.post("/settings/default-company", data={"company_id": ""})
    assert "Saved." in saved.text and "B.V. ★" not in saved.text
    assert emu.state.user("jan@fietsen.example").default_company_id is None  # type: ignore[union-attr]

    done = walk(http, "jan@fietsen.example", "jan-demo", company=BAKKERIJ, **SELECT_ACCOUNT)
    assert done.pages == ["company", "consent"]
    answer = api_answer(http, done.query["code"])
    assert answer.status_code == 200 and answer.json()["Name"] == "Bakkerij De Vries B.V."


def test_the_settings_page_asks_for_a_login_and_sets_a_default(http: httpx2.Client) -> None:
    assert 'name="password"' in http.get("/settings/default-company").text
    wrong = http.post(
        "/settings/default-company", data={"email": "jan@fietsen.example", "password": "x"}
    )
    assert "Wrong e-mail or password." in wrong.text
    http.post(
        "/settings/default-company", data={"email": "erik@nordisk.example", "password": "erik-demo"}
    )
    page = http.post("/settings/default-company", data={"company_id": SUNDSVALL})
    assert "Sundsvall Konsult AB ★" in page.text
    assert http.post("/settings/default-company", data={"company_id": BAKKERIJ}).status_code == 400
    done = walk(http, "erik@nordisk.example", "erik-demo")
    assert done.pages == ["consent"]  # the default now skips the picker (not forced)
    assert company_name(http, exchange(http, done.query["code"]).json()["access_token"]) == (
        "Sundsvall Konsult AB"
    )
