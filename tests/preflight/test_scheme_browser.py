"""The ledger scheme editor in a real browser (Debian's chromium, headless): a payroll
administrator opens it from the company page, picks an account of the Visma chart and saves."""

from __future__ import annotations

from typing import Any

import httpx2
from playwright.sync_api import Page, expect

from payjournal.payroll.services import load_scheme
from tests.fixtures.browser import BROWSER_MARKS
from tests.fixtures.tenants import PASSWORD, make_tenant
from tests.preflight.test_seed_errors import connect
from tests.waiting import PATIENCE_MS

pytestmark = BROWSER_MARKS


def test_pick_an_account_from_the_chart_and_save(
    page: Page, live_server: Any, books_url: str, browser_http: httpx2.Client
) -> None:
    tenant = make_tenant("s")
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    page.set_default_timeout(PATIENCE_MS)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("s-payroll")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/companies/{tenant.bakkerij.pk}/")
    page.get_by_role("link", name="Ledger scheme").click()
    expect(page.get_by_role("heading", name="Ledger scheme of s Bakkerij")).to_be_visible()

    page.get_by_role("link", name="Change GROSS").click()
    picker = page.get_by_label("Debit account of GROSS")
    expect(picker).to_have_value("4000")
    picker.select_option(label="4300 — Reiskostenvergoeding")
    page.get_by_role("button", name="Save GROSS").click()

    expect(page.get_by_role("status")).to_have_text("The mapping of GROSS was saved.")
    expect(page.locator('tr[data-mapping="GROSS"]')).to_contain_text("4300 Reiskostenvergoeding")
    tenant.bakkerij.refresh_from_db()
    assert load_scheme(tenant.bakkerij).components["GROSS"].debit_account == "4300"
