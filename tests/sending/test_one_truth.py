"""One truth per run: the run's page, its dashlet row and its checklist say the same, also
after a fix. A run the pre-flight stopped (no fiscal year for its voucher date at Nordisk)
needs action on the row and on the run's page, both explained; once the fiscal year is created
the passing checklist offers Retry right there, and after the retry row, page and checklist
all say "Sent". A passing check of an unsent run offers Send. "Where" names Visma's screens as
text and links only to our other pages."""

from __future__ import annotations

import re

from django.test import Client

from payjournal.emulator import Emulator
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.payroll.models import PayrollRun
from payjournal.sending.models import Submission
from payjournal.tenancy.models import Membership, Role
from tests.fixtures.books import Books
from tests.sending.test_send import send
from tests.sending.test_send_preflight import _no_fiscal_year
from tests.sending.test_views import HX, client_for, run_all


def row_state(client: Client, run: PayrollRun) -> str:
    page = client.get(f"/companies/{run.company_id}/").content.decode()
    found = re.search(rf'<tr id="run-\d+" data-run="{run.run_id}" data-state="([a-z_]+)"', page)
    assert found is not None
    return found.group(1)


def run_page(client: Client, run: PayrollRun) -> str:
    return client.get(f"/companies/{run.company_id}/runs/{run.pk}/").content.decode()


def page_state(page: str) -> str:
    found = re.search(r'id="run-state" data-state="([a-z_]+)"', page)
    assert found is not None
    return found.group(1)


def check(client: Client, run: PayrollRun) -> str:
    return client.post(f"/companies/{run.company_id}/runs/{run.pk}/check/").content.decode()


def where(html: str) -> str:
    return html.split("<dt>Where</dt><dd>", 1)[1].split("</dd>", 1)[0]


def test_the_run_page_says_what_the_row_says_of_a_run_that_needs_action(
    books: Books, visma: Emulator
) -> None:
    run = _no_fiscal_year(books, visma)
    stuck = send(run)
    client = client_for(books)
    page = run_page(client, run)
    assert row_state(client, run) == page_state(page) == "needs_action"
    state = page.split('id="run-state"', 1)[1]
    assert "Needs action" in state
    assert 'data-problem="fiscal_year_missing"' in state  # explained, as the timeline does
    assert "Not sent" not in page and "never sent" not in page and "Sending:" not in page
    assert f'action="/companies/{run.company_id}/submissions/{stuck.pk}/retry/"' in state
    assert "<a " not in where(page)  # Visma's screen: a path, not a link


def test_after_the_fix_the_passing_checklist_offers_retry_and_all_agree_once_sent(
    books: Books, visma: Emulator
) -> None:
    run = _no_fiscal_year(books, visma)
    stuck = send(run)
    client = client_for(books)
    failing = check(client, run)
    assert 'data-passed="false"' in failing and "Retry" not in failing
    fixed = client.post(
        f"/companies/{run.company_id}/runs/{run.pk}/check/fiscal-year/",
        {"start_date": "2027-01-01", "end_date": "2027-12-31", "confirm": "yes"},
    ).content.decode()
    assert 'data-passed="true"' in fixed
    assert "Every check passes now: Retry sends the journal again." in fixed
    retry_url = f"/companies/{run.company_id}/submissions/{stuck.pk}/retry/"
    assert f'hx-post="{retry_url}"' in fixed and f'action="{retry_url}"' in fixed

    assert client.post(retry_url, **HX).status_code == 200  # the button's answer: the row
    assert row_state(client, run) == "queued"
    run_all()
    assert Submission.objects.get(pk=stuck.pk).state == "sent"
    assert row_state(client, run) == page_state(run_page(client, run)) == "sent"
    again = check(client, run)
    assert 'class="next-step" data-state="sent"' in again
    assert "Ready to send" not in again and "<button" not in again.split("next-step", 1)[1]


def test_a_passing_check_of_an_unsent_run_offers_send_to_those_who_may_send(
    books: Books, visma: Emulator
) -> None:
    run = books.runs(books.bakkerij)[-1]
    editor = check(client_for(books), run)
    send_url = f"/companies/{run.company_id}/runs/{run.pk}/send/"
    assert "Ready to send: every check passed." in editor
    assert f'hx-post="{send_url}"' in editor and f'action="{send_url}"' in editor
    viewing = client_for(books, Role.VIEWER)
    books.bakkerij.assignees.add(Membership.objects.get(role=Role.VIEWER).user)
    viewer = check(viewing, run)
    assert 'data-passed="true"' in viewer and send_url not in viewer
    assert 'class="next-step" data-state="not_sent"' in viewer


def test_where_in_the_timeline_links_to_our_other_pages_never_to_the_company_page(
    books: Books, visma: Emulator
) -> None:
    run = _no_fiscal_year(books, visma)
    send(run)
    client = client_for(books)
    timeline = client.get(f"/companies/{run.company_id}/runs/{run.pk}/timeline/").content.decode()
    assert "<a " not in where(timeline)
    assert "Settings → Fiscal years" in where(timeline)


def test_where_links_to_an_integrations_tab_only_for_those_who_may_open_it(
    books: Books, visma: Emulator
) -> None:
    VismaAccount.objects.filter(pk=books.bakkerij.visma_account_id).update(
        status=AccountStatus.NOT_AUTHORIZED
    )
    run = books.runs(books.bakkerij)[-1]
    admin = where(check(client_for(books), run))
    assert admin.startswith('<a href="/integrations/visma/')
    payroll = client_for(books, Role.PAYROLL_ADMIN)
    books.bakkerij.assignees.add(Membership.objects.get(role=Role.PAYROLL_ADMIN).user)
    told = where(check(payroll, run))
    assert "<a " not in told and "Integrations →" in told  # named, not a link to a 403
