"""Creating masters and users: one service for ``payjournal createuser``, the demo and tests."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction

from payjournal.tenancy.models import Master, Membership, Role


class UserExistsError(ValueError):
    """The user name is taken."""


@transaction.atomic
def create_user(
    username: str, password: str, *, master_name: str, role: Role, email: str = ""
) -> Membership:
    """A user with a role in the master named ``master_name`` (created when new)."""
    users = get_user_model()
    if users.objects.filter(username=username).exists():
        raise UserExistsError(f"a user named {username!r} already exists")
    master, _ = Master.objects.get_or_create(name=master_name)
    user: AbstractUser = users.objects.create_user(
        username=username, email=email, password=password
    )
    return Membership.objects.create(user=user, master=master, role=role)
