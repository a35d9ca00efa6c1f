"""Webhook endpoints and one delivery attempt.

* :func:`add_endpoint` stores the URL with a fresh secret, encrypted; the secret is returned
  once, for the page to show, and never again.
* :func:`attempt` POSTs a delivery's JSON, signed (:mod:`.signing`), to a destination the
  SSRF guard allows (:mod:`.destinations`: checked before the attempt and on the connection),
  and records the outcome: delivered; or a failure with a short reason (``HTTP 500``,
  ``connection refused``, ``address not allowed``), the
  delay before the next try (backoff: ``PAYJOURNAL_WEBHOOK_BACKOFF_S`` doubled each time, at
  most ``PAYJOURNAL_WEBHOOK_BACKOFF_MAX_S``), and — after
  ``PAYJOURNAL_WEBHOOK_DISABLE_AFTER`` failed attempts in a row — the endpoint disabled with
  its reason, its waiting deliveries cancelled. A delivery gives up after
  ``PAYJOURNAL_WEBHOOK_ATTEMPTS`` attempts.

Delivery is at least once: a receiver deduplicates by ``Payjournal-Event-Id``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx2
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from payjournal.integrations.crypto import rotate, seal, unseal
from payjournal.notifications import signing
from payjournal.notifications.destinations import DestinationRefusedError, PeerGuard, check
from payjournal.notifications.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from payjournal.notifications.wanted import forget_wanted
from payjournal.tenancy.models import Master

__all__ = ["Outcome", "add_endpoint", "attempt", "endpoint_secret", "give_up", "rotate_secrets"]

log = logging.getLogger("payjournal.notifications")
TIMEOUT_S = 10.0
USER_AGENT = "payjournal-webhooks/1"
#: The ``type`` of the event the endpoint page's test button sends.
TEST_KIND = "webhook.test"
#: The reason shown on a disabled endpoint (translated when shown).
DISABLED_REASON = gettext_noop(
    "Disabled after %(count)s failed deliveries in a row (last: %(error)s)."
)


def _context(endpoint_id: int) -> str:
    return f"webhook:{endpoint_id}"


def add_endpoint(
    master: Master, url: str, kinds: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of ``master`` and its secret (the only time it is readable in clear)."""
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            master=master, url=url, kinds=kinds, description=description, secret_ciphertext=b""
        )
        endpoint.secret_ciphertext = seal(_context(endpoint.pk), secret)
        endpoint.save(update_fields=["secret_ciphertext"])
    return endpoint, secret


def rotate_secrets() -> int:
    """Re-encrypt every endpoint's secret under the newest token key (``payjournal
    rotate-keys``); how many."""
    count = 0
    with transaction.atomic():
        for endpoint in WebhookEndpoint.objects.select_for_update().only("pk", "secret_ciphertext"):
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                secret_ciphertext=rotate(endpoint.secret_ciphertext)
            )
            count += 1
    return count


def give_up(delivery_id: str, error: str) -> None:
    """Settle a delivery that cannot be attempted at all (e.g. its secret does not open with
    the configured keys): failed, with the reason in the log line."""
    WebhookDelivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING).update(
        state=DeliveryState.FAILED, last_error=error[:200], last_attempt_at=timezone.now()
    )


def endpoint_secret(endpoint: WebhookEndpoint) -> str:
    """The signing secret, decrypted for one signature."""
    return unseal(_context(endpoint.pk), endpoint.secret_ciphertext)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt left: ``retry_in_s`` is the delay before the next, ``None`` when the
    delivery is settled (delivered, given up, cancelled)."""

    state: str
    retry_in_s: float | None = None


def post(url: str, secret: str, payload: dict[str, Any], event_id: str, kind: str) -> int:
    """POST the signed payload once (no redirect followed); the HTTP status, or
    ``httpx2.HTTPError`` when no answer came, or :class:`DestinationRefusedError` when the
    connection reached an address the guard refuses (nothing of the request sent).

    The connection is direct: no proxy from the environment, whose address the guard would
    check instead of the receiver's."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.TIMESTAMP: str(timestamp),
        signing.SIGNATURE: signing.signature(secret, timestamp, body),
        signing.EVENT_ID: event_id,
        signing.EVENT_TYPE: kind,
    }
    guard = PeerGuard(httpx2.URL(url).scheme)
    with httpx2.Client(timeout=TIMEOUT_S, follow_redirects=False, trust_env=False) as client:
        response = client.post(url, content=body, headers=headers, extensions={"trace": guard})
    return int(response.status_code)


