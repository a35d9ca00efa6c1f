"""Payroll processing pages: companies and the Administrations tab (mapping a payroll company to
a Visma account's company). A company's own page, the Journal Entries Export dashlet, is
:mod:`payjournal.sending.dashlet_views` and a run's journal page
:mod:`payjournal.sending.run_views` (they show sending state)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.payroll import services
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership, Role

MAX_UPLOAD = 5 * 1024 * 1024


@member_required()
def companies(request: HttpRequest, membership: Membership) -> HttpResponse:
    error: list[str] = []
    if request.method == "POST":
        if not membership.is_master_admin:
            raise PermissionDenied("Only master administrators add companies.")
        scheme = request.FILES.get("scheme")
        try:
            if scheme is None:
                raise services.RunRejectedError(["Choose the ledger scheme file (JSON or CSV)."])
            company = services.create_company(
                membership.master,
                request.POST.get("name", "").strip(),
                request.POST.get("key", "").strip(),
                scheme.read(MAX_UPLOAD),
                scheme.name or "scheme",
            )
        except services.RunRejectedError as exc:
            error = exc.problems
        else:
            messages.success(request, f"Company {company.name} added.")
            return redirect("company", company_id=company.pk)
    rows = services.companies_for(membership).select_related("visma_account")
    return render(request, "payroll/companies.html", {"companies": rows, "errors": error})


@member_required(Role.MASTER_ADMIN)
def administrations(request: HttpRequest, membership: Membership) -> HttpResponse:
    accounts = VismaAccount.objects.filter(master=membership.master)
    rows = services.companies_for(membership).select_related("visma_account")
    return render(
        request,
        "payroll/administrations.html",
        {
            "companies": rows,
            "accounts": accounts.filter(status=AccountStatus.AUTHORIZED),
            "tab": "administrations",
        },
    )


@require_POST
@member_required(Role.MASTER_ADMIN)
def map_company(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    found = get_scoped(services.companies_for(membership), pk=company_id)
    account_id = request.POST.get("account", "")
    account = (
        get_scoped(VismaAccount.objects.filter(master=membership.master), pk=int(account_id))
        if account_id.isdigit()
        else None
    )
    try:
        services.map_company(found, account)
    except services.MappingRefusedError as exc:
        messages.error(request, str(exc))
    else:
        if account is None:
            messages.info(request, f"{found.name} is no longer mapped.")
        else:
            messages.success(
                request, f"{found.name} is mapped to {account.visma_company_name} ({account.name})."
            )
    return redirect("visma-administrations")
