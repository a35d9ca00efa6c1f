"""The sending panel: Send, bulk send, states with voucher number and error, timeline, Retry,
automatic sending, roles and tenant scoping."""

from __future__ import annotations

from django.test import Client

from payjournal.emulator import Emulator
from payjournal.sending.models import Submission
from payjournal.sending.send import SendPolicy, process_submission
from payjournal.sending.services import sends_automatically
from payjournal.tenancy.models import Membership, Role
from payjournal.tenancy.users import create_user
from tests.sending.conftest import Books

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


def test_the_dashlet_page_loads_the_panel(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    page = client.get(f"/companies/{books.bakkerij.pk}/").content.decode()
    assert f'hx-get="/companies/{books.bakkerij.pk}/sending/"' in page
    panel = client.get(f"/companies/{books.bakkerij.pk}/sending/", **HX).content.decode()
    assert panel.count('data-state="not_sent"') == len(books.runs(books.bakkerij))
    assert 'hx-trigger="every 2s"' not in panel


def test_send_then_sent_with_voucher_number_and_timeline(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    run = books.runs(books.bakkerij)[0]
    answer = client.post(
        f"/companies/{books.bakkerij.pk}/runs/{run.pk}/send/", **HX
    ).content.decode()
    assert 'data-state="queued"' in answer
    assert 'hx-trigger="every 2s"' in answer  # polls while anything is in flight
    run_all()
    panel = client.get(f"/companies/{books.bakkerij.pk}/sending/", **HX).content.decode()
    submission = Submission.objects.get()
    assert 'data-state="sent"' in panel
    assert submission.voucher_number in panel
    assert "claimed → sending" in panel and "posted → sent" in panel
    page = client.get(f"/companies/{books.bakkerij.pk}/").content.decode()
    assert page.count('class="mark red">Sent') == 1  # the dashlet's mark follows the submission


def test_needs_action_shows_the_error_and_retry_queues_again(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    run = books.runs(books.nordisk)[0]
    client.post(f"/companies/{books.nordisk.pk}/runs/{run.pk}/send/")
    run_all()
    submission = Submission.objects.get()
    panel = client.get(f"/companies/{books.nordisk.pk}/sending/", **HX).content.decode()
    assert 'data-error="period_locked"' in panel
    assert f"/submissions/{submission.pk}/retry/" in panel
    response = client.post(f"/companies/{books.nordisk.pk}/submissions/{submission.pk}/retry/")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == "queued"


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
    assert outsider.get(f"/companies/{books.bakkerij.pk}/sending/").status_code == 404
    assert outsider.post(f"/companies/{books.bakkerij.pk}/runs/{run.pk}/send/").status_code == 404
    assert Submission.objects.count() == 0
