"""The sending actions of the Journal Entries Export dashlet: Send, Retry and Withdraw per run,
bulk send (selected runs or a period), automatic sending.

Send on a run whose books hold another version (a correction, a withdrawn run still booked)
first answers with a preview of the vouchers it posts and the change per account
(:func:`payjournal.sending.confirmations.send_preview`); its confirm button sends. Withdraw
first answers with what it reverses. With HTMX these answers are a dialog swapped out of band,
and a per-run action answers with that run's row (and the time the rows poll asks from next;
the outcome then arrives with the company's change stamp, :mod:`payjournal.live`), the others
with the whole dashlet; without JavaScript the questions are pages and
every action redirects back to the company page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from payjournal.domain.submission import SubmissionState
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.payroll.pages.company import (
    render_company,
    render_dashlet,
    render_update,
    scoped_company,
)
from payjournal.sending import confirmations, services
from payjournal.sending.forms import BulkSendForm
from payjournal.sending.models import Submission
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership

WITHDRAW = "withdraw"


def _company(membership: Membership, company_id: int) -> PayrollCompany:
    return scoped_company(membership, company_id)


def _done(
    request: HttpRequest,
    membership: Membership,
    company: PayrollCompany,
    run_keys: list[str] | None = None,
) -> HttpResponse:
    """HTMX: the changed rows (``run_keys``, closing the dialog) or the whole dashlet;
    otherwise back to the page."""
    if not request.headers.get("HX-Request"):
        return redirect("company", company_id=company.pk)
    if run_keys is None:
        return render_dashlet(request, membership, company)
    return render_update(request, membership, company, run_keys, dialog="")


def _ask(
    request: HttpRequest, company: PayrollCompany, template: str, context: dict[str, Any]
) -> HttpResponse:
    """A question before an action: a dialog (HTMX) or a page of its own."""
    context = {"company": company, **context}
    if request.headers.get("HX-Request"):
        body = render_to_string(template, {**context, "in_dialog": True}, request=request)
        return render(request, "sending/_dialog.html", {"body": body})
    return render(request, "sending/confirm.html", {**context, "template": template})


def _editor(membership: Membership, what: str) -> None:
    if not membership.can_edit_payroll:
        raise PermissionDenied(what)


def _run(company: PayrollCompany, run_pk: int) -> PayrollRun:
    return get_scoped(PayrollRun.objects.filter(company=company), pk=run_pk)


@require_POST
@member_required()
def send_run(
    request: HttpRequest, membership: Membership, company_id: int, run_pk: int
) -> HttpResponse:
    """Send the run id as the payroll has it; a correction is previewed and confirmed first."""
    _editor(membership, "Viewers cannot send journals.")
    company = _company(membership, company_id)
    run = _run(company, run_pk)
    preview = confirmations.send_preview(company, run.run_id)
    confirmed = request.POST.get("confirm", "")
    if preview is not None and confirmed != preview.token:
        notice = (
            _("The run changed since the preview: check what the send posts now.")
            if confirmed
            else ""
        )
        return _ask(
            request,
            company,
            "sending/_preview.html",
            {"preview": preview, "run": run, "notice": notice},
        )
    try:
        services.request_send(run)
    except services.SendRefusedError as exc:
        recorded = preview is not None and preview.posts_nothing  # "no change to book"
        (messages.info if recorded else messages.error)(request, str(exc))
    return _done(request, membership, company, [run.run_id])


@require_POST
@member_required()
def withdraw_run(
    request: HttpRequest, membership: Membership, company_id: int, run_pk: int
) -> HttpResponse:
    """Withdraw the run id (the books should hold nothing of it), after a confirmation that
    says what is reversed."""
    _editor(membership, "Viewers cannot withdraw runs.")
    company = _company(membership, company_id)
    run = _run(company, run_pk)
    if request.POST.get("confirm") != WITHDRAW:
        automatic = services.sends_automatically(company)
        question = confirmations.withdraw_confirmation(company, run.run_id, automatic=automatic)
        return _ask(
            request,
            company,
            "sending/_withdraw.html",
            {"question": question, "run": run, "confirm": WITHDRAW},
        )
    services.withdraw(run, membership.user)
    messages.success(request, _("Run %(run)s is withdrawn.") % {"run": run.run_id})
    return _done(request, membership, company, [run.run_id])


@require_POST
@member_required()
def send_bulk(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    """The selected runs (``runs`` checkboxes), else every unsent run of the period (``start``,
    ``end``). Input that names no runs of the company answers the dashlet (or, without HTMX,
    the page) with the error, 400."""
    _editor(membership, "Viewers cannot send journals.")
    company = _company(membership, company_id)
    form = BulkSendForm(company, request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else None
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        if request.headers.get("HX-Request"):
            return render_dashlet(request, membership, company, status=400)
        return render_company(request, membership, company, status=400)
    selected = form.cleaned_data["runs"]
    if selected:
        result = services.request_send_many(selected)
    else:
        result = services.send_period(company, form.cleaned_data["start"], form.cleaned_data["end"])
    announce_queued(request, result)
    return _done(request, membership, company)


def announce_queued(request: HttpRequest, result: services.BulkResult) -> None:
    """A bulk send's outcome as messages: why each skipped run was skipped, how many queued."""
    for reason in result.skipped.values():
        messages.warning(request, reason)
    messages.success(
        request,
        ngettext(
            "%(count)s journal queued for Visma.",
            "%(count)s journals queued for Visma.",
            len(result.queued),
        )
        % {"count": len(result.queued)},
    )


@require_POST
@member_required()
def retry(
    request: HttpRequest, membership: Membership, company_id: int, submission_id: str
) -> HttpResponse:
    _editor(membership, "Viewers cannot send journals.")
    company = _company(membership, company_id)
    submission = get_scoped(Submission.objects.filter(company=company), pk=submission_id)
    if submission.state == SubmissionState.NEEDS_ACTION:
        services.retry(submission)
    return _done(request, membership, company, [submission.run_key])


@require_POST
@member_required()
def automatic(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    if not membership.is_master_admin:
        raise PermissionDenied("Only master administrators change automatic sending.")
    company = _company(membership, company_id)
    services.set_send_automatically(company, request.POST.get("enabled") == "on")
    return _done(request, membership, company)
