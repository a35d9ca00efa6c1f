"""Password reset by e-mail: offered only where mail is set up, and throttled.

* No mail configuration (``PAYJOURNAL_PASSWORD_RESET_BY_MAIL`` false, see
  :mod:`payjournal.site.mail`): the reset page says that reset by e-mail is not set up and
  whom to ask (``PAYJOURNAL_SUPPORT_CONTACT``, else the operator); nothing is sent.
* Requests are counted per e-mail address (as Django compares them), per account the address
  reaches and per client address (:func:`payjournal.tenancy.throttle.reset_keys`); past a
  limit the form says to wait and no mail leaves. Refused requests are not counted.
* The link in the mail starts with ``PAYJOURNAL_PUBLIC_URL`` when it is set (else the
  request's own scheme and host, which Django checks against ``ALLOWED_HOSTS``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from payjournal.tenancy import throttle
from payjournal.tenancy.forms import client_address, wait_minutes

__all__ = ["ThrottledPasswordResetForm", "ThrottledPasswordResetView"]


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, refusing an address, account or client that asked too often."""

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.keys: list[throttle.Key] = []

    def clean(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        email = cleaned.get("email")
        if email:
            reached = [user.pk for user in self.get_users(email)]
            self.keys = throttle.reset_keys(email, client_address(self.request), reached)
            window = settings.PAYJOURNAL_RESET_WINDOW_S
            if throttle.is_over(self.keys, window):
                raise forms.ValidationError(
                    _(
                        "Too many password-reset requests for this address or from your "
                        "network. No e-mail was sent. Wait %(minutes)s minutes and try again."
                    )
                    % {"minutes": wait_minutes(window)},
                    code="throttled",
                )
        return cleaned

    def save(self, *args: Any, **kwargs: Any) -> None:
        throttle.record(self.keys, settings.PAYJOURNAL_RESET_WINDOW_S)
        super().save(*args, **kwargs)


class ThrottledPasswordResetView(auth.PasswordResetView):
    """The reset page: the throttled form where mail is set up, else who can help."""

    form_class = ThrottledPasswordResetForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.PAYJOURNAL_PASSWORD_RESET_BY_MAIL:
            return render(
                request,
                "registration/password_reset_off.html",
                {"contact": settings.PAYJOURNAL_SUPPORT_CONTACT},
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: Any) -> HttpResponse:
        public = settings.PAYJOURNAL_PUBLIC_URL
        scheme = "https" if self.request.is_secure() else "http"
        base = public.rstrip("/") if public else f"{scheme}://{self.request.get_host()}"
        self.extra_email_context = {"base_url": base}
        return super().form_valid(form)

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429
        return response
