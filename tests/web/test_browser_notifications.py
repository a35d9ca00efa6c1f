"""Webhooks and preferences in a real browser (Debian's chromium), as a master administrator
sets them up: add an endpoint, copy the secret shown once, send a test event that a receiver on
loopback verifies, read "Delivered" in the log; then choose the daily digest in Dutch."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from payjournal.notifications.models import Delivery, Preference
from tests.fixtures.browser import BROWSER_MARKS
from tests.fixtures.tenants import PASSWORD, make_tenant
from tests.notifications.receiver import Receiver, receiving
from tests.ports import free_port
from tests.waiting import PATIENCE_MS

pytestmark = BROWSER_MARKS


def test_an_administrator_adds_a_webhook_tests_it_and_chooses_a_digest(
    live_server: Any, page: Page
) -> None:
    tenant = make_tenant("n")
    page.set_default_timeout(PATIENCE_MS)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("n-admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    with receiving(Receiver(free_port())) as receiver:
        page.get_by_role("link", name="Notifications").click()
        page.get_by_role("link", name="Webhooks of the master").click()
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("Description").fill("ops board")
        page.get_by_role("button", name="Add the endpoint").click()
        secret = page.locator("#webhook-secret code").inner_text()
        assert secret.startswith("whsec_")
        receiver.secret = secret
        page.get_by_role("link", name=receiver.url).click()
        page.get_by_role("button", name="Send a test event").click()
        expect(page.get_by_text("The test event was delivered.")).to_be_visible()
        expect(page.locator("#delivery-log tbody tr").first).to_contain_text("Delivered")
        assert secret not in page.content()
    assert [e["type"] for e in receiver.accepted] == ["webhook.test"]

    page.get_by_role("link", name="Notifications").click()
    page.get_by_label("One daily digest").check()
    page.get_by_label("In this language").select_option("nl")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    stored = Preference.objects.get(user=tenant.admin.user)
    assert (stored.delivery, stored.language) == (Delivery.DIGEST, "nl")
