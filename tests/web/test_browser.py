"""The whole setup in a real browser (Debian's chromium, headless), as a person does it:
sign in, add an account, click its grey mark, sign in at Visma, pick the company, Allow,
watch the mark turn red in the first tab without reloading, map the company, open the dashlet.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from payjournal.emulator import stable_id
from payjournal.payroll.samples import samples_dir
from payjournal.sending.services import import_run
from tests.fixtures.browser import BROWSER_MARKS
from tests.fixtures.tenants import PASSWORD, make_tenant
from tests.waiting import PATIENCE_MS

pytestmark = BROWSER_MARKS


def test_setup_walkthrough(
    page: Page, live_server: Any, visma_on_loopback: str, settings: Any
) -> None:
    settings.PAYJOURNAL_PUBLIC_URL = None  # the callback goes to the live server's own address
    tenant = make_tenant("e")
    run_file = samples_dir() / "se-nordisk" / "run-2026-09.csv"
    import_run(tenant.nordisk, run_file.read_bytes(), run_file.name)
    page.set_default_timeout(PATIENCE_MS)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("e-admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="What needs you today")).to_be_visible()
    page.get_by_role("link", name="Integrations → Visma eAccounting").click()
    expect(page.get_by_role("heading", name="Integrations → Visma eAccounting")).to_be_visible()

    page.get_by_label("Name").fill("Nordisk – Erik")
    page.get_by_role("button", name="Add account").click()
    grey = page.locator("#accounts-table .mark.grey")
    expect(grey).to_have_text("Not authorized — click to authorize")

    with page.context.expect_page() as opened:
        grey.click()
    visma_tab = opened.value
    visma_tab.get_by_label("E-mail").fill("erik@nordisk.example")
    visma_tab.get_by_label("Password").fill("erik-demo")
    visma_tab.get_by_role("button", name="Log in").click()
    visma_tab.locator(
        f'input[name="company_id"][value="{stable_id("company", "se-nordisk")}"]'
    ).check()
    visma_tab.get_by_role("button", name="Continue").click()
    visma_tab.get_by_role("button", name="Allow").click()
    expect(visma_tab.get_by_role("heading", name="Authorization succeeded")).to_be_visible()
    visma_tab.close()

    red = page.locator("#accounts-table .mark.red")
    expect(red).to_have_text("Authorized")  # no reload: the list polls
    expect(page.locator("#accounts-table")).to_contain_text("Nordisk Trä AB")

    page.get_by_role("link", name="Administrations").click()
    expect(page.get_by_text("One authorization covers exactly one Visma company")).to_be_visible()
    page.get_by_label("Visma account for e Nordisk").select_option(
        label="Nordisk Trä AB (Nordisk – Erik)"
    )
    page.locator(f"#company-{tenant.nordisk.pk}").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("e Nordisk is mapped to Nordisk Trä AB")

    page.get_by_role("link", name="Payroll companies").click()
    page.get_by_role("link", name="e Nordisk").click()
    dashlet = page.locator("#journal-entries-export")
    expect(dashlet).to_contain_text("Journal Entries Export")
    expect(dashlet.locator(".mark.grey")).to_have_text("Not sent")
    dashlet.get_by_role("link", name="2026-09").click()
    expect(page.get_by_role("heading", name=re.compile("Journal of run 2026-09"))).to_be_visible()
