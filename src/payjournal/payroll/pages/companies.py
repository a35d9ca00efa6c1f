"""The companies a member sees, and adding one (master administrators): its name, the code of its
run files and its ledger scheme. A company's own page is :mod:`.company`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from payjournal.payroll import services
from payjournal.payroll.forms import CompanyForm, read_upload
from payjournal.payroll.models import PayrollCompany
from payjournal.tenancy.access import member_required
from payjournal.tenancy.models import Membership


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
                form.master,
                data["name"],
                data["key"],
                scheme,
                data["scheme"].name or "scheme",
                data["registration_number"],
            )
    except services.FileTooLargeError as exc:
        form.add_error("scheme", exc.messages)
        return None, 413
    except services.RunRejectedError as exc:
        form.add_error("scheme", exc.messages)
        return None, 422
    except IntegrityError:  # the same code added at the same moment
        form.add_error("key", CompanyForm.key_taken(data["key"]))
        return None, 400
    return company, 201
