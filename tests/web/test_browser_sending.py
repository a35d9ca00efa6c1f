"""Sending from the Journal Entries Export dashlet in a real browser (Debian's chromium): click
Send and watch the run's row go from queued to sent with its voucher number — and another to
needs action with the catalog's explanation and a Retry button — without reloading the page;
open a run's timeline; see a run imported
and sent elsewhere (as an automatic send would) appear at the top of the table and turn sent,
still without a reload. A DBOS executor runs in the test process and posts to the emulator on
loopback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
from playwright.sync_api import Page, expect

from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.tokenstore import DatabaseTokenStore
from payjournal.payroll.models import PayrollCompany
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import map_company
from payjournal.sending.services import import_run, request_send
from payjournal.visma import TokenSet
from tests.fixtures.browser import BROWSER_MARKS
from tests.fixtures.tenants import PASSWORD, make_tenant
from tests.waiting import PATIENCE_MS

pytestmark = BROWSER_MARKS


def authorize(url: str, company: PayrollCompany, email: str) -> None:
    """Map ``company`` to a Visma account holding tokens minted by the emulator's control API."""
    answer = httpx2.post(
        f"{url}/_emulator/tokens", json={"email": email, "company": company.key}
    ).json()
    account = VismaAccount.objects.create(master=company.master, name=f"Visma {company.key}")
    DatabaseTokenStore(account.pk).save(
        TokenSet(
            answer["access_token"],
            answer["refresh_token"],
            datetime.now(UTC) + timedelta(seconds=int(answer["expires_in"])),
            answer.get("scope", ""),
        )
    )
    state = httpx2.get(f"{url}/_emulator/companies/{company.key}").json()
    VismaAccount.objects.filter(pk=account.pk).update(
        status=AccountStatus.AUTHORIZED,
        visma_company_id=state["id"],
        visma_company_name=state["name"],
    )
    account.refresh_from_db()
    map_company(company, account)


def test_sending_from_the_dashlet_updates_rows_in_place(
    executor: None,  # (first: DBOS refuses to start once Playwright's loop runs)
    live_server: Any,
    visma_on_loopback: str,
    page: Page,
) -> None:
    tenant = make_tenant("s")
    authorize(visma_on_loopback, tenant.bakkerij, "anna@bakkerij.example")
    authorize(
        visma_on_loopback, tenant.nordisk, "erik@nordisk.example"
    )  # its months are locked in Visma
    for company, name in (
        (tenant.bakkerij, "run-2026-09.json"),
        (tenant.nordisk, "run-2026-09.csv"),
    ):
        run_file = next((samples_dir() / company.key).glob(name.split(".")[0] + ".*"))
        import_run(company, run_file.read_bytes(), run_file.name)
    page.set_default_timeout(PATIENCE_MS)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("s-admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/companies/{tenant.bakkerij.pk}/")
    page.evaluate("window.stillTheSamePage = true")  # gone if anything reloads the page
    row = page.locator('#journal-entries-export tr[data-run="2026-09"]')
    expect(row.locator(".mark.grey")).to_have_text("Not sent")
    row.get_by_role("button", name="Send").click()
    expect(row.locator(".mark.red")).to_have_text("Sent")
    expect(row.locator(".voucher")).to_contain_text("A")
    row.get_by_text("Timeline").click()
    expect(row.locator(".timeline-items")).to_contain_text("Sent as voucher")
    assert page.evaluate("window.stillTheSamePage") is True

    # A run pushed by the payroll system and sent automatically, not through this page.
    october = samples_dir() / "nl-bakkerij" / "run-2026-10.json"
    request_send(import_run(tenant.bakkerij, october.read_bytes(), october.name).run)
    arrived = page.locator('#journal-entries-export tbody tr[data-run="2026-10"]')
    expect(arrived.locator(".mark.red")).to_have_text("Sent")
    expect(page.locator("#journal-entries-export tbody tr").first).to_have_attribute(
        "data-run", "2026-10"
    )
    arrived.get_by_text("Timeline").click()  # htmx wired the inserted row
    expect(arrived.locator(".timeline-items")).to_contain_text("Sent as voucher")
    assert page.evaluate("window.stillTheSamePage") is True

    page.goto(f"{live_server.url}/companies/{tenant.nordisk.pk}/")
    page.evaluate("window.stillTheSamePage = true")
    row = page.locator('#journal-entries-export tr[data-run="2026-09"]')
    row.get_by_role("button", name="Send").click()
    expect(row.locator(".error-title")).to_have_text(
        "The voucher date is in a locked accounting period."
    )
    expect(row.locator(".mark.grey")).to_have_text("Needs action")
    expect(row.get_by_role("button", name="Retry")).to_be_visible()
    row.get_by_text("Timeline").click()
    expect(row.locator(".timeline-items [data-problem=period_locked]")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True

    # A bulk send that names no runs is refused (400) and htmx shows why, in the dashlet.
    page.get_by_role("button", name="Send period").click()
    expect(page.locator("#journal-entries-export .alert.error")).to_contain_text(
        "Select runs, or give a period (from and to dates)."
    )
    assert page.evaluate("window.stillTheSamePage") is True