def _failure(exc: httpx2.HTTPError) -> str:
    """A short reason that holds no secret and no answer's body."""
    if isinstance(exc, httpx2.ConnectError):
        return "connection refused" if "refused" in str(exc).lower() else "could not connect"
    if isinstance(exc, httpx2.TimeoutException):
        return "timeout"
    return type(exc).__name__


def backoff_s(attempts: int) -> float:
    """The delay after the ``attempts``-th failed attempt."""
    base = float(settings.PAYJOURNAL_WEBHOOK_BACKOFF_S)
    return float(
        min(base * 2.0 ** (attempts - 1), float(settings.PAYJOURNAL_WEBHOOK_BACKOFF_MAX_S))
    )


def attempt(delivery_id: str) -> Outcome:
    """One attempt of a delivery, recorded in its log line and on its endpoint."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if delivery.state != DeliveryState.PENDING:
        return Outcome(delivery.state)
    if not endpoint.enabled:
        WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
            state=DeliveryState.CANCELLED
        )
        return Outcome(DeliveryState.CANCELLED)
    refusal = check(endpoint.url).refusal  # again at each attempt: DNS may have changed
    if refusal is not None:
        return _failed(delivery, None, refusal.value)
    try:
        status = post(
            endpoint.url,
            endpoint_secret(endpoint),
            delivery.payload,
            str(delivery.event_id),
            delivery.kind,
        )
    except DestinationRefusedError as exc:
        return _failed(delivery, None, exc.reason)
    except httpx2.HTTPError as exc:
        return _failed(delivery, None, _failure(exc))
    if not 200 <= status < 300:
        return _failed(delivery, status, f"HTTP {status}")
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.DELIVERED,
            attempts=F("attempts") + 1,
            last_status=status,
            last_error="",
            last_attempt_at=now,
            delivered_at=now,
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    return Outcome(DeliveryState.DELIVERED)


def _failed(delivery: WebhookDelivery, status: int | None, error: str) -> Outcome:
    endpoint = delivery.endpoint
    attempts = delivery.attempts + 1
    give_up = attempts >= settings.PAYJOURNAL_WEBHOOK_ATTEMPTS
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        failures = WebhookEndpoint.objects.get(pk=endpoint.pk).consecutive_failures
        disable = failures >= settings.PAYJOURNAL_WEBHOOK_DISABLE_AFTER
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.FAILED if give_up or disable else DeliveryState.PENDING,
            attempts=attempts,
            last_status=status,
            last_error=error[:200],
            last_attempt_at=timezone.now(),
        )
        if disable:
            reason = json.dumps({"count": failures, "error": error[:100]})
            WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
                enabled=False, disabled_reason=reason
            )
            WebhookDelivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).update(
                state=DeliveryState.CANCELLED
            )
    log.warning(
        "webhook delivery failed",
        extra={
            "event": "notifications.webhook_failed",
            "endpoint": endpoint.pk,
            "attempts": attempts,
            "error": error,
            "disabled": disable,
        },
    )
    if give_up or disable:
        return Outcome(DeliveryState.FAILED)
    return Outcome(DeliveryState.PENDING, backoff_s(attempts))


def disabled_reason(endpoint: WebhookEndpoint) -> str:
    """The endpoint's disabled reason in the active language ("" while enabled)."""
    from django.utils.translation import gettext

    if not endpoint.disabled_reason:
        return ""
    values = json.loads(endpoint.disabled_reason)
    return str(gettext(DISABLED_REASON) % values)


def enable(endpoint: WebhookEndpoint) -> None:
    """Switch a disabled endpoint back on (its failure count starts over)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=True, disabled_reason="", consecutive_failures=0
    )
    forget_wanted()
