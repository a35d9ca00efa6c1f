"""Events raised where they happen: a leg sent to Visma (the emulator) is a ``journal.sent``
event for who asked for it, and nobody else; an account that needs re-authorization reaches
the master's administrators and whoever is assigned a company booked through it."""

from __future__ import annotations

import pytest
from django.db import transaction

from payjournal.domain.submission import SubmissionState
from payjournal.emulator import Emulator
from payjournal.notifications.events import EventKind
from payjournal.notifications.models import Notice, Preference, WebhookDelivery
from payjournal.notifications.service import connection_needs_reauthorization
from payjournal.notifications.webhooks import add_endpoint
from payjournal.sending.send import SendPolicy, process_submission
from payjournal.sending.services import request_send
from payjournal.tenancy.models import Role
from payjournal.tenancy.users import create_user
from tests.fixtures.books import Books
from tests.fixtures.tenants import Tenant

pytestmark = pytest.mark.django_db
FAST = SendPolicy(max_attempts=6, base_delay_s=0.0, max_delay_s=0.0)


def test_a_sent_voucher_is_an_event_for_who_asked_for_it(books: Books, visma: Emulator) -> None:
    fan = create_user(
        "fan", "correct horse battery", master_name="Send Co", role=Role.MASTER_ADMIN,
        email="fan@send.example",
    )  # fmt: skip
    Preference.objects.create(user=fan.user, kinds=[EventKind.VOUCHER_SENT.value])
    create_user(
        "other",
        "correct horse battery",
        master_name="Send Co",
        role=Role.MASTER_ADMIN,
        email="other@send.example",
    )  # fmt: skip  (the defaults: every event but a sent voucher)
    add_endpoint(books.master, "https://hooks.example/payjournal", [EventKind.VOUCHER_SENT.value])

    run = books.runs(books.bakkerij)[0]
    submission = request_send(run)
    process_submission(submission.pk, policy=FAST, sleep=lambda _s: None)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SENT

    (notice,) = Notice.objects.all()
    assert (notice.user_id, notice.kind, notice.subject) == (
        fan.user.pk, "journal.sent", submission.run_key,
    )  # fmt: skip
    assert notice.code == submission.voucher_number and notice.digest
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.payload["company"]["name"] == books.bakkerij.name


def test_a_connection_that_needs_reauthorization_reaches_who_depends_on_it(
    tenant: Tenant,
) -> None:
    from payjournal.integrations.models import VismaAccount

    for member in (tenant.admin, tenant.payroll, tenant.viewer):
        member.user.email = f"{member.user.username}@a.example"
        member.user.save(update_fields=["email"])
    account = VismaAccount.objects.create(master=tenant.master, name="Visma NL")
    tenant.nordisk.visma_account = account  # the payroll administrator is not assigned nordisk
    tenant.nordisk.save(update_fields=["visma_account"])
    with transaction.atomic():
        connection_needs_reauthorization(account, code="invalid_grant")
    notices = Notice.objects.filter(kind=EventKind.REAUTHORIZATION.value)
    assert [n.user_id for n in notices] == [tenant.admin.user.pk]
    assert (notices[0].subject, notices[0].code) == ("Visma NL", "invalid_grant")

    tenant.bakkerij.visma_account = account
    tenant.bakkerij.save(update_fields=["visma_account"])
    connection_needs_reauthorization(account)
    assert Notice.objects.filter(kind=EventKind.REAUTHORIZATION.value).count() == 1 + 3
