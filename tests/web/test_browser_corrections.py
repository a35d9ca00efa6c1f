"""A correction in a real browser (Debian's chromium), as a payroll administrator walks it: send
a run (red), upload a corrected file of the same run id (version 2: the row turns grey with
"Correction to send"), click Send, read the preview — the change per account and the two
vouchers it posts — confirm, and watch both legs become sent and the mark turn red with "v1 sent
A… · reversed by A…" and "v2 sent A…", without a reload. A DBOS executor runs in the test
process and posts to the emulator on loopback; the emulator's books then hold version 2."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
from playwright.sync_api import Page, expect

from payjournal.domain.booking import net_by_account
from payjournal.payroll.journals import load_journal
from payjournal.payroll.models import PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.sending.models import Submission
from payjournal.sending.services import import_run
from tests.fixtures.browser import BROWSER_MARKS
from tests.fixtures.tenants import PASSWORD, make_tenant
from tests.sending.story import corrected
from tests.waiting import PATIENCE_MS
from tests.web.test_browser_sending import authorize

pytestmark = BROWSER_MARKS
RUN = "2026-09"


def test_a_correction_from_upload_through_the_preview_to_two_red_legs(
    executor: None,  # (first: DBOS refuses to start once Playwright's loop runs)
    live_server: Any,
    visma_on_loopback: str,
    page: Page,
    tmp_path: Path,
) -> None:
    tenant = make_tenant("c")
    authorize(visma_on_loopback, tenant.bakkerij, "anna@bakkerij.example")
    september = samples_dir() / "nl-bakkerij" / f"run-{RUN}.json"
    import_run(tenant.bakkerij, september.read_bytes(), september.name)
    page.set_default_timeout(PATIENCE_MS)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("c-payroll")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/companies/{tenant.bakkerij.pk}/")
    row = page.locator(f'#journal-entries-export tr[data-run="{RUN}"]')
    row.get_by_role("button", name="Send").click()  # a first send: no preview
    expect(row.locator(".mark.red")).to_have_text("Sent")
    first = row.locator(".voucher").inner_text().split(" · ")[0]

    corrected_file = tmp_path / f"run-{RUN}-corrected.json"
    corrected_file.write_bytes(corrected("100.00"))
    page.get_by_label("Run file").set_input_files(corrected_file)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text(f"Run {RUN} imported as version 2.")).to_be_visible()
    expect(page.locator(f'#journal-entries-export tr[data-run="{RUN}"]')).to_have_count(1)
    expect(row.locator(".mark.grey")).to_have_text("Correction to send")
    expect(row.locator("td").nth(4)).to_have_text("v2")
    page.evaluate("window.stillTheSamePage = true")  # gone if anything reloads the page

    row.get_by_role("button", name="Send").click()
    dialog = page.locator("dialog#dashlet-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(f"Send the correction of run {RUN}")
    expect(dialog).to_contain_text("This send posts 2 vouchers:")
    vouchers = dialog.locator(".planned-vouchers li")
    expect(vouchers).to_have_count(2)
    expect(vouchers.nth(0)).to_contain_text(f"Reversal of {first} (v1)")
    expect(vouchers.nth(1)).to_have_text("v2 in full")
    changes = dialog.locator("table.account-changes tbody tr")
    expect(changes.first).to_be_visible()
    assert changes.count() >= 2  # a raised line changes an expense and what it is owed on
    assert "100.00" in {
        changes.nth(n).locator(".change").inner_text() for n in range(changes.count())
    }
    dialog.get_by_role("button", name="Send 2 vouchers").click()
    expect(dialog).to_be_hidden()

    expect(row.locator(".mark.red")).to_have_text("Sent")
    lines = row.locator("ul.legs li")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_have_text(re.compile(rf"^v1 sent {first} · reversed by A\d+$"))
    expect(lines.nth(1)).to_have_text(re.compile(r"^v2 sent A\d+$"))
    row.get_by_text("Timeline").click()
    expect(row.locator(".timeline-items .leg")).to_have_count(3)
    expect(row.locator(".timeline-items")).to_contain_text(f"Reversal of v1 ({first})")
    assert page.evaluate("window.stillTheSamePage") is True

    # What Visma holds of the run id nets, per account, to version 2's journal (invariant 7).
    assert books_of_run(visma_on_loopback, tenant.bakkerij.key, RUN) == journal_net(
        tenant.bakkerij.pk, RUN
    )


def books_of_run(url: str, company_key: str, run_key: str) -> dict[str, Decimal]:
    """Debit − credit per account over the emulator's vouchers carrying a marker of the run."""
    markers = list(Submission.objects.filter(run_key=run_key).values_list("marker", flat=True))
    answer = httpx2.get(f"{url}/_emulator/companies/{company_key}/vouchers")
    net: dict[str, Decimal] = {}
    for voucher in json.loads(answer.text, parse_float=Decimal):
        if any(marker in voucher["VoucherText"] for marker in markers):
            for row in voucher["Rows"]:
                change = Decimal(row["DebitAmount"] or 0) - Decimal(row["CreditAmount"] or 0)
                net[str(row["AccountNumber"])] = net.get(str(row["AccountNumber"]), 0) + change
    return {account: amount for account, amount in net.items() if amount}


def journal_net(company_pk: int, run_key: str) -> dict[str, Decimal]:
    """Debit − credit per account of the run id's latest version."""
    run = PayrollRun.objects.filter(company_id=company_pk, run_id=run_key).order_by("-version")[0]
    net: dict[str, Decimal] = {}
    for (account, _dimension), money in net_by_account(load_journal(run.journal).rows).items():
        net[account] = net.get(account, Decimal(0)) + money.amount
    return {account: amount for account, amount in net.items() if amount}
