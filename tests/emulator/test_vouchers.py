"""Voucher rules: numbering, amounts, balance, fiscal year, lock, accounts and dimensions."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from payjournal.emulator import Emulator, stable_id
from tests.emulator.conftest import Login, error_code, voucher

PROD = str(stable_id("nl-bakkerij", "costcenteritem", "PROD"))
OUD = str(stable_id("nl-bakkerij", "costcenteritem", "OUD"))
AMS = str(stable_id("nl-bakkerij", "costcenteritem", "AMS"))
P100 = str(stable_id("nl-bakkerij", "project", "P100"))


def rows(*lines: tuple[int, Any, Any], **extra: Any) -> list[dict[str, Any]]:
    """Rows from (account, debit, credit); ``extra`` goes on the first row."""
    out = [{"AccountNumber": a, "DebitAmount": d, "CreditAmount": c} for a, d, c in lines]
    out[0].update(extra)
    return out


def post(
    http: httpx2.Client,
    auth: dict[str, str],
    body: dict[str, Any],
    params: dict[str, str] | None = None,
) -> httpx2.Response:
    return http.post("/v2/vouchers", json=body, headers=auth, params=params)


def test_every_post_is_a_new_voucher_with_the_next_number(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    auth = login()
    numbers = [post(http, auth, voucher()).json()["NumberAndNumberSeries"] for _ in range(3)]
    assert numbers == ["A3", "A4", "A5"]
    assert len(emu.state.company("nl-bakkerij").vouchers) == 5  # type: ignore[union-attr]


def test_numbering_is_per_fiscal_year_and_series(http: httpx2.Client, login: Login) -> None:
    auth = login()
    assert post(http, auth, voucher("2027-01-31")).json()["NumberAndNumberSeries"] == "A1"
    body = voucher() | {"NumberSeries": "L"}
    created = post(http, auth, body, {"useDefaultVoucherSeries": "false"}).json()
    assert (created["NumberSeries"], created["NumberAndNumberSeries"]) == ("L", "L1")
    assert post(http, auth, body).json()["NumberAndNumberSeries"] == "A3"


def test_custom_series_must_be_given_when_asked_for(http: httpx2.Client, login: Login) -> None:
    answer = post(http, login(), voucher(), {"useDefaultVoucherSeries": "false"})
    assert error_code(answer) == 2000
    assert answer.json()["Errors"][0]["Field"] == "NumberSeries"


def test_amounts_are_decimal_exact(http: httpx2.Client, login: Login) -> None:
    body = voucher(rows=rows((4000, 0.1, 0), (4000, 0.2, 0), (1650, 0, 0.3)))
    created = post(http, login(), body)
    assert created.status_code == 201, created.text
    assert b'"DebitAmount":0.10' in created.content


@pytest.mark.parametrize(
    ("lines", "field", "words"),
    [
        (((4000, 100.001, 0), (1650, 0, 100.001)), "Rows[0].DebitAmount", "max 2 decimals"),
        (((4000, -100, 0), (1650, 0, -100)), "Rows[0].DebitAmount", "negative"),
        (((4000, 1000000000.01, 0), (1650, 0, 1000000000.01)), "Rows[0].DebitAmount", "exceed"),
        (((4000, 100, 100), (1650, 0, 0)), "Rows[0].", "either a debit or a credit"),
        (((4000, "100", 0), (1650, 0, 100)), "Rows[0].DebitAmount", "must be a number"),
        (((0, 100, 0), (1650, 0, 100)), "Rows[0].AccountNumber", "required"),
    ],
)
def test_row_shape_errors_are_2000(
    http: httpx2.Client,
    login: Login,
    lines: tuple[tuple[int, Any, Any], ...],
    field: str,
    words: str,
) -> None:
    answer = post(http, login(), voucher(rows=rows(*lines)))
    assert answer.status_code == 400
    assert error_code(answer) == 2000
    assert any(e["Field"] == field and words in e["Message"] for e in answer.json()["Errors"])


def test_all_shape_problems_are_reported_at_once(http: httpx2.Client, login: Login) -> None:
    body = {
        "VoucherText": "x" * 1001,
        "Rows": rows((4000, 1.234, 0), (1650, 0, -1), TransactionText="t" * 61),
    }
    fields = {e["Field"] for e in post(http, login(), body).json()["Errors"]}
    assert fields >= {
        "VoucherDate",
        "VoucherText",
        "Rows[0].DebitAmount",
        "Rows[1].CreditAmount",
        "Rows[0].TransactionText",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"VoucherDate": "2026-11-23", "Rows": []},
        {"VoucherDate": "23-11-2026", "VoucherText": "x", "Rows": rows((4000, 1, 0), (1650, 0, 1))},
        {
            "VoucherDate": "2026-11-23",
            "VoucherText": "x",
            "Rows": rows((4000, 1, 0), (1650, 0, 1)),
            "VoucherType": 22,
        },
        ["not", "an", "object"],
    ],
)
def test_required_fields_and_types(http: httpx2.Client, login: Login, body: Any) -> None:
    assert error_code(post(http, login(), body)) == 2000


def test_zero_rows_are_refused_unless_configured(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    body = voucher(rows=rows((4000, 10, 0), (1650, 0, 10), (4100, 0, 0)))
    assert error_code(post(http, login(), body)) == 2000
    emu.config.allow_zero_rows = True
    assert post(http, login(), body).status_code == 201


def test_unbalanced_voucher_is_refused_with_a_configurable_code(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    body = voucher(rows=rows((4000, 100, 0), (1650, 0, 99.99)))
    answer = post(http, login(), body)
    assert error_code(answer) == 2000
    assert "does not balance" in answer.json()["DeveloperErrorMessage"]
    emu.config.unbalanced_error_code = 4032
    assert error_code(post(http, login(), body)) == 4032
    assert len(emu.state.company("nl-bakkerij").vouchers) == 2  # type: ignore[union-attr]


def test_no_fiscal_year_for_the_date_is_3001(http: httpx2.Client, login: Login) -> None:
    auth = login(email="erik@nordisk.example", company="se-sundsvall")
    body = voucher("2027-01-31", rows=rows((7210, 500, 0), (1930, 0, 500)))
    answer = post(http, auth, body)
    assert answer.status_code == 400
    assert error_code(answer) == 3001
    assert answer.json()["DeveloperErrorMessage"].startswith("Resource not found: fiscalYearId")
    assert post(http, auth, body | {"VoucherDate": "2026-12-31"}).status_code == 201


def test_locked_period_is_4026(http: httpx2.Client, login: Login) -> None:
    auth = login(email="erik@nordisk.example", company="se-nordisk")
    settings = http.get("/v2/companysettings", headers=auth).json()
    assert settings["AccountingLockedTo"] == "2026-10-31T00:00:00"
    october = voucher("2026-10-31", rows=rows((7210, 500, 0), (1930, 0, 500)))
    assert error_code(post(http, auth, october)) == 4026
    assert post(http, auth, october | {"VoucherDate": "2026-11-01"}).status_code == 201


def test_lock_date_and_locked_fiscal_year_via_control(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    auth = login()
    http.put(
        "/_emulator/companies/nl-bakkerij/settings", json={"accounting_locked_to": "2026-11-30"}
    )
    assert error_code(post(http, auth, voucher())) == 4026
    http.put("/_emulator/companies/nl-bakkerij/settings", json={"accounting_locked_to": None})
    assert post(http, auth, voucher()).status_code == 201
    fy = str(stable_id("nl-bakkerij", "fiscalyear", "2026"))
    http.put(f"/_emulator/companies/nl-bakkerij/fiscalyears/{fy}", json={"locked": True})
    assert error_code(post(http, auth, voucher())) == 4026


def test_unknown_account_is_3002(http: httpx2.Client, login: Login) -> None:
    answer = post(http, login(), voucher(rows=rows((4001, 10, 0), (1650, 0, 10))))
    assert answer.status_code == 400
    assert error_code(answer) == 3002
    assert "4001" in answer.json()["DeveloperErrorMessage"]


@pytest.mark.parametrize(
    ("lines", "extra", "words"),
    [
        (((4390, 10, 0), (1650, 0, 10)), {}, "inactive"),
        (((1510, 10, 0), (1650, 0, 10)), {}, "blocked for manual booking"),
        (
            ((1600, 10, 0), (1650, 0, 10)),
            {"CostCenterItemId1": PROD},
            "does not allow cost centers",
        ),
        (((4000, 10, 0), (1650, 0, 10)), {"CostCenterItemId1": OUD}, "inactive"),
        (((4000, 10, 0), (1650, 0, 10)), {"CostCenterItemId1": AMS}, "cost center 2"),
        (((1600, 10, 0), (1650, 0, 10)), {"ProjectId": P100}, "does not allow projects"),
    ],
)
def test_account_and_dimension_rules_are_2000(
    http: httpx2.Client,
    login: Login,
    lines: tuple[tuple[int, Any, Any], ...],
    extra: dict[str, str],
    words: str,
) -> None:
    answer = post(http, login(), voucher(rows=rows(*lines, **extra)))
    assert error_code(answer) == 2000
    assert words in answer.json()["DeveloperErrorMessage"]


def test_cost_centers_and_projects_on_allowed_accounts(http: httpx2.Client, login: Login) -> None:
    body = voucher(
        rows=rows(
            (4000, 10, 0),
            (1650, 0, 10),
            CostCenterItemId1=PROD,
            CostCenterItemId2=AMS,
            ProjectId=P100,
        )
    )
    created = post(http, login(), body)
    assert created.status_code == 201, created.text
    row = created.json()["Rows"][0]
    assert (row["CostCenterItemId1"], row["CostCenterItemId2"], row["ProjectId"]) == (
        PROD,
        AMS,
        P100,
    )


@pytest.mark.parametrize("field", ["CostCenterItemId1", "ProjectId"])
def test_unknown_references_are_3000(http: httpx2.Client, login: Login, field: str) -> None:
    body = voucher(
        rows=rows((4000, 10, 0), (1650, 0, 10), **{field: "00000000-0000-4000-8000-000000000000"})
    )
    assert error_code(post(http, login(), body)) == 3000


def test_account_toggled_inactive_through_control(http: httpx2.Client, login: Login) -> None:
    http.put("/_emulator/companies/nl-bakkerij/accounts/4000", json={"is_active": False})
    assert error_code(post(http, login(), voucher())) == 2000


def test_reading_vouchers_by_year_and_id(http: httpx2.Client, login: Login) -> None:
    auth = login()
    created = post(http, auth, voucher()).json()
    fy = str(stable_id("nl-bakkerij", "fiscalyear", "2026"))
    listed = http.get(f"/v2/vouchers/{fy}", headers=auth).json()
    assert [v["NumberAndNumberSeries"] for v in listed["Data"]] == ["A1", "A2", "A3"]
    assert http.get("/v2/vouchers", headers=auth).json()["Meta"]["TotalNumberOfResults"] == 3
    other_year = str(stable_id("nl-bakkerij", "fiscalyear", "2025"))
    assert http.get(f"/v2/vouchers/{other_year}", headers=auth).json()["Data"] == []
    missing = http.get(f"/v2/vouchers/{other_year}/{created['Id']}", headers=auth)
    assert (missing.status_code, error_code(missing)) == (404, 3000)
    unknown_year = http.get(f"/v2/vouchers/{created['Id']}", headers=auth)
    assert (unknown_year.status_code, error_code(unknown_year)) == (404, 3001)


def test_vouchers_of_another_company_are_invisible(http: httpx2.Client, login: Login) -> None:
    created = post(http, login(), voucher()).json()
    fy = str(stable_id("nl-bakkerij", "fiscalyear", "2026"))
    other = login(email="erik@nordisk.example", company="se-nordisk")
    assert http.get(f"/v2/vouchers/{fy}/{created['Id']}", headers=other).status_code == 404


def test_automatic_vat_is_not_emulated(http: httpx2.Client, login: Login) -> None:
    answer = post(http, login(), voucher(), {"useAutomaticVatCalculation": "true"})
    assert error_code(answer) == 2000
    assert error_code(post(http, login(), voucher(), {"useDefaultVatCodes": "maybe"})) == 2000


def test_non_json_body_is_refused(http: httpx2.Client, login: Login) -> None:
    auth = login()
    form = http.post("/v2/vouchers", data={"VoucherDate": "2026-11-23"}, headers=auth)
    assert error_code(form) == 2000
    broken = http.post(
        "/v2/vouchers", content=b"{", headers=auth | {"Content-Type": "application/json"}
    )
    assert error_code(broken) == 2000


@pytest.mark.parametrize(
    ("field", "value"),
    [("DebitAmount", "1000.00"), ("AccountNumber", "4000")],
    ids=["string-amount", "string-account"],
)
def test_numbers_sent_as_strings_are_refused_on_purpose(
    http: httpx2.Client, login: Login, emu: Emulator, field: str, value: str
) -> None:
    """A deliberate difference (docs/emulator.md, 12): JSON.NET in production would coerce the
    string; the emulator refuses it so no client of ours comes to depend on the coercion."""
    body = voucher()
    body["Rows"][0][field] = value
    answer = post(http, login(), body)
    assert (answer.status_code, error_code(answer)) == (400, 2000)
    assert any(e["Field"] and field in e["Field"] for e in answer.json()["Errors"])
    assert sum(len(c.vouchers) for c in emu.state.companies.values()) == 4  # the seeded four
