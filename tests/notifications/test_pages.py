"""The notification pages: each person's preferences, the master's webhooks (master
administrators only), in the reader's language; bad input answers 400, another master's
endpoint 404, never a 500."""

from __future__ import annotations

import pytest

from payjournal.notifications.models import Delivery, Preference, WebhookEndpoint
from payjournal.notifications.preferences import choice_of
from tests.fixtures.tenants import Tenant
from tests.notifications.receiver import Receiver, receiving
from tests.ports import free_port

pytestmark = pytest.mark.django_db


def test_a_person_chooses_when_which_and_in_which_language(tenant: Tenant) -> None:
    client = tenant.client(tenant.viewer)
    page = client.get("/notifications/").content.decode()
    assert "Your notifications" in page and "One daily digest" in page
    assert "Your account has no e-mail address" in page
    saved = client.post(
        "/notifications/",
        {
            "delivery": "immediately",
            "kinds": ["journal.needs_action", "journal.sent"],
            "language": "sv",
        },
    )
    assert saved.status_code == 302
    choice = choice_of(Preference.objects.get(user=tenant.viewer.user).user)
    assert choice.delivery == Delivery.IMMEDIATELY
    assert choice.kinds == {"journal.needs_action", "journal.sent"}
    assert choice.language == "sv"
    bad = client.post("/notifications/", {"delivery": "hourly", "kinds": ["nonsense"]})
    assert bad.status_code == 400
    assert "The settings were not saved" in bad.content.decode()


def test_the_pages_speak_dutch_and_swedish(tenant: Tenant) -> None:
    client = tenant.client(tenant.admin)
    nl = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Uw meldingen" in nl and "Eén dagelijks overzicht" in nl
    sv = client.get("/notifications/webhooks/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Masterns webhooks" in sv and "Lägg till en endpoint" in sv


def test_an_endpoint_is_added_its_secret_shown_once_and_tested(tenant: Tenant) -> None:
    client = tenant.client(tenant.admin)
    with receiving(Receiver(free_port())) as receiver:
        added = client.post(
            "/notifications/webhooks/",
            {"url": receiver.url, "description": "ops", "kinds": ["journal.needs_action"]},
        )
        assert added.status_code == 200
        text = added.content.decode()
        secret = text.split('id="webhook-secret"', 1)[1].split("<code>", 1)[1].split("</code>")[0]
        assert secret.startswith("whsec_")
        assert secret not in client.get("/notifications/webhooks/").content.decode()
        receiver.secret = secret
        endpoint = WebhookEndpoint.objects.get(master=tenant.master)
        tested = client.post(f"/notifications/webhooks/{endpoint.pk}/test/", follow=True)
        assert "The test event was delivered." in tested.content.decode()
    assert [e["type"] for e in receiver.accepted] == ["webhook.test"]
    log = client.get(f"/notifications/webhooks/{endpoint.pk}/").content.decode()
    assert "Delivered" in log and secret not in log
    removed = client.post(f"/notifications/webhooks/{endpoint.pk}/delete/")
    assert removed.status_code == 302 and not WebhookEndpoint.objects.exists()


def test_a_test_event_to_a_silent_receiver_says_why(tenant: Tenant) -> None:
    client = tenant.client(tenant.admin)
    client.post(
        "/notifications/webhooks/",
        {"url": f"http://127.0.0.1:{free_port()}/x", "kinds": ["journal.needs_action"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    tested = client.post(f"/notifications/webhooks/{endpoint.pk}/test/", follow=True)
    text = tested.content.decode()
    assert "The test event was not delivered:" in text
    assert "connection refused" in text or "could not connect" in text


def test_webhooks_are_for_master_administrators_of_the_master(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    assert tenant.client(tenant.payroll).get("/notifications/webhooks/").status_code == 403
    client = tenant.client(tenant.admin)
    bad = client.post("/notifications/webhooks/", {"url": "ftp://x.example/", "kinds": []})
    assert bad.status_code == 400
    assert "The endpoint was not added" in bad.content.decode()
    other = other_tenant.client(other_tenant.admin)
    other.post(
        "/notifications/webhooks/", {"url": "https://93.184.215.14/hook", "kinds": ["journal.sent"]}
    )
    theirs = WebhookEndpoint.objects.get(master=other_tenant.master)
    assert client.get(f"/notifications/webhooks/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/webhooks/{theirs.pk}/delete/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()
