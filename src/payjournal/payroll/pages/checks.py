"""The dashlet's "Check" action (an htmx partial) and the one-click fiscal-year fix; a passing
check offers the run's next step (Send, or Retry) as the dashlet row has it.

Visma errors met while checking are items of the checklist, not pages: the partial always
renders, with each failed item explained by the catalog in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payjournal import catalog
from payjournal.payroll import services as payroll
from payjournal.payroll.models import PayrollRun
from payjournal.preflight import service
from payjournal.preflight.checklist import Checklist, Status
from payjournal.preflight.forms import FiscalYearFixForm
from payjournal.sending.dashlet import dashlet_rows
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership
from payjournal.visma import VismaError


def _run(membership: Membership, company_id: int, run_pk: int) -> PayrollRun:
    company = get_scoped(payroll.companies_for(membership), pk=company_id)
    return get_scoped(
        PayrollRun.objects.filter(company=company).select_related("company"), pk=run_pk
    )


def _render(
    request: HttpRequest,
    membership: Membership,
    run: PayrollRun,
    checklist: Checklist,
    notice: str = "",
    error: catalog.Explanation | None = None,
    status: int = 200,
) -> HttpResponse:
    # shown on the company page: its ledger scheme and the run's page are links, not itself
    ids = {"company_id": run.company_id, "run_pk": run.pk}
    here = reverse("company", args=(run.company_id,))
    items = [
        {
            "item": item,
            "explanation": item.explain(ids=ids, here=here),
            "status": item.status.value,
            "found_before": item.found_before_sending,
        }
        for item in checklist.items
        if item.status is not Status.SKIPPED or not checklist.passed
    ]
    context = {
        "run": run,
        "checklist": checklist,
        "items": items,
        "notice": notice,
        "error": error,
        "can_fix": membership.can_edit_payroll,
        "next_step": _next_step(membership, run) if checklist.passed else None,
    }
    return render(request, "preflight/_checklist.html", context, status=status)


@dataclass(frozen=True, slots=True)
class NextStep:
    """What a passing checklist offers: Send (``retry`` False) or Retry of the leg that needs
    action, at ``url`` — or only where the run stands (``url`` empty: a viewer, an older
    version, a run on its way or already booked)."""

    state: str
    label: str
    url: str = ""
    retry: bool = False


def _next_step(membership: Membership, run: PayrollRun) -> NextStep:
    """The run id's row as the dashlet has it now, and the action it offers after a passing
    check — so the checklist, the row and the run's page say the same."""
    row = dashlet_rows(run.company, [run.run_id])[0]
    if not membership.can_edit_payroll or row.run_pk != run.pk:
        return NextStep(row.state, row.label)
    if row.can_send:
        return NextStep(row.state, row.label, f"{row.href}send/")
    if row.needs_action:
        url = reverse("sending-retry", args=(run.company_id, row.submission_id))
        return NextStep(row.state, row.label, url, retry=True)
    return NextStep(row.state, row.label)


@require_POST
@member_required()
def check(
    request: HttpRequest, membership: Membership, company_id: int, run_pk: int
) -> HttpResponse:
    """Run the pre-flight of one run and show the checklist."""
    run = _run(membership, company_id, run_pk)
    return _render(request, membership, run, service.check_run(run))


@require_POST
@member_required()
def fix_fiscal_year(
    request: HttpRequest, membership: Membership, company_id: int, run_pk: int
) -> HttpResponse:
    """Create the proposed fiscal year in Visma (the form asked for confirmation); without the
    confirmation or with dates that are not dates nothing is created, 400."""
    if not membership.can_edit_payroll:
        raise PermissionDenied("Viewers cannot change the Visma books.")
    run = _run(membership, company_id, run_pk)
    notice = ""
    error: catalog.Explanation | None = None
    form = FiscalYearFixForm(request.POST)
    status = 400
    if not form.is_valid():
        notice = _("Nothing was created: the dates are not valid.")
    elif not form.cleaned_data["confirm"]:
        notice = _("Nothing was created: confirm the fiscal year first.")
    else:
        status = 200
        start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
        try:
            created = service.create_fiscal_year(run, start, end)
        except service.FixRefusedError:
            notice = _("Nothing was created: the check no longer proposes this fiscal year.")
        except VismaError as exc:
            error = catalog.explain(exc)
        else:
            notice = _("Fiscal year %(start)s – %(end)s was created in Visma.") % {
                "start": created.start_date.isoformat(),
                "end": created.end_date.isoformat(),
            }
    return _render(request, membership, run, service.check_run(run), notice, error, status)
