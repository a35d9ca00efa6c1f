"""The daily drift check: the scheme's accounts and cost centers against Visma's books."""

from __future__ import annotations

from datetime import date

import httpx2
import pytest

from payjournal.domain.scheme import CostCenterSide, LedgerScheme
from payjournal.payroll.services import load_scheme
from payjournal.preflight import DailyCache
from payjournal.preflight.drift import check_scheme, scheme_rows
from tests.fixtures.tenants import Tenant
from tests.preflight.test_seed_errors import connect

pytestmark = pytest.mark.django_db
PAYDAY = date(2026, 11, 30)


def test_scheme_rows_cover_every_account_and_each_department_on_its_side(tenant: Tenant) -> None:
    scheme: LedgerScheme = load_scheme(tenant.bakkerij)
    rows = scheme_rows(scheme)
    accounts = {row.account for row in rows}
    for mapping in scheme.components.values():
        assert {mapping.debit_account, mapping.credit_account} <= accounts
    gross = scheme.components["GROSS"]
    assert gross.cost_center_side is CostCenterSide.DEBIT
    for item in scheme.dimensions.values():
        assert any(r.account == gross.debit_account and r.dimension == item for r in rows)
    assert scheme.rounding_account in accounts


def test_drift_flags_an_account_deactivated_in_visma(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    day = [date(2026, 11, 25)]
    cache = DailyCache(today=lambda: day[0])
    assert check_scheme(tenant.bakkerij, PAYDAY, cache=cache).passed
    control.put("/_emulator/companies/nl-bakkerij/accounts/4000", json={"is_active": False})
    control.put(
        "/_emulator/companies/nl-bakkerij/accounts/4100", json={"cost_center_allowed": False}
    )
    # the cache holds today's chart: the drift shows up tomorrow, before the next payday
    assert check_scheme(tenant.bakkerij, PAYDAY, cache=cache).passed
    day[0] = date(2026, 11, 26)
    drift = check_scheme(tenant.bakkerij, PAYDAY, cache=cache)
    found = {(item.code, item.subject) for item in drift.failed}
    assert ("account_inactive", "4000") in found
    assert any(code == "cost_center_not_allowed" and s.endswith("/ 4100") for code, s in found)
    explained = drift.failed[0].explain("nl")
    assert explained is not None and explained.who == "bookkeeper"


def test_drift_of_an_unmapped_company_says_so(tenant: Tenant) -> None:
    drift = check_scheme(tenant.nordisk, PAYDAY)
    assert [(i.key.value, i.code) for i in drift.failed] == [("connection", "not_authorized")]
