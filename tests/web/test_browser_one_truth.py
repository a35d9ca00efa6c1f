"""One truth per run in a real browser: a run the pre-flight stopped (its period is locked in
Visma) needs action on its row and on its page; once the bookkeeper moves the lock date, Check
passes and offers Retry right in the checklist; one click and the row turns Sent — no reload —
and the run's page says Sent too."""

from __future__ import annotations

from typing import Any

import httpx2
from playwright.sync_api import Page, expect

from payjournal.payroll.models import PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.sending.services import import_run
from tests.fixtures.browser import BROWSER_MARKS
from tests.fixtures.tenants import PASSWORD, make_tenant
from tests.waiting import PATIENCE_MS
from tests.web.test_browser_sending import authorize

pytestmark = BROWSER_MARKS


def test_after_the_fix_the_checklist_retries_and_row_and_page_agree(
    executor: None,  # (first: DBOS refuses to start once Playwright's loop runs)
    live_server: Any,
    visma_on_loopback: str,
    page: Page,
) -> None:
    tenant = make_tenant("t")
    authorize(visma_on_loopback, tenant.nordisk, "erik@nordisk.example")  # months locked
    run_file = samples_dir() / "se-nordisk" / "run-2026-09.csv"
    run: PayrollRun = import_run(tenant.nordisk, run_file.read_bytes(), run_file.name).run
    page.set_default_timeout(PATIENCE_MS)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("t-admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/companies/{tenant.nordisk.pk}/runs/{run.pk}/")
    page.get_by_role("button", name="Send").click()  # from the run's page, without JavaScript
    row = page.locator('#journal-entries-export tr[data-run="2026-09"]')
    expect(row.locator(".mark.grey")).to_have_text("Needs action")
    page.goto(f"{live_server.url}/companies/{tenant.nordisk.pk}/runs/{run.pk}/")
    expect(page.locator("#run-state .mark")).to_have_text("Needs action")
    expect(page.locator("#run-state [data-problem=period_locked]")).to_be_visible()

    httpx2.put(
        f"{visma_on_loopback}/_emulator/companies/se-nordisk/settings",
        json={"accounting_locked_to": None},
    ).raise_for_status()  # the bookkeeper reopens the period
    page.goto(f"{live_server.url}/companies/{tenant.nordisk.pk}/")
    page.evaluate("window.stillTheSamePage = true")
    row.get_by_role("button", name="Check").click()
    checklist = page.locator("#preflight .checklist")
    expect(checklist).to_have_attribute("data-passed", "true")
    expect(checklist).to_contain_text("Every check passes now: Retry sends the journal again.")
    checklist.get_by_role("button", name="Retry").click()
    expect(row.locator(".mark.red")).to_have_text("Sent")
    expect(page.locator("#preflight .checklist")).to_have_count(0)  # it offered what it could
    assert page.evaluate("window.stillTheSamePage") is True

    page.goto(f"{live_server.url}/companies/{tenant.nordisk.pk}/runs/{run.pk}/")
    expect(page.locator("#run-state .mark.red")).to_have_text("Sent")
    expect(page.locator("#run-state")).not_to_contain_text("Needs action")
