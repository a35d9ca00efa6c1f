"""The default-company trap in a real browser (Debian's chromium, headless), as a person meets
it: payjournal sends them to Visma, no company picker appears (their default company wins),
Allow, and payjournal explains the refusal; they remove the star in eAccounting's settings,
authorize again, pick the company and it works. The emulator runs on its own loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, create_app, stable_id
from payjournal.emulator.server import run_in_thread
from tests.emulator.test_standalone import free_port_in_range
from tests.fixtures.browser import BROWSER_MARKS
from tests.fixtures.tenants import PASSWORD, make_tenant
from tests.waiting import PATIENCE_MS
from tests.wiring import rewired

pytestmark = BROWSER_MARKS


@pytest.fixture
def trap_visma(settings: Any) -> Iterator[str]:
    """A private emulator (the trap changes a user's settings) with the app pointed at it."""
    with run_in_thread(
        create_app(seed="demo"), "127.0.0.1", free_port_in_range(18900, 18949)
    ) as url:
        settings.VISMA_IDENTITY_URL = url
        settings.VISMA_API_URL = f"{url}/v2/"
        settings.VISMA_CLIENT_ID = DEMO_CLIENT_ID
        settings.VISMA_CLIENT_SECRET = DEMO_CLIENT_SECRET
        settings.PAYJOURNAL_PUBLIC_URL = None  # the callback goes to the live server
        with rewired():  # the process's Visma parts follow the settings just changed
            yield url


def test_the_default_company_trap_is_explained_and_fixed(
    page: Page, live_server: Any, trap_visma: str
) -> None:
    make_tenant("t")
    page.set_default_timeout(PATIENCE_MS)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("t-admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Integrations → Visma eAccounting").click()
    page.get_by_label("Name").fill("Bakkerij – Jan")
    page.get_by_role("button", name="Add account").click()

    with page.context.expect_page() as opened:
        page.locator("#accounts-table .mark.grey").click()
    visma = opened.value
    visma.get_by_label("E-mail").fill("jan@fietsen.example")
    visma.get_by_label("Password").fill("jan-demo")
    visma.get_by_role("button", name="Log in").click()
    # payjournal asked for the picker (prompt=select_account); the default company won
    expect(visma.get_by_text("asks for access to Fietsenmaker Jansen B.V.")).to_be_visible()
    visma.get_by_role("button", name="Allow").click()
    alert = visma.get_by_role("alert")
    expect(alert).to_contain_text("Authorization failed")
    expect(alert).to_contain_text("The API module is not activated for this Visma company.")
    expect(alert).to_contain_text("a default company is set in Visma")
    expect(alert).to_contain_text("remove the star")

    # the user's fix: eAccounting → Choose default company → remove the star
    visma.goto(f"{trap_visma}/settings/default-company")
    expect(visma.get_by_text("Fietsenmaker Jansen B.V. ★")).to_be_visible()
    visma.get_by_label("No default company").check()
    visma.get_by_role("button", name="Save").click()
    expect(visma.get_by_role("status")).to_have_text("Saved.")
    visma.close()

    page.reload()
    with page.context.expect_page() as opened:
        page.locator("#accounts-table .mark.grey").click()
    visma = opened.value  # still signed in at Visma: straight to the picker
    bakkerij = stable_id("company", "nl-bakkerij")
    visma.locator(f'input[name="company_id"][value="{bakkerij}"]').check()
    visma.get_by_role("button", name="Continue").click()
    visma.get_by_role("button", name="Allow").click()
    expect(visma.get_by_role("heading", name="Authorization succeeded")).to_be_visible()
    visma.close()
    expect(page.locator("#accounts-table .mark.red")).to_have_text("Authorized")
    expect(page.locator("#accounts-table")).to_contain_text("Bakkerij De Vries B.V.")
