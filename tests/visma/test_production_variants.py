"""The client against every variant of what production leaves unknown: an empty list has
``TotalNumberOfPages`` 0 or 1, fiscal years come oldest or newest first. No code of the client
may depend on one convention or one order (issue 18, item 7)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from payjournal.visma import InMemoryTokenStore, VismaClient
from payjournal.visma import client as client_module
from payjournal.visma.session import Endpoint
from tests.fixtures.visma_client import World

VARIANTS = [
    pytest.param(pages, order, id=f"empty={pages}-{order}")
    for pages in (0, 1)
    for order in ("oldest_first", "newest_first")
]


def nordisk_in(world: World, **options: object) -> VismaClient:
    store = InMemoryTokenStore(world.connect("erik@nordisk.example", "se-nordisk"))
    return world.client(store, **options)


@pytest.mark.parametrize(("empty_pages", "order"), VARIANTS)
def test_paging_reads_everything_and_nothing_in_every_variant(
    make_world: Callable[..., World], empty_pages: int, order: str
) -> None:
    world = make_world(empty_list_total_pages=empty_pages, fiscal_years_order=order)
    client = nordisk_in(world, page_size=2)  # several pages where there is anything
    assert list(client.list_voucher_drafts()) == []
    assert client.find_vouchers(date(2020, 1, 1), date(2020, 12, 31)) == []
    years = list(client.list_fiscal_years())
    assert sorted(y.start_date.year for y in years) == [2025, 2026, 2027]
    fy = next(y for y in years if y.start_date.year == 2026)
    chart = [a.number for a in client.list_accounts(fy.id)]
    assert len(chart) == len(set(chart)) > 2 and "7010" in chart
    assert len(list(client.list_vouchers(fy.id))) == 2  # the seeded A1, A2
    requests = world.app.state.emulator.requests
    drafts = [r for r in requests if r.endpoint == "GET /v2/voucherdrafts"]
    assert len(drafts) == 1  # an empty list costs one request, whatever its page count


@pytest.mark.parametrize(("empty_pages", "order"), VARIANTS)
def test_fiscal_year_selection_does_not_depend_on_the_order(
    make_world: Callable[..., World], empty_pages: int, order: str
) -> None:
    world = make_world(empty_list_total_pages=empty_pages, fiscal_years_order=order)
    client = nordisk_in(world, page_size=1)
    for day in (date(2025, 3, 1), date(2026, 11, 23), date(2027, 12, 31)):
        found = client.fiscal_year_for(day)
        assert found is not None and found.start_date <= day <= found.end_date
    assert client.fiscal_year_for(date(2024, 12, 31)) is None
    assert client.fiscal_year_for(date(2028, 1, 1)) is None


def test_every_read_of_the_chart_names_its_fiscal_year(world: World) -> None:
    """``GET /v2/accounts`` without a year lists every year's accounts (a number once per
    year), so the client has no way to call it: each chart read names the fiscal year."""
    account_endpoints = [
        e
        for e in vars(client_module).values()
        if isinstance(e, Endpoint) and e.template.startswith("accounts")
    ]
    assert account_endpoints and all("{fiscalyearId}" in e.template for e in account_endpoints)
    client = nordisk_in(world)
    for year in client.list_fiscal_years():
        chart = list(client.list_accounts(year.id))
        assert {a.fiscal_year_id for a in chart} == {year.id}
        assert len({a.number for a in chart}) == len(chart)
        assert client.get_account(year.id, 7010).fiscal_year_id == year.id
    endpoints = {r.endpoint for r in world.app.state.emulator.requests}
    assert "GET /v2/accounts" not in endpoints
    # while the emulator, like production, would have answered with every year's accounts
    answer = world.control.post(
        "/_emulator/tokens", json={"email": "erik@nordisk.example", "company": "se-nordisk"}
    ).json()
    every = world.control.get(
        "/v2/accounts",
        headers={"Authorization": f"Bearer {answer['access_token']}"},
        params={"$pagesize": 1000},
    ).json()["Data"]
    assert [a["Number"] for a in every].count("7010") == 3
