"""The Journal Entries Export dashlet's data: each run of a payroll company with where its journal
stands at Visma.

One :class:`DashletRow` per run: the grey/red mark (sent or not), the state label (not sent,
queued, sending, checking Visma, sent with the voucher number and time, needs action with the
error's catalog title in the user's language) and what the row offers (Send, Retry, the
timeline). Built in two queries — the runs, then the company's submissions, the latest per
journal winning — and formatted here once: the page must render 1,000 runs within its budget
(``payjournal bench pages``). The attempts timeline is not part of a row; it is loaded per run
when the user opens it (:func:`timeline_of`).

:class:`Poll` is how the page keeps up without a reload: every :data:`POLL_IN_FLIGHT_S` seconds
while a journal of the company is on its way, every :data:`POLL_IDLE_S` otherwise, it asks for
the runs that changed since its last render (:func:`changed_run_pks`): a send it started, one
started elsewhere (automatically, through the API, in another tab), a new run.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.urls import reverse
from django.utils import timezone

from payjournal import catalog
from payjournal.catalog.registry import UnknownErrorCodeError
from payjournal.payroll.models import PayrollCompany, PayrollRun, SendState
from payjournal.sending.models import Attempt, Submission
from payjournal.web.templatetags.money import minor as format_minor

__all__ = [
    "DashletRow",
    "Poll",
    "changed_run_pks",
    "dashlet_rows",
    "error_title",
    "poll_for",
    "timeline_of",
]

NOT_SENT = "not_sent"
IN_FLIGHT = frozenset({"queued", "sending", "reconciling"})
LABELS = {
    NOT_SENT: "Not sent",
    "queued": "Queued",
    "sending": "Sending",
    "reconciling": "Checking Visma",
    "sent": "Sent",
    "needs_action": "Needs action",
}
#: At most this many rows are answered by one poll (a month-end bulk send of a large company).
MAX_POLLED = 2000
#: Seconds between two polls while a journal of the company is queued or on its way.
POLL_IN_FLIGHT_S = 2
#: Seconds between two polls otherwise (a send or a run may still come from elsewhere).
POLL_IDLE_S = 10
#: A poll asks for changes since a little before its page was rendered: a worker's clock may
#: lag the web process's, and a row answered twice is only replaced again.
POLL_OVERLAP = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class DashletRow:
    """One run as the dashlet shows it."""

    pk: int
    href: str
    run_id: str
    version: int
    kind: str
    period: str
    paid: str
    total: str
    state: str = NOT_SENT
    submission_id: str = ""
    voucher: str = ""  # "A12 · 2026-11-23 21:05" once sent
    error_code: str = ""
    error_title: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def is_sent(self) -> bool:
        return self.state == "sent"

    @property
    def needs_action(self) -> bool:
        return self.state == "needs_action"


@dataclass(frozen=True, slots=True)
class Poll:
    """Where and how often the page asks for the rows that changed since it was rendered."""

    url: str
    every_s: int


def error_title(code: str, message: str, language: str | None = None) -> str:
    """The catalog's one-line message for ``code``; the stored message for a code it lacks."""
    try:
        return catalog.explain(code, language).message
    except UnknownErrorCodeError:
        return message or code


def _submissions(
    company: PayrollCompany, run_pks: Collection[int] | None
) -> dict[int, tuple[Any, ...]]:
    """The latest submission of each journal of the company, as a tuple of the shown fields."""
    found = Submission.objects.filter(company=company)
    if run_pks is not None:
        found = found.filter(journal__run__pk__in=run_pks)
    latest: dict[int, tuple[Any, ...]] = {}
    for journal_id, *fields in found.order_by("created_at").values_list(
        "journal_id",
        "id",
        "state",
        "voucher_number",
        "sent_at",
        "error_code",
        "error_message",
    ):
        latest[journal_id] = tuple(fields)
    return latest


