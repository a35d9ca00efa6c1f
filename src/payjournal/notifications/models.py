"""What notifications keep: each person's preferences, the notices waiting for (or sent by)
mail, the master's webhook endpoints and every delivery to them (the delivery log).

Notices and deliveries are outbox rows: written in the transaction of the event, delivered after
the commit by the durable job engine (:mod:`.workflows`), picked up again by the sweep if their
job never started. No row holds a secret in clear (an endpoint's secret is encrypted, like the
Visma tokens) or personal payroll data (an event names a company, a run id, a code).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from payjournal.notifications.events import DEFAULT_KINDS, EventKind
from payjournal.payroll.models import PayrollCompany
from payjournal.tenancy.models import Master

KIND_CHOICES = EventKind.choices()


def default_kinds() -> list[str]:
    return list(DEFAULT_KINDS)


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately, one e-mail per event")
    DIGEST = "digest", _("One daily digest")
    OFF = "off", _("No e-mail")


class Preference(models.Model):
    """How one person wants to hear about events: when, which, in which language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    delivery = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.DIGEST)
    kinds = models.JSONField(default=default_kinds)
    language = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES)


class NoticeState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")


class Notice(models.Model):
    """One event for one person: mailed at once, or gathered into their next digest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    master = models.ForeignKey(Master, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    company = models.ForeignKey(
        PayrollCompany, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    company_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=300, blank=True)
    digest = models.BooleanField(help_text="Gathered into the daily digest (else mailed at once).")
    state = models.CharField(max_length=8, choices=NoticeState.choices, default=NoticeState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=("state", "digest", "user"), name="notice_pending"),
            models.Index(fields=("state", "created_at"), name="notice_age"),  # the prune
        )


class WebhookEndpoint(models.Model):
    """A URL of a master that receives signed events; disabled after repeated failure."""

    master = models.ForeignKey(Master, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    kinds = models.JSONField(default=default_kinds)
    secret_ciphertext = models.BinaryField(editable=False)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Not sent (endpoint disabled)")


class WebhookDelivery(models.Model):
    """One event to one endpoint: the delivery log's line. ``last_error`` is our short
    description of the failure (``HTTP 500``, ``connection refused``), never the body the
    receiver answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField()
    kind = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=("state", "created_at"), name="delivery_state"),)
