"""Withdraw, as a payroll administrator uses it from the dashlet: a confirmation that says what
is reversed (and when: at once with automatic sending, else on Send), then the row's "withdrawn —
reversal of A… to send", the Send that books the reversal, and the red "Withdrawn" once Visma
holds nothing of the run. Viewers cannot withdraw."""

from __future__ import annotations

from payjournal.emulator import Emulator
from payjournal.sending.models import Submission
from payjournal.sending.services import set_send_automatically
from payjournal.tenancy.models import Membership, Role
from tests.fixtures.books import Books
from tests.sending.netting import books_net
from tests.sending.story import RUN, drain, version_1
from tests.sending.test_correction_views import (
    company_url,
    dialog_of,
    numbers,
    send_v1,
    text_of,
    token_of,
)
from tests.sending.test_views import HX, client_for, row_of


def test_withdraw_asks_what_it_reverses_then_send_books_the_reversal(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books, Role.PAYROLL_ADMIN)
    payroll = Membership.objects.get(role=Role.PAYROLL_ADMIN)
    books.bakkerij.assignees.add(payroll.user)
    v1 = send_v1(books)
    (a1,) = numbers(books)
    withdraw = f"{company_url(books)}runs/{v1.pk}/withdraw/"

    question = text_of(dialog_of(client.post(withdraw, **HX).content.decode()))
    assert f"Visma holds v1 of run {RUN} ({a1}). Withdrawing the run reverses {a1}" in question
    assert "The reversal is posted when you click Send on the run." in question
    assert version_1(books).withdrawn_at is None  # only asked

    done = client.post(withdraw, {"confirm": "withdraw"}, **HX).content.decode()
    withdrawn = version_1(books)
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawn_by == payroll.user
    row = row_of(done, v1.pk)
    assert 'data-state="reversal_to_send"' in row
    assert f"<li>withdrawn — reversal of {a1} to send</li>" in row
    assert ">Withdraw</button>" not in row and ">Send</button>" in row

    send = f"{company_url(books)}runs/{v1.pk}/send/"
    dialog = dialog_of(client.post(send, **HX).content.decode())
    assert "Send the withdrawal of run 2026-09" in text_of(dialog)
    client.post(send, {"confirm": token_of(dialog)}, **HX)
    drain(books.bakkerij)
    a1, a2 = numbers(books)
    row = row_of(client.get(company_url(books)).content.decode(), v1.pk)
    assert '<span class="mark red">Withdrawn</span>' in row
    assert f"<li>v1 sent {a1} · reversed by {a2}</li>" in row
    assert books_net(visma, books.bakkerij, RUN) == {}


def test_with_automatic_sending_a_withdrawal_is_reversed_at_once(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books)
    v1 = send_v1(books)
    set_send_automatically(books.bakkerij, True)
    withdraw = f"{company_url(books)}runs/{v1.pk}/withdraw/"
    question = text_of(dialog_of(client.post(withdraw, **HX).content.decode()))
    assert "This company sends automatically: the reversal is posted at once." in question
    row = row_of(client.post(withdraw, {"confirm": "withdraw"}, **HX).content.decode(), v1.pk)
    assert 'data-state="queued"' in row and ">Send</button>" not in row
    drain(books.bakkerij)
    assert books_net(visma, books.bakkerij, RUN) == {}


def test_withdrawing_a_run_never_sent_posts_nothing(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    run = version_1(books)
    withdraw = f"{company_url(books)}runs/{run.pk}/withdraw/"
    question = text_of(dialog_of(client.post(withdraw, **HX).content.decode()))
    assert f"Nothing of run {RUN} is booked in Visma: withdrawing it posts no voucher." in question
    row = row_of(client.post(withdraw, {"confirm": "withdraw"}, **HX).content.decode(), run.pk)
    assert '<span class="mark red">Withdrawn</span>' in row
    assert "<li>withdrawn — nothing was booked</li>" in row
    assert not Submission.objects.filter(company=books.bakkerij).exists()


def test_viewers_cannot_withdraw(books: Books, visma: Emulator) -> None:
    viewer = client_for(books, Role.VIEWER)
    books.bakkerij.assignees.add(Membership.objects.get(role=Role.VIEWER).user)
    run = send_v1(books)
    page = viewer.get(company_url(books)).content.decode()
    assert ">Withdraw</button>" not in page
    withdraw = f"{company_url(books)}runs/{run.pk}/withdraw/"
    assert viewer.post(withdraw, {"confirm": "withdraw"}).status_code == 403
    assert viewer.post(withdraw).status_code == 403
    assert version_1(books).withdrawn_at is None


def test_without_javascript_the_question_is_a_page(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    run = send_v1(books)
    withdraw = f"{company_url(books)}runs/{run.pk}/withdraw/"
    page = client.post(withdraw)
    assert page.status_code == 200
    assert f"Withdraw run {RUN}?" in page.content.decode()
    assert version_1(books).withdrawn_at is None
    assert client.post(withdraw, {"confirm": "withdraw"}).status_code == 302
    assert version_1(books).withdrawn_at is not None
