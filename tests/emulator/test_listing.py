"""Paging envelope and the OData subset, through the API and on the parser itself."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx2
import pytest

from payjournal.emulator import Emulator
from payjournal.emulator.odata import ODataError, compile_filter, order_by
from tests.emulator.conftest import Login, error_code, voucher


def test_paging_meta_and_pages(http: httpx2.Client, login: Login) -> None:
    auth = login()
    fy = http.get("/v2/fiscalyears", headers=auth).json()["Data"][1]["Id"]
    first = http.get(f"/v2/accounts/{fy}", headers=auth, params={"$pagesize": 5}).json()
    assert first["Meta"] | {"ServerTimeUtc": None} == {
        "CurrentPage": 1,
        "PageSize": 5,
        "TotalNumberOfPages": 4,
        "TotalNumberOfResults": 18,
        "ServerTimeUtc": None,
    }
    assert first["Meta"]["ServerTimeUtc"] == "2026-11-23T09:00:00.000Z"
    last = http.get(f"/v2/accounts/{fy}", headers=auth, params={"$pagesize": 5, "$page": 4}).json()
    assert len(last["Data"]) == 3
    beyond = http.get(f"/v2/accounts/{fy}", headers=auth, params={"$pagesize": 5, "$page": 9})
    beyond = beyond.json()
    assert beyond["Data"] == []


def test_default_page_size_is_50(http: httpx2.Client, login: Login) -> None:
    auth = login()
    for _ in range(50):
        http.post("/v2/vouchers", json=voucher(), headers=auth)
    page = http.get("/v2/vouchers", headers=auth).json()
    assert (page["Meta"]["PageSize"], len(page["Data"])) == (50, 50)
    assert page["Meta"]["TotalNumberOfPages"] == 2


def test_page_size_over_max_is_clamped_or_refused(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    auth = login()
    clamped = http.get("/v2/accounts", headers=auth, params={"$pagesize": 5000}).json()
    assert clamped["Meta"]["PageSize"] == 1000
    emu.config.page_size_over_max = "error"
    assert error_code(http.get("/v2/accounts", headers=auth, params={"$pagesize": 5000})) == 2000
    assert error_code(http.get("/v2/accounts", headers=auth, params={"$page": 0})) == 2000


def test_filter_orderby_select_through_the_api(http: httpx2.Client, login: Login) -> None:
    auth = login()
    http.post("/v2/vouchers", json=voucher("2026-11-23", text="run 7f3c"), headers=auth)
    found = http.get(
        "/v2/vouchers",
        headers=auth,
        params={
            "$filter": "VoucherDate ge 2026-11-01T00:00:00.00Z and VoucherDate le 2026-11-30",
        },
    ).json()["Data"]
    assert [v["VoucherText"] for v in found] == ["run 7f3c"]
    ordered = http.get("/v2/vouchers", headers=auth, params={"$orderby": "VoucherDate desc"})
    assert ordered.json()["Data"][0]["VoucherText"] == "run 7f3c"
    fy = http.get("/v2/fiscalyears", headers=auth).json()["Data"][1]["Id"]
    picked = http.get(
        f"/v2/accounts/{fy}",
        headers=auth,
        params={
            "$filter": "IsCostCenterAllowed eq true and not IsActive",
            "$select": "Number,Name",
        },
    )
    assert picked.json()["Data"] == [{"Number": "4390", "Name": "Overige personeelskosten"}]


@pytest.mark.parametrize("bad", ["VoucherDate gq 2026-01-01", "(VoucherDate eq", "Nope eq 1"])
def test_bad_filter_is_2000(http: httpx2.Client, login: Login, bad: str) -> None:
    answer = http.get("/v2/vouchers", headers=login(), params={"$filter": bad})
    assert answer.status_code == 400
    assert error_code(answer) == 2000


ITEMS = [
    {
        "Id": "6F1C2F0E-7A4B-4D53-9A59-3F0E8C1D2B7A",
        "Name": "O'Neil",
        "Amount": Decimal("10.50"),
        "Day": "2026-01-31T00:00:00",
        "Active": True,
        "Series": "A",
        "Note": None,
    },
    {
        "Id": "11111111-2222-4333-8444-555555555555",
        "Name": "Beta",
        "Amount": 3,
        "Day": "2025-12-31T00:00:00",
        "Active": False,
        "Series": "B",
        "Note": "x",
    },
]


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("Name eq 'O''Neil'", ["O'Neil"]),
        ("Amount gt 5", ["O'Neil"]),
        ("Amount le 3.00", ["Beta"]),
        ("Day lt 2026-01-01", ["Beta"]),
        ("Day ge datetime'2026-01-31T00:00:00Z'", ["O'Neil"]),
        ("Id eq 6f1c2f0e-7a4b-4d53-9a59-3f0e8c1d2b7a", ["O'Neil"]),
        ("Id eq guid'11111111-2222-4333-8444-555555555555'", ["Beta"]),
        ("Active eq false or Series eq 'A'", ["O'Neil", "Beta"]),
        ("(Series eq 'A' or Series eq 'B') and Active", ["O'Neil"]),
        ("not (Amount ne 3)", ["Beta"]),
        ("Note eq null", ["O'Neil"]),
        ("year(Day) eq 2025", ["Beta"]),
        ("month(Day) eq 1 and day(Day) eq 31", ["O'Neil"]),
        ("contains(Name, 'Nei')", ["O'Neil"]),
        ("startswith(tolower(Name), 'be')", ["Beta"]),
        ("endswith(Name, 'eta')", ["Beta"]),
    ],
)
def test_filter_expressions(expression: str, names: list[str]) -> None:
    predicate = compile_filter(expression)
    assert [item["Name"] for item in ITEMS if predicate(item)] == names


@pytest.mark.parametrize(
    "expression", ["Name eq", "Name eq 'x' extra", "Name ~ 1", "contains(Name)"]
)
def test_filter_syntax_errors(expression: str) -> None:
    with pytest.raises(ODataError):
        compile_filter(expression)


def test_order_by_several_keys_with_nulls_first() -> None:
    rows: list[dict[str, Any]] = [{"A": 1, "B": "y"}, {"A": None, "B": "z"}, {"A": 1, "B": "x"}]
    assert [r["B"] for r in order_by(rows, "A, B desc")] == ["z", "y", "x"]
    with pytest.raises(ODataError):
        order_by(rows, "A sideways")


def test_vouchers_keyset_page_on_number_like_production_clients(
    http: httpx2.Client, login: Login
) -> None:
    """``$orderby=Number`` and ``Number gt N`` (a Go report generator and a Ruby syncer page
    the real API this way); ``Number`` is usable in OData but not part of the answer."""
    auth = login()
    fy = http.get("/v2/fiscalyears", headers=auth).json()["Data"][1]["Id"]
    for day in ("2026-11-20", "2026-11-02", "2026-11-12"):  # numbers do not follow the dates
        assert http.post("/v2/vouchers", json=voucher(day), headers=auth).status_code == 201
    seen: list[str] = []
    last = 0
    while True:
        batch = http.get(
            f"/v2/vouchers/{fy}",
            headers=auth,
            params={"$orderby": "Number", "$filter": f"Number gt {last}", "$pagesize": 2},
        )
        assert batch.status_code == 200, batch.text
        data = batch.json()["Data"]
        if not data:
            break
        assert all("Number" not in v for v in data)
        seen += [v["NumberAndNumberSeries"] for v in data]
        last = int(data[-1]["NumberAndNumberSeries"].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    assert seen == [f"A{n}" for n in range(1, len(seen) + 1)] and len(seen) >= 3
    newest = http.get("/v2/vouchers", headers=auth, params={"$orderby": "Number desc"})
    assert newest.json()["Data"][0]["NumberAndNumberSeries"] == seen[-1]
    assert error_code(http.get("/v2/vouchers", headers=auth, params={"$select": "Number"})) == 2000


@pytest.mark.parametrize("empty_pages", [0, 1])
def test_an_empty_list_has_zero_or_one_page_as_configured(
    http: httpx2.Client, login: Login, emu: Emulator, empty_pages: int
) -> None:
    """Unknown in production: ``ceil(0 / size)`` = 0 pages, or one empty page."""
    assert http.patch("/_emulator/config", json={"empty_list_total_pages": empty_pages}).is_success
    empty = http.get("/v2/voucherdrafts", headers=login()).json()
    assert empty["Data"] == []
    assert empty["Meta"]["TotalNumberOfPages"] == empty_pages
    assert empty["Meta"]["TotalNumberOfResults"] == 0


def test_fiscal_year_order_is_configurable(
    http: httpx2.Client, login: Login, emu: Emulator
) -> None:
    auth = login()
    oldest = [y["StartDate"] for y in http.get("/v2/fiscalyears", headers=auth).json()["Data"]]
    assert oldest == sorted(oldest)
    http.patch("/_emulator/config", json={"fiscal_years_order": "newest_first"})
    newest = [y["StartDate"] for y in http.get("/v2/fiscalyears", headers=auth).json()["Data"]]
    assert newest == oldest[::-1]


def test_the_control_api_switches_only_known_behaviours(http: httpx2.Client) -> None:
    assert http.get("/_emulator/config").json() == {
        "unauthorized_json_body": True,
        "rate_limit_retry_after_header": True,
        "empty_list_total_pages": 0,
        "fiscal_years_order": "oldest_first",
        "accounts_without_year": "all_years",
        "page_size_over_max": "clamp",
    }
    for bad in ({"nope": 1}, {"empty_list_total_pages": 2}, {"unauthorized_json_body": 1}):
        assert http.patch("/_emulator/config", json=bad).status_code == 400
    both = {"unauthorized_json_body": False, "fiscal_years_order": "newest_first"}
    assert http.patch("/_emulator/config", json=both).json().items() >= both.items()
