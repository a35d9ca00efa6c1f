"""Signed webhooks delivered through the durable job engine (a DBOS executor in the test
process) to a real HTTP receiver on loopback that verifies each signature.

Proven here: an event reaches the receiver once, signed with the endpoint's secret (which the
database holds only encrypted); a receiver that is down gets the event once it is up (the
delivery is retried with backoff, each attempt in the log); a receiver that keeps failing gets
its endpoint disabled with the reason shown, and no further deliveries; an endpoint
subscribed to other events gets none. Both databases (``test_postgres.py``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from payjournal.notifications.events import Event, EventKind
from payjournal.notifications.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from payjournal.notifications.service import notify
from payjournal.notifications.webhooks import add_endpoint
from tests.fixtures.tenants import Tenant
from tests.notifications.receiver import Receiver, down_receiver, receiving
from tests.ports import free_port
from tests.waiting import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quick_webhooks")]


def needs_action(tenant: Tenant) -> Event:
    company = tenant.bakkerij
    return Event(
        EventKind.NEEDS_ACTION,
        master_id=tenant.master.pk,
        company_id=company.pk,
        company_name=company.name,
        subject="2026-10",
        code="account_inactive",
        path=f"/companies/{company.pk}/",
    )


def endpoint_for(
    tenant: Tenant, receiver: Receiver, kinds: list[str] | None = None
) -> WebhookEndpoint:
    endpoint, secret = add_endpoint(
        tenant.master, receiver.url, kinds or [EventKind.NEEDS_ACTION.value]
    )
    receiver.secret = secret
    return endpoint


def publish(event: Event) -> None:
    with transaction.atomic():
        notify(event)


def delivery_of(endpoint: WebhookEndpoint) -> WebhookDelivery:
    return WebhookDelivery.objects.get(endpoint=endpoint)


def test_an_event_reaches_the_receiver_once_signed(tenant: Tenant, executor: None) -> None:
    with receiving(Receiver(free_port())) as receiver:
        endpoint = endpoint_for(tenant, receiver)
        assert receiver.secret.encode() not in bytes(endpoint.secret_ciphertext)
        publish(needs_action(tenant))
        wait_until(lambda: receiver.accepted, "the receiver to accept the event")
        delivery = wait_until(
            lambda: WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED).first(),
            "the delivery to be logged as delivered",
        )
    (event,) = receiver.accepted
    assert receiver.refused == []
    assert event["type"] == "journal.needs_action"
    assert event["company"] == {"id": tenant.bakkerij.pk, "name": tenant.bakkerij.name}
    assert event["id"] == event["_header_id"] == str(delivery.event_id)
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (1, 200, "")


def test_a_receiver_that_was_down_gets_the_event_once_it_is_up(
    tenant: Tenant, executor: None
) -> None:
    receiver = down_receiver()  # its port refuses connections until it is served
    endpoint = endpoint_for(tenant, receiver)
    publish(needs_action(tenant))
    wait_until(
        lambda: delivery_of(endpoint).attempts >= 2,
        lambda: f"two failed attempts, logged: {delivery_of(endpoint).attempts}",
    )
    assert delivery_of(endpoint).state == DeliveryState.PENDING
    assert delivery_of(endpoint).last_error in ("connection refused", "could not connect")
    with receiving(receiver):
        done = wait_until(
            lambda: (d := delivery_of(endpoint)).state == DeliveryState.DELIVERED and d,
            "the delivery once the receiver is up",
        )
    assert len(receiver.accepted) == 1 and receiver.refused == []
    assert done.attempts >= 3 and done.last_error == ""
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.consecutive_failures == 0


def test_an_endpoint_that_keeps_failing_is_disabled_with_its_reason(
    tenant: Tenant, executor: None, settings: Any
) -> None:
    settings.PAYJOURNAL_WEBHOOK_DISABLE_AFTER = 10
    with receiving(Receiver(free_port(), status=500)) as receiver:
        endpoint = endpoint_for(tenant, receiver)
        publish(needs_action(tenant))
        publish(needs_action(tenant))
        wait_until(
            lambda: not WebhookEndpoint.objects.get(pk=endpoint.pk).enabled,
            "the endpoint to be disabled",
        )
        tried = receiver.requests
        endpoint.refresh_from_db()
        assert endpoint.consecutive_failures == 10
        states = sorted(WebhookDelivery.objects.values_list("state", flat=True))
        assert set(states) <= {DeliveryState.FAILED, DeliveryState.CANCELLED}
        publish(needs_action(tenant))  # no delivery to a disabled endpoint
        assert WebhookDelivery.objects.count() == 2
        assert receiver.requests == tried == 10
    client = tenant.client(tenant.admin)
    page = client.get(f"/notifications/webhooks/{endpoint.pk}/").content.decode()
    assert "Disabled after 10 failed deliveries in a row (last: HTTP 500)." in page
    listing = client.get("/notifications/webhooks/").content.decode()
    assert "Disabled after 10 failed deliveries in a row" in listing


def test_an_endpoint_gets_only_the_events_it_receives(tenant: Tenant, executor: None) -> None:
    with receiving(Receiver(free_port())) as receiver:
        endpoint_for(tenant, receiver, kinds=[EventKind.DRIFT.value])
        publish(needs_action(tenant))
        assert WebhookDelivery.objects.count() == 0
        drift = Event(EventKind.DRIFT, master_id=tenant.master.pk, company_id=tenant.bakkerij.pk)
        publish(drift)
        wait_until(lambda: receiver.accepted, "the drift event")
    assert [e["type"] for e in receiver.accepted] == ["scheme.drift_found"]


def test_a_delivery_whose_secret_does_not_open_fails_with_that_reason(
    tenant: Tenant, executor: None
) -> None:
    with receiving(Receiver(free_port())) as receiver:
        endpoint = endpoint_for(tenant, receiver)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret_ciphertext=b"not a token")
        publish(needs_action(tenant))
        failed = wait_until(
            lambda: (d := delivery_of(endpoint)).state == DeliveryState.FAILED and d,
            "the delivery to fail",
        )
    assert failed.last_error == "TokenDecryptionError"
    assert receiver.requests == 0