def dashlet_rows(
    company: PayrollCompany,
    run_pks: Collection[int] | None = None,
    language: str | None = None,
) -> list[DashletRow]:
    """The dashlet's rows (all runs, or those of ``run_pks``), formatted once here."""
    base = reverse("run", args=(company.pk, 0)).removesuffix("0/")
    runs = PayrollRun.objects.filter(company=company)
    if run_pks is not None:
        runs = runs.filter(pk__in=run_pks)
    latest = _submissions(company, run_pks)
    shown = _Shown(timezone.get_current_timezone(), language)
    rows = []
    for (
        pk,
        run_id,
        version,
        kind,
        period,
        paid,
        currency,
        total,
        journal_id,
        *sent,
    ) in runs.values_list(
        "pk",
        "run_id",
        "version",
        "kind",
        "period_label",
        "payment_date",
        "currency",
        "journal__total_minor",
        "journal__pk",
        "journal__send_state",
        "journal__voucher_number",
    ):
        submission = latest.get(journal_id)
        if submission is not None:
            sending = shown.submission(*submission)
        elif sent[0] == SendState.SENT:  # the journal's own copy of "sent", with no submission
            sending = {"state": "sent", "voucher": sent[1]}
        else:
            sending = {}
        rows.append(
            DashletRow(
                pk=pk,
                href=f"{base}{pk}/",
                run_id=run_id,
                version=version,
                kind=kind,
                period=period,
                paid=paid.isoformat(),
                total=f"{format_minor(total, currency)} {currency}",
                **sending,
            )
        )
    return rows


class _Shown:
    """Formats what a row shows of its submission: local times, catalog titles (cached)."""

    def __init__(self, tz: tzinfo, language: str | None) -> None:
        self.tz = tz
        self.language = language
        self.titles: dict[tuple[str, str], str] = {}

    def voucher(self, number: str, sent_at: datetime | None) -> str:
        """``A12 · 2026-11-23 21:05`` (local time), or what of it is known."""
        when = sent_at.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if sent_at else ""
        return " · ".join(part for part in (number, when) if part)

    def submission(
        self,
        submission_id: UUID,
        state: str,
        number: str,
        sent_at: datetime | None,
        code: str,
        message: str,
    ) -> dict[str, Any]:
        shown: dict[str, Any] = {"state": state, "submission_id": str(submission_id)}
        if state == "sent":
            shown["voucher"] = self.voucher(number, sent_at)
        elif state == "needs_action":
            key = (code, message)
            if key not in self.titles:
                self.titles[key] = error_title(code, message, self.language)
            shown.update(error_code=code, error_title=self.titles[key])
        return shown


def poll_for(company: PayrollCompany, now: datetime) -> Poll:
    """The next poll of a page rendered at ``now``: quick while anything is in flight."""
    in_flight = Submission.objects.filter(company=company, state__in=IN_FLIGHT).exists()
    query = urlencode({"since": (now - POLL_OVERLAP).isoformat()})
    return Poll(
        f"{reverse('sending-rows', args=(company.pk,))}?{query}",
        POLL_IN_FLIGHT_S if in_flight else POLL_IDLE_S,
    )


def changed_run_pks(company: PayrollCompany, since: datetime) -> list[int]:
    """The company's runs imported, or whose journal's submission changed, at ``since`` or
    later (at most :data:`MAX_POLLED`, newest runs first)."""
    changed = set(
        PayrollRun.objects.filter(company=company, imported_at__gte=since).values_list(
            "pk", flat=True
        )
    )
    changed.update(
        Submission.objects.filter(company=company, updated_at__gte=since).values_list(
            "journal__run_id", flat=True
        )
    )
    return sorted(changed, reverse=True)[:MAX_POLLED]


def timeline_of(company: PayrollCompany, run: PayrollRun) -> list[Attempt]:
    """Every attempt to send the run's journal, oldest first (all its submissions)."""
    return list(
        Attempt.objects.filter(submission__company=company, submission__journal__run=run)
        .select_related("submission")
        .order_by("at", "id")
    )
