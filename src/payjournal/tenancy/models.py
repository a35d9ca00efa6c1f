"""Masters, memberships with a role, and the events the throttles count."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Master(models.Model):
    """A tenant: a payroll provider, an accountancy firm or an employer group."""

    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    MASTER_ADMIN = "master_admin", _("Master administrator")
    PAYROLL_ADMIN = "payroll_admin", _("Payroll administrator")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A user's place in one master. Payroll administrators and viewers see only the companies
    assigned to them (``PayrollCompany.assignees``); master administrators see all."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    master = models.ForeignKey(Master, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text="The language of pages and error texts; empty follows the browser.",
    )

    def __str__(self) -> str:
        return f"{self.user} @ {self.master} ({self.get_role_display()})"

    @property
    def is_master_admin(self) -> bool:
        return self.role == Role.MASTER_ADMIN

    @property
    def can_edit_payroll(self) -> bool:
        return self.role in (Role.MASTER_ADMIN, Role.PAYROLL_ADMIN)


class ThrottleEvent(models.Model):
    """One counted event of a throttle key: a failed sign-in, a password-reset request
    (:mod:`payjournal.tenancy.throttle`)."""

    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=254)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = (models.Index(fields=("kind", "key", "at"), name="throttle_kind_key_at"),)
