"""API tokens: one master each, a set of scopes, only a SHA-256 of the secret is stored."""

from __future__ import annotations

from django.db import models

from payjournal.tenancy.models import Master


class Scope(models.TextChoices):
    RUNS_WRITE = "runs:write", "Push processed runs"
    RUNS_READ = "runs:read", "Read runs, journals and send states"
    SEND = "send", "Send journals to Visma"


class ApiToken(models.Model):
    master = models.ForeignKey(Master, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.CharField(max_length=200, help_text="Space-separated scopes.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        # The throttle keys on str(auth): the token's id, never its secret.
        return f"api-token-{self.pk}"

    def allows(self, scope: Scope) -> bool:
        return scope.value in self.scopes.split()
