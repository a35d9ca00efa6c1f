"""Integrations → Visma eAccounting → Administrations: which Visma company each payroll company
is mapped to, and mapping one (master administrators). A mapping is refused with its reason
(:class:`payjournal.payroll.services.MappingRefusedError`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.payroll import services
from payjournal.payroll.forms import MappingForm
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership, Role


@member_required(Role.MASTER_ADMIN)
def administrations(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Which Visma company each payroll company is mapped to."""
    return _administrations(request, membership)


def _administrations(
    request: HttpRequest, membership: Membership, status: int = 200, **extra: Any
) -> HttpResponse:
    """The Administrations tab (``extra``: a refused mapping, ``refused`` and its ``form``)."""
    accounts = VismaAccount.objects.filter(master=membership.master)
    rows = services.companies_for(membership).select_related("visma_account")
    return render(
        request,
        "payroll/administrations.html",
        {
            "companies": rows,
            "accounts": accounts.filter(status=AccountStatus.AUTHORIZED),
            "tab": "administrations",
            **extra,
        },
        status=status,
    )


@require_POST
@member_required(Role.MASTER_ADMIN)
def map_company(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    """Map a company to a Visma account of the master, or unmap it (an empty ``account``); an
    account id that is not one of the master's answers the tab with the error (400)."""
    found = get_scoped(services.companies_for(membership), pk=company_id)
    form = MappingForm(membership.master, request.POST)
    if not form.is_valid():
        return _administrations(request, membership, status=400, refused=found, form=form)
    account = form.cleaned_data["account"]
    try:
        services.map_company(found, account)
    except services.MappingRefusedError as exc:
        messages.error(request, str(exc))
    else:
        if account is None:
            messages.info(request, _("%(company)s is no longer mapped.") % {"company": found.name})
        else:
            messages.success(
                request,
                _("%(company)s is mapped to %(visma_company)s (%(account)s).")
                % {
                    "company": found.name,
                    "visma_company": account.visma_company_name,
                    "account": account.name,
                },
            )
    return redirect("visma-administrations")
