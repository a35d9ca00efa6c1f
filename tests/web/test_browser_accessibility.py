"""Every page passes an automated WCAG 2.1 AA audit (axe-core, in Debian's chromium) with no
violation, in English and in Dutch: the sign-in and password-reset pages, the start page, the
companies, the accounts, administrations and corrections tabs, a company page with a sent run
and one with a run that needs action (timeline unfolded, pre-flight checklist shown, the
withdraw dialog open), both runs' journal pages, the ledger scheme editor, the language choice,
the API docs (every operation unfolded), the notification pages (preferences; the webhooks with
an endpoint's secret shown once, a refused endpoint, and an endpoint's delivery log after a failed
test event disabled it; the demo's mail page with a caught mail), and the pages of 403 and 404.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.mail import get_connection, send_mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from payjournal.integrations.models import VismaAccount
from payjournal.notifications.mailbox import start_catcher
from payjournal.tenancy.models import Membership, Role
from payjournal.tenancy.users import create_user
from tests.fixtures.books import Books
from tests.fixtures.browser import BROWSER_MARKS
from tests.ports import free_port
from tests.waiting import PATIENCE_MS, wait_until
from tests.web.axe import violations
from tests.web.walk import PASSWORD, open_run, send_two, sign_in

pytestmark = BROWSER_MARKS


def open_every_operation(tab: Page) -> None:
    """Unfold each operation of the API docs and the schemas (Swagger UI draws them after the
    page loads): their parameters, examples and responses are audited too."""
    summaries = tab.locator(".opblock-summary-control")
    expect(summaries.first).to_be_visible()
    for index in range(summaries.count()):
        summaries.nth(index).click()
    expect(tab.locator(".opblock-body")).to_have_count(summaries.count())
    expect(tab.locator(".models .json-schema-2020-12").first).to_be_visible()  # shown unfolded


def catch_a_mail(folder: Path) -> None:
    """One mail sent over SMTP to the demo's catcher, kept in ``folder`` (its mail page)."""
    port = start_catcher(folder)
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port
    )
    send_mail(
        "Reset your password",
        "Open https://payjournal.example/reset/ to choose a new password.",
        "payjournal@payjournal.example",
        ["sender@bakkerij.example"],
        connection=connection,
    )
    wait_until(lambda: list(folder.glob("*.eml")), "the caught mail")


def walk_the_webhooks(tab: Page, url: str, audit: Any) -> None:
    """The webhooks page: empty, with a new endpoint's secret shown once, with a URL refused;
    then the endpoint's page after its test event failed (nothing listens) and disabled it."""
    tab.goto(f"{url}{reverse('notification-endpoints')}")
    audit("webhooks")
    # the events' checkboxes are one group, named by its legend (axe cannot tell a loose label)
    expect(tab.locator("#endpoint-form fieldset legend")).to_have_count(1)
    expect(tab.locator("#endpoint-form label[for='']")).to_have_count(0)
    tab.locator("#id_url").fill(f"http://127.0.0.1:{free_port()}/hook")
    tab.locator("#id_description").fill("ops board")
    tab.locator("#endpoint-form button[type=submit]").click()
    expect(tab.locator("#webhook-secret code")).to_be_visible()
    audit("webhook added")
    tab.locator("#id_url").fill("ftp://hooks.example/")
    tab.locator("#endpoint-form button[type=submit]").click()
    expect(tab.locator("#endpoint-form [role=alert]")).to_be_visible()
    audit("webhook refused")
    tab.locator("tr[id^=endpoint-] a").first.click()
    tab.locator(".card form button[type=submit]").first.click()  # Send a test event
    expect(tab.locator("#endpoint-state strong")).to_be_visible()  # disabled, and why
    expect(tab.locator("#delivery-log tbody tr")).to_have_count(1)
    audit("webhook log")


