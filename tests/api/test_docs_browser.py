"""``/api/docs`` in chromium with no internet: the operations render under the site's CSP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.api.test_docs import OPERATIONS
from tests.fixtures.browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "payjournal API — reference"), ("nl", "payjournal API — naslag")],
)
def test_the_operations_render_with_no_internet_under_the_csp(
    page: Page, live_server: Any, language: str, title: str
) -> None:
    """Chromium with every request off the server refused: the page still renders each
    operation, and the browser reports no CSP violation and no failed script."""
    own = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def only_our_server(route: Any) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    complaints: list[str] = []
    page.on(
        "console",
        lambda message: complaints.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: complaints.append(str(error)))
    page.route("**/*", only_our_server)
    page.set_extra_http_headers({"Accept-Language": language})
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".opblock")).to_have_count(OPERATIONS)
    expect(page).to_have_title(title)
    expect(page.locator(".opblock-summary-path", has_text="/runs/{run}/send")).to_be_visible()
    expect(page.locator(".info .title")).to_contain_text("payjournal API")
    page.locator(".opblock-post", has_text="/runs/{run}/send").locator(
        ".opblock-summary"
    ).first.click()
    expect(page.locator(".responses-wrapper")).to_contain_text("already_booked")
    assert elsewhere == []
    assert complaints == []
