"""Creating masters and users: one service for ``payjournal createuser``/``invite``, the demo
and tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from payjournal.tenancy.models import Master, Membership, Role


class UserExistsError(ValueError):
    """The user name is taken."""


class UnknownUserError(LookupError):
    """No user has that name."""


@dataclass(frozen=True)
class Invitation:
    """A user who has no password yet, and the path where they choose one."""

    membership: Membership
    path: str


@transaction.atomic
def invite_user(username: str, *, master_name: str, role: Role, email: str = "") -> Invitation:
    """A user without a password, and a one-time link to choose it.

    The link is Django's password-reset token: it stops working once the password is set
    (the token covers the password hash) and after ``PASSWORD_RESET_TIMEOUT`` (3 days).
    """
    membership = create_user(username, None, master_name=master_name, role=role, email=email)
    return Invitation(membership, _choose_password_path(membership.user, "invite_accept"))


def password_link_path(username: str) -> str:
    """A one-time link for an existing user to choose a new password: what an operator hands
    out when password reset by e-mail is not set up. Same token and lifetime as an invitation;
    it stops working once used."""
    users = get_user_model()
    user = users._default_manager.filter(username=users.normalize_username(username)).first()
    if user is None:
        raise UnknownUserError(f"no user named {username!r}")
    return _choose_password_path(user, "password_reset_confirm")


def _choose_password_path(user: User, view_name: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(view_name, args=(uid, default_token_generator.make_token(user)))


@transaction.atomic
def create_user(
    username: str, password: str | None, *, master_name: str, role: Role, email: str = ""
) -> Membership:
    """A user with a role in the master named ``master_name`` (created when new); without a
    password (None) the user cannot sign in until they accept an invitation."""
    users = get_user_model()
    # Django stores the NFKC form (``ａ`` → ``a``) and, like its user-creation form, a name
    # that differs from a taken one only in case would be a confusing twin: both refused here.
    username = users.normalize_username(username)
    if users.objects.filter(username__iexact=username).exists():
        raise UserExistsError(f"a user named {username!r} already exists")
    master, _ = Master.objects.get_or_create(name=master_name)
    user = users.objects.create_user(username=username, email=email, password=password)
    return Membership.objects.create(user=user, master=master, role=role)
