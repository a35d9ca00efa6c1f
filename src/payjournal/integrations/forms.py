"""The form of a new Visma account: its name, at most as long as its column, so a longer one
is a field error (400) rather than a row PostgreSQL refuses with a 500 or SQLite stores."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from payjournal.integrations.models import VismaAccount

__all__ = ["AccountForm"]


class AccountForm(forms.Form):
    """A Visma account's name (unique in the master: the service checks that as it stores)."""

    name = forms.CharField(
        label=_("Name"), max_length=VismaAccount._meta.get_field("name").max_length
    )
