"""What the browser walks through the pages share: the books fixture's user and its password,
one run sent and one stopped by the pre-flight (:func:`send_two`), signing in (:func:`sign_in`),
and a run's row opened the way a user reads it — its timeline unfolded and its pre-flight
checklist shown (:func:`open_run`)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from payjournal.sending.models import Submission
from payjournal.sending.send import SendPolicy, process_submission
from payjournal.sending.services import request_send
from tests.fixtures.books import Books

PASSWORD = "correct horse battery"  # the books fixture's user "sender"


def send_two(books: Books) -> None:
    """A run of the Bakkerij sent (voucher number, timeline) and one of Nordisk that the
    pre-flight stops (needs action: its period is locked in Visma)."""
    fast = SendPolicy(max_attempts=3, base_delay_s=0.0, max_delay_s=0.0)
    for company in (books.bakkerij, books.nordisk):
        request_send(books.runs(company)[0])
    for submission in Submission.objects.all():
        process_submission(submission.pk, policy=fast, sleep=lambda _s: None)
    assert {s.state for s in Submission.objects.all()} == {"sent", "needs_action"}


def sign_in(tab: Page, url: str, username: str, password: str) -> None:
    """Sign in on the login page (whatever its language: the form's fields, by id)."""
    tab.goto(f"{url}/login/")
    tab.locator("#id_username").fill(username)
    tab.locator("#id_password").fill(password)
    tab.locator("main form button[type=submit]").click()
    expect(tab.locator("header nav")).to_be_visible()


def open_run(tab: Page, row: Locator) -> None:
    """Unfold ``row``'s timeline and show its pre-flight checklist (its Check button)."""
    row.locator("details.timeline summary").click()
    expect(row.locator(".timeline-items li").first).to_be_visible()
    row.locator("button[data-check-run]").click()
    expect(tab.locator("#preflight .checklist")).to_be_visible()
