"""How corrections are booked, as settings a person changes: per payroll company (or "the master
default") and, per master, the default itself.

Two choices (:mod:`payjournal.domain.booking`): the mode — *reverse and rebook* (a reversal of
the booked version, then the new one in full) or *difference* (one voucher of new − booked) —
and the date of correction vouchers — the original date while its period is open, else the first
open day after Visma's lock date; or always the new version's date. The forms only accept those
values (an unknown one is a form error the page shows, never a 500).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from payjournal.domain.booking import CorrectionDate, CorrectionMode
from payjournal.payroll.models import PayrollCompany
from payjournal.sending.booking import CorrectionPolicy
from payjournal.sending.models import CorrectionDefaults, SendingSettings
from payjournal.tenancy.models import Master

__all__ = [
    "CompanyCorrectionsForm",
    "CorrectionsShown",
    "MasterCorrectionsForm",
    "corrections_shown",
    "date_label",
    "master_default",
    "mode_label",
    "save_company",
    "save_master",
]

MODES = {
    CorrectionMode.REVERSE_AND_REBOOK: _(
        "Reverse and rebook: a reversal of the booked voucher, then the new version in full"
    ),
    CorrectionMode.DIFFERENCE: _(
        "Difference: one voucher with the new version minus the booked one"
    ),
}
DATES = {
    CorrectionDate.ORIGINAL_OR_FIRST_OPEN: _(
        "The original voucher date, or the first open day after Visma's lock date"
    ),
    CorrectionDate.NEW_VERSION: _("Always the new version's date"),
}
MASTER_DEFAULT = ("", _("The master default"))


def mode_label(mode: CorrectionMode) -> str:
    return str(MODES[mode])


def date_label(rule: CorrectionDate) -> str:
    return str(DATES[rule])


class MasterCorrectionsForm(forms.Form):
    """The master's default for its companies."""

    correction_mode = forms.ChoiceField(
        label=_("How a corrected run is booked"), choices=list(MODES.items())
    )
    correction_date = forms.ChoiceField(
        label=_("Date of correction vouchers"), choices=list(DATES.items())
    )


class CompanyCorrectionsForm(forms.Form):
    """One company's choice; blank follows the master default."""

    correction_mode = forms.ChoiceField(
        label=_("How a corrected run is booked"),
        choices=[MASTER_DEFAULT, *MODES.items()],
        required=False,
    )
    correction_date = forms.ChoiceField(
        label=_("Date of correction vouchers"),
        choices=[MASTER_DEFAULT, *DATES.items()],
        required=False,
    )


@dataclass(frozen=True, slots=True)
class CorrectionsShown:
    """What the company page says about corrections: the company's own choice (blank: the
    master default), the master default, and the policy that applies."""

    own_mode: str
    own_date: str
    default: CorrectionPolicy
    policy: CorrectionPolicy

    @property
    def mode_text(self) -> str:
        return mode_label(self.policy.mode)

    @property
    def date_text(self) -> str:
        return date_label(self.policy.date)

    @property
    def form(self) -> CompanyCorrectionsForm:
        return CompanyCorrectionsForm(
            initial={"correction_mode": self.own_mode, "correction_date": self.own_date}
        )


def master_default(master_id: int) -> CorrectionPolicy:
    """The master's default (reverse and rebook, original-or-first-open when never set)."""
    row = CorrectionDefaults.objects.filter(master_id=master_id).first()
    return CorrectionPolicy(
        CorrectionMode(row.correction_mode if row else CorrectionMode.REVERSE_AND_REBOOK),
        CorrectionDate(row.correction_date if row else CorrectionDate.ORIGINAL_OR_FIRST_OPEN),
    )


def corrections_shown(company: PayrollCompany) -> CorrectionsShown:
    """The company's own choice over its master's default, as
    :func:`payjournal.sending.booking.correction_policy` decides it."""
    own = SendingSettings.objects.filter(company=company).first()
    mode, day = (own.correction_mode, own.correction_date) if own else ("", "")
    default = master_default(company.master_id)
    policy = CorrectionPolicy(
        CorrectionMode(mode) if mode else default.mode,
        CorrectionDate(day) if day else default.date,
    )
    return CorrectionsShown(mode, day, default, policy)


def _choice(form: CompanyCorrectionsForm | MasterCorrectionsForm) -> dict[str, str]:
    return {name: form.cleaned_data[name] for name in ("correction_mode", "correction_date")}


def save_company(company: PayrollCompany, form: CompanyCorrectionsForm) -> None:
    """Store a valid form's choice for ``company`` (blank: follow the master default)."""
    SendingSettings.objects.update_or_create(company=company, defaults=_choice(form))


def save_master(master: Master, form: MasterCorrectionsForm) -> None:
    """Store a valid form's choice as the master's default."""
    CorrectionDefaults.objects.update_or_create(master=master, defaults=_choice(form))
