"""The forms of payroll processing: a run upload, a new payroll company, a company's mapping.

Every value a page posts goes through one of these, so a value that cannot be taken — an
account id like ``²``, a company code with ``/`` or one the master already has, a name longer
than its column — is a field error the page shows (400), never a 500 or a row stored unchecked.
A file is read only within the upload limit (:mod:`payjournal.payroll.limits`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from payjournal.integrations.models import VismaAccount
from payjournal.payroll.limits import read_within_limit
from payjournal.payroll.models import PayrollCompany
from payjournal.tenancy.models import Master

__all__ = ["CompanyForm", "MappingForm", "RunUploadForm", "read_upload"]

_NAME = PayrollCompany._meta.get_field("name")
_KEY = PayrollCompany._meta.get_field("key")


def read_upload(upload: UploadedFile[bytes]) -> bytes:
    """The bytes of an uploaded file, refused unread when it is over the upload limit
    (:class:`~payjournal.payroll.limits.FileTooLargeError`)."""
    return read_within_limit(upload, upload.name or "upload", upload.size)


class RunUploadForm(forms.Form):
    """A processed run file (JSON or CSV); an empty one is the reader's to refuse, by name."""

    run = forms.FileField(
        allow_empty_file=True,
        error_messages={"required": _("Choose a run file (JSON or CSV).")},
    )


class CompanyForm(forms.Form):
    """A new payroll company of ``master``: its name, the code its run files use (unique in
    the master), its organisation number (optional) and its ledger scheme file."""

    name = forms.CharField(label=_("Name"), max_length=_NAME.max_length)
    key = forms.SlugField(
        label=_("Code used in run files"),
        max_length=_KEY.max_length,
        error_messages={"invalid": _("Use letters A–Z, digits, - and _ only.")},
    )
    registration_number = forms.CharField(
        label=_("Organisation number"),
        max_length=64,
        required=False,
        help_text=_("The Visma company it is mapped to must have the same number."),
    )
    scheme = forms.FileField(
        label=_("Ledger scheme"),
        allow_empty_file=True,
        error_messages={"required": _("Choose the ledger scheme file (JSON or CSV).")},
    )

    def __init__(self, master: Master, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.master = master

    def clean_key(self) -> str:
        key = str(self.cleaned_data["key"])
        if PayrollCompany.objects.filter(master=self.master, key=key).exists():
            raise forms.ValidationError(self.key_taken(key), code="taken")
        return key

    @staticmethod
    def key_taken(key: str) -> str:
        return str(_("A company with the code %(key)s exists already.")) % {"key": key}


class MappingForm(forms.Form):
    """The Visma account a payroll company is mapped to (empty: not mapped); only an account
    of the same master can be chosen."""

    account = forms.ModelChoiceField(
        queryset=VismaAccount.objects.none(),
        required=False,
        label=_("Visma account"),
        error_messages={"invalid_choice": _("Choose one of the Visma accounts in the list.")},
    )

    def __init__(self, master: Master, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["account"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = VismaAccount.objects.filter(master=master)
