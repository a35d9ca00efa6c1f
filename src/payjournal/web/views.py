"""The home page: administrators land on the integrations, everyone else on their companies."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from payjournal.tenancy.context import membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    member = membership(request)["membership"]
    if member is None:
        return render(request, "web/no_master.html", status=403)
    if member.is_master_admin:
        return redirect("visma-accounts")
    return redirect("companies")
