"""Password reset by e-mail: sent through a real SMTP server on loopback, never logged, offered
only where mail is set up, and throttled per address and per account."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from payjournal.config import Settings
from payjournal.site.mail import NOTHING, SMTP, mail_settings
from payjournal.tenancy.models import Role
from payjournal.tenancy.users import create_user
from tests.fixtures.tenants import PASSWORD, Tenant
from tests.tenancy.smtp import Inbox, smtp_server
from tests.waiting import PATIENCE_S, wait_until

pytestmark = pytest.mark.django_db
LINK = re.compile(r"(https?://\S+?)(/password-reset/(\S+)/(\S+)/)")


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    """Mail set up as production sets it (``PAYJOURNAL_SMTP_*``), towards a real SMTP server."""
    with smtp_server() as server:
        configured = Settings(smtp_host="127.0.0.1", smtp_port=server.port, smtp_security="none")
        mail = mail_settings(configured)
        for name, value in mail.django_settings().items():
            setattr(settings, name, value)
        settings.PAYJOURNAL_PASSWORD_RESET_BY_MAIL = mail.can_reset_by_mail
        yield server


def ask_reset(client: Client, email: str) -> Any:
    return client.post("/password-reset/", {"email": email})


def reset_user(name: str, email: str) -> None:
    create_user(name, PASSWORD, master_name="a Payroll", role=Role.VIEWER, email=email)


def test_production_without_mail_settings_sends_nothing_and_offers_no_reset() -> None:
    from payjournal.site import settings as production  # the environment: no PAYJOURNAL_SMTP_*

    assert production.EMAIL_BACKEND == NOTHING
    assert production.PAYJOURNAL_PASSWORD_RESET_BY_MAIL is False
    assert mail_settings(Settings()).backend == NOTHING
    smtp = mail_settings(Settings(smtp_host="mail.example", smtp_password="pw"))
    assert (smtp.backend, smtp.port, smtp.use_tls, smtp.password) == (SMTP, 587, True, "pw")
    assert smtp.can_reset_by_mail


def test_the_demo_sends_its_mail_over_smtp_to_a_catcher_on_loopback(
    tmp_path: Any, tenant: Tenant, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The demo's reset mail leaves through SMTP like production's, to the catcher payjournal
    starts on loopback; it lands in the data directory and the demo's mail page lists it."""
    from payjournal.cli.demo import demo_settings
    from payjournal.site.bootstrap import with_demo_mailbox

    caplog.set_level(logging.DEBUG)
    demo = with_demo_mailbox(demo_settings(tmp_path, "http://127.0.0.1:1"))
    configured = mail_settings(demo)
    assert (configured.backend, configured.host, configured.use_tls) == (SMTP, "127.0.0.1", False)
    for name, value in configured.django_settings().items():
        setattr(settings, name, value)
    settings.PAYJOURNAL_PASSWORD_RESET_BY_MAIL = configured.can_reset_by_mail
    settings.PAYJOURNAL_DEMO_MAILBOX = demo.demo_mailbox
    tenant.admin.user.email = "admin@a.example"
    tenant.admin.user.save()
    assert ask_reset(Client(), "admin@a.example").status_code == 302

    (kept,) = wait_until(lambda: list((tmp_path / "mail").glob("*.eml")), "the caught mail")
    link = LINK.search(kept.read_text())
    assert link is not None
    client = tenant.client(tenant.admin)
    assert 'id="demo-mail-link"' in client.get("/notifications/").content.decode()
    page = client.get("/notifications/demo-mail/").content.decode()
    assert "admin@a.example" in page and link.group(2) in page
    logged = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert link.group(4) not in logged  # the catcher's own log stays quiet too


def test_outside_the_demo_there_is_no_mail_page(tenant: Tenant) -> None:
    assert tenant.client(tenant.admin).get("/notifications/demo-mail/").status_code == 404


def test_without_mail_the_reset_page_says_so_and_whom_to_ask(tenant: Tenant, settings: Any) -> None:
    settings.PAYJOURNAL_PASSWORD_RESET_BY_MAIL = False
    settings.PAYJOURNAL_SUPPORT_CONTACT = "helpdesk@a.example"
    tenant.admin.user.email = "admin@a.example"
    tenant.admin.user.save()
    page = Client().get("/password-reset/").content.decode()
    assert "Password reset by e-mail is not set up" in page
    assert "Ask helpdesk@a.example for a new password link." in page
    assert 'name="email"' not in page
    posted = ask_reset(Client(), "admin@a.example")
    assert "not set up" in posted.content.decode()
    assert mail.outbox == []
    settings.PAYJOURNAL_SUPPORT_CONTACT = ""
    dutch = Client(HTTP_ACCEPT_LANGUAGE="nl").get("/password-reset/").content.decode()
    assert "Wachtwoord herstellen per e-mail is op deze payjournal niet ingesteld" in dutch
    assert "Vraag degene die payjournal voor uw organisatie beheert" in dutch


def test_a_reset_mail_arrives_over_smtp_and_no_log_holds_its_link(
    tenant: Tenant,
    inbox: Inbox,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    settings.PAYJOURNAL_PUBLIC_URL = "https://payjournal.example"
    user = tenant.admin.user
    user.email = "admin@a.example"
    user.save()
    client = Client()
    assert ask_reset(client, "admin@a.example").status_code == 302
    assert inbox.arrived.wait(PATIENCE_S)
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == "admin@a.example"
    link = LINK.search(inbox.body(0))
    assert link is not None, inbox.body(0)
    assert link.group(1) == "https://payjournal.example"
    form = client.get(link.group(2), follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "a much better password 42"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert get_user_model().objects.get(pk=user.pk).check_password(new)

    token = link.group(4)
    logged = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    printed = "".join(capfd.readouterr())
    assert token not in logged and token not in printed
    assert "/password-reset/" not in logged + printed


def test_a_fourth_request_for_one_account_within_the_hour_is_refused_without_mail(
    tenant: Tenant, inbox: Inbox
) -> None:
    reset_user("r1", "r1@a.example")
    reset_user("r2", "r2@a.example")
    client = Client()
    for _ in range(3):
        assert ask_reset(client, "r1@a.example").status_code == 302
    assert len(inbox.messages) == 3
    for spelling in ("r1@a.example", "R1@A.EXAMPLE", " r1@a.Example "):
        refused = ask_reset(client, spelling)
        assert refused.status_code == 429
        text = refused.content.decode()
        assert "Too many password-reset requests" in text and "No e-mail was sent" in text
    assert len(inbox.messages) == 3
    assert ask_reset(client, "r2@a.example").status_code == 302  # another account: served
    assert len(inbox.messages) == 4


def test_the_sixteenth_request_from_one_address_within_the_hour_is_refused_without_mail(
    tenant: Tenant, inbox: Inbox
) -> None:
    for n in range(6):
        reset_user(f"r{n}", f"r{n}@a.example")
    client = Client()
    for n in range(5):
        for _ in range(3):
            assert ask_reset(client, f"r{n}@a.example").status_code == 302
    assert len(inbox.messages) == 15
    refused = ask_reset(client, "r5@a.example")
    assert refused.status_code == 429
    assert "Too many password-reset requests" in refused.content.decode()
    assert len(inbox.messages) == 15
    other = Client(REMOTE_ADDR="192.0.2.7")  # another network: still served
    assert ask_reset(other, "r5@a.example").status_code == 302
    assert len(inbox.messages) == 16
