"""``POST /_emulator/companies/{key}/copies``: many tenants for load tests.

Proven here: a copy has its source's settings, fiscal years, chart of accounts and cost centers
(as the API shows them) but none of its vouchers; copies are keyed ``<key>-copy-00001`` … with
ids that are the same in every emulator; a granted user's token works on a copy (and an
ungranted user's does not), and a voucher posted there is numbered from the start of its own
series without touching the source. Bad input is refused with 400 and a message saying what is
expected, creating nothing. (``/_emulator`` routes are not in the spec; the ``/v2`` answers on
copies are checked against it by the conforming client.)
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from payjournal.emulator import Emulator, stable_id
from tests.emulator.conftest import Login, voucher

COPIES = "/_emulator/companies/nl-bakkerij/copies"
ANNA = "anna@bakkerij.example"


def books_of(http: httpx2.Client, auth: dict[str, str]) -> dict[str, Any]:
    """What the API shows of a company's books, without its name, identity and vouchers."""
    settings = http.get("/v2/companysettings", headers=auth).json()
    years = http.get("/v2/fiscalyears", headers=auth).json()["Data"]
    charts = {y["Id"]: http.get(f"/v2/accounts/{y['Id']}", headers=auth).json() for y in years}
    return {
        "settings": {k: v for k, v in settings.items() if k not in ("Name", "CompanyIdentifier")},
        "fiscal_years": years,
        "charts": charts,
        "cost_centers": http.get("/v2/costcenters", headers=auth).json(),
    }


def test_copies_have_the_books_of_their_source_and_no_vouchers(
    http: httpx2.Client, emu: Emulator, login: Login
) -> None:
    made = http.post(COPIES, json={"count": 3, "grant": [ANNA]})
    assert made.status_code == 200, made.text
    keys = [f"nl-bakkerij-copy-{n:05d}" for n in (1, 2, 3)]
    assert made.json() == [{"id": str(stable_id("company", key)), "key": key} for key in keys]

    source = books_of(http, login(company="nl-bakkerij"))
    assert source["fiscal_years"] and source["cost_centers"]["Data"]
    assert http.get("/v2/vouchers", headers=login(company="nl-bakkerij")).json()["Data"]
    identities = {http.get("/v2/companysettings", headers=login()).json()["CompanyIdentifier"]}
    for number, key in enumerate(keys, start=1):
        auth = login(company=key)
        assert books_of(http, auth) == source
        settings = http.get("/v2/companysettings", headers=auth).json()
        assert settings["Name"].endswith(f"#{number}")
        identities.add(settings["CompanyIdentifier"])
        assert http.get("/v2/vouchers", headers=auth).json()["Data"] == []
    assert len(identities) == 4  # payjournal tells the companies apart by this identity


def test_a_granted_user_posts_a_voucher_to_a_copy_and_others_cannot(
    http: httpx2.Client, emu: Emulator, login: Login
) -> None:
    http.post(COPIES, json={"count": 1, "grant": [ANNA]}).raise_for_status()
    key = "nl-bakkerij-copy-00001"
    source_vouchers = len(http.get("/_emulator/companies/nl-bakkerij/vouchers").json())

    posted = http.post("/v2/vouchers", json=voucher(), headers=login(company=key))
    assert posted.status_code == 201, posted.text
    assert posted.json()["NumberAndNumberSeries"] == "A1"
    assert len(http.get(f"/_emulator/companies/{key}/vouchers").json()) == 1
    assert len(http.get("/_emulator/companies/nl-bakkerij/vouchers").json()) == source_vouchers

    stranger = login(email="erik@nordisk.example", company=key)
    assert http.get("/v2/companysettings", headers=stranger).status_code == 403


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"count": 0}, "count must be an integer from 1 to 10000"),
        ({"count": 10_001}, "count must be an integer from 1 to 10000"),
        ({"count": "3"}, "count must be an integer from 1 to 10000"),
        ({"count": 2.5}, "count must be an integer from 1 to 10000"),
        ({"count": True}, "count must be an integer from 1 to 10000"),
        ({}, "count must be an integer from 1 to 10000"),
        ({"count": 2, "grant": ["nobody@example.test"]}, "grant must list seeded users"),
        ({"count": 2, "grant": "anna@bakkerij.example"}, "grant must be a list"),
    ],
    ids=[
        "zero",
        "too-many",
        "string",
        "fraction",
        "boolean",
        "missing",
        "unknown-user",
        "grant-not-a-list",
    ],
)
def test_bad_input_is_refused_with_a_message_and_creates_nothing(
    http: httpx2.Client, emu: Emulator, body: dict[str, Any], message: str
) -> None:
    before = set(emu.state.companies)
    refused = http.post(COPIES, json=body)
    assert refused.status_code == 400
    assert message in refused.json()["error"]
    assert set(emu.state.companies) == before


def test_copies_of_an_unknown_company_are_refused(http: httpx2.Client) -> None:
    refused = http.post("/_emulator/companies/nope/copies", json={"count": 1})
    assert refused.status_code == 404
    assert refused.json() == {"error": "no company 'nope'"}
