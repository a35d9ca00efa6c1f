"""The sending panel of the Journal Entries Export page: per run state, Send and Retry, bulk send,
automatic sending, and the attempts timeline. HTMX swaps the panel in place and polls it while
anything is queued or in flight; without JavaScript every form posts and redirects back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.services import companies_for
from payjournal.sending import services
from payjournal.sending.models import Attempt, Submission
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership

LABELS = {
    None: "Not sent",
    "queued": "Queued",
    "sending": "Sending",
    "reconciling": "Checking Visma",
    "sent": "Sent",
    "needs_action": "Needs action",
}


@dataclass(frozen=True, slots=True)
class PanelRow:
    run: PayrollRun
    submission: Submission | None
    label: str
    attempts: list[Attempt]

    @property
    def state(self) -> str:
        return self.submission.state if self.submission else "not_sent"


def _company(membership: Membership, company_id: int) -> PayrollCompany:
    return get_scoped(companies_for(membership).select_related("visma_account"), pk=company_id)


def panel_rows(company: PayrollCompany) -> list[PanelRow]:
    """Each run with its latest submission and that submission's timeline (three queries)."""
    runs = list(PayrollRun.objects.filter(company=company).select_related("journal"))
    latest: dict[int, Submission] = {}
    for submission in Submission.objects.filter(company=company).order_by("created_at"):
        latest[submission.journal_id] = submission
    timeline: dict[object, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(submission__in=list(latest.values())):
        timeline.setdefault(attempt.submission_id, []).append(attempt)
    rows = []
    for run in runs:
        submission = latest.get(run.journal.pk)
        rows.append(
            PanelRow(
                run,
                submission,
                LABELS[submission.state if submission else None],
                timeline.get(submission.pk, []) if submission else [],
            )
        )
    return rows


def _panel(request: HttpRequest, membership: Membership, company: PayrollCompany) -> HttpResponse:
    rows = panel_rows(company)
    busy = any(r.submission and r.submission.state not in ("sent", "needs_action") for r in rows)
    template = "sending/_panel.html" if request.headers.get("HX-Request") else "sending/panel.html"
    return render(
        request,
        template,
        {
            "company": company,
            "rows": rows,
            "busy": busy,
            "membership": membership,
            "automatic": services.sends_automatically(company),
        },
    )


def _done(request: HttpRequest, membership: Membership, company: PayrollCompany) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return _panel(request, membership, company)
    return redirect("company", company_id=company.pk)


def _editor(membership: Membership) -> None:
    if not membership.can_edit_payroll:
        raise PermissionDenied("Viewers cannot send journals.")


@member_required()
def panel(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    return _panel(request, membership, _company(membership, company_id))


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
    return _done(request, membership, company)


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
    return _done(request, membership, company)


@require_POST
@member_required()
def automatic(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    if not membership.is_master_admin:
        raise PermissionDenied("Only master administrators change automatic sending.")
    company = _company(membership, company_id)
    services.set_send_automatically(company, request.POST.get("enabled") == "on")
    return _done(request, membership, company)
