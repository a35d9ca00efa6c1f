"""Who may call what: tokens, companies, modules, scopes and the rate limit."""

from __future__ import annotations

import httpx2
import pytest

from payjournal.emulator import Emulator, ManualClock
from payjournal.emulator.conformance import SpecCheck
from tests.emulator.conftest import Login, error_code, voucher


def test_missing_or_unknown_token_is_401_with_vismas_json_body(http: httpx2.Client) -> None:
    missing = http.get("/v2/vouchers")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert error_code(missing) == 4005
    assert missing.json()["DeveloperErrorMessage"] == (
        "AuthorizationException - Authorization has been denied for this request."
    )
    unknown = http.get("/v2/vouchers", headers={"Authorization": "Bearer nope"})
    assert unknown.status_code == 401
    assert 'error="invalid_token"' in unknown.headers["www-authenticate"]
    assert error_code(unknown) == 4005


def test_an_empty_401_body_is_a_knob(http: httpx2.Client, emu: Emulator) -> None:
    emu.config.unauthorized_json_body = False
    answer = http.get("/v2/vouchers", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert answer.content == b""


def test_api_module_off_is_4002_even_with_every_scope(http: httpx2.Client, login: Login) -> None:
    auth = login(company="nl-fietsen")
    answer = http.get("/v2/companysettings", headers=auth)
    assert answer.status_code == 403
    assert error_code(answer) == 4002


def test_switching_the_module_on_lets_the_same_token_in(http: httpx2.Client, login: Login) -> None:
    auth = login(company="nl-fietsen")
    http.put("/_emulator/companies/nl-fietsen/settings", json={"api_module_enabled": True})
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 200
    http.put("/_emulator/companies/nl-fietsen/settings", json={"api_module_enabled": False})
    assert error_code(http.get("/v2/fiscalyears", headers=auth)) == 4002


def test_companysettings_needs_a_sales_scope(http: httpx2.Client, login: Login) -> None:
    auth = login(scopes="ea:api offline_access ea:accounting")
    answer = http.get("/v2/companysettings", headers=auth)
    assert answer.status_code == 403
    assert error_code(answer) == 4006
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 200


def test_posting_vouchers_needs_ea_accounting(http: httpx2.Client, login: Login) -> None:
    auth = login(scopes="ea:api ea:accounting_readonly ea:sales")
    assert http.get("/v2/vouchers", headers=auth).status_code == 200
    assert error_code(http.post("/v2/vouchers", json=voucher(), headers=auth)) == 4006


def test_ea_api_scope_is_required(http: httpx2.Client, login: Login) -> None:
    auth = login(scopes="ea:accounting ea:sales")
    assert error_code(http.get("/v2/fiscalyears", headers=auth)) == 4006


def test_user_removed_from_company_gets_4011(http: httpx2.Client, login: Login) -> None:
    auth = login()
    http.delete("/_emulator/users/anna@bakkerij.example/companies/nl-bakkerij")
    answer = http.get("/v2/fiscalyears", headers=auth)
    assert answer.status_code == 403
    assert error_code(answer) == 4011
    assert "does not have access to eAccounting" in answer.json()["DeveloperErrorMessage"]


@pytest.mark.parametrize(
    ("change", "code"),
    [({"startup_guide_completed": False}, 4003), ({"company_status": 0}, 4004)],
)
def test_company_state_errors(
    http: httpx2.Client, login: Login, change: dict[str, object], code: int
) -> None:
    auth = login()
    http.put("/_emulator/companies/nl-bakkerij/settings", json=change)
    answer = http.get("/v2/fiscalyears", headers=auth)
    assert answer.status_code == 403
    assert error_code(answer) == code


def test_rate_limit_per_client_and_endpoint(
    http: httpx2.Client, login: Login, emu: Emulator, clock: ManualClock
) -> None:
    emu.limiter.per_minute = emu.config.rate_limit_per_minute = 3
    auth = login()
    for _ in range(3):
        assert http.get("/v2/fiscalyears", headers=auth).status_code == 200
    clock.advance(20)
    refused = http.get("/v2/fiscalyears", headers=auth)
    assert refused.status_code == 429
    assert error_code(refused) == 4010
    assert refused.headers["retry-after"] == "40"
    assert refused.json()["DeveloperErrorMessage"] == (
        "API calls quota exceeded! maximum admitted 3 per Minute. Try again in 40 seconds."
    )
    assert http.get("/v2/costcenters", headers=auth).status_code == 200
    other_company = login(email="erik@nordisk.example", company="se-nordisk")
    assert http.get("/v2/fiscalyears", headers=other_company).status_code == 429
    clock.advance(40)
    assert http.get("/v2/fiscalyears", headers=auth).status_code == 200


def test_rate_limit_counts_the_route_template_not_the_path(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    emu.limiter.per_minute = 1
    auth = login()
    years = [fy["Id"] for fy in http.get("/v2/fiscalyears", headers=auth).json()["Data"]]
    assert http.get(f"/v2/fiscalyears/{years[0]}", headers=auth).status_code == 200
    assert http.get(f"/v2/fiscalyears/{years[1]}", headers=auth).status_code == 429
    emu.config.rate_limit_key = "path"
    emu.limiter.reset()
    assert http.get(f"/v2/fiscalyears/{years[0]}", headers=auth).status_code == 200
    assert http.get(f"/v2/fiscalyears/{years[1]}", headers=auth).status_code == 200


def test_unknown_route_is_a_visma_404(http: httpx2.Client) -> None:
    answer = http.get("/v2/nothing-here")
    assert answer.status_code == 404


def test_paths_are_not_case_sensitive(
    http: httpx2.Client, login: Login, emu: Emulator, conformance: SpecCheck
) -> None:
    """ASP.NET routing: ``GET /v2/Vouchers`` works in production; ids are GUIDs, any case."""
    auth = login()
    years = http.get("/v2/FiscalYears", headers=auth)
    assert years.status_code == 200
    fy = years.json()["Data"][1]["Id"]
    assert http.get(f"/V2/fiscalyears/{fy.upper()}", headers=auth).json()["Id"] == fy
    created = http.post("/v2/Vouchers", json=voucher(), headers=auth)
    assert created.status_code == 201
    one = http.get(f"/v2/Vouchers/{fy}/{created.json()['Id'].upper()}", headers=auth)
    assert one.json()["Id"] == created.json()["Id"]
    assert http.get("/v2/Accounts/" + fy + "/4000", headers=auth).json()["Number"] == "4000"
    # one endpoint for the rate limit and the log, whatever the case
    assert {r.endpoint for r in list(emu.requests)[-2:]} == {
        "GET /v2/vouchers/{fiscalyearId}/{voucherId}",
        "GET /v2/accounts/{fiscalyearId}/{accountNumber}",
    }
    assert ("get", "/v2/fiscalyears") in conformance.seen  # checked against the spec too
    assert http.get("/v2/NoSuchThing", headers=auth).status_code == 404
