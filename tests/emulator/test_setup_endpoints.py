"""Company settings, fiscal years, accounts, cost centers and projects."""

from __future__ import annotations

import httpx2
import pytest

from payjournal.emulator import Emulator, stable_id
from payjournal.emulator import spec as official
from tests.emulator.conftest import Login, error_code, voucher

FY2026 = str(stable_id("nl-bakkerij", "fiscalyear", "2026"))


def test_company_settings(http: httpx2.Client, login: Login) -> None:
    settings = http.get(
        "/v2/companysettings", headers=login(email="erik@nordisk.example", company="se-nordisk")
    ).json()
    assert settings["Name"] == "Nordisk Trä AB"
    assert (settings["CountryCode"], settings["CurrencyCode"]) == ("SE", "SEK")
    assert settings["CompanyIdentifier"] == str(stable_id("company", "se-nordisk"))
    assert settings["CorporateIdentityNumber"] == "556677-8899"
    assert settings["ActivatedModules"] == ["api_standard"]


@pytest.mark.parametrize(
    ("email", "company"),
    [("anna@bakkerij.example", "nl-bakkerij"), ("erik@nordisk.example", "se-nordisk")],
)
def test_company_settings_have_the_full_spec_shape(
    http: httpx2.Client, login: Login, email: str, company: str
) -> None:
    """Production sends every property of ``CompanySettingsApi`` (and more); so do we — every
    one the spec defines, nested objects included (the conformance hook checks their types)."""
    settings = http.get("/v2/companysettings", headers=login(email=email, company=company)).json()
    definitions = official.load_spec()["definitions"]
    assert set(settings) == set(definitions["CompanySettingsApi"]["properties"])
    for name, ref in [
        ("CompanyText", "CompanyTextsApi"),
        ("ApprovalSettings", "ApprovalSettingsApi"),
        ("AutoInvoice", "AutoInvoiceApi"),
    ]:
        assert set(settings[name]) == set(definitions[ref]["properties"])
    assert settings["KeepOriginalDraftDate"] is False and settings["VatPeriod"] == 3
    swedish = settings["CountryCode"] == "SE"
    assert (settings["CompanyRotRutSettings"] is not None) == swedish
    assert (settings["TaxDeclarationDate"] is not None) == swedish


def test_fiscal_years_list_and_get(http: httpx2.Client, login: Login) -> None:
    auth = login()
    years = http.get("/v2/fiscalyears", headers=auth).json()["Data"]
    assert [y["StartDate"] for y in years] == [
        "2025-01-01T00:00:00",
        "2026-01-01T00:00:00",
        "2027-01-01T00:00:00",
    ]
    one = http.get(f"/v2/fiscalyears/{FY2026}", headers=auth)
    assert one.json()["EndDate"] == "2026-12-31T00:00:00"
    missing = http.get("/v2/fiscalyears/not-a-guid", headers=auth)
    assert (missing.status_code, error_code(missing)) == (404, 3001)


def test_creating_the_next_fiscal_year_unblocks_january(http: httpx2.Client, login: Login) -> None:
    auth = login(email="erik@nordisk.example", company="se-sundsvall")
    january = voucher(
        "2027-01-31",
        rows=[
            {"AccountNumber": 7210, "DebitAmount": 100, "CreditAmount": 0},
            {"AccountNumber": 1930, "DebitAmount": 0, "CreditAmount": 100},
        ],
    )
    assert error_code(http.post("/v2/vouchers", json=january, headers=auth)) == 3001
    gap = http.post(
        "/v2/fiscalyears", json={"StartDate": "2027-02-01", "EndDate": "2027-12-31"}, headers=auth
    )
    assert error_code(gap) == 2000
    created = http.post(
        "/v2/fiscalyears", json={"StartDate": "2027-01-01", "EndDate": "2027-12-31"}, headers=auth
    )
    assert created.status_code == 201, created.text
    fy = created.json()["Id"]
    accounts = http.get(f"/v2/accounts/{fy}", headers=auth).json()
    assert accounts["Meta"]["TotalNumberOfResults"] == 19
    posted = http.post("/v2/vouchers", json=january, headers=auth)
    assert posted.status_code == 201
    assert posted.json()["NumberAndNumberSeries"] == "A1"


