"""The forms of the Journal Entries Export dashlet: a bulk send and a poll for changed rows.

Run ids, dates and times from a page are parsed here, so a value that cannot be taken — a run
``²`` or of 30 digits, another company's run, a time in year 1 that no database stores — is a
field error (400) in the user's language, never a 500.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, TypeVar

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from payjournal.payroll.models import PayrollCompany, PayrollRun

__all__ = ["BulkSendForm", "CockpitActionForm", "CockpitForm", "PollForm"]

#: The first and the last moment a poll may ask about: what every database stores, in UTC.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


#: The largest id a database stores (a 64-bit primary key).
MAX_ID = 2**63 - 1


_M = TypeVar("_M", bound=Model)


class IdsField(forms.ModelMultipleChoiceField[_M]):
    """Rows by id; a value that is no id a database stores (``²``, 30 digits) is an invalid
    choice before the query (SQLite raises OverflowError for ``pk__in`` with such a number)."""

    def clean(self, value: Any) -> QuerySet[_M]:
        for pk in value if isinstance(value, list | tuple) else ():
            text = str(pk)
            if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super().clean(value)


RunsField = IdsField[PayrollRun]
CompaniesField = IdsField[PayrollCompany]


class BulkSendForm(forms.Form):
    """The runs selected in the dashlet (``runs``), else a period (``start`` – ``end``) whose
    unsent runs are sent."""

    runs = RunsField(
        queryset=PayrollRun.objects.none(),
        required=False,
        label=_("Runs"),
        error_messages={
            "invalid_choice": _("Choose runs of this company in the list."),
            "invalid_pk_value": _("Choose runs of this company in the list."),
        },
    )
    start = forms.DateField(required=False, label=_("Period from"))
    end = forms.DateField(required=False, label=_("Period to"))

    def __init__(self, company: PayrollCompany, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["runs"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = PayrollRun.objects.filter(company=company)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or cleaned.get("runs"):
            return cleaned
        start: date | None = cleaned.get("start")
        end: date | None = cleaned.get("end")
        if start is None or end is None:
            raise forms.ValidationError(
                _("Select runs, or give a period (from and to dates)."), code="nothing"
            )
        if start > end:
            raise forms.ValidationError(
                _("The period ends before it starts: give the earlier date first."), code="order"
            )
        return cleaned


class PollForm(forms.Form):
    """A poll of the dashlet: the rows that changed ``since`` a moment (ISO 8601); a poll
    without it asks for no rows."""

    since = forms.DateTimeField(required=False, label=_("Since"))

    def clean_since(self) -> datetime | None:
        since: datetime | None = self.cleaned_data.get("since")
        if since is None:
            return None
        try:
            in_utc = since.astimezone(UTC)  # year 1 at +14:00 is before the year 1 in UTC
        except (OverflowError, ValueError):
            in_utc = None
        if in_utc is None or not EARLIEST <= in_utc <= LATEST:
            raise forms.ValidationError(
                _("Give a time between 1970 and 9000 (ISO 8601)."), code="range"
            )
        return in_utc


class CockpitForm(forms.Form):
    """The cockpit's GET parameters: which companies (``show``), the order, a search in names
    and codes, the page. A value that cannot be taken is a field error (400)."""

    show = forms.ChoiceField(
        required=False,
        label=_("Show"),
        choices=[("mine", "mine"), ("bookkeeper", "bookkeeper"), ("all", "all")],
    )
    order = forms.ChoiceField(
        required=False,
        label=_("Sort by"),
        choices=[("attention", "attention"), ("name", "name"), ("key", "key"), ("paid", "paid")],
    )
    q = forms.CharField(required=False, max_length=200, strip=True, label=_("Search"))
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000, label=_("Page"))
    part = forms.ChoiceField(required=False, choices=[("table", "table")])
    shown = forms.CharField(required=False, max_length=4000, label=_("Companies"))

    def clean_shown(self) -> list[int] | None:
        """The companies a page shows (``1,2,3``): its poll keeps exactly those rows in place."""
        text: str = self.cleaned_data.get("shown") or ""
        if not text:
            return None
        parts = text.split(",")
        if len(parts) > 200 or not all(
            p.isascii() and p.isdigit() and 0 < int(p) <= MAX_ID for p in parts
        ):
            raise forms.ValidationError(_("Choose companies in the list."), code="invalid")
        return [int(p) for p in parts]


class CockpitActionForm(forms.Form):
    """A bulk action of the cockpit on the selected companies (of those the member sees)."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("send", "send"),
            ("retry", "retry"),
            ("check", "check"),
            ("authorize", "authorize"),
        ],
    )
    companies = CompaniesField(
        queryset=PayrollCompany.objects.none(),
        label=_("Companies"),
        error_messages={
            "required": _("Select companies in the list first."),
            "invalid_choice": _("Choose companies in the list."),
            "invalid_pk_value": _("Choose companies in the list."),
        },
    )
    back = forms.CharField(required=False, max_length=2000)

    def __init__(self, companies: QuerySet[PayrollCompany], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["companies"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = companies
