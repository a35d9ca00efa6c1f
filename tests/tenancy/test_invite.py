"""Inviting a user: a one-time link where they choose their password, from the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from payjournal.cli import app
from payjournal.tenancy.models import Membership, Role
from payjournal.tenancy.users import UserExistsError, invite_user

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long enough passphrase"


def accept(client: Client, path: str) -> tuple[int, str]:
    """Open the invitation and choose the password; the final status and page."""
    page = client.get(path, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    done = client.post(
        form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True
    )
    return done.status_code, done.content.decode()


def test_an_invited_user_chooses_a_password_and_signs_in() -> None:
    invitation = invite_user("boss", master_name="Acme Payroll", role=Role.MASTER_ADMIN)
    user = invitation.membership.user
    assert not user.has_usable_password()
    browser = Client()
    welcome = browser.get(invitation.path, follow=True).content.decode()
    assert "Welcome to payjournal" in welcome and "boss" in welcome
    status, page = accept(browser, invitation.path)
    assert status == 200 and "Your password is set" in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert Client().login(username="boss", password=PASSWORD)


def test_an_invitation_works_once() -> None:
    invitation = invite_user("boss", master_name="Acme Payroll", role=Role.VIEWER)
    accept(Client(), invitation.path)
    again = Client().get(invitation.path, follow=True).content.decode()
    assert "This invitation does not work" in again


def test_an_invitation_expires_after_three_days() -> None:
    invitation = invite_user("boss", master_name="Acme Payroll", role=Role.VIEWER)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        late = Client().get(invitation.path, follow=True).content.decode()
    assert "This invitation does not work" in late


def test_a_taken_name_cannot_be_invited() -> None:
    invite_user("boss", master_name="Acme Payroll", role=Role.VIEWER)
    with pytest.raises(UserExistsError):
        invite_user("boss", master_name="Other", role=Role.VIEWER)


def test_payjournal_invite_prints_the_link_for_the_first_administrator() -> None:
    result = CliRunner().invoke(app, ["invite", "first", "--master", "Acme Payroll"])
    assert result.exit_code == 0, result.output
    link = result.stdout.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8000/") and "/invite/" in link
    member = Membership.objects.get(user__username="first")
    assert member.role == Role.MASTER_ADMIN
    _, page = accept(Client(), link.removeprefix("http://127.0.0.1:8000"))
    assert "Your password is set" in page


def test_payjournal_password_link_lets_an_existing_user_choose_a_new_password() -> None:
    """The operator's way to help when password reset by e-mail is not set up."""
    from payjournal.tenancy.users import create_user

    create_user("clerk", "the old passphrase 1", master_name="Acme Payroll", role=Role.VIEWER)
    result = CliRunner().invoke(app, ["password-link", "clerk"])
    assert result.exit_code == 0, result.output
    link = result.stdout.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8000/password-reset/")
    status, page = accept(Client(), link.removeprefix("http://127.0.0.1:8000"))
    assert status == 200 and "Password saved" in page
    assert Client().login(username="clerk", password=PASSWORD)
    assert not Client().login(username="clerk", password="the old passphrase 1")
    again = Client().get(link.removeprefix("http://127.0.0.1:8000"), follow=True)
    assert "This link does not work" in again.content.decode()  # it worked once
    unknown = CliRunner().invoke(app, ["password-link", "nobody"])
    assert unknown.exit_code == 1 and "no user named 'nobody'" in unknown.output
