"""The result of the daily drift check, one row per payroll company (the latest check)."""

from __future__ import annotations

from typing import Any

from django.db import models

from payjournal.payroll.models import PayrollCompany


class DriftReport(models.Model):
    """Whether ``company``'s ledger scheme could be booked in Visma when last checked.

    ``failures`` holds each failed check as ``{"key", "code", "subject"}``: the catalog code
    explains it in the reader's language when shown.
    """

    company = models.OneToOneField(
        PayrollCompany, on_delete=models.CASCADE, related_name="drift_report"
    )
    checked_at = models.DateTimeField()
    checked_for = models.DateField(help_text="The day whose fiscal year was checked.")
    passed = models.BooleanField()
    failures = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"drift check of {self.company_id}: {'passed' if self.passed else 'failed'}"

    @property
    def failure_list(self) -> list[dict[str, Any]]:
        return list(self.failures)

    @property
    def is_connection_problem(self) -> bool:
        """Visma could not be read for the company (not a drift of its accounts)."""
        return any(f["key"] in ("connection", "api_module") for f in self.failures)
