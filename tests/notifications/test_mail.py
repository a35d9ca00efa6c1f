"""Notification e-mails over a real SMTP server on loopback (aiosmtpd).

Proven here: at month-end, 50 companies in *needs action* make one digest per person — each
listing the companies that person sees, in their language — not 50 mails; a digest sent is not
sent again; ``payjournal notifications digest`` sends them now. A send that Visma refuses
(a real send through the durable executor, against the emulator) mails the person who asked
for immediate mail at once, in Swedish; a person who switched e-mail off gets nothing; a sent
voucher is mailed only to whom asked for it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from typer.testing import CliRunner

from payjournal.cli import app
from payjournal.domain.submission import SubmissionState
from payjournal.notifications.events import Event, EventKind
from payjournal.notifications.mail import DigestSummary, send_digests
from payjournal.notifications.models import Delivery, Notice, NoticeState, Preference
from payjournal.notifications.service import notify
from payjournal.payroll.models import PayrollCompany
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import create_company
from payjournal.sending.models import Submission
from payjournal.sending.services import request_send
from payjournal.tenancy.models import Membership, Role
from payjournal.tenancy.users import create_user
from tests.fixtures.books import Books
from tests.fixtures.tenants import Tenant
from tests.ports import free_port
from tests.tenancy.smtp import Inbox
from tests.waiting import wait_until


def month_end(tenant: Tenant, count: int) -> list[PayrollCompany]:
    """``count`` more companies of the tenant, each with a journal in *needs action*; the
    payroll administrator is assigned every other one."""
    scheme = next((samples_dir() / "nl-bakkerij").glob("scheme.*"))
    companies = []
    for n in range(count):
        name = f"Klant {n:02d}"
        company = create_company(
            tenant.master, name, f"klant-{n:02d}", scheme.read_bytes(), scheme.name
        )
        if n % 2 == 0:
            company.assignees.add(tenant.payroll.user)
        companies.append(company)
        with transaction.atomic():
            notify(
                Event(
                    EventKind.NEEDS_ACTION,
                    master_id=tenant.master.pk,
                    company_id=company.pk,
                    company_name=company.name,
                    subject="2026-11",
                    code="account_inactive",
                    path=f"/companies/{company.pk}/",
                )
            )
    return companies


def mail_to(inbox: Inbox, address: str) -> list[int]:
    return [i for i, m in enumerate(inbox.messages) if m["To"] == address]


@pytest.mark.django_db
def test_fifty_companies_in_needs_action_make_one_digest_per_person(
    addressed: Tenant, inbox: Inbox
) -> None:
    tenant = addressed
    Membership.objects.filter(pk=tenant.payroll.pk).update(language="nl")
    Preference.objects.create(user=tenant.viewer.user, delivery=Delivery.OFF)
    companies = month_end(tenant, 50)

    assert send_digests() == DigestSummary(mails=2, notices=75, failed=0)
    assert len(inbox.messages) == 2  # the admin's and the payroll administrator's, not 75
    (admin,) = mail_to(inbox, "a-admin@a.example")
    (payroll,) = mail_to(inbox, "a-payroll@a.example")
    assert inbox.messages[admin]["Subject"] == "payjournal: 50 events to look at"
    admin_body = inbox.body(admin)
    assert all(c.name in admin_body for c in companies)
    assert "A journal needs action (50):" in admin_body
    assert inbox.messages[payroll]["Subject"] == "payjournal: 25 gebeurtenissen om te bekijken"
    payroll_body = inbox.body(payroll)
    assert "Klant 00" in payroll_body and "Klant 01" not in payroll_body
    assert f"/companies/{companies[0].pk}/" in payroll_body
    assert not Notice.objects.filter(state=NoticeState.PENDING).exists()

    assert send_digests() == DigestSummary(mails=0, notices=0, failed=0)  # nothing twice
    assert len(inbox.messages) == 2


@pytest.mark.django_db
def test_the_digest_command_sends_now(addressed: Tenant, inbox: Inbox) -> None:
    month_end(addressed, 2)
    result = CliRunner().invoke(app, ["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert "sent 2 digest e-mails with 3 notifications" in result.stdout  # admin 2, payroll 1
    assert sorted(m["To"] for m in inbox.messages) == ["a-admin@a.example", "a-payroll@a.example"]


@pytest.mark.django_db(transaction=True)
def test_a_refused_send_is_mailed_at_once_in_the_readers_language(
    books: Books, executor: None, inbox: Inbox, settings: Any
) -> None:
    settings.PAYJOURNAL_PUBLIC_URL = "https://payjournal.example"
    erik = create_user(
        "erik", "correct horse battery", master_name="Send Co", role=Role.MASTER_ADMIN,
        email="erik@send.example",
    )  # fmt: skip
    Preference.objects.create(
        user=erik.user, delivery=Delivery.IMMEDIATELY, language="sv",
        kinds=[EventKind.NEEDS_ACTION.value],
    )  # fmt: skip
    quiet = create_user(
        "quiet", "correct horse battery", master_name="Send Co", role=Role.MASTER_ADMIN,
        email="quiet@send.example",
    )  # fmt: skip
    Preference.objects.create(user=quiet.user, delivery=Delivery.OFF)

    nordisk = books.runs(books.nordisk)[0]  # Visma's lock date refuses it: needs action
    submission = request_send(nordisk)
    wait_until(
        lambda: Submission.objects.get(pk=submission.pk).state == SubmissionState.NEEDS_ACTION,
        "the send to end in needs action",
    )
    wait_until(lambda: inbox.messages, "the immediate mail")
    (mail,) = inbox.messages
    assert mail["To"] == "erik@send.example"
    assert "En bokföringsorder: åtgärd krävs" in mail["Subject"]
    assert books.nordisk.name in mail["Subject"]
    body = inbox.body(0)
    assert f"https://payjournal.example/companies/{books.nordisk.pk}/" in body
    assert "period_locked" in body
    notice = Notice.objects.get(user=erik.user)
    assert (notice.state, notice.digest) == (NoticeState.SENT, False)
    assert not Notice.objects.filter(user=quiet.user).exists()


@pytest.mark.django_db
def test_a_digest_the_smtp_server_refuses_waits_for_the_next(
    addressed: Tenant, inbox: Inbox, settings: Any
) -> None:
    month_end(addressed, 1)
    settings.EMAIL_PORT = free_port()  # nothing listens there: the mail cannot leave
    assert send_digests() == DigestSummary(mails=0, notices=0, failed=2)
    assert Notice.objects.filter(state=NoticeState.PENDING).count() == 2
    settings.EMAIL_PORT = inbox.port
    assert send_digests() == DigestSummary(mails=2, notices=2, failed=0)


@pytest.mark.django_db
def test_without_mail_settings_no_digest_is_claimed(addressed: Tenant, settings: Any) -> None:
    from payjournal.site.mail import NOTHING

    month_end(addressed, 1)
    settings.EMAIL_BACKEND = NOTHING  # production without PAYJOURNAL_SMTP_HOST
    result = CliRunner().invoke(app, ["notifications", "digest"])
    assert result.exit_code == 1
    assert "Mail is not set up" in result.stdout
    assert Notice.objects.filter(state=NoticeState.PENDING).count() == 2
