"""Every page in Dutch and in Swedish, in a real browser (Debian's chromium): sign in with the
browser set to the language (Accept-Language decides before any choice), then, as a user who
chose the language, walk every page — the accounts and administrations tabs, the corrections
defaults, the companies, a company with a sent run and a run that needs action (timeline
opened), a run's journal, the ledger scheme, the language choice, a page that does not exist —
and fail on any English label, machine value or English number or date format on the screen.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from payjournal.tenancy.models import Membership, Role
from tests.fixtures.books import Books
from tests.fixtures.browser import BROWSER_MARKS
from tests.waiting import PATIENCE_MS
from tests.web.walk import PASSWORD, send_two

pytestmark = BROWSER_MARKS

#: Labels of the English screens (whole words, case-sensitive) that are not also Dutch or Swedish.
ENGLISH = (
    "Sign in",
    "Sign out",
    "User name",
    "Forgot your password",
    "Password",
    "Payroll companies",
    "Payroll company",
    "Integrations",
    "Administrations",
    "Corrections",
    "Journal Entries Export",
    "Payroll processing",
    "Ledger scheme",
    "Not sent",
    "Needs action",
    "Sent as",
    "Queued",
    "Send selected",
    "Send period",
    "Check",
    "Retry",
    "Withdraw",
    "Timeline",
    "Import",
    "Payment date",
    "Account",
    "Debit",
    "Save",
    "Cancel",
    "Language",
    "Back to",
    "not mapped",
    "Authorized",
    "Not authorized",
    "What happened",
    "What to do",
    "Who acts",
    "Where",
    "Original message",
    "Found before sending",
    "Coverage",
    "Component",
    "Mapped",
    "Not found",
    "Not allowed",
    "Master administrator",
    "Payroll administrator",
    "Viewer",
    "Kind",
    "Total",
    "Text",
    "Dimension",
    "rounding",
    "Regular",
    "Visma company",
    "Add",
    "Change",
    "Reversal",
    "run",
    "version",
    "voucher",
    "sent",
    "needs action",
    "the master default",
    "fiscal year",
)
#: English labels that are also the right word in the language ("Account" in Dutch, a user's
#: account with Visma; "version" and "Text" in Swedish).
SAME_WORD = {"nl": frozenset({"Account"}), "sv": frozenset({"version", "Text"})}
#: Raw values and machine words that never reach a screen, in any language.
RAW = ("off_cycle", "needs_action", "claimed", "posted", "→ sending", "B.V..", "fields")
WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH + RAW) + r")\b")
#: An amount with a point before two decimals ("1234.50") or a US date: English formats.
ENGLISH_NUMBER = re.compile(r"\d\.\d\d\b(?!\.)")


def english_on(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Each English word or number format on ``text``, with the line it stands in."""
    found = []
    for line in text.splitlines():
        words = {w for w in WORDS.findall(line) if w not in allowed}
        words |= {raw for raw in RAW if raw in line and not raw.isalpha()}  # "B.V..", "→ sending"
        words |= set(ENGLISH_NUMBER.findall(line))
        found.extend(f"{word!r} in {line.strip()[:160]!r}" for word in sorted(words))
    return found


@pytest.mark.parametrize(
    ("language", "locale", "sign_in"), [("nl", "nl-NL", "Inloggen"), ("sv", "sv-SE", "Logga in")]
)
def test_every_page_speaks_the_users_language(
    books: Books, live_server: Any, page: Page, language: str, locale: str, sign_in: str
) -> None:
    send_two(books)
    browser = page.context.browser
    assert browser is not None
    tab = browser.new_context(locale=locale).new_page()  # Accept-Language: nl-NL / sv-SE
    tab.set_default_timeout(PATIENCE_MS)
    seen: dict[str, list[str]] = {}

    def check(name: str) -> None:
        expect(tab.locator("body")).not_to_be_empty()
        found = english_on(tab.locator("body").inner_text(), SAME_WORD[language])
        if found:
            seen[name] = found

    tab.goto(f"{live_server.url}{reverse('password_reset')}")
    check("password reset")
    tab.goto(f"{live_server.url}{reverse('login')}")
    check("sign in")
    tab.locator("#id_username").fill("sender")
    tab.locator("#id_password").fill(PASSWORD)
    tab.get_by_role("button", name=sign_in).click()
    expect(tab.locator("html")).to_have_attribute("lang", language)
    Membership.objects.filter(master=books.master, role=Role.MASTER_ADMIN).update(language=language)
    runs = {company.key: books.runs(company)[0] for company in (books.bakkerij, books.nordisk)}
    pages = {
        "home": reverse("home"),
        "accounts": reverse("visma-accounts"),
        "administrations": reverse("visma-administrations"),
        "corrections": reverse("visma-corrections"),
        "companies": reverse("companies"),
        "language": reverse("language"),
        "not found": "/no-such-page/",
        "authorization failed": f"{reverse('visma-callback')}?state=forged",
    }
    for company in (books.bakkerij, books.nordisk):
        pages[f"{company.key} scheme"] = reverse("company-scheme", args=(company.pk,))
        pages[f"{company.key} run"] = reverse("run", args=(company.pk, runs[company.key].pk))
    for name, path in pages.items():
        tab.goto(f"{live_server.url}{path}")
        check(name)
    for company in (books.bakkerij, books.nordisk):
        tab.goto(f"{live_server.url}{reverse('company', args=(company.pk,))}")
        row = tab.locator(f"#run-{runs[company.key].pk}")
        row.locator("details.timeline summary").click()
        expect(row.locator(".timeline-items li").first).to_be_visible()
        row.get_by_role("button").first.click()  # Check: the pre-flight checklist
        expect(tab.locator("#preflight .checklist")).to_be_visible()
        check(f"{company.key} company")
        row.get_by_role("button").last.click()  # Withdraw: the dialog says what is reversed
        expect(tab.locator("#dashlet-dialog .withdraw-question")).to_be_visible()
        check(f"{company.key} withdraw dialog")
    assert not seen, f"English on the {language} pages: {seen}"
