"""A payroll company's page: the run import and the Journal Entries Export dashlet, live.

The page lists the company's run ids with their Visma state in one table (see
:mod:`payjournal.sending.dashlet`), how the company books corrections, and the run import form.
It follows the company's change stamp (:mod:`payjournal.live`: a poller asks every second, and
a changed stamp fires ``live-company``) and then asks :func:`rows`, which answers with the rows
that changed since the last answer as out-of-band swaps, plus the time to ask from next. A row
the page does not have yet (a run imported elsewhere) is put at the top of the table by
``payjournal/dashlet.js``. A run's timeline — every leg of the run id
with its attempts — is loaded when the user opens it (:func:`timeline`). Without JavaScript
every form posts and the page is simply reloaded.

An imported run goes to :func:`payjournal.sending.services.import_run`, which stores it and
hands it to the outbox in one transaction; the dashlet's actions are :mod:`.actions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from payjournal import catalog
from payjournal.catalog.registry import UnknownErrorCodeError
from payjournal.domain.booking import NOTHING
from payjournal.domain.problems import Problem, ProblemCode
from payjournal.live.stamps import Kind, Topic, poller
from payjournal.payroll import services as payroll
from payjournal.payroll.forms import RunUploadForm, read_upload
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.sending import booking, services
from payjournal.sending.correction_settings import corrections_shown
from payjournal.sending.dashlet import changed_run_keys, dashlet_rows, poll_for
from payjournal.sending.dashlet_html import render_rows
from payjournal.sending.forms import PollForm
from payjournal.sending.run_history import said_by_visma, story_of, timeline_of
from payjournal.sending.run_story import PREFLIGHT_PREFIX
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership


def scoped_company(membership: Membership, company_id: int) -> PayrollCompany:
    return get_scoped(
        payroll.companies_for(membership).select_related("visma_account"), pk=company_id
    )


def dashlet_context(
    request: HttpRequest, membership: Membership, company: PayrollCompany
) -> dict[str, Any]:
    """What ``sending/_dashlet.html`` needs: every row, the poller, the automatic setting, and
    how the company books corrections."""
    now = timezone.now()
    live = poller(
        Topic(Kind.COMPANY, company.pk), request
    )  # before the rows: a change between counts
    rows = dashlet_rows(company)
    return {
        "company": company,
        "rows": rows,
        "rows_html": render_rows(rows, company_pk=company.pk, can_edit=membership.can_edit_payroll),
        "poll": poll_for(company, now),
        "live": live,
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
    context = dashlet_context(request, membership, company)
    context.update(extra)
    return render(request, "payroll/company.html", context, status=status)


def render_dashlet(
    request: HttpRequest, membership: Membership, company: PayrollCompany, status: int = 200
) -> HttpResponse:
    """The whole dashlet card (after a bulk send or a settings change, or with its errors)."""
    return render(
        request,
        "sending/_dashlet.html",
        dashlet_context(request, membership, company),
        status=status,
    )


def render_update(
    request: HttpRequest,
    membership: Membership,
    company: PayrollCompany,
    run_keys: list[str],
    dialog: str | None = None,
) -> HttpResponse:
    """Out-of-band swaps: the rows of ``run_keys`` as they stand now, and the next ``since``; an
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
    """The company's page: the Journal Entries Export dashlet and the run import. A refused
    import answers the page with every problem: 400 without a file, 413 for a file over the
    upload limit (refused unread), 422 for a run that cannot be imported."""
    found = scoped_company(membership, company_id)
    if request.method != "POST":
        return render_company(request, membership, found)
    if not membership.can_edit_payroll:
        raise PermissionDenied("Viewers cannot import runs.")
    form = RunUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [str(error) for errors in form.errors.values() for error in errors]
        return render_company(request, membership, found, status=400, problems=problems)
    upload = form.cleaned_data["run"]
    try:
        result = services.import_run(
            found, read_upload(upload), upload.name or "upload", membership.user
        )
    except payroll.RunRejectedError as exc:
        status = 413 if isinstance(exc, payroll.FileTooLargeError) else 422
        problems = problem_texts(exc.problems)
        return render_company(request, membership, found, status=status, problems=problems)
    run = result.run
    text = (
        _("Run %(run)s imported as version %(version)s.")
        if result.created
        else _("Run %(run)s is unchanged (version %(version)s has the same content).")
    ) % {"run": run.run_id, "version": run.version}
    messages.success(request, f"{text} {_after_import(found, run)}".strip())
    return redirect("company", company_id=found.pk)


