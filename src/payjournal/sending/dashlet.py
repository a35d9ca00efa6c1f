"""The Journal Entries Export dashlet's data: each payroll run id of a company with where its
booking stands at Visma.

One :class:`DashletRow` per run id — not per version: a payroll administrator thinks of "the
September run", and what matters is whether Visma holds its latest version. The row shows the
latest version's period and total, the grey/red mark and its label (:class:`RunStory`: red when
the latest version, or the withdrawal, is booked and nothing is on its way; grey with what is
still to book), a line per version when the run was corrected or withdrawn ("v1 sent A3 ·
reversed by A9", "v2 sent A10"), and what the row offers (Send, Retry, Withdraw, the timeline).
The row's id is its first version's pk, so a new version replaces the row in place.

Built in two queries — every version of the company's runs, then every leg — and formatted once
here: the page must render 1,000 runs within its budget (``payjournal bench pages``). The
timeline is not part of a row; it is loaded per run when the user opens it
(:mod:`payjournal.sending.run_history`).

:class:`Poll` is how the page keeps up without a reload: whenever the company's change stamp moves
on (:mod:`payjournal.live`: a run or a leg of the company was written, by any process), it asks
for the run ids that changed since its last answer (:func:`changed_run_keys`): a leg of any
version (a reversal leg belongs to the old version), a new version, a withdrawal.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from payjournal import catalog
from payjournal.catalog.formats import Reading
from payjournal.catalog.registry import UnknownErrorCodeError
from payjournal.domain.booking import LegKind
from payjournal.domain.money import Money
from payjournal.domain.submission import SubmissionState
from payjournal.payroll.models import PayrollCompany, PayrollRun, kind_labels
from payjournal.sending.models import Submission
from payjournal.sending.run_story import (
    LEG_FACT_COLUMNS,
    TO_SEND,
    LegFacts,
    RunStory,
    status_label,
)

__all__ = [
    "DashletRow",
    "Poll",
    "changed_run_keys",
    "dashlet_rows",
    "error_title",
    "poll_for",
]

#: At most this many rows are answered by one poll (a month-end bulk send of a large company).
MAX_POLLED = 2000
#: A poll asks for changes since a little before its page was rendered: a worker's clock may
#: lag the web process's, and a row answered twice is only replaced again.
POLL_OVERLAP = timedelta(seconds=5)


@dataclass(slots=True)
class DashletRow:
    """One run id as the dashlet shows it (its latest version's facts). Read only; not frozen
    because a page builds 1,000 of them and a frozen dataclass takes twice as long to build."""

    pk: int  # the first version's pk: the row's id, stable across versions
    run_pk: int  # the latest version's pk: its page, Check, Send, Withdraw
    href: str  # the latest version's page
    run_id: str
    version: int
    kind: str
    period: str
    paid: str
    total: str
    story: RunStory
    state: str  # RunStory.status
    has_legs: bool = False  # something was sent or queued: the row offers the timeline
    submission_id: str = ""  # the leg that needs action (Retry)
    voucher: str = ""  # "A12 · 2026-11-23 21:05": the voucher that booked the latest version
    error_code: str = ""
    error_title: str = ""

    @property
    def label(self) -> str:
        return status_label(self.state)

    @property
    def is_sent(self) -> bool:
        """Red: the latest version (or the withdrawal) is booked and nothing is on its way."""
        return self.story.is_booked

    @property
    def needs_action(self) -> bool:
        return self.state == SubmissionState.NEEDS_ACTION

    @property
    def can_send(self) -> bool:
        return self.state in TO_SEND

    @property
    def is_withdrawn(self) -> bool:
        return self.story.withdrawn

    @property
    def lines(self) -> list[str]:
        """A line per version, shown once the run was corrected or withdrawn."""
        return self.story.lines() if self.story.is_corrected else []


@dataclass(frozen=True, slots=True)
class Poll:
    """Where the page asks for the rows that changed, and since when (an ISO time)."""

    url: str
    since: str


def error_title(code: str, message: str, language: str | None = None) -> str:
    """The catalog's one-line message for ``code``; the stored message for a code it lacks."""
    try:
        return catalog.explain(code, language).message
    except UnknownErrorCodeError:
        return message or code


_LEG_FIELDS = ("run_key", "kind", "journal_id", "base_id", *LEG_FACT_COLUMNS)
_RUN_FIELDS = (
    "pk",
    "run_id",
    "version",
    "kind",
    "period_label",
    "payment_date",
    "currency",
    "journal__total_minor",
    "journal__pk",
    "withdrawn_at",
)


def _legs(
    company: PayrollCompany, run_keys: Collection[str] | None, numbers: dict[int, int]
) -> dict[str, list[LegFacts]]:
    """Every leg of the company's run ids (of ``run_keys``), oldest first, per run id. Only a
    leg that needs action carries its id (for Retry): reading 1,000 ids costs more than it
    is worth, and a run id has at most one open leg."""
    found = Submission.objects.filter(company=company)
    if run_keys is not None:
        found = found.filter(run_key__in=run_keys)
    stuck = dict(found.filter(state=SubmissionState.NEEDS_ACTION).values_list("run_key", "id"))
    legs: dict[str, list[LegFacts]] = {}
    kinds = {kind.value: kind for kind in LegKind}
    for run_key, kind, journal_id, base_id, state, *rest in found.order_by(
        "created_at", "id"
    ).values_list(*_LEG_FIELDS):
        base = numbers.get(base_id) if base_id is not None else None
        leg_id = str(stuck[run_key]) if state == SubmissionState.NEEDS_ACTION else ""
        legs.setdefault(run_key, []).append(
            LegFacts(leg_id, kinds[kind], numbers[journal_id], base, state, *rest)
        )
    return legs


def dashlet_rows(
    company: PayrollCompany,
    run_keys: Collection[str] | None = None,
    language: str | None = None,
) -> list[DashletRow]:
    """The dashlet's rows (every run id, or those of ``run_keys``), newest period first."""
    base = reverse("run", args=(company.pk, 0)).removesuffix("0/")
    runs = PayrollRun.objects.filter(company=company)
    if run_keys is not None:
        runs = runs.filter(run_id__in=run_keys)
    versions: dict[str, list[tuple[Any, ...]]] = {}
    numbers: dict[int, int] = {}
    for values in runs.order_by("-period_start", "-run_id", "-version").values_list(*_RUN_FIELDS):
        versions.setdefault(values[1], []).append(values)
        numbers[values[8]] = values[2]
    legs = _legs(company, run_keys, numbers)
    shown = _Shown(timezone.get_current_timezone(), language)
    rows = []
    for run_id, found in versions.items():
        if len(found) == 1:  # most runs: one version
            latest, first, numbers_of_run = found[0], found[0][0], (found[0][2],)
        else:
            latest = max(found, key=lambda values: values[2])
            first = min(values[0] for values in found)
            numbers_of_run = tuple(sorted(values[2] for values in found))
        pk, _run_id, version, kind, period, paid, currency, total, _journal, withdrawn = latest
        story = RunStory(numbers_of_run, withdrawn is not None, tuple(legs.get(run_id, ())))
        rows.append(
            DashletRow(
                pk=first,
                run_pk=pk,
                href=f"{base}{pk}/",
                run_id=run_id,
                version=version,
                kind=shown.kinds.get(kind, kind),
                period=period,
                paid=shown.reading.day(paid),
                total=f"{shown.reading.amount(Money.from_minor_units(total, currency))} {currency}",
                story=story,
                state=story.status,
                **shown.leg_fields(story),
            )
        )
    return rows


class _Shown:
    """Formats what a row shows of its legs: local times, catalog titles (cached)."""

    def __init__(self, tz: tzinfo, language: str | None) -> None:
        self.tz = tz
        self.language = language
        self.titles: dict[tuple[str, str], str] = {}
        self.reading = Reading()
        self.kinds = kind_labels()

    def voucher(self, number: str, sent_at: datetime | None) -> str:
        """``A12 · 2026-11-23 21:05`` (local time, the reader's date order), or what of it is
        known."""
        when = sent_at.astimezone(self.tz).strftime(self.reading.minute) if sent_at else ""
        return " · ".join(part for part in (number, when) if part)

    def leg_fields(self, story: RunStory) -> dict[str, Any]:
        if not story.legs:
            return {}
        leg = story.open_leg or story.legs[-1]
        shown: dict[str, Any] = {"has_legs": True}
        if leg.needs_action:
            shown["submission_id"] = leg.id
            key = (leg.error_code, leg.error_message)
            if key not in self.titles:
                self.titles[key] = error_title(*key, self.language)
            shown.update(error_code=leg.error_code, error_title=self.titles[key])
        elif story.is_booked and not story.withdrawn:
            booking = story.booking_leg(story.latest)
            if booking is not None and not booking.is_empty:
                shown["voucher"] = self.voucher(booking.number, booking.sent_at)
        return shown


def poll_for(company: PayrollCompany, now: datetime) -> Poll:
    """The rows poll of a page (or an answer) rendered at ``now``."""
    return Poll(reverse("sending-rows", args=(company.pk,)), (now - POLL_OVERLAP).isoformat())


def changed_run_keys(company: PayrollCompany, since: datetime) -> list[str]:
    """The company's run ids with a version imported or withdrawn, or a leg changed, at
    ``since`` or later (at most :data:`MAX_POLLED`)."""
    changed = set(
        PayrollRun.objects.filter(company=company)
        .filter(Q(imported_at__gte=since) | Q(withdrawn_at__gte=since))
        .values_list("run_id", flat=True)
    )
    changed.update(
        Submission.objects.filter(company=company, updated_at__gte=since).values_list(
            "run_key", flat=True
        )
    )
    return sorted(changed, reverse=True)[:MAX_POLLED]
