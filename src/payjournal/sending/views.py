"""The sending actions of the Journal Entries Export dashlet: Send and Retry per run, bulk send
(selected runs or a period), automatic sending. With HTMX a per-run action answers with that
run's row (and the poller, which starts polling while it is in flight), the others with the
whole dashlet; without JavaScript every form posts and redirects back to the page."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending import services
from payjournal.sending.dashlet_views import render_dashlet, render_update, scoped_company
from payjournal.sending.models import Submission
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership


def _company(membership: Membership, company_id: int) -> PayrollCompany:
    return scoped_company(membership, company_id)


def _done(
    request: HttpRequest,
    membership: Membership,
    company: PayrollCompany,
    run_pks: list[int] | None = None,
) -> HttpResponse:
    """HTMX: the changed rows (``run_pks``) or the whole dashlet; otherwise back to the page."""
    if not request.headers.get("HX-Request"):
        return redirect("company", company_id=company.pk)
    if run_pks is None:
        return render_dashlet(request, membership, company)
    return render_update(request, membership, company, run_pks)


def _editor(membership: Membership) -> None:
    if not membership.can_edit_payroll:
        raise PermissionDenied("Viewers cannot send journals.")


@require_POST
@member_required()
def send_run(
    request: HttpRequest, membership: Membership, company_id: int, run_pk: int
) -> HttpResponse:
    _editor(membership)
    company = _company(membership, company_id)
    run = get_scoped(PayrollRun.objects.filter(company=company), pk=run_pk)
    try:
        services.request_send(run)
    except services.SendRefusedError as exc:
        messages.error(request, str(exc))
    return _done(request, membership, company, [run.pk])


@require_POST
@member_required()
def send_bulk(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    """The selected runs (``runs`` checkboxes), else every unsent run of the period."""
    _editor(membership)
    company = _company(membership, company_id)
    selected = [int(pk) for pk in request.POST.getlist("runs") if pk.isdigit()]
    if selected:
        result = services.request_send_many(
            PayrollRun.objects.filter(company=company, pk__in=selected)
        )
    else:
        try:
            start = date.fromisoformat(request.POST.get("start", ""))
            end = date.fromisoformat(request.POST.get("end", ""))
        except ValueError:
            messages.error(request, "Select runs, or give a period (from and to dates).")
            return _done(request, membership, company)
        result = services.send_period(company, start, end)
    for reason in result.skipped.values():
        messages.warning(request, reason)
    messages.success(request, f"{len(result.queued)} journal(s) queued for Visma.")
    return _done(request, membership, company)


@require_POST
@member_required()
def retry(
    request: HttpRequest, membership: Membership, company_id: int, submission_id: str
) -> HttpResponse:
    _editor(membership)
    company = _company(membership, company_id)
    submission = get_scoped(Submission.objects.filter(company=company), pk=submission_id)
    if submission.state == "needs_action":
        services.retry(submission)
    return _done(request, membership, company, [submission.journal.run_id])


@require_POST
@member_required()
def automatic(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    if not membership.is_master_admin:
        raise PermissionDenied("Only master administrators change automatic sending.")
    company = _company(membership, company_id)
    services.set_send_automatically(company, request.POST.get("enabled") == "on")
    return _done(request, membership, company)