def test_fiscal_year_body_is_checked(http: httpx2.Client, login: Login) -> None:
    auth = login()
    assert error_code(http.post("/v2/fiscalyears", json={}, headers=auth)) == 2000
    backwards = {"StartDate": "2028-12-31", "EndDate": "2028-01-01"}
    assert error_code(http.post("/v2/fiscalyears", json=backwards, headers=auth)) == 2000


def test_accounts_by_year_and_number(http: httpx2.Client, login: Login) -> None:
    auth = login()
    listing = http.get(f"/v2/accounts/{FY2026}", headers=auth, params={"$pagesize": 100}).json()
    by_number = {a["Number"]: a for a in listing["Data"]}
    assert by_number["4000"]["Name"] == "Lonen en salarissen"
    assert by_number["4000"]["IsCostCenterAllowed"] is True
    assert by_number["1650"]["IsCostCenterAllowed"] is False
    assert by_number["4390"]["IsActive"] is False
    assert by_number["1510"]["IsBlockedForManualBooking"] is True
    one = http.get(f"/v2/accounts/{FY2026}/1630", headers=auth).json()
    assert (one["Number"], one["FiscalYearId"]) == ("1630", FY2026)
    missing = http.get(f"/v2/accounts/{FY2026}/4001", headers=auth)
    assert (missing.status_code, error_code(missing)) == (404, 3002)


def test_accounts_without_a_fiscal_year_list_every_year(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    """Visma's own 2018 Swagger: ``GET /v2/accounts`` lists the accounts of all fiscal years,
    so a number appears once per year; ``accounts_without_year`` keeps the old guess."""
    auth = login()
    years = [y["Id"] for y in http.get("/v2/fiscalyears", headers=auth).json()["Data"]]
    every = http.get("/v2/accounts", headers=auth, params={"$pagesize": 1000}).json()["Data"]
    assert [a["FiscalYearId"] for a in every if a["Number"] == "4000"] == years
    assert len(every) == 3 * 18
    emu.config.accounts_without_year = "current_year"
    current = http.get("/v2/accounts", headers=auth).json()["Data"]
    assert {a["FiscalYearId"] for a in current} == {FY2026}


def test_swedish_chart_has_the_payroll_accounts(http: httpx2.Client, login: Login) -> None:
    auth = login(email="erik@nordisk.example", company="se-nordisk")
    numbers = {a["Number"] for a in http.get("/v2/accounts", headers=auth).json()["Data"]}
    assert {
        "7010",
        "7210",
        "7510",
        "7410",
        "7090",
        "2710",
        "2731",
        "2740",
        "2920",
        "2940",
        "1930",
        "3740",
    } <= numbers


def test_cost_centers_nest_their_items(http: httpx2.Client, login: Login) -> None:
    auth = login()
    centers = http.get("/v2/costcenters", headers=auth).json()["Data"]
    assert [(c["Number"], c["Name"]) for c in centers] == [(1, "Afdeling"), (2, "Vestiging")]
    shorts = [i["ShortName"] for i in centers[0]["Items"]]
    assert shorts == ["PROD", "WINK", "ADM", "OUD"]
    item_id = centers[0]["Items"][0]["Id"]
    item = http.get(f"/v2/costcenteritems/{item_id}", headers=auth).json()
    assert (item["Name"], item["CostCenterId"]) == ("Productie", centers[0]["Id"])
    missing = http.get(f"/v2/costcenteritems/{FY2026}", headers=auth)
    assert (missing.status_code, error_code(missing)) == (404, 3000)


def test_projects(http: httpx2.Client, login: Login) -> None:
    auth = login()
    projects = http.get("/v2/projects", headers=auth).json()["Data"]
    assert [(p["Number"], p["Name"]) for p in projects] == [("P100", "Nieuwe oven")]
    one = http.get(f"/v2/projects/{projects[0]['Id']}", headers=auth)
    assert one.json()["Status"] == 1
    assert http.get(f"/v2/projects/{FY2026}", headers=auth).status_code == 404
