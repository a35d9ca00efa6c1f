"""The SSRF guard of webhooks (``notifications/destinations.py``): by default only ``https`` to
public addresses; a network the operator allows (``PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS``) over
http too. Refused on the endpoint form with the reason in the reader's language; refused again
at each delivery (the log says "address not allowed", no request reaches the receiver); and on
the connection itself, whatever the name resolved to before. The receivers listen on loopback,
which the test settings allow; each test here says which networks it allows."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from pydantic import ValidationError

from payjournal.cli.demo import demo_settings
from payjournal.config import Settings
from payjournal.notifications.destinations import AddressKind, DestinationRefusedError, kind_of
from payjournal.notifications.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from payjournal.notifications.webhooks import post
from tests.fixtures.tenants import Tenant
from tests.notifications.receiver import Receiver, receiving
from tests.notifications.test_webhooks import delivery_of, endpoint_for, needs_action, publish
from tests.ports import free_port
from tests.waiting import wait_until

LOOPBACK = ["127.0.0.0/8", "::1/128"]
ONLY_PUBLIC = "Webhooks go only to public addresses, unless the operator of payjournal allows"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://93.184.215.14/hooks", "The URL must start with https://"),
        ("https://10.1.2.3/hooks", "10.1.2.3 is an address of a private network (10.1.2.3)."),
        ("https://[fd00::7]/hooks", "is an address of a private network (fd00::7)."),
        ("https://127.0.0.1:8443/hooks", "127.0.0.1 is a loopback address (127.0.0.1)"),
        ("https://localhost/hooks", "localhost is a loopback address"),
        ("https://[::1]/hooks", "::1 is a loopback address (::1)"),
        ("https://[::ffff:127.0.0.1]/hooks", "is a loopback address (::ffff:7f00:1)"),
        ("https://0.0.0.0/hooks", "is a loopback address (0.0.0.0)"),
        (
            "https://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local address (169.254.169.254), such as a cloud "
            "metadata service.",
        ),
        ("https://[fe80::1]/hooks", "is a link-local address (fe80::1)"),
        ("https://100.64.0.9/hooks", "is a reserved address, not a public one (100.64.0.9)"),
        (
            "https://hooks.payjournal.invalid/x",
            "The host hooks.payjournal.invalid does not resolve",
        ),
    ],
)
@pytest.mark.django_db
def test_the_form_refuses_what_is_not_https_to_a_public_address(
    tenant: Tenant, settings: Any, url: str, why: str
) -> None:
    settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = []  # the production default
    client = tenant.client(tenant.admin)
    answer = client.post("/notifications/webhooks/", {"url": url, "kinds": ["journal.sent"]})
    assert answer.status_code == 400
    text = answer.content.decode().replace("&#x27;", "'")
    assert "The endpoint was not added" in text and why in text
    assert (ONLY_PUBLIC in text) == ("https://" not in why and "resolve" not in why)
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_the_form_takes_https_to_a_public_address_and_an_allowed_network(
    tenant: Tenant, settings: Any
) -> None:
    client = tenant.client(tenant.admin)
    settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = []
    public = client.post(
        "/notifications/webhooks/", {"url": "https://93.184.215.14/h", "kinds": ["journal.sent"]}
    )
    assert public.status_code == 200
    settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    internal = client.post(
        "/notifications/webhooks/", {"url": "http://10.9.8.7:8080/h", "kinds": ["journal.sent"]}
    )
    assert internal.status_code == 200
    other = client.post(
        "/notifications/webhooks/", {"url": "http://192.168.1.2/h", "kinds": ["journal.sent"]}
    )
    assert other.status_code == 400
    assert sorted(WebhookEndpoint.objects.values_list("url", flat=True)) == [
        "http://10.9.8.7:8080/h",
        "https://93.184.215.14/h",
    ]


@pytest.mark.django_db
def test_the_refusal_speaks_dutch_and_swedish(tenant: Tenant, settings: Any) -> None:
    settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = []
    client = tenant.client(tenant.admin)
    metadata = {"url": "https://169.254.169.254/", "kinds": ["journal.sent"]}
    nl = client.post("/notifications/webhooks/", metadata, HTTP_ACCEPT_LANGUAGE="nl")
    assert "is een link-local-adres (169.254.169.254)" in nl.content.decode()
    sv = client.post("/notifications/webhooks/", metadata, HTTP_ACCEPT_LANGUAGE="sv")
    assert "är en länklokal adress (169.254.169.254)" in sv.content.decode()


@pytest.mark.django_db
def test_the_demo_allows_a_receiver_on_this_machine(
    tenant: Tenant, settings: Any, tmp_path: Any
) -> None:
    demo = demo_settings(tmp_path, "http://127.0.0.1:1")
    settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = demo.webhook_allowed_networks
    client = tenant.client(tenant.admin)
    for url in ("http://127.0.0.1:9/h", "http://[::1]:9/h", "http://localhost:9/h"):
        added = client.post("/notifications/webhooks/", {"url": url, "kinds": ["journal.sent"]})
        assert added.status_code == 200, url


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("quick_webhooks")
def test_a_delivery_the_allowed_networks_no_longer_allow_is_refused_unsent(
    tenant: Tenant, executor: None, settings: Any
) -> None:
    with receiving(Receiver(free_port())) as receiver:
        endpoint = endpoint_for(tenant, receiver)  # added while loopback was allowed
        settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8"]
        publish(needs_action(tenant))
        refused = wait_until(
            lambda: (d := delivery_of(endpoint)).attempts >= 2 and d,
            "two refused attempts in the delivery log",
        )
        assert refused.last_error == "address not allowed"
        assert refused.state == DeliveryState.PENDING and refused.last_status is None
        assert receiver.requests == 0
        page = tenant.client(tenant.admin).get(f"/notifications/webhooks/{endpoint.pk}/")
        assert "address not allowed" in page.content.decode()
        settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = LOOPBACK  # the operator allows it again
        wait_until(
            lambda: delivery_of(endpoint).state == DeliveryState.DELIVERED,
            "the delivery once loopback is allowed",
        )
    assert len(receiver.accepted) == 1 and receiver.requests == 1


@pytest.mark.django_db
def test_a_test_event_to_a_refused_address_says_so(tenant: Tenant, settings: Any) -> None:
    with receiving(Receiver(free_port())) as receiver:
        endpoint = endpoint_for(tenant, receiver)
        settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = []
        client = tenant.client(tenant.admin)
        tested = client.post(f"/notifications/webhooks/{endpoint.pk}/test/", follow=True)
        assert "The test event was not delivered: https required." in tested.content.decode()
        settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8"]
        tested = client.post(f"/notifications/webhooks/{endpoint.pk}/test/", follow=True)
        assert "The test event was not delivered: address not allowed." in tested.content.decode()
    assert receiver.requests == 0
    assert set(WebhookDelivery.objects.values_list("last_error", flat=True)) == {
        "https required",
        "address not allowed",
    }


@pytest.mark.django_db
def test_the_connection_itself_is_checked_whatever_the_name_resolved_to(settings: Any) -> None:
    """``post`` alone, without the check before it: as after a DNS answer that changed between
    the check and the connect. The socket reached loopback, so not a byte is sent."""
    with receiving(Receiver(free_port(), secret="whsec_t")) as receiver:
        settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = ["10.0.0.0/8", "::1/128"]
        with pytest.raises(DestinationRefusedError) as refused:
            post(receiver.url, "whsec_t", {"type": "webhook.test"}, "e-1", "webhook.test")
        assert refused.value.reason == "address not allowed"
        assert receiver.requests == 0
        settings.PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
        assert post(receiver.url, "whsec_t", {"type": "webhook.test"}, "e-2", "webhook.test") == 200
    assert receiver.requests == 1 and len(receiver.accepted) == 1


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
        ("127.0.0.2", AddressKind.LOOPBACK),
        ("::", AddressKind.LOOPBACK),
        ("2002:7f00:1::", AddressKind.LOOPBACK),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", AddressKind.LINK_LOCAL),  # NAT64 around 169.254.169.254
        ("172.16.0.1", AddressKind.PRIVATE),
        ("192.168.255.1", AddressKind.PRIVATE),
        ("224.0.0.1", AddressKind.RESERVED),
        ("192.0.2.1", AddressKind.RESERVED),
        ("255.255.255.255", AddressKind.RESERVED),
    ],
)
def test_what_is_public(address: str, kind: AddressKind | None) -> None:
    assert kind_of(ipaddress.ip_address(address)) == kind


def test_the_allowed_networks_are_read_from_the_environment(monkeypatch: Any) -> None:
    monkeypatch.setenv("PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32, 10.1.2.3/8,::1")
    assert Settings().webhook_allowed_networks == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    monkeypatch.setenv("PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS", '["192.168.0.0/16"]')
    assert Settings().webhook_allowed_networks == ["192.168.0.0/16"]
    monkeypatch.setenv("PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS", "10.0.0.0/8,intranet")
    with pytest.raises(ValidationError, match="webhook_allowed_networks"):
        Settings()
    monkeypatch.delenv("PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS")
    assert Settings().webhook_allowed_networks == []
