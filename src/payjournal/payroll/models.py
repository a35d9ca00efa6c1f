"""Payroll companies with their ledger scheme and Visma mapping; runs; journal snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext

from payjournal.domain.run import RunKind
from payjournal.integrations.models import VismaAccount
from payjournal.tenancy.models import Master

#: The language of a company's voucher texts when it has not chosen one: Visma eAccounting's
#: Dutch companies book in euros, its Swedish ones (eEkonomi) in kronor.
CURRENCY_LANGUAGES = {"EUR": "nl", "SEK": "sv"}


def kind_labels() -> dict[str, str]:
    """Why a run was made, in the active language: what pages show and what a voucher text's
    ``{kind}`` says ("off_cycle" never reaches a screen or a voucher)."""
    return {
        RunKind.REGULAR: pgettext("run kind", "Regular"),
        RunKind.CORRECTION: pgettext("run kind", "Correction"),
        RunKind.OFF_CYCLE: pgettext("run kind", "Off-cycle"),
    }


class PayrollCompany(models.Model):
    """An administration of a master. ``key`` is the company code used in run files."""

    master = models.ForeignKey(Master, on_delete=models.CASCADE, related_name="payroll_companies")
    name = models.CharField(max_length=200)
    key = models.SlugField(max_length=64)
    scheme_source = models.TextField(help_text="The ledger scheme file (JSON or CSV).")
    scheme_filename = models.CharField(max_length=200)
    visma_account = models.ForeignKey(
        VismaAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payroll_companies",
    )
    visma_company_id = models.CharField(max_length=64, blank=True)
    registration_number = models.CharField(
        max_length=64,
        blank=True,
        help_text="The employer's organisation number (KvK, organisationsnummer): the Visma "
        "company it is mapped to must have the same one.",
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text="The language of the texts payjournal writes into Visma (reversals, "
        "corrections); empty follows the journal's currency: EUR Dutch, SEK Swedish, else "
        "English.",
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="payroll_companies"
    )

    class Meta:
        ordering = ("name", "id")
        constraints = (
            models.UniqueConstraint(fields=("master", "key"), name="payroll_company_unique_key"),
        )
        indexes = (
            # The cockpit filters, counts and sorts thousands of a master's companies by their
            # mapping: this index answers it without reading the rows (whose scheme file sits
            # between the columns and makes every row read long).
            models.Index(
                fields=("master", "visma_account", "visma_company_id", "name", "key", "id"),
                name="payroll_company_cockpit",
            ),
        )

    def __str__(self) -> str:
        return self.name

    def voucher_language(self, currency: str) -> str:
        """The language of what payjournal writes into Visma for this company: its chosen one,
        else the one the journal's currency implies, else English."""
        return self.language or CURRENCY_LANGUAGES.get(currency, "en")

    @property
    def mapping_is_wrong(self) -> bool:
        """Mapped, but the account's grant is bound to another Visma company now."""
        account = self.visma_account
        return account is not None and account.visma_company_id != self.visma_company_id


class PayrollRun(models.Model):
    """One version of a processed run; a re-import with other content is the next version."""

    company = models.ForeignKey(PayrollCompany, on_delete=models.CASCADE, related_name="runs")
    run_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)
    period_label = models.CharField(max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()
    payment_date = models.DateField()
    currency = models.CharField(max_length=3)
    source_name = models.CharField(max_length=200)
    source_sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set on the latest version when the run was withdrawn: the books should hold "
        "nothing of it. A new version brings the run back.",
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("-period_start", "-run_id", "-version")
        constraints = (
            models.UniqueConstraint(
                fields=("company", "run_id", "version"), name="payroll_run_unique_version"
            ),
        )
        indexes = (models.Index(fields=("company", "-period_start")),)

    def __str__(self) -> str:
        return f"{self.run_id} v{self.version}"


class JournalSnapshot(models.Model):
    """The frozen, balanced journal of one run version, in integer minor units.

    Whether and as which voucher it was sent is not stored here: the outbox's legs of the
    journal say it (``submissions``, :mod:`payjournal.sending`), and every reader derives it
    from them.
    """

    run = models.OneToOneField(PayrollRun, on_delete=models.CASCADE, related_name="journal")
    voucher_date = models.DateField()
    voucher_text = models.CharField(max_length=1000)
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField(help_text="Debit total = credit total, minor units.")
    fingerprint = models.CharField(max_length=64)


class JournalLine(models.Model):
    journal = models.ForeignKey(JournalSnapshot, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    account = models.CharField(max_length=20)
    side = models.CharField(max_length=6)
    amount_minor = models.BigIntegerField()
    text = models.CharField(max_length=200)
    dimension = models.CharField(max_length=64, blank=True)
    employee_id = models.CharField(max_length=64, blank=True)
    is_rounding = models.BooleanField(default=False)

    class Meta:
        ordering = ("position",)


class SeenComponent(models.Model):
    """A wage component that occurred in a run file of the company — imported, or refused
    because the scheme did not map it — so the scheme editor can show coverage. Only the code
    is kept (``GROSS``), never amounts or employees."""

    company = models.ForeignKey(
        PayrollCompany, on_delete=models.CASCADE, related_name="seen_components"
    )
    component = models.CharField(max_length=64)
    last_run_id = models.CharField(max_length=64)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("component",)
        constraints = (
            models.UniqueConstraint(
                fields=("company", "component"), name="payroll_seen_component_unique"
            ),
        )

    def __str__(self) -> str:
        return self.component
