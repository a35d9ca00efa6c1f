"""How long notifications are kept (``notifications/retention.py``): settled notices and webhook
deliveries older than ``PAYJOURNAL_NOTIFICATIONS_KEEP_DAYS`` are deleted in batches, by the
nightly schedule and by ``payjournal notifications prune``; waiting ones stay, however old.
Both databases (``test_postgres.py``)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from payjournal.cli import app
from payjournal.notifications.models import (
    DeliveryState,
    Notice,
    NoticeState,
    WebhookDelivery,
    WebhookEndpoint,
)
from payjournal.notifications.retention import Pruned, prune
from payjournal.notifications.webhooks import add_endpoint
from payjournal.notifications.workflows import PRUNE
from payjournal.sending.workflows import SCHEDULES
from tests.fixtures.tenants import Tenant

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


def notices(tenant: Tenant, state: str, days_old: int, count: int = 1) -> None:
    made = Notice.objects.bulk_create(
        Notice(user=tenant.admin.user, master=tenant.master, kind="journal.sent", digest=True)
        for _ in range(count)
    )
    Notice.objects.filter(pk__in=[n.pk for n in made]).update(
        state=state, created_at=NOW - timedelta(days=days_old)
    )


def deliveries(endpoint: WebhookEndpoint, state: str, days_old: int, count: int = 1) -> None:
    made = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_id=uuid.uuid4(), kind="journal.sent", payload={})
        for _ in range(count)
    )
    WebhookDelivery.objects.filter(pk__in=[d.pk for d in made]).update(
        state=state, created_at=NOW - timedelta(days=days_old)
    )


def left(model: Any) -> list[tuple[str, int]]:
    """(state, age in days) of every row left, sorted."""
    return sorted((row.state, (NOW - row.created_at).days) for row in model.objects.all())


@pytest.fixture
def history(tenant: Tenant) -> WebhookEndpoint:
    """Half a year of notifications: settled ones old and new, waiting ones old and new."""
    endpoint, _ = add_endpoint(tenant.master, "https://93.184.215.14/h", ["journal.sent"])
    notices(tenant, NoticeState.SENT, 200, count=7)  # more than a batch of 3
    notices(tenant, NoticeState.SENT, 91)
    notices(tenant, NoticeState.FAILED, 120)
    notices(tenant, NoticeState.SENT, 89)
    notices(tenant, NoticeState.PENDING, 300)  # a digest never sent: kept
    deliveries(endpoint, DeliveryState.DELIVERED, 200, count=5)
    deliveries(endpoint, DeliveryState.FAILED, 95)
    deliveries(endpoint, DeliveryState.CANCELLED, 91)
    deliveries(endpoint, DeliveryState.DELIVERED, 10)
    deliveries(endpoint, DeliveryState.PENDING, 150)  # still being retried: kept
    return endpoint


def test_settled_rows_past_the_retention_go_in_batches_waiting_ones_stay(
    history: WebhookEndpoint,
) -> None:
    pruned = prune(NOW, keep_days=90, batch=3)
    assert pruned == Pruned(notices=9, deliveries=7, before=NOW - timedelta(days=90))
    assert left(Notice) == [("pending", 300), ("sent", 89)]
    assert left(WebhookDelivery) == [("delivered", 10), ("pending", 150)]
    assert prune(NOW, keep_days=90, batch=3) == Pruned(0, 0, NOW - timedelta(days=90))


def test_the_retention_is_a_setting(history: WebhookEndpoint, settings: Any) -> None:
    settings.PAYJOURNAL_NOTIFICATIONS_KEEP_DAYS = 150
    assert prune(NOW) == Pruned(notices=7, deliveries=5, before=NOW - timedelta(days=150))
    assert ("failed", 95) in left(WebhookDelivery) and ("failed", 120) in left(Notice)


def test_the_prune_command_deletes_now(history: WebhookEndpoint, settings: Any) -> None:
    """The rows are dated against the real clock here: the command prunes as of now."""
    shift = timezone.now() - NOW
    for model in (Notice, WebhookDelivery):
        for row in model.objects.all():
            model.objects.filter(pk=row.pk).update(created_at=row.created_at + shift)
    result = CliRunner().invoke(app, ["notifications", "prune", "--keep-days", "100"])
    assert result.exit_code == 0, result.output
    assert "deleted 8 notifications and 5 webhook deliveries from before" in result.stdout
    assert Notice.objects.count() == 3 and WebhookDelivery.objects.count() == 4
    refused = CliRunner().invoke(app, ["notifications", "prune", "--keep-days", "0"])
    assert refused.exit_code == 2 and Notice.objects.count() == 3


def test_the_executor_prunes_every_night_after_the_daily_checks() -> None:
    assert PRUNE in SCHEDULES
    assert PRUNE.cron == "0 30 3 * * *"
