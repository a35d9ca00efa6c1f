"""The login form with the throttle in front of the password check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from payjournal.tenancy import throttle


class ThrottledLoginForm(AuthenticationForm):
    """Refuses to check any password while the user name or address is locked."""

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if throttle.is_locked(username, address):
            raise forms.ValidationError(
                "Too many failed sign-ins. Wait 15 minutes and try again, or reset your password.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(username, address)
            raise
        throttle.clear(username)
        return cleaned