#: Problems whose sentence payjournal already writes in the reader's language.
_SAID_IN_THE_READERS_LANGUAGE = frozenset({ProblemCode.FILE_TOO_LARGE})


def problem_texts(problems: Sequence[Problem]) -> list[str]:
    """Why an import was refused, in the reader's language: in English the domain's own
    sentences (they name the file's values); in Dutch or Swedish the catalog's translated
    message with where it is (subject, lines) — never an English sentence on a Dutch page."""
    if (translation.get_language() or "en").startswith("en"):
        return [str(problem) for problem in problems]
    texts = []
    for problem in problems:
        if problem.code in _SAID_IN_THE_READERS_LANGUAGE:
            texts.append(str(problem))
            continue
        try:
            message = catalog.explain(problem.code).message
        except UnknownErrorCodeError:
            texts.append(str(problem))
            continue
        where = [problem.subject] if problem.subject else []
        if problem.lines:
            shown = ", ".join(str(line) for line in problem.lines[:5])
            shown += " …" if len(problem.lines) > 5 else ""
            where.append(
                ngettext("line %(lines)s", "lines %(lines)s", len(problem.lines)) % {"lines": shown}
            )
        texts.append(f"{message} ({', '.join(where)})" if where else message)
    return texts


def _after_import(company: PayrollCompany, run: PayrollRun) -> str:
    """What a new version means for the books, when an earlier one is booked."""
    story = story_of(booking.run_state(company, run.run_id))
    if story.booked in (NOTHING, story.target) or story.open_leg is not None:
        return ""
    return _(
        "Visma holds version %(booked)s (%(voucher)s): Send shows what the correction posts."
    ) % {"booked": story.booked, "voucher": story.voucher_of(story.booked)}


@member_required()
def rows(request: HttpRequest, membership: Membership, company_id: int) -> HttpResponse:
    """A poll: ``?since=<ISO time>``, answered with the runs that changed since then (a poll
    without a time gets no rows, only the time to ask from next; a time that is not one, or outside
    1970–9000, is refused with its error, 400)."""
    found = scoped_company(membership, company_id)
    form = PollForm(request.GET)
    if not form.is_valid():
        errors = [f"since: {error}" for error in form.errors.get("since", [])]
        return HttpResponseBadRequest("\n".join(errors), content_type="text/plain; charset=utf-8")
    since = form.cleaned_data["since"]
    changed = changed_run_keys(found, since) if since is not None else []
    return render_update(request, membership, found, changed)


def explain_stuck(
    code: str, message: str, company: PayrollCompany, run: PayrollRun, *, here: str
) -> tuple[catalog.Explanation | None, bool]:
    """The explanation of a leg that needs action (``None`` for a code the catalog lacks) and
    whether the pre-flight found it before sending. Its "where" links to our pages that need
    the company or the run, except ``here``; its original message is only what Visma said."""
    try:
        explanation = catalog.explain(
            code, ids={"company_id": company.pk, "run_pk": run.pk}, here=here
        )
    except UnknownErrorCodeError:
        return None, False
    # A problem the pre-flight found has no Visma message: say so, invent none.
    found_before = message.startswith(PREFLIGHT_PREFIX)
    original = message if said_by_visma(code, message) else ""
    return replace(explanation, original=original), found_before


@member_required()
def timeline(
    request: HttpRequest, membership: Membership, company_id: int, run_pk: int
) -> HttpResponse:
    """Every leg of the run id — its kind, version and voucher — with its attempts, and the
    explanation of the one that needs action."""
    found = scoped_company(membership, company_id)
    run = get_scoped(PayrollRun.objects.filter(company=found), pk=run_pk)
    legs = timeline_of(found, run.run_id)
    stuck = next((item.leg for item in legs if item.leg.needs_action), None)
    here = reverse("company", args=(found.pk,))  # the timeline opens in the company's page
    explanation, found_before = (
        explain_stuck(stuck.error_code, stuck.error_message, found, run, here=here)
        if stuck is not None
        else (None, False)
    )
    context = {"legs": legs, "explanation": explanation, "found_before_sending": found_before}
    return render(request, "sending/_timeline.html", context)
