"""The control API: reading state, changing the world, the clock, reset, clients."""

from __future__ import annotations

import httpx2

from payjournal.emulator import Emulator, stable_id
from tests.emulator.conftest import Login, voucher
from tests.emulator.oauth_flow import exchange, start, walk


def test_state_overview(http: httpx2.Client) -> None:
    state = http.get("/_emulator/state").json()
    assert state["seed"] == "demo"
    assert state["now"] == "2026-11-23T09:00:00.000Z"
    keys = {c["key"]: c for c in state["companies"]}
    assert set(keys) == {"nl-bakkerij", "nl-fietsen", "se-nordisk", "se-sundsvall"}
    assert keys["nl-fietsen"]["api_module_enabled"] is False
    assert keys["se-nordisk"]["accounting_locked_to"] == "2026-10-31T00:00:00"
    assert len(keys["se-sundsvall"]["fiscal_years"]) == 1
    users = {u["email"]: u for u in state["users"]}
    assert users["anna@bakkerij.example"]["default_company"] == "nl-bakkerij"
    assert state["clients"][0]["client_id"] == "payjournal-demo"


def test_vouchers_and_requests_are_visible(http: httpx2.Client, login: Login) -> None:
    http.post("/v2/vouchers", json=voucher(), headers=login())
    vouchers = http.get("/_emulator/companies/nl-bakkerij/vouchers").json()
    assert [v["NumberAndNumberSeries"] for v in vouchers] == ["A1", "A2", "A3"]
    requests = http.get("/_emulator/requests").json()
    assert requests[-1] | {"at": None, "index": None} == {
        "at": None,
        "index": None,
        "method": "POST",
        "path": "/v2/vouchers",
        "endpoint": "POST /v2/vouchers",
        "status": 201,
        "client_id": "payjournal-demo",
        "company": "nl-bakkerij",
        "fault": None,
    }
    later = http.get("/_emulator/requests", params={"since": requests[-1]["index"] + 1})
    assert later.json() == []
    assert http.get("/_emulator/companies/nope").status_code == 404


def test_tokens_issued_and_refused(http: httpx2.Client) -> None:
    code = walk(http, "anna@bakkerij.example", "anna-demo").query["code"]
    exchange(http, code)
    exchange(http, code)
    tokens = http.get("/_emulator/tokens").json()
    assert (tokens["issued"], tokens["refused"]) == (1, 1)
    assert tokens["grants"][0]["revoked_reason"] == "authorization code replayed"


def test_fiscal_year_add_and_remove(http: httpx2.Client, login: Login) -> None:
    auth = login(email="erik@nordisk.example", company="se-sundsvall")
    added = http.post(
        "/_emulator/companies/se-sundsvall/fiscalyears",
        json={"start": "2027-01-01", "end": "2027-12-31"},
    )
    assert added.status_code == 200
    assert len(http.get("/v2/fiscalyears", headers=auth).json()["Data"]) == 2
    overlap = http.post(
        "/_emulator/companies/se-sundsvall/fiscalyears",
        json={"start": "2027-06-01", "end": "2028-05-31"},
    )
    assert overlap.status_code == 409
    removed = http.delete(f"/_emulator/companies/se-sundsvall/fiscalyears/{added.json()['id']}")
    assert len(removed.json()["fiscal_years"]) == 1
    fy2026 = stable_id("se-sundsvall", "fiscalyear", "2026")
    body = voucher(
        rows=[
            {"AccountNumber": 7210, "DebitAmount": 5, "CreditAmount": 0},
            {"AccountNumber": 1930, "DebitAmount": 0, "CreditAmount": 5},
        ]
    )
    http.post("/v2/vouchers", json=body, headers=auth)
    busy = http.delete(f"/_emulator/companies/se-sundsvall/fiscalyears/{fy2026}")
    assert busy.status_code == 409


def test_account_flags(http: httpx2.Client, login: Login) -> None:
    changed = http.put(
        "/_emulator/companies/nl-bakkerij/accounts/1600", json={"cost_center_allowed": True}
    ).json()
    assert len(changed) == 3 and all(a["IsCostCenterAllowed"] for a in changed)
    assert http.put("/_emulator/companies/nl-bakkerij/accounts/4444", json={}).status_code == 404


