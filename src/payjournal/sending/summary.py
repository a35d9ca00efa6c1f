"""The per-company summary the cockpit reads (:class:`~payjournal.sending.models.CompanySummary`).

Brought up to date where it is read, never where payroll is sent. Each row remembers the
company's change stamp (``company:<id>``, :mod:`payjournal.live`: bumped by the database's
triggers on every insert or update of the company's runs and legs, by any process) that its
facts were computed from. :func:`bring_up_to_date` finds, in one query, the companies whose
stamp moved on since (or that have no row yet) and recomputes them with :func:`refresh_many`:
a handful of queries per :data:`CHUNK` companies, however many runs and legs they have.

The row also counts the wage components seen in the company's run files that its ledger scheme
does not map (the cockpit's "needs me" counts them); the stamp moves when a component is first
seen and when the scheme changes.

So a leg's transition, the month-end's bulk decision and a run's import write nothing here:
month-end runs at Visma's rate limit whatever the cockpit shows, and the cost of the summary
falls on the cockpit's page, once per company that changed since the page last looked.

No lock is taken. The stamp is read *before* the facts: a change that commits in between is
in the facts but not in the stored stamp, so the row only looks stale and is recomputed once
more. Two pages recomputing one company at once both write what they read; the one that read
older facts stored the older stamp, and the next page recomputes it again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from payjournal.catalog.model import Who
from payjournal.catalog.registry import UnknownErrorCodeError, entry_for
from payjournal.domain.booking import LegKind
from payjournal.domain.submission import OPEN_STATES, SubmissionState
from payjournal.live.stamps import company_stamp, read_companies
from payjournal.payroll.models import PayrollCompany, PayrollRun, SeenComponent
from payjournal.payroll.services import load_scheme
from payjournal.sending.models import CompanySummary, Submission
from payjournal.sending.run_story import LEG_FACT_COLUMNS, TO_SEND, LegFacts, RunStory

__all__ = ["CHUNK", "bring_up_to_date", "refresh_many", "unmapped_components", "who_fixes"]

#: Companies recomputed together: each query of a chunk lists their ids.
CHUNK = 500
_OPEN = [state.value for state in OPEN_STATES]
_WHO_FIELD = {
    Who.PAYROLL_ADMIN: "for_payroll",
    Who.BOOKKEEPER: "for_bookkeeper",
    Who.MASTER_ADMIN: "for_master",
}
_KINDS = {kind.value: kind for kind in LegKind}
_LEG_FIELDS = ("kind", "journal_id", "base_id", *LEG_FACT_COLUMNS)
#: The columns a recomputation writes (every column but the company).
_WRITTEN = [
    field.name
    for field in CompanySummary._meta.concrete_fields
    if not field.primary_key and field.name != "company"
]


def who_fixes(error_code: str) -> Who:
    """Who the catalog says fixes ``error_code`` (a code it lacks: the payroll administrator,
    who retries or asks)."""
    try:
        who = entry_for(error_code).who
    except UnknownErrorCodeError:
        return Who.PAYROLL_ADMIN
    return Who.PAYROLL_ADMIN if who is Who.NOBODY else who


#: Parsed ledger schemes' component codes by (company, source): each scheme is parsed once per
#: process until it changes.
_SCHEMES: OrderedDict[tuple[int, int], frozenset[str]] = OrderedDict()
_SCHEMES_LOCK = threading.Lock()
_SCHEMES_MAX = 4000


def unmapped_components(company: PayrollCompany, seen: Iterable[str]) -> list[str]:
    """The wage components of ``seen`` (seen in the company's run files) that its ledger scheme
    does not map (a scheme that no longer reads maps none)."""
    seen = list(seen)
    if not seen:
        return []
    key = (company.pk, hash(company.scheme_source))
    with _SCHEMES_LOCK:
        mapped = _SCHEMES.get(key)
    if mapped is None:
        try:
            mapped = frozenset(load_scheme(company).components)
        except ValueError:
            mapped = frozenset()
        with _SCHEMES_LOCK:
            _SCHEMES[key] = mapped
            while len(_SCHEMES) > _SCHEMES_MAX:
                _SCHEMES.popitem(last=False)
    return [code for code in seen if code not in mapped]


def bring_up_to_date(companies: QuerySet[PayrollCompany]) -> int:
    """Recompute the summaries of ``companies`` that changed since they were computed, or have
    none yet; returns how many. One query when none did."""
    stale = (
        companies.order_by()
        .annotate(stamp_now=company_stamp())
        .filter(Q(summary__isnull=True) | Q(summary__stamp__lt=F("stamp_now")))
        .values_list("pk", flat=True)
    )
    ids = list(stale)
    refresh_many(ids)
    return len(ids)


def refresh_many(company_ids: Iterable[int]) -> None:
    """Recompute the summary rows of ``company_ids`` (created when missing), :data:`CHUNK` at a
    time; a company deleted meanwhile is skipped."""
    ordered = sorted(set(company_ids))
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        rows = _summaries(chunk)
        try:
            with transaction.atomic():
                _write(rows)
        except IntegrityError:  # a company of the chunk was deleted since it was read
            existing = set(PayrollCompany.objects.filter(pk__in=chunk).values_list("pk", flat=True))
            _write([row for row in rows if row.company_id in existing])


def _write(rows: list[CompanySummary]) -> None:
    CompanySummary.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["company"], update_fields=_WRITTEN
    )


def _summaries(ids: list[int]) -> list[CompanySummary]:
    """The summary rows of ``ids`` as their runs and legs stand now (not stored)."""
    stamps = read_companies(ids)  # first: a change committed after this is recomputed again
    now = timezone.now()
    facts = {pk: _empty() for pk in ids}
    next_dates: dict[int, date | None] = dict.fromkeys(ids)
    latest = _latest_runs(ids)
    for company_id, (story, run_pk, period, run_key, payment_date, voucher_date) in _stories(
        latest
    ).items():
        booked = story.booking_leg(story.latest) if story.is_booked else None
        facts[company_id].update(
            last_run_pk=run_pk,
            last_run_key=run_key,
            last_period=period,
            last_payment_date=payment_date,
            last_status=story.status,
            last_voucher=booked.number if booked is not None else "",
        )
        if story.status in TO_SEND:
            next_dates[company_id] = voucher_date
    counted = (
        Submission.objects.filter(company_id__in=ids, state__in=_OPEN)
        .values_list("company_id", "state", "error_code")
        .annotate(count=Count("pk"), earliest=Min("voucher_date"))
        .order_by("company_id", "state", "error_code")
    )
    for company_id, state, error_code, count, earliest in counted:
        found = facts[company_id]
        if next_dates[company_id] is None or earliest < next_dates[company_id]:
            next_dates[company_id] = earliest
        if state == SubmissionState.NEEDS_ACTION:
            found["needs_action"] += count
            found["error_code"] = found["error_code"] or error_code
            found[_WHO_FIELD[who_fixes(error_code)]] += count
        else:
            found["moving"] += count
    for company_id, unmapped in _unmapped_counts(ids).items():
        facts[company_id]["unmapped"] = unmapped
    return [
        CompanySummary(
            company_id=pk,
            stamp=stamps[pk],
            updated_at=now,
            next_voucher_date=next_dates[pk],
            **facts[pk],
        )
        for pk in ids
    ]


def _empty() -> dict[str, Any]:
    return {
        "last_run_pk": None,
        "last_run_key": "",
        "last_period": "",
        "last_payment_date": None,
        "last_status": "",
        "last_voucher": "",
        "needs_action": 0,
        "moving": 0,
        "error_code": "",
        "for_payroll": 0,
        "for_bookkeeper": 0,
        "for_master": 0,
        "unmapped": 0,
    }


def _unmapped_counts(ids: list[int]) -> dict[int, int]:
    """How many seen wage components each company's scheme does not map (companies that saw
    none left out): two queries, each scheme parsed once per process."""
    seen: dict[int, list[str]] = defaultdict(list)
    for company_id, component in SeenComponent.objects.filter(company_id__in=ids).values_list(
        "company_id", "component"
    ):
        seen[company_id].append(component)
    if not seen:
        return {}
    schemes = PayrollCompany.objects.filter(pk__in=list(seen)).only(
        "pk", "scheme_source", "scheme_filename"
    )
    return {company.pk: len(unmapped_components(company, seen[company.pk])) for company in schemes}


def _latest_runs(ids: list[int]) -> dict[int, tuple[str, date, date | None]]:
    """Each company's latest run id (by period, then run id) with its latest version's
    payment date and voucher date, in one query."""
    ranked = (
        PayrollRun.objects.filter(company_id__in=ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("company_id")],
                order_by=[F("period_start").desc(), F("run_id").desc(), F("version").desc()],
            )
        )
        .filter(rank=1)
        .values_list("company_id", "run_id", "payment_date", "journal__voucher_date")
    )
    return {company_id: rest for company_id, *rest in ranked}  # type: ignore[misc]


_Story = tuple[RunStory, int, str, str, date, date | None]


def _stories(latest: dict[int, tuple[str, date, date | None]]) -> dict[int, _Story]:
    """The story of each company's latest run id (its versions and legs, folded as the dashlet
    folds them) with the pk and period of its latest version: two queries, nothing formatted."""
    if not latest:
        return {}
    keys = {run_key for run_key, _paid, _dated in latest.values()}
    wanted = {(company_id, facts[0]) for company_id, facts in latest.items()}
    versions: dict[int, list[tuple[int, int, Any, int, str]]] = defaultdict(list)
    for company_id, run_key, *version in (
        PayrollRun.objects.filter(company_id__in=list(latest), run_id__in=keys)
        .order_by("company_id", "version")
        .values_list(
            "company_id", "run_id", "pk", "version", "withdrawn_at", "journal__pk", "period_label"
        )
    ):
        if (company_id, run_key) in wanted:
            versions[company_id].append(tuple(version))  # type: ignore[arg-type]
    legs: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for company_id, run_key, *leg in (
        Submission.objects.filter(company_id__in=list(latest), run_key__in=keys)
        .order_by("created_at", "id")
        .values_list("company_id", "run_key", *_LEG_FIELDS)
    ):
        if (company_id, run_key) in wanted:
            legs[company_id].append(tuple(leg))
    stories: dict[int, _Story] = {}
    for company_id, (run_key, payment_date, voucher_date) in latest.items():
        numbers = {journal: version for _pk, version, _w, journal, _p in versions[company_id]}
        story_legs = tuple(
            LegFacts(
                "",
                _KINDS[kind],
                numbers[journal_id],
                numbers.get(base_id) if base_id is not None else None,
                *rest,
            )
            for kind, journal_id, base_id, *rest in legs[company_id]
        )
        run_pk, _version, withdrawn, _journal, period = versions[company_id][-1]
        story = RunStory(
            tuple(v[1] for v in versions[company_id]), withdrawn is not None, story_legs
        )
        stories[company_id] = (story, run_pk, period, run_key, payment_date, voucher_date)
    return stories
