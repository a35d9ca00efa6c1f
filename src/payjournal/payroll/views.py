"""Payroll processing pages: companies and the Administrations tab (mapping a payroll company to
a Visma account's company). A company's own page, the Journal Entries Export dashlet, is
:mod:`payjournal.sending.dashlet_views` and a run's journal page
:mod:`payjournal.sending.run_views` (they show sending state)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.payroll import services
from payjournal.payroll.forms import CompanyForm, MappingForm, read_upload
from payjournal.payroll.models import PayrollCompany
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership, Role


@member_required()
def companies(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The companies the member sees; a master administrator adds one (its name, the code of
    its run files and its ledger scheme). A refused company answers the page with its errors:
    400 for a field, 413 for a scheme over the upload limit, 422 for a scheme that cannot be
    read."""
    form = None
    status = 200
    if request.method == "POST":
        if not membership.is_master_admin:
            raise PermissionDenied("Only master administrators add companies.")
        form = CompanyForm(membership.master, request.POST, request.FILES)
        company, status = _create_company(form)
        if company is not None:
            messages.success(request, _("Company %(name)s added.") % {"name": company.name})
            return redirect("company", company_id=company.pk)
    rows = services.companies_for(membership).select_related("visma_account")
    return render(
        request,
        "payroll/companies.html",
        {"companies": rows, "form": form or CompanyForm(membership.master)},
        status=status,
    )


def _create_company(form: CompanyForm) -> tuple[PayrollCompany | None, int]:
    """The company, or None and the status of the form's errors."""
    if not form.is_valid():
        return None, 400
    data = form.cleaned_data
    try:
        scheme = read_upload(data["scheme"])
        with transaction.atomic():
            company = services.create_company(
                form.master, data["name"], data["key"], scheme, data["scheme"].name or "scheme"
            )
    except services.FileTooLargeError as exc:
        form.add_error("scheme", exc.problems)
        return None, 413
    except services.RunRejectedError as exc:
        form.add_error("scheme", exc.problems)
        return None, 422
    except IntegrityError:  # the same code added at the same moment
        form.add_error("key", CompanyForm.key_taken(data["key"]))
        return None, 400
    return company, 201


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
