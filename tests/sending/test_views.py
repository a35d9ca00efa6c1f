"""The Journal Entries Export dashlet: each run's Visma state in the run table (mark, queued,
sent with voucher number and time, needs action with the catalog title), Send, Retry, bulk send,
the timeline on demand, the rows poll (asked when the company's change stamp moves on, for sends
started anywhere and new runs), roles and tenant scoping."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from urllib.parse import quote

from django.test import Client
from django.utils import timezone

from payjournal.emulator import Emulator
from payjournal.jobs import JobStatus
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.sending.models import Submission
from payjournal.sending.recovery import recover_stranded
from payjournal.sending.send import SendPolicy, process_submission
from payjournal.sending.services import import_run, request_send, sends_automatically
from payjournal.tenancy.models import Membership, Role
from payjournal.tenancy.users import create_user
from tests.fixtures.books import Books

HX = {"HTTP_HX_REQUEST": "true"}
FAST = SendPolicy(max_attempts=3, base_delay_s=0.0, max_delay_s=0.0)


def client_for(books: Books, role: Role = Role.MASTER_ADMIN) -> Client:
    if role is Role.MASTER_ADMIN:
        user = Membership.objects.get(master=books.master, role=role).user
    else:
        user = create_user(
            f"u-{role}", "correct horse battery", master_name=books.master.name, role=role
        ).user
    client = Client()
    client.force_login(user)
    return client


def run_all() -> None:
    for submission in Submission.objects.exclude(state__in=["sent", "needs_action"]):
        process_submission(submission.pk, policy=FAST, sleep=lambda _s: None)


def poll_url(fragment: str, company: PayrollCompany) -> str:
    """The rows poll the page asks next: since the time its last answer set."""
    found = re.search(
        r'<input type="hidden" id="dashlet-since" name="since" value="([^"]+)"', fragment
    )
    assert found is not None, "the fragment sets no time to poll from"
    since = quote(html.unescape(found.group(1)))
    return f"/companies/{company.pk}/sending/rows/?since={since}"


def follows_the_stamp(page: str, company: PayrollCompany) -> bool:
    """The page asks for its rows when the company's change stamp moves on (payjournal.live)."""
    return (
        'id="live-company" hidden hx-get="/live/?ticket=' in page
        and f'id="dashlet-poll" hx-get="/companies/{company.pk}/sending/rows/"' in page
        and re.search(r'id="dashlet-poll"[^>]* hx-trigger="live-company from:body"', page)
        is not None
    )