def test_default_company_change_brings_the_picker(http: httpx2.Client) -> None:
    http.put("/_emulator/users/anna@bakkerij.example/default-company", json={"company": None})
    assert walk(http, "anna@bakkerij.example", "anna-demo").pages == ["login", "company", "consent"]
    refused = http.put(
        "/_emulator/users/anna@bakkerij.example/default-company", json={"company": "se-sundsvall"}
    )
    assert refused.status_code == 400


def test_clock_offset_expires_tokens(http: httpx2.Client, login: Login) -> None:
    auth = login()
    http.put("/_emulator/clock", json={"advance_seconds": 3601})
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 401
    clock = http.put("/_emulator/clock", json={"offset_seconds": 0}).json()
    assert clock["now"] == "2026-11-23T09:00:00.000Z"


def test_registered_client_with_its_own_redirects(http: httpx2.Client) -> None:
    http.post(
        "/_emulator/clients",
        json={
            "client_id": "nmbrs",
            "client_secret": "s3",
            "redirect_uri_patterns": ["https://payroll.example/visma/callback"],
        },
    )
    ok = start(http, client_id="nmbrs", redirect_uri="https://payroll.example/visma/callback")
    assert ok.status_code == 303
    bad = start(http, client_id="nmbrs", redirect_uri="https://payroll.example/other")
    assert bad.status_code == 400
    assert http.post("/_emulator/clients", json={"client_id": "x"}).status_code == 400


def test_reset_rebuilds_the_seed(http: httpx2.Client, login: Login, emu: Emulator) -> None:
    auth = login()
    http.post("/v2/vouchers", json=voucher(), headers=auth)
    http.put("/_emulator/faults", json={"latency_ms": 5})
    state = http.post("/_emulator/reset", json={"seed": "demo"}).json()
    assert {c["key"]: c["voucher_count"] for c in state["companies"]}["nl-bakkerij"] == 2
    assert state["faults"]["latency_ms"] == 0
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 401
    assert http.post("/_emulator/reset", json={"seed": "nope"}).status_code == 400
    empty = http.post("/_emulator/reset", json={"seed": "empty"}).json()
    assert empty["companies"] == []


def test_minting_tokens_validates_input(http: httpx2.Client) -> None:
    answer = http.post("/_emulator/tokens", json={"email": "x@y", "company": "nl-bakkerij"})
    assert answer.status_code == 400
    assert http.post("/_emulator/tokens", content=b"[").status_code == 400


def test_settings_validation(http: httpx2.Client) -> None:
    bad = http.put(
        "/_emulator/companies/nl-bakkerij/settings", json={"accounting_locked_to": "yesterday"}
    )
    assert bad.status_code == 400


def test_a_user_withdraws_the_apps_access_for_one_company_or_all(
    http: httpx2.Client, login: Login
) -> None:
    """``DELETE /_emulator/users/{email}/grants``: the grants die (their tokens are refused),
    those for other companies live on unless no company is named."""
    bakery = login()
    fietsen = login(email="jan@fietsen.example", company="nl-bakkerij")
    own = login(email="erik@nordisk.example", company="se-nordisk")
    answer = http.delete(
        "/_emulator/users/anna@bakkerij.example/grants", params={"company": "nl-bakkerij"}
    )
    assert answer.json() == {"email": "anna@bakkerij.example", "revoked_grants": 1}
    assert http.get("/v2/companysettings", headers=bakery).status_code == 401
    assert http.get("/v2/companysettings", headers=fietsen).status_code == 200
    everything = http.delete("/_emulator/users/erik@nordisk.example/grants").json()
    assert everything["revoked_grants"] == 1
    assert http.get("/v2/companysettings", headers=own).status_code == 401
    assert http.delete("/_emulator/users/nobody@x.example/grants").status_code == 404
    assert (
        http.delete(
            "/_emulator/users/anna@bakkerij.example/grants", params={"company": "nope"}
        ).status_code
        == 404
    )
