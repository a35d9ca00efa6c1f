"""The forms of the ledger scheme editor and of the fiscal-year fix.

A value the page posts is checked here for what it is — one of the actions, a code or an
account number no longer than its column, a date — before the use case checks what it means
(the chart, the domain's reader). A value that fails is a field error (400), never a 500.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from payjournal.domain.formats.codes import MAX_CODE_LENGTH
from payjournal.domain.journal import MAX_ROW_TEXT
from payjournal.domain.scheme import CostCenterSide
from payjournal.payroll.schemes import MappingChange

__all__ = ["FiscalYearFixForm", "MappingChangeForm", "field_problems"]

#: Longer than any account number Visma has (at most 9 digits); the chart decides the rest.
MAX_ACCOUNT_LENGTH = 20


def field_problems(form: forms.Form) -> list[str]:
    """Every error of ``form`` as "label: error" lines."""
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        problems += [f"{label}: {error}" if label else str(error) for error in errors]
    return problems


class MappingChangeForm(forms.Form):
    """One mapping the editor saves: changed (``action=change``) or added (``add``)."""

    action = forms.ChoiceField(choices=[("change", "change"), ("add", "add")], label=_("Action"))
    component = forms.CharField(max_length=MAX_CODE_LENGTH, label=_("Wage component"))
    debit_account = forms.CharField(
        max_length=MAX_ACCOUNT_LENGTH, required=False, label=_("Debit account")
    )
    credit_account = forms.CharField(
        max_length=MAX_ACCOUNT_LENGTH, required=False, label=_("Credit account")
    )
    cost_center_side = forms.ChoiceField(
        choices=[(side.value, side.value) for side in CostCenterSide],
        required=False,
        label=_("Cost center on"),
    )
    description = forms.CharField(
        max_length=MAX_ROW_TEXT, required=False, label=_("Description (row text)")
    )

    def change(self) -> MappingChange:
        """The change the use case saves (a changed mapping keeps its description)."""
        data = self.cleaned_data
        is_new = data["action"] == "add"
        return MappingChange(
            component=data["component"],
            debit_account=data["debit_account"],
            credit_account=data["credit_account"],
            cost_center_side=data["cost_center_side"] or CostCenterSide.NONE.value,
            description=data["description"] if is_new else None,
            is_new=is_new,
        )


class FiscalYearFixForm(forms.Form):
    """The fiscal year the check proposes, confirmed."""

    start_date = forms.DateField()
    end_date = forms.DateField()
    confirm = forms.BooleanField(required=False)
