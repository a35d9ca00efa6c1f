"""Fixtures of the notification tests: members with e-mail addresses, mail through a real SMTP
server on loopback, and webhook timings short enough for a test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from payjournal.config import Settings
from payjournal.site.mail import mail_settings
from tests.fixtures.tenants import Tenant
from tests.tenancy.smtp import Inbox, smtp_server


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    """Mail set up as production sets it (``PAYJOURNAL_SMTP_*``), towards a real SMTP server."""
    with smtp_server() as server:
        configured = Settings(smtp_host="127.0.0.1", smtp_port=server.port, smtp_security="none")
        for name, value in mail_settings(configured).django_settings().items():
            setattr(settings, name, value)
        yield server


@pytest.fixture
def addressed(tenant: Tenant) -> Tenant:
    """The tenant's members with e-mail addresses."""
    for member in (tenant.admin, tenant.payroll, tenant.viewer):
        member.user.email = f"{member.user.username}@a.example"
        member.user.save(update_fields=["email"])
    return tenant


@pytest.fixture
def quick_webhooks(settings: Any) -> None:
    settings.PAYJOURNAL_WEBHOOK_BACKOFF_S = 0.05
    settings.PAYJOURNAL_WEBHOOK_BACKOFF_MAX_S = 0.5
    settings.PAYJOURNAL_WEBHOOK_ATTEMPTS = 1000
    settings.PAYJOURNAL_WEBHOOK_DISABLE_AFTER = 1000
