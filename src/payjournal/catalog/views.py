"""The user's language choice: a page with the languages the catalog is translated into."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from payjournal.tenancy.access import member_required
from payjournal.tenancy.models import Membership


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


class LanguageForm(forms.Form):
    """One of the languages the catalog is translated into, or "" (follow the browser)."""

    language = forms.ChoiceField(
        choices=[("", ""), *settings.LANGUAGES], required=False, label=_("Language")
    )


@member_required()
def language(request: HttpRequest, membership: Membership) -> HttpResponse:
    """GET: the choice; POST: store it on the membership ("" follows the browser); a language
    that is not offered answers the page with the error, 400."""
    form = LanguageForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        membership.language = form.cleaned_data["language"]
        membership.save(update_fields=("language",))
        return redirect(_next(request))
    context = {
        "languages": settings.LANGUAGES,
        "current": membership.language,
        "next": _next(request),
        "form": form,
    }
    return render(request, "catalog/language.html", context, status=400 if form.is_bound else 200)
