"""How long notifications are kept: settled rows older than ``PAYJOURNAL_NOTIFICATIONS_KEEP_DAYS``
(90) are deleted, every day at 03:30 (:data:`.workflows.PRUNE`, after the daily checks) and with
``payjournal notifications prune``.

Settled means a notice mailed (or given up) and a webhook delivery delivered, failed or
cancelled; a row still waiting is never deleted, however old, since it is the outbox record of
something not yet done. The age is the row's ``created_at`` (the event's time). Rows go in
batches of :data:`BATCH` (ids read, then deleted by id, each batch its own transaction) so a
first prune of years of rows never holds a long lock or a huge statement, on SQLite or
PostgreSQL; the indexes on (state, created_at) make each batch's read a range scan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from payjournal.notifications.models import DeliveryState, Notice, NoticeState, WebhookDelivery

__all__ = ["BATCH", "Pruned", "prune"]

log = logging.getLogger("payjournal.notifications")
M = TypeVar("M", bound=models.Model)

#: Rows deleted per statement (below SQLite's oldest limit of 999 bound variables).
BATCH = 500
SETTLED_NOTICES = (NoticeState.SENT, NoticeState.FAILED)
SETTLED_DELIVERIES = (DeliveryState.DELIVERED, DeliveryState.FAILED, DeliveryState.CANCELLED)


@dataclass(frozen=True, slots=True)
class Pruned:
    """What a prune deleted, and the time before which settled rows went."""

    notices: int
    deliveries: int
    before: datetime


def _delete_in_batches(rows: models.QuerySet[M], batch: int) -> int:
    deleted = 0
    while True:
        with transaction.atomic():
            # no ORDER BY: any ``batch`` matching rows, read off the index without a sort
            ids = list(rows.order_by().values_list("pk", flat=True)[:batch])
            if not ids:
                return deleted
            # ``rows`` again, not only the ids: a row that left its settled state since the
            # read (none does today) stays.
            count, _ = rows.filter(pk__in=ids).delete()
        deleted += count


def prune(
    now: datetime | None = None, *, keep_days: int | None = None, batch: int = BATCH
) -> Pruned:
    """Delete the settled notices and deliveries created more than ``keep_days`` (default
    ``PAYJOURNAL_NOTIFICATIONS_KEEP_DAYS``) before ``now``; waiting ones stay."""
    days = settings.PAYJOURNAL_NOTIFICATIONS_KEEP_DAYS if keep_days is None else keep_days
    before = (now or timezone.now()) - timedelta(days=days)
    notices = _delete_in_batches(
        Notice.objects.filter(state__in=SETTLED_NOTICES, created_at__lt=before), batch
    )
    deliveries = _delete_in_batches(
        WebhookDelivery.objects.filter(state__in=SETTLED_DELIVERIES, created_at__lt=before), batch
    )
    log.info(
        "notifications pruned",
        extra={"event": "notifications.pruned", "notices": notices, "deliveries": deliveries},
    )
    return Pruned(notices, deliveries, before)
