"""What a payroll administrator sees of corrections, through the Django test client against the
emulator: one dashlet row per run id with its versions and legs in plain words, the preview
before a correction is sent (the vouchers in order, the change per account) and its confirm,
the timeline of every leg, the poll
that follows a reversal leg (whose journal is the old version), and the journal page of a
superseded version. Each send ends with the emulator's books holding the latest version."""

from __future__ import annotations

import html
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from payjournal.emulator import Emulator
from payjournal.payroll.models import PayrollRun
from payjournal.sending.models import SendingSettings, Submission
from payjournal.sending.services import request_send
from payjournal.tenancy.models import Membership, Role
from tests.fixtures.books import Books
from tests.sending.netting import books_net, expected_net, vouchers_of_run
from tests.sending.story import RUN, corrected, drain, version_1
from tests.sending.test_views import HX, client_for, poll_url, row_of, settle

SAME_AMOUNTS = corrected("0.00")


def company_url(books: Books) -> str:
    return f"/companies/{books.bakkerij.pk}/"


def send_v1(books: Books) -> PayrollRun:
    run = version_1(books)
    request_send(run)
    drain(books.bakkerij)
    return run


def upload(client: Client, books: Books, data: bytes) -> str:
    answer = client.post(
        company_url(books), {"run": SimpleUploadedFile("run.json", data)}, follow=True
    )
    return answer.content.decode()


def latest(books: Books) -> PayrollRun:
    run = PayrollRun.objects.filter(company=books.bakkerij, run_id=RUN).order_by("-version")[0]
    return run


def numbers(books: Books) -> list[str]:
    """The voucher numbers of the run id's legs, in the order they were sent."""
    legs = Submission.objects.filter(company=books.bakkerij, run_key=RUN, state="sent")
    return [leg.voucher_number for leg in legs.order_by("created_at") if leg.voucher_number]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def dialog_of(answer: str) -> str:
    found = re.search(r'<dialog id="dashlet-dialog"[^>]*>.*?</dialog>', answer, re.S)
    assert found is not None, "the answer has no dialog"
    return found.group(0)


def token_of(dialog: str) -> str:
    found = re.search(r'name="confirm" value="([^"]+)"', dialog)
    assert found is not None
    return html.unescape(found.group(1))


def assert_books_hold_the_latest(visma: Emulator, books: Books) -> None:
    assert books_net(visma, books.bakkerij, RUN) == expected_net(books.bakkerij, RUN)


def test_a_corrected_run_is_one_row_with_its_versions_and_a_correction_to_send(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books, Role.PAYROLL_ADMIN)
    books.bakkerij.assignees.add(Membership.objects.get(role=Role.PAYROLL_ADMIN).user)
    v1 = send_v1(books)
    (a1,) = numbers(books)
    page = upload(client, books, corrected())
    assert "Run 2026-09 imported as version 2." in page
    assert f"Visma holds version 1 ({a1}): Send shows what the correction posts." in page
    assert page.count(f'data-run="{RUN}"') == 1  # one row per run id, not per version
    row = row_of(page, v1.pk)  # the row keeps its first version's id
    assert 'data-state="correction_to_send"' in row
    assert '<span class="mark grey">Correction to send</span>' in row
    assert "<td>v2</td>" in row
    assert f"<li>v1 sent {a1}</li>" in row
    assert f'/runs/{latest(books).pk}/send/"' in row and ">Withdraw</button>" in row
    assert f'name="runs" value="{latest(books).pk}"' in row  # selectable for a bulk send


def test_send_on_a_correction_previews_the_vouchers_then_books_both_legs(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books)
    v1 = send_v1(books)
    (a1,) = numbers(books)
    upload(client, books, corrected("100.00"))
    send = f"{company_url(books)}runs/{latest(books).pk}/send/"

    answer = client.post(send, **HX).content.decode()
    dialog = dialog_of(answer)
    assert "data-open" in dialog and 'hx-swap-oob="true"' in dialog
    words = text_of(dialog)
    assert f"Visma holds v1 ({a1}). After this send it holds v2." in words
    assert "This send posts 2 vouchers:" in words
    vouchers = re.findall(r"<li>(.*?)</li>", dialog.split('class="planned-vouchers"')[1])[:2]
    assert html.unescape(vouchers[0]).startswith(f"Reversal of {a1} (v1)")
    assert vouchers[1] == "v2 in full"
    changed = re.findall(r'<tr data-account="(\d+)">', dialog)
    assert changed, "the preview lists the accounts the correction changes"
    assert "100.00" in dialog  # the raised amount, as a change on its accounts
    assert Submission.objects.filter(company=books.bakkerij).count() == 1  # nothing sent yet

    stale = client.post(send, {"confirm": "1:3:difference"}, **HX).content.decode()
    assert "The run changed since the preview" in text_of(stale)
    assert Submission.objects.filter(company=books.bakkerij).count() == 1

    done = client.post(send, {"confirm": token_of(dialog)}, **HX).content.decode()
    assert re.search(r'<dialog id="dashlet-dialog" hx-swap-oob="true"\s*aria', done)  # closed
    assert 'data-state="queued"' in row_of(done, v1.pk)
    drain(books.bakkerij)
    a1, a2, a3 = numbers(books)
    row = row_of(client.get(company_url(books)).content.decode(), v1.pk)
    assert '<span class="mark red">Sent</span>' in row
    assert f"<li>v1 sent {a1} · reversed by {a2}</li>" in row
    assert f"<li>v2 sent {a3}</li>" in row
    assert_books_hold_the_latest(visma, books)


