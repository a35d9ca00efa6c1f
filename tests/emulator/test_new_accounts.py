"""``POST /_emulator/companies/{key}/accounts``: a chart of a real company's size for load tests.

Proven here: the accounts join the chart of every fiscal year, as the API lists them, and
copies made after carry them; a number the chart has, a number listed twice, or a malformed
account refuses the whole request with a message naming the account, adding nothing.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from payjournal.emulator import Emulator
from tests.emulator.conftest import Login

ACCOUNTS = "/_emulator/companies/nl-bakkerij/accounts"


def charts(http: httpx2.Client, auth: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each fiscal year's chart as the API lists it, by account number."""
    years = http.get("/v2/fiscalyears", headers=auth).json()["Data"]
    listed: dict[str, dict[str, Any]] = {}
    for year in years:
        answer = http.get(f"/v2/accounts/{year['Id']}", headers=auth, params={"$pagesize": 1000})
        rows = answer.json()
        rows = rows["Data"] if isinstance(rows, dict) else rows
        listed[year["Id"]] = {row["Number"]: row for row in rows}
    return listed


def test_new_accounts_join_every_fiscal_years_chart_and_the_copies(
    http: httpx2.Client, emu: Emulator, login: Login
) -> None:
    auth = login(company="nl-bakkerij")
    before = charts(http, auth)
    added = http.post(
        ACCOUNTS,
        json={
            "accounts": [
                {"number": 5010, "name": "Huur bedrijfsruimte"},
                {"number": 5011, "name": "Oude huur", "is_active": False},
                {"number": 5012, "name": "Energie", "cost_center_allowed": True},
            ]
        },
    )
    assert added.status_code == 200, added.text
    assert added.json() == {"added": 3, "fiscal_years": len(before)}
    after = charts(http, auth)
    for year, chart in after.items():
        assert set(chart) - set(before[year]) == {"5010", "5011", "5012"}
        assert chart["5010"]["Name"] == "Huur bedrijfsruimte" and chart["5010"]["IsActive"]
        assert not chart["5011"]["IsActive"]
        assert chart["5012"]["IsCostCenterAllowed"] and not chart["5010"]["IsCostCenterAllowed"]

    made = http.post(
        "/_emulator/companies/nl-bakkerij/copies",
        json={"count": 1, "grant": ["anna@bakkerij.example"]},
    )
    assert made.status_code == 200, made.text
    copied = charts(http, login(company="nl-bakkerij-copy-00001"))
    assert sorted(len(chart) for chart in copied.values()) == sorted(
        len(chart) for chart in after.values()
    )


@pytest.mark.parametrize(
    ("accounts", "status", "message"),
    [
        ([{"number": 5010, "name": "Huur"}, {"number": 4000, "name": "Lonen"}], 409, "4000"),
        ([{"number": 5010, "name": "Huur"}, {"number": 5010, "name": "Huur"}], 400, "more than"),
        ([{"number": 5010, "name": "Huur"}, {"number": "5011", "name": "x"}], 400, "[1].number"),
        ([{"number": 5010, "name": " "}], 400, "accounts[0].name"),
        ([{"number": 5010, "name": "Huur", "is_active": "yes"}], 400, "[0].is_active"),
        ([{"number": 5010, "name": "Huur", "colour": "red"}], 400, "unknown field colour"),
        (["5010"], 400, "accounts[0] must be an object"),
        ([], 400, "list of 1 to"),
    ],
)
def test_a_wrong_account_refuses_the_request_and_adds_nothing(
    http: httpx2.Client, login: Login, accounts: list[Any], status: int, message: str
) -> None:
    auth = login(company="nl-bakkerij")
    before = charts(http, auth)
    answer = http.post(ACCOUNTS, json={"accounts": accounts})
    assert answer.status_code == status, answer.text
    assert message in answer.text
    assert charts(http, auth) == before
