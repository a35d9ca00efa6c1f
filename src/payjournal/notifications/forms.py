"""The forms of the notification pages: a person's preference and a webhook endpoint."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from payjournal.notifications.destinations import refusal_of
from payjournal.notifications.events import EventKind
from payjournal.notifications.models import Delivery

__all__ = ["EndpointForm", "PreferenceForm"]


class PreferenceForm(forms.Form):
    """When, which events and in which language one person hears about events."""

    delivery = forms.ChoiceField(
        label=_("E-mail me"), choices=Delivery.choices, widget=forms.RadioSelect
    )
    kinds = forms.MultipleChoiceField(
        label=_("About these events"),
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(
        label=_("In this language"),
        choices=[("", _("The language of my pages")), *settings.LANGUAGES],
        required=False,
    )


class EndpointForm(forms.Form):
    """A new webhook endpoint: a URL the SSRF guard allows (:mod:`.destinations`: https to
    public addresses, or a network the operator allows), what it is for, which events it
    receives."""

    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["https", "http"])],
        assume_scheme="https",
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    kinds = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kinds"].initial = [kind.value for kind in EventKind]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        refused = refusal_of(url)
        if refused:
            raise forms.ValidationError(" ".join(refused), code="destination")
        return url