def rows_in(fragment: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr id="run-(\d+)"', fragment)}


def settle() -> None:
    """Date everything imported and sent so far a minute back: a page rendered now sees it
    as old (its polls ask for changes since a few seconds before the render)."""
    a_minute_ago = timezone.now() - timedelta(minutes=1)
    PayrollRun.objects.update(imported_at=a_minute_ago)
    Submission.objects.update(updated_at=a_minute_ago)


def row_of(fragment: str, run_pk: int) -> str:
    found = re.search(rf'<tr id="run-{run_pk}".*?</tr>', fragment, re.S)
    assert found is not None, f"no row for run {run_pk}"
    return found.group(0)


def test_the_dashlet_shows_every_run_with_its_state_and_is_idle(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books)
    page = client.get(f"/companies/{books.bakkerij.pk}/").content.decode()
    runs = books.runs(books.bakkerij)
    assert page.count('data-state="not_sent"') == len(runs)
    assert page.count('class="mark grey">Not sent') == len(runs)
    assert page.count(">Send</button>") == len(runs)
    assert "Timeline" not in page  # nothing was sent yet: no timeline to open
    assert follows_the_stamp(page, books.bakkerij)


def test_send_then_sent_with_voucher_number_time_and_timeline(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books)
    run = books.runs(books.bakkerij)[0]
    answer = client.post(
        f"/companies/{books.bakkerij.pk}/runs/{run.pk}/send/", **HX
    ).content.decode()
    row = row_of(answer, run.pk)
    assert 'data-state="queued"' in row and 'hx-swap-oob="true"' in row
    assert "<template><tr" in answer  # a table row swapped out of band must be wrapped
    url = poll_url(answer, books.bakkerij)
    run_all()

    update = client.get(url, **HX).content.decode()
    submission = Submission.objects.get()
    row = row_of(update, run.pk)
    assert 'data-state="sent"' in row and 'class="mark red">Sent' in row
    sent_at = timezone.localtime(submission.sent_at).strftime("%Y-%m-%d %H:%M")
    assert f"{submission.voucher_number} · {sent_at}" in row
    timeline = client.get(f"/companies/{books.bakkerij.pk}/runs/{run.pk}/timeline/", **HX)
    said = timeline.content.decode()  # business words, never the machine's event names
    assert "Sending to Visma" in said and f"Sent as voucher {submission.voucher_number}" in said
    assert "claimed" not in said and "posted" not in said
    page = client.get(f"/companies/{books.bakkerij.pk}/").content.decode()
    assert page.count('class="mark red">Sent') == 1
    assert page.count("<summary>Timeline</summary>") == 1


def test_a_poll_answers_only_the_rows_that_changed(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    first, second = books.runs(books.bakkerij)[:2]
    client.post(f"/companies/{books.bakkerij.pk}/runs/{first.pk}/send/", **HX)
    client.post(f"/companies/{books.bakkerij.pk}/runs/{second.pk}/send/", **HX)
    settle()
    page = client.get(f"/companies/{books.bakkerij.pk}/").content.decode()
    url = poll_url(page, books.bakkerij)
    assert rows_in(client.get(url, **HX).content.decode()) == set()  # nothing changed since
    process_submission(
        Submission.objects.get(journal__run=first).pk, policy=FAST, sleep=lambda _s: None
    )
    update = client.get(url, **HX).content.decode()
    assert 'data-state="sent"' in row_of(update, first.pk)
    assert rows_in(update) == {first.pk}  # the second did not change since


def test_a_send_started_elsewhere_and_a_new_run_reach_an_idle_page(
    books: Books, visma: Emulator
) -> None:
    """A send the page did not start (automatic, the API, another tab) and a run imported
    meanwhile move the company's stamp on, and the rows poll answers them."""
    client = client_for(books)
    settle()
    page = client.get(f"/companies/{books.bakkerij.pk}/").content.decode()
    url = poll_url(page, books.bakkerij)
    poller = re.search(r'id="live-company" hidden hx-get="([^"]+)"', page)
    assert poller is not None
    asked = html.unescape(poller.group(1))
    assert client.get(asked, **HX).status_code == 204  # nothing changed: nothing to fetch
    assert rows_in(client.get(url, **HX).content.decode()) == set()  # nothing happened yet
    run = books.runs(books.bakkerij)[0]
    request_send(run)  # not through this page
    template = json.loads(
        next((samples_dir() / "nl-bakkerij").glob("run-2026-09.json")).read_text()
    )
    added = import_run(
        books.bakkerij, json.dumps(dict(template, run_id="2026-09-extra")).encode(), "extra.json"
    ).run
    update = client.get(url, **HX).content.decode()
    assert rows_in(update) == {run.pk, added.pk}
    assert 'data-state="queued"' in row_of(update, run.pk)
    assert 'data-state="not_sent"' in row_of(update, added.pk)
    assert client.get(asked, **HX)["HX-Trigger"] == "live-company"
    assert client.get(f"/companies/{books.bakkerij.pk}/sending/rows/", **HX).status_code == 200


def test_needs_action_shows_the_catalog_title_and_retry_queues_again(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books)
    run = books.runs(books.nordisk)[0]
    client.post(f"/companies/{books.nordisk.pk}/runs/{run.pk}/send/")
    run_all()
    submission = Submission.objects.get()
    page = client.get(f"/companies/{books.nordisk.pk}/").content.decode()
    row = row_of(page, run.pk)
    assert 'data-state="needs_action"' in row and 'class="mark grey">Needs action' in row
    assert 'data-error="period_locked"' in row
    assert "The voucher date is in a locked accounting period." in row
    assert f"/submissions/{submission.pk}/retry/" in row
    checklist = client.post(f"/companies/{books.nordisk.pk}/runs/{run.pk}/check/", **HX)
    said = checklist.content.decode()  # the lock-date item names both dates
    assert f"the voucher date {submission.voucher_date.isoformat()} is in the locked period" in said
    assert re.search(r"\(locked until \d{4}-\d\d-\d\d\)", said), said
    run_page = client.get(f"/companies/{books.nordisk.pk}/runs/{run.pk}/").content.decode()
    assert 'data-state="needs_action"' in run_page  # the run page says what the row says
    assert 'class="mark grey">Needs action' in run_page and "Not sent" not in run_page
    dutch = client.get(f"/companies/{books.nordisk.pk}/", HTTP_ACCEPT_LANGUAGE="nl")
    assert "De boekdatum valt in een afgesloten periode." in dutch.content.decode()
    timeline = client.get(
        f"/companies/{books.nordisk.pk}/runs/{run.pk}/timeline/", **HX
    ).content.decode()
    assert 'data-problem="period_locked"' in timeline  # cause, solution, who acts
    # found by the pre-flight: said so, and no invented "original message" of Visma's
    assert 'data-found="preflight"' in timeline and "Found before sending" in timeline
    assert "Pre-flight:" not in timeline and "<code>" not in timeline  # no Visma words invented
    response = client.post(f"/companies/{books.nordisk.pk}/submissions/{submission.pk}/retry/")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == "queued"


def test_a_stranded_send_stopped_by_the_sweep_offers_retry(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    run = books.runs(books.bakkerij)[0]
    client.post(f"/companies/{books.bakkerij.pk}/runs/{run.pk}/send/")
    submission = Submission.objects.get()
    recover_stranded(
        queued_for=timedelta(0), statuses={submission.workflow_id: JobStatus("CANCELLED")}
    )
    row = row_of(client.get(f"/companies/{books.bakkerij.pk}/").content.decode(), run.pk)
    assert 'data-error="job_failed"' in row
    assert "The background send of this journal stopped before it finished." in row
    answer = client.post(
        f"/companies/{books.bakkerij.pk}/submissions/{submission.pk}/retry/", **HX
    ).content.decode()
    assert 'data-state="queued"' in row_of(answer, run.pk)


def test_bulk_send_selected_runs_and_a_period(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    first = books.runs(books.bakkerij)[0]
    client.post(f"/companies/{books.bakkerij.pk}/sending/send/", {"runs": [first.pk]}, **HX)
    assert Submission.objects.count() == 1
    client.post(
        f"/companies/{books.bakkerij.pk}/sending/send/",
        {"start": "2026-01-01", "end": "2026-12-31"},
        **HX,
    )
    assert Submission.objects.count() == len({r.run_id for r in books.runs(books.bakkerij)})


def test_automatic_sending_is_a_master_admin_setting(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    client.post(f"/companies/{books.bakkerij.pk}/sending/automatic/", {"enabled": "on"}, **HX)
    assert sends_automatically(books.bakkerij)
    payroll = client_for(books, Role.PAYROLL_ADMIN)
    books.bakkerij.assignees.add(Membership.objects.get(role=Role.PAYROLL_ADMIN).user)
    assert payroll.post(f"/companies/{books.bakkerij.pk}/sending/automatic/", {}).status_code == 403


def test_viewers_cannot_send_and_other_masters_cannot_see(books: Books, visma: Emulator) -> None:
    viewer = client_for(books, Role.VIEWER)
    books.bakkerij.assignees.add(Membership.objects.get(role=Role.VIEWER).user)
    run = books.runs(books.bakkerij)[0]
    assert viewer.post(f"/companies/{books.bakkerij.pk}/runs/{run.pk}/send/").status_code == 403
    outsider = Client()
    outsider.force_login(
        create_user(
            "out", "correct horse battery", master_name="Other", role=Role.MASTER_ADMIN
        ).user
    )
    assert outsider.get(f"/companies/{books.bakkerij.pk}/").status_code == 404
    assert (
        outsider.get(f"/companies/{books.bakkerij.pk}/sending/rows/?runs={run.pk}").status_code
        == 404
    )
    assert (
        outsider.get(f"/companies/{books.bakkerij.pk}/runs/{run.pk}/timeline/").status_code == 404
    )
    assert outsider.post(f"/companies/{books.bakkerij.pk}/runs/{run.pk}/send/").status_code == 404
    assert Submission.objects.count() == 0