@pytest.mark.parametrize(("language", "locale"), [("en", "en-GB"), ("nl", "nl-NL")])
def test_every_page_passes_wcag_21_aa(
    books: Books,
    live_server: Any,
    page: Page,
    language: str,
    locale: str,
    settings: Any,
    tmp_path: Path,
) -> None:
    send_two(books)
    settings.PAYJOURNAL_WEBHOOK_DISABLE_AFTER = 1  # the failed test event disables its endpoint
    settings.PAYJOURNAL_DEMO_MAILBOX = tmp_path / "mail"
    catch_a_mail(settings.PAYJOURNAL_DEMO_MAILBOX)
    Membership.objects.filter(master=books.master).update(language=language)
    create_user("viewer", PASSWORD, master_name=books.master.name, role=Role.VIEWER)
    Membership.objects.filter(user__username="viewer").update(language=language)
    browser = page.context.browser
    assert browser is not None
    tab = browser.new_context(locale=locale).new_page()
    tab.set_default_timeout(PATIENCE_MS)
    url = live_server.url
    found: dict[str, list[str]] = {}

    def audit(name: str) -> None:
        expect(tab.locator("body")).not_to_be_empty()
        if problems := violations(tab):
            found[name] = problems

    for name, path in (("sign in", reverse("login")), ("password reset", "/password-reset/")):
        tab.goto(f"{url}{path}")
        audit(name)
    sign_in(tab, url, "sender", PASSWORD)
    runs = {company.key: books.runs(company)[0] for company in (books.bakkerij, books.nordisk)}
    pages = {
        "start": reverse("home"),
        "companies": reverse("companies"),
        "cockpit": reverse("cockpit"),
        "accounts": reverse("visma-accounts"),
        "administrations": reverse("visma-administrations"),
        "corrections": reverse("visma-corrections"),
        "language": reverse("language"),
        "notifications": reverse("notification-preferences"),
        "demo mail": reverse("demo-mail"),
        "not found": "/no-such-page/",
    }
    account = books.bakkerij.visma_account_id
    VismaAccount.objects.filter(pk=account).update(authorization_problem="access_denied")
    pages["account rename"] = reverse("visma-rename", args=(account,))
    pages["account disconnect"] = reverse("visma-disconnect", args=(account,))
    pages["account delete refused"] = reverse("visma-delete", args=(account,))
    if language == "en":  # Swagger UI speaks English only: one audit of it is enough
        pages["api docs"] = "/api/docs"
    for company in (books.bakkerij, books.nordisk):
        pages[f"{company.key} scheme"] = reverse("company-scheme", args=(company.pk,))
        pages[f"{company.key} run"] = reverse("run", args=(company.pk, runs[company.key].pk))
    for name, path in pages.items():
        tab.goto(f"{url}{path}")
        if name == "api docs":
            open_every_operation(tab)
        if name == "demo mail":
            expect(tab.locator("article.mail")).to_have_count(1)  # the caught mail is listed
        audit(name)
    walk_the_webhooks(tab, url, audit)
    for company in (books.bakkerij, books.nordisk):
        tab.goto(f"{url}{reverse('company', args=(company.pk,))}")
        row = tab.locator(f"#run-{runs[company.key].pk}")
        open_run(tab, row)
        audit(f"{company.key} company")
        row.locator("td.actions button").last.click()  # Withdraw: the dialog asks to confirm
        expect(tab.locator("#dashlet-dialog .withdraw-question")).to_be_visible()
        audit(f"{company.key} withdraw dialog")

    viewer = browser.new_context(locale=locale).new_page()
    viewer.set_default_timeout(PATIENCE_MS)
    sign_in(viewer, url, "viewer", PASSWORD)
    viewer.goto(f"{url}{reverse('visma-accounts')}")  # master administrators only
    tab = viewer
    audit("not allowed")
    assert not found, "WCAG 2.1 AA violations:\n" + "\n".join(
        f"{name}: {problem}" for name, problems in found.items() for problem in problems
    )
