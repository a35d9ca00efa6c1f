"""Payroll processing → a company: the Journal Entries Export dashlet and its live updates.

The page lists the company's run ids with their Visma state in one table (see
:mod:`payjournal.sending.dashlet`), how the company books corrections, and the run import form.
It polls :func:`rows` — every two seconds while a leg of the company is in flight, every ten
otherwise — and a poll answers with the rows that changed since the last one as out-of-band
swaps, plus the next poller. A row the page does not have yet (a run imported elsewhere) is put
at the top of the table by ``payjournal/dashlet.js``. A run's timeline — every leg of the run id
with its attempts — is loaded when the user opens it (:func:`timeline`). Without JavaScript
every form posts and the page is simply reloaded.

The page lives in the sending app because it shows sending state; the run import it also
offers is :func:`payjournal.payroll.services.import_run`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from payjournal import catalog
from payjournal.catalog.registry import UnknownErrorCodeError
from payjournal.domain.booking import NOTHING
from payjournal.payroll import services as payroll
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending import booking, services
from payjournal.sending.correction_settings import corrections_shown
from payjournal.sending.dashlet import changed_run_keys, dashlet_rows, poll_for
from payjournal.sending.dashlet_html import render_rows
from payjournal.sending.run_history import story_of, timeline_of
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership

MAX_UPLOAD = 5 * 1024 * 1024


def scoped_company(membership: Membership, company_id: int) -> PayrollCompany:
    return get_scoped(
        payroll.companies_for(membership).select_related("visma_account"), pk=company_id
    )


def dashlet_context(membership: Membership, company: PayrollCompany) -> dict[str, Any]:
    """What ``sending/_dashlet.html`` needs: every row, the poller, the automatic setting, and
    how the company books corrections."""
    now = timezone.now()
    rows = dashlet_rows(company)
    return {
        "company": company,
        "rows": rows,
        "rows_html": render_rows(rows, company_pk=company.pk, can_edit=membership.can_edit_payroll),
        "poll": poll_for(company, now),
        "membership": membership,
        "automatic": services.sends_automatically(company),
        "corrections": corrections_shown(company),
    }


def render_company(
    request: HttpRequest,
    membership: Membership,
    company: PayrollCompany,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """The company's page (``extra``: import problems, a settings form with its errors)."""
    context = dashlet_context(membership, company)
    context.update(extra)
    return render(request, "payroll/company.html", context, status=status)


def render_dashlet(
    request: HttpRequest, membership: Membership, company: PayrollCompany
) -> HttpResponse:
    """The whole dashlet card (after a bulk send or a settings change)."""
    return render(request, "sending/_dashlet.html", dashlet_context(membership, company))


def render_update(
    request: HttpRequest,
    membership: Membership,
    company: PayrollCompany,
    run_keys: list[str],
    dialog: str | None = None,
) -> HttpResponse:
    """Out-of-band swaps: the rows of ``run_keys`` as they stand now, and the next poller; an
    action also swaps the dialog (``dialog``: its inner HTML, "" closes it)."""
    now = timezone.now()
    rows = dashlet_rows(company, run_keys)
    return render(
        request,
        "sending/_dashlet_update.html",
        {
            "rows_html": render_rows(
                rows, company_pk=company.pk, can_edit=membership.can_edit_payroll, oob=True
            ),
            "poll": poll_for(company, now),
            "dialog": dialog,
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
            messages.success(request, f"{text} {_after_import(found, run)}".strip())
            return redirect("company", company_id=found.pk)
    return render_company(request, membership, found, problems=problems)


def _after_import(company: PayrollCompany, run: PayrollRun) -> str:
    """What a new version means for the books, when an earlier one is booked."""
    story = story_of(booking.run_state(company, run.run_id))
    if story.booked in (NOTHING, story.target) or story.open_leg is not None:
        return ""
    return _(
        "Visma holds version %(booked)s (%(voucher)s): Send shows what the correction posts."
    ) % {"booked": story.booked, "voucher": story.voucher_of(story.booked)}


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
    changed = changed_run_keys(found, since) if since is not None else []
    return render_update(request, membership, found, changed)


@member_required()
def timeline(
    request: HttpRequest, membership: Membership, company_id: int, run_pk: int
) -> HttpResponse:
    """Every leg of the run id — its kind, version and voucher — with its attempts, and the
    explanation of the one that needs action."""
    found = scoped_company(membership, company_id)
    run = get_scoped(PayrollRun.objects.filter(company=found), pk=run_pk)
    legs = timeline_of(found, run.run_id)
    explanation = None
    stuck = next((item.leg for item in legs if item.leg.state == "needs_action"), None)
    if stuck is not None:
        try:
            explanation = catalog.explain(
                stuck.error_code, link_url=reverse("company", args=(found.pk,))
            )
        except UnknownErrorCodeError:
            explanation = None
        else:
            explanation = replace(explanation, original=stuck.error_message)
    return render(request, "sending/_timeline.html", {"legs": legs, "explanation": explanation})
