"""What needs a person today, across the companies they see: the runs whose books wait for
them — to send (not sent, a correction or a reversal to send) or needing action — for the
home page (:mod:`payjournal.web.views`).

Read in three queries whatever the number of companies or runs: the run ids that may still
have something to book (the latest version withdrawn, without a leg that booked it, or with a
leg open — most runs of a busy office are booked and drop out here, in the database), then
every version and every leg of just those run ids. Their :class:`RunStory` decides, the same
way as the dashlet's rows, so the home page and the dashlet always agree.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from payjournal.domain.booking import LegKind
from payjournal.domain.submission import OPEN_STATES, SubmissionState
from payjournal.payroll.models import PayrollRun
from payjournal.sending.dashlet import error_title
from payjournal.sending.models import Submission
from payjournal.sending.run_story import TO_SEND, LegFacts, RunStory

__all__ = ["RunToDo", "runs_to_do"]

#: The run statuses a person acts on: press Send, or fix the cause and Retry.
_TO_DO = TO_SEND | {SubmissionState.NEEDS_ACTION.value}
_OPEN = [state.value for state in OPEN_STATES]


@dataclass(frozen=True, slots=True)
class RunToDo:
    """One run id that waits for a person: where it is, what it is and what to do."""

    company_id: int
    run_id: str
    row_pk: int  # the dashlet row's id (its first version's pk): ``#run-<row_pk>``
    period: str
    status: str  # a RunStory status of :data:`_TO_DO`
    error_title: str = ""  # the catalog's one line for a leg that needs action

    @property
    def needs_action(self) -> bool:
        return self.status == SubmissionState.NEEDS_ACTION


def runs_to_do(company_ids: Collection[int], language: str | None = None) -> list[RunToDo]:
    """The run ids of ``company_ids`` that wait for a person (needing action, or to send),
    newest period first. Three queries."""
    if not company_ids:
        return []
    later = PayrollRun.objects.filter(
        company_id=OuterRef("company_id"),
        run_id=OuterRef("run_id"),
        version__gt=OuterRef("version"),
    )
    booked = Submission.objects.filter(
        journal_id=OuterRef("journal__pk"), state=SubmissionState.SENT.value
    ).exclude(kind=LegKind.REVERSAL.value)
    opened = Submission.objects.filter(
        company_id=OuterRef("company_id"), run_key=OuterRef("run_id"), state__in=_OPEN
    )
    candidates = (
        PayrollRun.objects.filter(company_id__in=company_ids)
        .exclude(Exists(later))
        .filter(Q(withdrawn_at__isnull=False) | ~Exists(booked) | Exists(opened))
        .values_list("company_id", "run_id", "period_label", "period_start")
    )
    latest = {(company, run_id): (period, start) for company, run_id, period, start in candidates}
    if not latest:
        return []
    companies = {company for company, _ in latest}
    run_ids = {run_id for _, run_id in latest}
    versions: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
    numbers: dict[int, int] = {}
    for company, run_id, version, pk, journal, withdrawn in (
        PayrollRun.objects.filter(company_id__in=companies, run_id__in=run_ids)
        .order_by("version")
        .values_list("company_id", "run_id", "version", "pk", "journal__pk", "withdrawn_at")
    ):
        numbers[journal] = version
        if (company, run_id) in latest:
            versions.setdefault((company, run_id), []).append((version, pk, withdrawn))
    legs = _legs(companies, run_ids, latest, numbers)
    found = []
    titles: dict[tuple[str, str], str] = {}
    for key, rows in versions.items():
        story = RunStory(tuple(row[0] for row in rows), rows[-1][2] is not None, legs.get(key, ()))
        if story.status not in _TO_DO:
            continue
        title = ""
        if story.open_leg is not None and story.open_leg.needs_action:
            leg = story.open_leg
            pair = (leg.error_code, leg.error_message)
            title = titles.get(pair) or titles.setdefault(pair, error_title(*pair, language))
        period, _start = latest[key]
        found.append(RunToDo(key[0], key[1], rows[0][1], period, story.status, title))
    starts = {key: start for key, (_period, start) in latest.items()}
    found.sort(key=lambda run: starts[(run.company_id, run.run_id)], reverse=True)
    return found


def _legs(
    companies: set[int],
    run_ids: set[str],
    wanted: Collection[tuple[int, str]],
    numbers: dict[int, int],
) -> dict[tuple[int, str], tuple[LegFacts, ...]]:
    """Every leg of the ``wanted`` run ids, oldest first (what their stories need)."""
    kinds = {kind.value: kind for kind in LegKind}
    legs: dict[tuple[int, str], list[LegFacts]] = {}
    for company, run_key, leg_id, kind, journal, base, state, code, message in (
        Submission.objects.filter(company_id__in=companies, run_key__in=run_ids)
        .order_by("created_at", "id")
        .values_list(
            "company_id",
            "run_key",
            "id",
            "kind",
            "journal_id",
            "base_id",
            "state",
            "error_code",
            "error_message",
        )
    ):
        if (company, run_key) not in wanted:
            continue
        base_version = numbers.get(base) if base is not None else None
        legs.setdefault((company, run_key), []).append(
            LegFacts(
                str(leg_id),
                kinds[kind],
                numbers[journal],
                base_version,
                state,
                error_code=code,
                error_message=message,
            )
        )
    return {key: tuple(found) for key, found in legs.items()}
