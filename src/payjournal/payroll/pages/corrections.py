"""The correction settings: a company's own choice (on its page) and the master default (the
Integrations → Visma eAccounting → Corrections tab, next to the accounts and administrations).
Both are master administrators' settings, like automatic sending; a form with a value outside
its choices answers 400 with the form and its errors, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payjournal.payroll import services as payroll
from payjournal.payroll.pages.company import render_company, scoped_company
from payjournal.sending.correction_settings import (
    CompanyCorrectionsForm,
    MasterCorrectionsForm,
    corrections_shown,
    master_default,
    save_company,
    save_master,
)
from payjournal.tenancy.access import member_required
from payjournal.tenancy.models import Membership, Role


@require_POST
@member_required(Role.MASTER_ADMIN)
def company_corrections(
    request: HttpRequest, membership: Membership, company_id: int
) -> HttpResponse:
    """Save how ``company`` books corrections (blank: the master default)."""
    company = scoped_company(membership, company_id)
    form = CompanyCorrectionsForm(request.POST)
    if not form.is_valid():
        return render_company(request, membership, company, status=400, corrections_form=form)
    save_company(company, form)
    messages.success(
        request, _("Correction settings of %(company)s saved.") % {"company": company.name}
    )
    return redirect("company", company_id=company.pk)


@member_required(Role.MASTER_ADMIN)
def master_corrections(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The master default, and each company's own choice where it made one."""
    master = membership.master
    status = 200
    if request.method == "POST":
        form = MasterCorrectionsForm(request.POST)
        if form.is_valid():
            save_master(master, form)
            messages.success(request, _("The master default for corrections is saved."))
            return redirect("visma-corrections")
        status = 400
    else:
        default = master_default(master.pk)
        form = MasterCorrectionsForm(
            initial={"correction_mode": default.mode.value, "correction_date": default.date.value}
        )
    companies = [
        (company, corrections_shown(company)) for company in payroll.companies_for(membership)
    ]
    return render(
        request,
        "payroll/corrections_defaults.html",
        {"form": form, "companies": companies, "tab": "corrections"},
        status=status,
    )
