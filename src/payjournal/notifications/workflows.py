"""Notifications through the durable job engine (DBOS): deliveries, mails, the digest, the sweep.

* Queue ``notifications``, partitioned by endpoint (``mail`` for mails): one delivery per
  endpoint at a time, so a receiver that is down is not hammered, and its events arrive in order.
* ``payjournal.webhook_delivery`` (:func:`webhook_workflow`): attempts the delivery in a step;
  after a failure it sleeps durably for the backoff (:func:`.webhooks.backoff_s`) and tries
  again, until delivered, given up, or the endpoint is disabled. A crash resumes it.
* ``payjournal.notice_mail`` (:func:`notice_mail_workflow`): one immediate mail, retried by
  DBOS with backoff while the SMTP server refuses (about 15 minutes), then moved into the
  person's next digest.
* Schedules: the digest every day at 07:00 (``TIME_ZONE``), a sweep every five minutes that
  hands over whatever waits without a job (the event's process ended before the hand-over, or
  no executor ran then: ``payjournal checks daily`` from a shell), and the prune of settled
  notices and deliveries past their retention every day at 03:30, after the daily checks
  (:mod:`.retention`).

:func:`register` declares the queue in a process where DBOS runs
(:func:`payjournal.sending.workflows.start`); :func:`hand_over` enqueues after an event's
commit, and does nothing in a process without DBOS — the sweep of a running executor does it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from dbos import DBOS, Queue, SetEnqueueOptions, SetWorkflowID
from django.db import close_old_connections
from django.utils import timezone

from payjournal import jobs, wiring
from payjournal.notifications.mail import MailNotSetUpError, send_digests, send_notice
from payjournal.notifications.models import DeliveryState, Notice, NoticeState, WebhookDelivery
from payjournal.notifications.retention import prune
from payjournal.notifications.webhooks import attempt, give_up

__all__ = ["SCHEDULES", "hand_over", "register"]

log = logging.getLogger("payjournal.notifications")

QUEUE = "notifications"
MAIL_PARTITION = "mail"
#: Waiting rows younger than this are the hand-over's; older ones the sweep's.
SWEEP_AFTER = timedelta(minutes=2)

_queue: Queue | None = None


def register() -> None:
    """Declare the notifications queue in this process (after DBOS's launch)."""
    global _queue
    _queue = DBOS.register_queue(
        QUEUE, partition_concurrency=1, worker_concurrency=4, on_conflict="always_update"
    )


def unregister() -> None:
    global _queue
    _queue = None


@DBOS.step(name="payjournal.webhook_attempt")
def webhook_attempt_step(delivery_id: str) -> float | None:
    close_old_connections()
    try:
        return attempt(delivery_id).retry_in_s
    finally:
        close_old_connections()


@DBOS.step(name="payjournal.webhook_give_up")
def webhook_give_up_step(delivery_id: str, error: str) -> None:
    close_old_connections()
    try:
        give_up(delivery_id, error)
    finally:
        close_old_connections()


@DBOS.workflow(name="payjournal.webhook_delivery")
def webhook_workflow(delivery_id: str) -> None:
    """Deliver one event to one endpoint, with backoff between attempts. An attempt that
    cannot be made at all (the secret does not open with the configured keys) settles the
    delivery as failed with that reason, rather than leaving it waiting for ever."""
    try:
        while (delay := webhook_attempt_step(delivery_id)) is not None:
            DBOS.sleep(delay)
    except Exception as exc:
        log.warning(
            "webhook delivery could not be attempted",
            extra={"event": "notifications.webhook_error", "error": type(exc).__name__},
        )
        webhook_give_up_step(delivery_id, type(exc).__name__)


@DBOS.step(
    name="payjournal.notice_mail_step",
    retries_allowed=True,
    max_attempts=6,
    interval_seconds=30.0,
    backoff_rate=2.0,
)
def notice_mail_step(notice_id: str) -> bool:
    close_old_connections()
    try:
        return send_notice(notice_id)
    finally:
        close_old_connections()


@DBOS.step(name="payjournal.notice_to_digest_step")
def notice_to_digest_step(notice_id: str) -> None:
    close_old_connections()
    try:
        Notice.objects.filter(pk=notice_id, state=NoticeState.PENDING).update(digest=True)
    finally:
        close_old_connections()


@DBOS.workflow(name="payjournal.notice_mail")
def notice_mail_workflow(notice_id: str) -> None:
    """One immediate mail, retried while the SMTP server refuses; when it never takes it, the
    notice goes into the person's next digest instead of being lost."""
    try:
        notice_mail_step(notice_id)
    except Exception:
        log.warning(
            "immediate mail not sent; it joins the next digest",
            extra={"event": "notifications.mail_to_digest"},
        )
        notice_to_digest_step(notice_id)


def _enqueue(hooks: Sequence[tuple[str, str]], mails: Sequence[str]) -> None:
    queue = _queue
    if queue is None or wiring.current().jobs is None:
        return  # no DBOS here: the sweep of a running executor hands them over
    for delivery_id, endpoint_id in hooks:
        with (
            SetWorkflowID(f"webhook-{delivery_id}"),
            SetEnqueueOptions(queue_partition_key=f"endpoint-{endpoint_id}"),
        ):
            queue.enqueue(webhook_workflow, delivery_id)
    for notice_id in mails:
        with (
            SetWorkflowID(f"mail-{notice_id}"),
            SetEnqueueOptions(queue_partition_key=MAIL_PARTITION),
        ):
            queue.enqueue(notice_mail_workflow, notice_id)


def hand_over(mails: Sequence[str], hooks: Sequence[tuple[str, str]]) -> None:
    """Enqueue the immediate mails and webhook deliveries of an event (after its commit).
    Enqueueing again is a no-op (the workflow id is the row's)."""
    try:
        _enqueue(hooks, mails)
    except Exception:  # the rows wait for the sweep: the event is not lost
        log.warning(
            "notifications not handed over; the sweep will",
            extra={"event": "notifications.hand_over_failed"},
            exc_info=True,
        )


@DBOS.step(name="payjournal.notifications_sweep_step")
def sweep_step() -> tuple[list[tuple[str, str]], list[str]]:
    close_old_connections()
    try:
        before = timezone.now() - SWEEP_AFTER
        hooks = [
            (str(pk), str(endpoint))
            for pk, endpoint in WebhookDelivery.objects.filter(
                state=DeliveryState.PENDING, created_at__lt=before
            ).values_list("pk", "endpoint_id")[:1000]
        ]
        mails = [
            str(pk)
            for pk in Notice.objects.filter(
                state=NoticeState.PENDING, digest=False, created_at__lt=before
            ).values_list("pk", flat=True)[:1000]
        ]
        return hooks, mails
    finally:
        close_old_connections()


@DBOS.workflow(name="payjournal.notifications_sweep")
def sweep_workflow(scheduled_at: datetime, context: Any) -> None:
    """Every five minutes: enqueue what waits without a job (a no-op for those DBOS holds)."""
    hooks, mails = sweep_step()
    _enqueue(hooks, mails)


@DBOS.step(name="payjournal.digest_step")
def digest_step() -> int:
    close_old_connections()
    try:
        return send_digests().mails
    except MailNotSetUpError:
        log.warning("no digest: mail is not set up", extra={"event": "notifications.no_mail"})
        return 0
    finally:
        close_old_connections()


@DBOS.workflow(name="payjournal.digest")
def digest_workflow(scheduled_at: datetime, context: Any) -> None:
    """Every morning: one digest per person with waiting notices."""
    digest_step()


@DBOS.step(name="payjournal.notifications_prune_step")
def prune_step() -> int:
    close_old_connections()
    try:
        pruned = prune()
        return pruned.notices + pruned.deliveries
    finally:
        close_old_connections()


@DBOS.workflow(name="payjournal.notifications_prune")
def prune_workflow(scheduled_at: datetime, context: Any) -> None:
    """Every night: settled notices and deliveries older than the retention are deleted."""
    prune_step()


DIGEST = jobs.Schedule("payjournal-digest", "0 0 7 * * *", digest_workflow)
SWEEP = jobs.Schedule("payjournal-notifications-sweep", "0 */5 * * * *", sweep_workflow)
#: At 03:30, after the daily checks (03:00) and long before the digest.
PRUNE = jobs.Schedule("payjournal-notifications-prune", "0 30 3 * * *", prune_workflow)
SCHEDULES = (DIGEST, SWEEP, PRUNE)
