"""The cockpit in a real browser (Debian's chromium): a send stopped because Visma's API module
was switched off for the company shows up under "Needs me" for the master administrator; once
the module is back, select the company, bulk-Retry, and watch its row turn red (sent) without
reloading the page — the table follows the master's change stamp. A DBOS executor runs in the
test process and posts to the emulator on loopback."""

from __future__ import annotations

from typing import Any

import httpx2
from playwright.sync_api import Page, expect

from payjournal.payroll.samples import samples_dir
from payjournal.sending.models import Submission
from payjournal.sending.services import import_run, request_send
from tests.fixtures.browser import BROWSER_MARKS
from tests.fixtures.tenants import PASSWORD, make_tenant
from tests.waiting import PATIENCE_MS, wait_until
from tests.web.test_browser_sending import authorize

pytestmark = BROWSER_MARKS


def test_needs_me_bulk_retry_and_rows_turn_red(
    executor: None,  # (first: DBOS refuses to start once Playwright's loop runs)
    live_server: Any,
    visma_on_loopback: str,
    page: Page,
) -> None:
    tenant = make_tenant("k")
    company = tenant.bakkerij
    authorize(visma_on_loopback, company, "anna@bakkerij.example")
    settings_url = f"{visma_on_loopback}/_emulator/companies/{company.key}/settings"
    httpx2.put(settings_url, json={"api_module_enabled": False}).raise_for_status()
    try:
        run_file = samples_dir() / company.key / "run-2026-09.json"
        request_send(import_run(company, run_file.read_bytes(), run_file.name).run)
        wait_until(
            lambda: Submission.objects.filter(company=company, state="needs_action").exists(),
            "the send to stop in needs action",
        )
        page.set_default_timeout(PATIENCE_MS)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("User name").fill("k-admin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Cockpit").click()
        page.locator('.cockpit-filters a[data-show="mine"]').click()
        expect(page.locator('.cockpit-filters a[data-show="mine"]')).to_have_attribute(
            "aria-current", "page"
        )
        row = page.locator(f"#company-{company.pk}")
        expect(row.locator(".visma .mark.grey")).to_have_text("Needs action")
        expect(row.locator(".who")).to_contain_text("Master administrator")
        page.evaluate("window.stillTheSamePage = true")  # gone if anything reloads the page

        httpx2.put(settings_url, json={"api_module_enabled": True}).raise_for_status()
        row.get_by_role("checkbox").check()
        page.get_by_role("button", name="Retry").click()
        expect(page.locator("#cockpit-feedback")).to_contain_text("queued for Visma again")
        expect(row.locator(".visma .mark.red")).to_have_text("Sent")
        expect(row.locator(".voucher")).to_contain_text("A")
        expect(row.locator(".needs-action")).to_have_count(0)
        assert page.evaluate("window.stillTheSamePage") is True
    finally:
        httpx2.put(settings_url, json={"api_module_enabled": True}).raise_for_status()
