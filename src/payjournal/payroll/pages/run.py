"""The page of one run version: its frozen journal, and where its run id stands at Visma — the
same mark, label and lines as its dashlet row, the explanation of a send that needs action
and the row's Send or Retry — with what happened to this version in the
books ("sent as A3", "reversed by A9"), and, for an older version, which one superseded it.

Live: the page follows its company's change stamp (:mod:`payjournal.live`); when it moves on,
the part above the journal (``#run-live``: the state at Visma, what happened to this version,
which version superseded it) asks for the page again and takes its own part of it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from payjournal.domain.booking import LegKind
from payjournal.live.stamps import Kind, Topic, poller
from payjournal.payroll import services as payroll
from payjournal.payroll.journals import load_journal
from payjournal.payroll.models import PayrollRun, kind_labels
from payjournal.payroll.pages.company import explain_stuck
from payjournal.sending.dashlet import dashlet_rows
from payjournal.sending.models import Submission
from payjournal.sending.run_story import LegFacts, RunStory
from payjournal.tenancy.access import get_scoped, member_required
from payjournal.tenancy.models import Membership


def version_legs(story: RunStory, version: int) -> list[str]:
    """What happened to ``version`` in the books, one sentence per leg that touched it."""
    said = []
    for leg in story.legs:
        if leg.version == version:
            said.append(_leg_sentence(story, leg))
        elif leg.base == version and leg.is_sent and not leg.is_empty:
            said.append(
                _("Corrected by %(voucher)s, the difference to v%(version)s.")
                % {"voucher": leg.voucher, "version": leg.version}
            )
    return [sentence for sentence in said if sentence]


def _leg_sentence(story: RunStory, leg: LegFacts) -> str:
    values = {"voucher": leg.voucher, "base": leg.base, "state": story.leg_outcome(leg)}
    if leg.kind is LegKind.REVERSAL:
        if leg.is_sent:
            return _("Reversed by %(voucher)s.") % values
        return _("Reversal: %(state)s.") % values if leg.is_open else ""
    if leg.is_empty:
        return _("No change to book: it books the same as v%(base)s.") % values
    if leg.is_sent and leg.kind is LegKind.DIFFERENCE:
        return _("Sent as %(voucher)s, the difference from v%(base)s.") % values
    if leg.is_sent:
        return _("Sent as %(voucher)s.") % values
    if leg.needs_action:
        return _("Not booked: it needs action (see above).")
    return _("Sending: %(state)s.") % values if leg.is_open else ""


@member_required()
def run_detail(
    request: HttpRequest, membership: Membership, company_id: int, run_pk: int
) -> HttpResponse:
    found = get_scoped(payroll.companies_for(membership), pk=company_id)
    run = get_scoped(
        PayrollRun.objects.filter(company=found).select_related("journal", "company"),
        pk=run_pk,
    )
    live = poller(Topic(Kind.COMPANY, found.pk), request)  # before the state it follows
    row = dashlet_rows(found, [run.run_id])[0]
    story = row.story
    versions = dict(
        PayrollRun.objects.filter(company=found, run_id=run.run_id).values_list("version", "pk")
    )
    explanation, found_before = None, False
    if row.needs_action:
        stuck = Submission.objects.get(pk=row.submission_id)
        explanation, found_before = explain_stuck(
            stuck.error_code, stuck.error_message, found, run, here=request.path
        )
    newer = story.superseded_by(run.version)
    if newer is None and run.version != story.latest:
        newer = next(number for number in story.versions if number > run.version)
    return render(
        request,
        "payroll/run.html",
        {
            "company": found,
            "run": run,
            "live": live,
            "run_kind": kind_labels().get(run.kind, run.kind),
            "journal": load_journal(run.journal),
            "row": row,
            "explanation": explanation,
            "found_before_sending": found_before,
            # the row's actions, for the latest version (an older one is not sent by itself)
            "can_act": membership.can_edit_payroll and row.run_pk == run.pk,
            "retry_url": (
                reverse("sending-retry", args=(found.pk, row.submission_id))
                if row.needs_action
                else ""
            ),
            "legs": version_legs(story, run.version),
            "newer": (newer, versions[newer]) if newer is not None else None,
            "latest": (story.latest, versions[story.latest]),
            "versions": sorted(versions.items()),
        },
    )
