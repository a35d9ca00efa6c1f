"""Payroll processing → a company: the Journal Entries Export dashlet and its live updates.

The page lists the company's runs with their Visma state in one table (see
:mod:`payjournal.sending.dashlet`) and the run import form. It polls :func:`rows` — every two
seconds while a journal of the company is in flight, every ten otherwise — and a poll answers
with the rows that changed since the last one as out-of-band swaps, plus the next poller. A row
the page does not have yet (a run imported elsewhere) is put at the top of the table by
``payjournal/dashlet.js``. A run's timeline is loaded when the user opens it
(:func:`timeline`). Without JavaScript every form posts and the page is simply reloaded.

The page lives in the sending app because it shows sending state; the run import it also
offers is :func:`payjournal.payroll.services.import_run`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from payjournal import catalog
from payjournal.catalog.registry import UnknownErrorCodeError
from payjournal.payroll import services as payroll
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending import services
from payjournal.sending.dashlet import changed_run_pks, dashlet_rows, poll_for, timeline_of
from payjournal.sending.dashlet_html import render_rows
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership

MAX_UPLOAD = 5 * 1024 * 1024


def scoped_company(membership: Membership, company_id: int) -> PayrollCompany:
    return get_scoped(
        payroll.companies_for(membership).select_related("visma_account"), pk=company_id
    )


def dashlet_context(membership: Membership, company: PayrollCompany) -> dict[str, object]:
    """What ``sending/_dashlet.html`` needs: every row, the poller, the automatic setting."""
    now = timezone.now()
    rows = dashlet_rows(company)
    return {
        "company": company,
        "rows": rows,
        "rows_html": render_rows(rows, company_pk=company.pk, can_edit=membership.can_edit_payroll),
        "poll": poll_for(company, now),
        "membership": membership,
        "automatic": services.sends_automatically(company),
    }


def render_dashlet(
    request: HttpRequest, membership: Membership, company: PayrollCompany
) -> HttpResponse:
    """The whole dashlet card (after a bulk send or a settings change)."""
    return render(request, "sending/_dashlet.html", dashlet_context(membership, company))


def render_update(
    request: HttpRequest,
    membership: Membership,
    company: PayrollCompany,
    run_pks: list[int],
) -> HttpResponse:
    """Out-of-band swaps: the rows of ``run_pks`` as they stand now, and the next poller."""
    now = timezone.now()
    rows = dashlet_rows(company, run_pks)
    return render(
        request,
        "sending/_dashlet_update.html",
        {
            "rows_html": render_rows(
                rows, company_pk=company.pk, can_edit=membership.can_edit_payroll, oob=True
            ),
            "poll": poll_for(company, now),
        },
    )


@member_required()
def company(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    """The company's page: the Journal Entries Export dashlet and the run import."""
    found = scoped_company(membership, company_id)
    problems: list[str] = []
    if request.method == "POST":
        if not membership.can_edit_payroll:
            raise PermissionDenied("Viewers cannot import runs.")
        upload = request.FILES.get("run")
        try:
            if upload is None:
                raise payroll.RunRejectedError(["Choose a run file (JSON or CSV)."])
            result = payroll.import_run(
                found, upload.read(MAX_UPLOAD), upload.name or "upload", request.user
            )
        except payroll.RunRejectedError as exc:
            problems = exc.problems
        else:
            run = result.run
            text = (
                f"Run {run.run_id} imported as version {run.version}."
                if result.created
                else f"Run {run.run_id} is unchanged (version {run.version} has the same content)."
            )
            messages.success(request, text)
            return redirect("company", company_id=found.pk)
    context = dashlet_context(membership, found)
    context["problems"] = problems
    return render(request, "payroll/company.html", context)


def _since(raw: str) -> datetime | None:
    try:
        since = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return since if since.tzinfo is not None else None


@member_required()
def rows(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    """A poll: ``?since=<ISO time>``, answered with the runs that changed since then (a poll
    without a valid time gets no rows, only the next poller)."""
    found = scoped_company(membership, company_id)
    since = _since(request.GET.get("since", ""))
    changed = changed_run_pks(found, since) if since is not None else []
    return render_update(request, membership, found, changed)


@member_required()
def timeline(
    request: HttpRequest, membership: Membership, company_id: int, run_pk: int
) -> HttpResponse:
    """Every attempt of the run's journal, and the explanation when it needs action."""
    found = scoped_company(membership, company_id)
    run = get_scoped(PayrollRun.objects.filter(company=found), pk=run_pk)
    attempts = timeline_of(found, run)
    explanation = None
    last = attempts[-1].submission if attempts else None
    if last is not None and last.state == "needs_action":
        try:
            explanation = catalog.explain(
                last.error_code, link_url=reverse("company", args=(found.pk,))
            )
        except UnknownErrorCodeError:
            explanation = None
        else:
            explanation = replace(explanation, original=last.error_message)
    return render(
        request, "sending/_timeline.html", {"attempts": attempts, "explanation": explanation}
    )
