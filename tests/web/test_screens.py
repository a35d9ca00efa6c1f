"""The screenshots of the README (``docs/screens/*.png``), rendered in Dutch in Debian's chromium
at 1366 × 768: the start page (*Vandaag*, what needs the user today), the firm cockpit (every
company on one screen), the Accounts tab, a company page with a sent run, and a run that needs
action with its timeline.

Written only when asked — ``PAYJOURNAL_SCREENS=docs/screens .venv/bin/pytest
tests/web/test_screens.py`` — and skipped otherwise: the pictures are documentation, the other
browser tests check what they show.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from payjournal.integrations.models import VismaAccount
from payjournal.payroll.models import PayrollCompany
from payjournal.tenancy.models import Master, Membership
from tests.fixtures.books import Books
from tests.fixtures.browser import BROWSER_MARKS
from tests.waiting import PATIENCE_MS
from tests.web.walk import PASSWORD, send_two, sign_in

SCREENS = os.environ.get("PAYJOURNAL_SCREENS", "")
pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(not SCREENS, reason="set PAYJOURNAL_SCREENS=docs/screens to write them"),
]
#: The Visma companies of the emulator's seed, as the screens name them.
NAMES = {"nl-bakkerij": "Bakkerij De Vries B.V.", "se-nordisk": "Nordisk Trä AB"}
#: Bound of one picture's size, so the README stays light.
MAX_BYTES = 200_000


def named_as_in_visma(books: Books) -> None:
    """The office, its companies and accounts named as a payroll office would name them; the
    tokens a few hours old, Visma's last answer minutes ago (not "0 minutes")."""
    Master.objects.filter(pk=books.master.pk).update(name="Salarisbureau Noord")
    now = timezone.now()
    VismaAccount.objects.filter(master=books.master).update(
        tokens_issued_at=now - timedelta(hours=3), last_call_ok_at=now - timedelta(minutes=4)
    )
    for key, name in NAMES.items():
        PayrollCompany.objects.filter(master=books.master, key=key).update(name=name)
        VismaAccount.objects.filter(master=books.master, name=f"Visma {key}").update(
            name=f"{name.split()[0]} – {'Anna' if key == 'nl-bakkerij' else 'Erik'}",
            visma_company_name=name,
        )


def test_write_the_readme_screens(books: Books, live_server: Any, page: Page) -> None:
    """In a Dutch browser (its date fields read dd-mm-jjjj)."""
    folder = Path(SCREENS)
    folder.mkdir(parents=True, exist_ok=True)
    send_two(books)
    named_as_in_visma(books)
    VismaAccount.objects.create(master=books.master, name="Bakkerij – Petra")  # a grey mark
    Membership.objects.filter(master=books.master).update(language="nl")
    browser = page.context.browser
    assert browser is not None
    tab = browser.new_context(
        locale="nl-NL", viewport={"width": 1366, "height": 768}, timezone_id="Europe/Amsterdam"
    ).new_page()
    tab.set_default_timeout(PATIENCE_MS)
    sign_in(tab, live_server.url, "sender", PASSWORD)
    url = live_server.url

    tab.goto(f"{url}{reverse('home')}")
    tab.screenshot(path=folder / "start.png")
    tab.goto(f"{url}{reverse('cockpit')}")
    tab.screenshot(path=folder / "cockpit.png")
    tab.goto(f"{url}{reverse('visma-accounts')}")
    tab.screenshot(path=folder / "accounts.png")

    bakkerij = books.runs(books.bakkerij)[0]
    tab.goto(f"{url}{reverse('company', args=(books.bakkerij.pk,))}")
    row = tab.locator(f"#run-{bakkerij.pk}")
    row.locator("details.timeline summary").click()
    row.locator(".timeline-items li").first.wait_for()
    tab.screenshot(path=folder / "company-sent.png")

    nordisk = books.runs(books.nordisk)[0]
    tab.goto(f"{url}{reverse('company', args=(books.nordisk.pk,))}")
    row = tab.locator(f"#run-{nordisk.pk}")
    row.locator("details.timeline summary").click()
    row.locator(".timeline-items li").first.wait_for()
    tab.locator("#journal-entries-export table").screenshot(path=folder / "needs-action.png")

    sizes = {path.name: path.stat().st_size for path in folder.glob("*.png")}
    assert len(sizes) >= 5 and max(sizes.values()) < MAX_BYTES, sizes
