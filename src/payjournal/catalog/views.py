"""The user's language choice: a page with the languages the catalog is translated into."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from payjournal.tenancy.access import member_required
from payjournal.tenancy.models import Membership


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


@member_required()
def language(request: HttpRequest, membership: Membership) -> HttpResponse:
    """GET: the choice; POST: store it on the membership ("" follows the browser)."""
    codes = {code for code, _name in settings.LANGUAGES}
    if request.method == "POST":
        chosen = request.POST.get("language", "")
        if chosen == "" or chosen in codes:
            membership.language = chosen
            membership.save(update_fields=("language",))
        return redirect(_next(request))
    context = {
        "languages": settings.LANGUAGES,
        "current": membership.language,
        "next": _next(request),
    }
    return render(request, "catalog/language.html", context)
