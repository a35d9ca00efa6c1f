"""How the pages look, measured in Debian's chromium from the elements' boxes: the Journal
Entries Export dashlet reads well at 1366 × 768 — each run's id, period, kind, version, payment
date and total on one line, its buttons in one row, the table inside its card — and no page
scrolls sideways on a phone (390 × 844: a wide table scrolls inside its own box); the Visma mark
is one logo mark, grey or red, with its label beside it, on the accounts list, in the dashlet
and on the run page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from payjournal.integrations.models import VismaAccount
from payjournal.tenancy.models import Membership
from tests.fixtures.books import Books
from tests.fixtures.browser import BROWSER_MARKS
from tests.waiting import PATIENCE_MS
from tests.web.walk import PASSWORD, open_run, send_two, sign_in

pytestmark = BROWSER_MARKS

#: Per cell of the dashlet's rows outside the Visma column: the number of lines its text takes
#: (the text's box height over the cell's line height), and whether the buttons share one row.
ROW_LINES = """() => [...document.querySelectorAll("#dashlet-rows tr")].map(tr => {
    const cells = [...tr.cells].filter(td => !td.classList.contains("visma"));
    const lines = cells.filter(td => td.textContent.trim()).map(td => {
        const range = document.createRange();
        range.selectNodeContents(td);
        const height = range.getBoundingClientRect().height;
        const line = parseFloat(getComputedStyle(td).lineHeight);
        return [td.textContent.trim(), Math.round(height / line)];
    });
    const tops = new Set([...tr.querySelectorAll("td.actions button")]
        .map(b => Math.round(b.getBoundingClientRect().top)));
    return {run: tr.dataset.run, lines, buttonRows: tops.size};
})"""
#: The dashlet's table box: its width and the width it would need.
TABLE_BOX = """() => {
    const box = document.querySelector("#journal-entries-export table").parentElement;
    return [box.clientWidth, box.scrollWidth];
}"""
PAGE_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
#: Each Visma mark: its class, label, and the colour and picture of its logo mark.
MARKS = """() => [...document.querySelectorAll(".mark")].map(mark => {
    const logo = getComputedStyle(mark, "::before");
    return {
        colour: mark.classList.contains("red") ? "red" : "grey",
        label: mark.textContent.trim(),
        logo: logo.backgroundColor,
        picture: logo.maskImage || logo.webkitMaskImage,
        width: parseFloat(logo.width),
    };
})"""
RED, GREY = "rgb(200, 16, 46)", "rgb(107, 113, 124)"


def signed_in(books: Books, live_server: Any, page: Page, language: str = "nl") -> Page:
    """The master administrator signed in, in Dutch unless told (longer words than English),
    one run sent and one stopped by the pre-flight."""
    send_two(books)
    Membership.objects.filter(master=books.master).update(language=language)
    page.set_default_timeout(PATIENCE_MS)
    sign_in(page, live_server.url, "sender", PASSWORD)
    return page


@pytest.mark.parametrize("language", ["nl", "sv"])
def test_the_dashlet_reads_on_one_line_per_cell_at_1366(
    books: Books, live_server: Any, page: Page, language: str
) -> None:
    tab = signed_in(books, live_server, page, language)
    tab.set_viewport_size({"width": 1366, "height": 768})
    for company in (books.bakkerij, books.nordisk):
        tab.goto(f"{live_server.url}{reverse('company', args=(company.pk,))}")
        open_run(tab, tab.locator(f"#run-{books.runs(company)[0].pk}"))  # the widest state
        rows = tab.evaluate(ROW_LINES)
        assert len(rows) >= 2
        for row in rows:
            wrapped = [text for text, lines in row["lines"] if lines != 1]
            assert not wrapped, f"{company.key} run {row['run']}: wrapped cells {wrapped}"
            assert row["buttonRows"] == 1, f"{company.key} run {row['run']}: buttons wrap"
        width, needed = tab.evaluate(TABLE_BOX)
        assert needed <= width, f"{company.key}: the table needs {needed}px of {width}px"
        assert tab.evaluate(PAGE_WIDTH)[0] <= 1366


def test_no_page_scrolls_sideways_on_a_phone(books: Books, live_server: Any, page: Page) -> None:
    tab = signed_in(books, live_server, page)
    tab.set_viewport_size({"width": 390, "height": 844})
    nordisk = books.nordisk
    pages = [
        reverse("companies"),
        reverse("visma-accounts"),
        reverse("visma-administrations"),
        reverse("visma-corrections"),
        reverse("company", args=(books.bakkerij.pk,)),
        reverse("company", args=(nordisk.pk,)),
        reverse("run", args=(nordisk.pk, books.runs(nordisk)[0].pk)),
        reverse("company-scheme", args=(nordisk.pk,)),
        reverse("language"),
    ]
    wide = {}
    for path in pages:
        tab.goto(f"{live_server.url}{path}")
        if path == reverse("company", args=(nordisk.pk,)):
            open_run(tab, tab.locator(f"#run-{books.runs(nordisk)[0].pk}"))
            width, needed = tab.evaluate(TABLE_BOX)
            assert needed > width  # the table scrolls in its own box ...
        scroll_width, viewport = tab.evaluate(PAGE_WIDTH)
        if scroll_width > viewport:
            wide[path] = scroll_width
    assert not wide, f"pages wider than the 390px screen: {wide}"  # ... and never the page


def test_the_visma_mark_is_a_grey_or_red_logo_with_its_label(
    books: Books, live_server: Any, page: Page
) -> None:
    VismaAccount.objects.create(master=books.master, name="Nog te autoriseren")
    tab = signed_in(books, live_server, page)
    nordisk = books.nordisk
    seen = []
    for path in (
        reverse("visma-accounts"),
        reverse("company", args=(books.bakkerij.pk,)),
        reverse("company", args=(nordisk.pk,)),
        reverse("run", args=(nordisk.pk, books.runs(nordisk)[0].pk)),
    ):
        tab.goto(f"{live_server.url}{path}")
        marks = tab.evaluate(MARKS)
        assert marks, path
        seen.extend(marks)
    assert {mark["colour"] for mark in seen} == {"grey", "red"}
    for mark in seen:
        assert mark["logo"] == (RED if mark["colour"] == "red" else GREY), mark
        assert "visma-mark" in mark["picture"] and mark["width"] >= 14, mark  # the logo mark
        assert mark["label"], mark  # never colour alone
    labels = {mark["label"] for mark in seen}
    assert {"Geautoriseerd", "Verstuurd", "Niet verstuurd", "Actie nodig"} <= labels
