"""Managing Visma accounts in a real browser, in Dutch, as a payroll office's master
administrator does it: rename an account, try to delete one a payroll company is mapped to (and
be told why not and where to go), disconnect it after a confirmation — cancelled once, then
confirmed — and delete an account nobody uses. Every page of the flow speaks Dutch."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.payroll.models import PayrollCompany
from payjournal.tenancy.models import Membership
from tests.fixtures.browser import BROWSER_MARKS
from tests.fixtures.tenants import PASSWORD, make_tenant
from tests.waiting import PATIENCE_MS
from tests.web.test_browser_languages import SAME_WORD, english_on

pytestmark = BROWSER_MARKS


def test_rename_delete_and_disconnect_ask_first_in_dutch(page: Page, live_server: Any) -> None:
    tenant = make_tenant("d")
    Membership.objects.filter(pk=tenant.admin.pk).update(language="nl")
    erik = VismaAccount.objects.create(
        master=tenant.master,
        name="Nordisk – Erik",
        status=AccountStatus.AUTHORIZED,
        visma_company_id="se-1",
        visma_company_name="Nordisk Trä AB",
    )
    anna = VismaAccount.objects.create(master=tenant.master, name="Bakkerij – Anna")
    PayrollCompany.objects.filter(pk=tenant.nordisk.pk).update(
        visma_account=erik, visma_company_id="se-1"
    )
    browser = page.context.browser
    assert browser is not None
    tab = browser.new_context(locale="nl-NL").new_page()
    tab.set_default_timeout(PATIENCE_MS)
    english: dict[str, list[str]] = {}

    def dutch_only(name: str) -> None:
        found = english_on(tab.locator("main").inner_text(), SAME_WORD["nl"])
        if found:
            english[name] = found

    tab.goto(f"{live_server.url}/login/")
    tab.locator("#id_username").fill("d-admin")
    tab.locator("#id_password").fill(PASSWORD)
    tab.get_by_role("button", name="Inloggen").click()
    expect(tab.locator("html")).to_have_attribute("lang", "nl")
    tab.goto(f"{live_server.url}/integrations/visma/accounts/")
    dutch_only("accounts")

    # rename
    tab.locator(f"#account-{erik.pk}").get_by_role("link", name="Naam wijzigen").click()
    expect(
        tab.get_by_role("heading", name="Naam van account “Nordisk – Erik” wijzigen")
    ).to_be_visible()
    dutch_only("rename")
    tab.get_by_label("Naam").fill("Nordisk – Karin")
    tab.get_by_role("button", name="Opslaan").click()
    expect(tab.get_by_role("status")).to_contain_text(
        "Account “Nordisk – Erik” heet nu “Nordisk – Karin”."
    )
    expect(tab.locator(f"#account-{erik.pk}")).to_contain_text("Nordisk – Karin")

    # delete, refused: a payroll company is mapped to it
    tab.locator(f"#account-{erik.pk}").get_by_role("link", name="Verwijderen").click()
    refusal = tab.get_by_role("alert")
    expect(refusal).to_contain_text(
        "Account “Nordisk – Karin” kan niet worden verwijderd: werkgever d Nordisk is eraan "
        "gekoppeld."
    )
    expect(tab.get_by_role("button", name="Verwijderen")).to_have_count(0)
    expect(refusal.get_by_role("link", name="Naar het tabblad Administraties")).to_be_visible()
    dutch_only("delete refused")
    refusal.get_by_role("link", name="Terug naar de accounts").click()

    # disconnect: asked, cancelled, asked again, confirmed
    tab.locator(f"#account-{erik.pk}").get_by_role("link", name="Ontkoppelen").click()
    expect(
        tab.get_by_role("heading", name="Account “Nordisk – Karin” ontkoppelen?")
    ).to_be_visible()
    expect(tab.locator("#account-confirm")).to_contain_text(
        "journaalposten van werkgever d Nordisk niet worden verstuurd"
    )
    dutch_only("disconnect")
    tab.get_by_role("link", name="Annuleren").click()
    expect(tab.locator(f"#account-{erik.pk} .mark.red")).to_have_text("Geautoriseerd")
    tab.locator(f"#account-{erik.pk}").get_by_role("link", name="Ontkoppelen").click()
    tab.get_by_role("button", name="Ontkoppelen").click()
    expect(tab.get_by_role("status")).to_contain_text("Account “Nordisk – Karin” is ontkoppeld")
    expect(tab.locator(f"#account-{erik.pk} .mark.grey")).to_be_visible()

    # delete an account no payroll company uses: asked, then gone
    tab.locator(f"#account-{anna.pk}").get_by_role("link", name="Verwijderen").click()
    expect(
        tab.get_by_role("heading", name="Account “Bakkerij – Anna” verwijderen?")
    ).to_be_visible()
    dutch_only("delete")
    tab.get_by_role("button", name="Verwijderen").click()
    expect(tab.get_by_role("status")).to_contain_text("Account “Bakkerij – Anna” is verwijderd.")
    expect(tab.locator(f"#account-{anna.pk}")).to_have_count(0)
    assert not VismaAccount.objects.filter(pk=anna.pk).exists()
    assert not english, f"English on the Dutch pages: {english}"
