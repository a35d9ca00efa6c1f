"""The login form with the throttle in front of the password check."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from payjournal.tenancy import throttle


def client_address(request: Any) -> str:
    """The address a request came from (the proxy's, behind a reverse proxy)."""
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


def wait_minutes(window_s: int) -> int:
    """A throttle window in whole minutes, for the texts that ask a user to wait."""
    return max(1, math.ceil(window_s / 60))


class ThrottledLoginForm(AuthenticationForm):
    """Refuses to check any password while the user name, its user or the address is locked.

    The keys follow Django's own comparison (:func:`throttle.login_keys`), so look-alike
    spellings of a name count against the same user; only a password actually checked and
    found right clears the failures.
    """

    def clean(self) -> dict[str, Any]:
        keys = throttle.login_keys(str(self.data.get("username", "")), client_address(self.request))
        window = settings.PAYJOURNAL_LOGIN_WINDOW_S
        if throttle.is_over(keys, window):
            minutes = wait_minutes(window)
            raise forms.ValidationError(
                _("Too many failed sign-ins. Wait %(minutes)s minutes and try again.")
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record(keys, window)
            raise
        if self.user_cache is not None:
            throttle.forget(keys[:-1])  # the name and the user: never the address's count
        return cleaned
