"""A Visma account of a master: a name, its authorization status and its encrypted tokens."""

from __future__ import annotations

from django.db import models

from payjournal import catalog
from payjournal.tenancy.models import Master


class AccountStatus(models.TextChoices):
    NOT_AUTHORIZED = "not_authorized", "Not authorized"
    AUTHORIZED = "authorized", "Authorized"
    AUTHORIZATION_NEEDED = "authorization_needed", "Authorization needed"


class VismaAccount(models.Model):
    """One authorization = one Visma company. The tokens never leave ``token_ciphertext``."""

    master = models.ForeignKey(Master, on_delete=models.CASCADE, related_name="visma_accounts")
    name = models.CharField(max_length=100)
    status = models.CharField(
        max_length=24, choices=AccountStatus.choices, default=AccountStatus.NOT_AUTHORIZED
    )
    status_reason = models.CharField(max_length=300, blank=True)
    #: The catalog code of the last authorization that failed (consent denied, a foreign
    #: answer, the code refused): its explanation stays on the account's row until the next
    #: authorization succeeds.
    authorization_problem = models.CharField(max_length=64, blank=True)
    visma_company_id = models.CharField(max_length=64, blank=True)
    visma_company_name = models.CharField(max_length=200, blank=True)
    authorized_at = models.DateTimeField(null=True, blank=True)
    #: The catalog code of Visma's refusal that made the account need re-authorization
    #: (``invalid_grant``, ``module_not_activated``, ``no_company_access`` …), else "".
    refusal_code = models.CharField(max_length=64, blank=True)
    #: When the stored token pair was issued (the code exchange or the last refresh).
    tokens_issued_at = models.DateTimeField(null=True, blank=True)
    #: When a call with the account's tokens last got an answer from Visma (not a refusal).
    last_call_ok_at = models.DateTimeField(null=True, blank=True)
    #: The bound Visma company's currency and organisation number, as its settings last said.
    visma_currency = models.CharField(max_length=3, blank=True)
    visma_registration_number = models.CharField(max_length=64, blank=True)
    token_ciphertext = models.BinaryField(null=True, blank=True, editable=False)
    token_version = models.PositiveIntegerField(default=0)
    refresh_lease_until = models.DateTimeField(null=True, blank=True)
    refresh_lease_owner = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")
        constraints = (
            models.UniqueConstraint(fields=("master", "name"), name="visma_account_unique_name"),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def is_authorized(self) -> bool:
        return self.status == AccountStatus.AUTHORIZED

    @property
    def refusal_reason(self) -> str:
        """Why the account needs authorization, in the active language: the catalog's sentence
        of Visma's refusal (the stored free text of rows from before the codes)."""
        if self.refusal_code:
            return catalog.explain(self.refusal_code).message
        return self.status_reason