def test_without_javascript_the_preview_is_a_page(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    send_v1(books)
    upload(client, books, corrected())
    send = f"{company_url(books)}runs/{latest(books).pk}/send/"
    page = client.post(send)
    assert page.status_code == 200
    assert "Send the correction of run 2026-09" in page.content.decode()
    confirmed = client.post(send, {"confirm": token_of(page.content.decode())})
    assert confirmed.status_code == 302
    assert Submission.objects.filter(company=books.bakkerij, kind="reversal").exists()


def test_difference_mode_previews_one_voucher(books: Books, visma: Emulator) -> None:
    SendingSettings.objects.create(company=books.bakkerij, correction_mode="difference")
    client = client_for(books)
    send_v1(books)
    upload(client, books, corrected("100.00"))
    send = f"{company_url(books)}runs/{latest(books).pk}/send/"
    dialog = dialog_of(client.post(send, **HX).content.decode())
    assert "This send posts 1 voucher:" in text_of(dialog)
    assert "One difference voucher: v2 minus v1, per account" in text_of(dialog)
    client.post(send, {"confirm": token_of(dialog)}, **HX)
    drain(books.bakkerij)
    a1, a2 = numbers(books)
    row = text_of(client.get(company_url(books)).content.decode())
    assert f"v1 sent {a1}" in row and f"v2 sent {a2} (difference from v1)" in row
    assert_books_hold_the_latest(visma, books)


def test_a_version_that_books_the_same_shows_no_change_to_book(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books)
    v1 = send_v1(books)
    upload(client, books, SAME_AMOUNTS)  # other bytes, the same amounts
    send = f"{company_url(books)}runs/{latest(books).pk}/send/"
    dialog = dialog_of(client.post(send, **HX).content.decode())
    assert "This send posts 0 vouchers:" in text_of(dialog)
    assert "Nothing: v2 books the same as v1 — no change to book" in text_of(dialog)
    assert "Record: no change to book" in dialog
    done = client.post(send, {"confirm": token_of(dialog)}, **HX).content.decode()
    assert 'class="alert info"' in done  # recorded, not an error
    row = row_of(client.get(company_url(books)).content.decode(), v1.pk)
    assert '<span class="mark red">Sent</span>' in row
    assert "<li>v2: no change to book</li>" in row
    assert len(vouchers_of_run(visma, books.bakkerij, RUN)) == 1


def test_the_timeline_lists_every_leg_with_its_kind_and_version(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books)
    v1 = send_v1(books)
    upload(client, books, corrected())
    request_send(latest(books))
    drain(books.bakkerij)
    a1, a2, a3 = numbers(books)
    timeline = client.get(f"{company_url(books)}runs/{v1.pk}/timeline/", **HX).content.decode()
    titles = [text_of(t).strip() for t in re.findall(r"<strong>(.*?)</strong>", timeline)]
    assert titles == ["v1 in full", f"Reversal of v1 ({a1})", "v2 in full"]
    assert f"sent as {a2}" in timeline and f"sent as {a3}" in timeline
    assert timeline.count("Sent as voucher") == 3
    assert "posted" not in timeline and "→ sent" not in timeline  # no machine words


def test_a_poll_follows_the_legs_of_a_correction(books: Books, visma: Emulator) -> None:
    """A reversal leg's journal is the old version: the poll still answers the run id's row."""
    client = client_for(books)
    v1 = send_v1(books)
    upload(client, books, corrected())
    request_send(latest(books))
    settle()
    url = poll_url(client.get(company_url(books)).content.decode(), books.bakkerij)
    assert f'id="run-{v1.pk}"' not in client.get(url, **HX).content.decode()
    reversal = Submission.objects.get(company=books.bakkerij, kind="reversal")
    assert reversal.journal_id == v1.journal.pk
    drain(books.bakkerij)
    row = row_of(client.get(url, **HX).content.decode(), v1.pk)
    assert 'data-state="sent"' in row and "reversed by" in row


def test_the_page_of_a_superseded_version_names_its_successor_and_its_legs(
    books: Books, visma: Emulator
) -> None:
    client = client_for(books)
    v1 = send_v1(books)
    upload(client, books, corrected())
    v2 = latest(books)
    request_send(v2)
    drain(books.bakkerij)
    a1, a2, a3 = numbers(books)
    page = client.get(f"{company_url(books)}runs/{v1.pk}/").content.decode()
    assert re.search(
        rf'This version was superseded by <a href="/companies/{books.bakkerij.pk}/runs/{v2.pk}/">v2</a>',
        page,
    )
    words = text_of(page)
    assert f"Version 1 in Visma: Sent as {a1}. Reversed by {a2}." in " ".join(words.split())
    assert '<span class="mark red">Sent</span>' in page  # the run id, as its dashlet row
    assert f"<li>v1 sent {a1} · reversed by {a2}</li>" in page
    latest_page = client.get(f"{company_url(books)}runs/{v2.pk}/").content.decode()
    assert 'id="superseded"' not in latest_page
    assert f"Sent as {a3}." in latest_page


def test_the_row_and_the_preview_speak_the_readers_language(books: Books, visma: Emulator) -> None:
    client = client_for(books)
    v1 = send_v1(books)
    (a1,) = numbers(books)
    upload(client, books, corrected())
    dutch = client.get(company_url(books), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    row = row_of(dutch, v1.pk)
    assert '<span class="mark grey">Correctie te versturen</span>' in row
    assert f"<li>v1 verstuurd als {a1}</li>" in row and ">Intrekken</button>" in row
    send = f"{company_url(books)}runs/{latest(books).pk}/send/"
    swedish = text_of(client.post(send, HTTP_ACCEPT_LANGUAGE="sv", **HX).content.decode())
    assert "Detta skickar 2 verifikationer:" in swedish
    assert f"Återföring av {a1} (v1): samma rader, debet och kredit omvända" in swedish
