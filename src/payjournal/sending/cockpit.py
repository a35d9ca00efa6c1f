"""The cockpit's data: every payroll company a member sees, with where it stands and who must act.

One row per company: its latest run and that run's state (the dashlet's words), the legs that
need action, the connection of its Visma account, the ledger scheme's health (wage components
seen in its runs that the scheme does not map; the daily drift check's findings), the next
voucher date at risk (no fiscal year, a locked period — from what the day's checks read of
Visma, never a new call) and who must act: the payroll administrator, the bookkeeper (in Visma)
or the master administrator (who maps companies and signs in at Visma to re-authorize).

Fast at scale: filtering, sorting and counting run in SQL over the companies, their account,
their drift report and their :class:`~payjournal.sending.models.CompanySummary` (brought up to
date first for the companies that changed since, :mod:`payjournal.sending.summary`), so a page
costs the same few queries for 10 companies or 10,000 (``payjournal bench pages``). The page then reads the seen
wage components and the day's cached Visma reads of its own rows only, one query each.

The bulk actions reuse the dashlet's services: :func:`send_companies`
(:func:`payjournal.sending.services.request_send_many`), :func:`retry_companies`
(:func:`payjournal.sending.services.retry`) and :func:`check_companies`
(:func:`payjournal.preflight.check_run`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from payjournal import preflight
from payjournal.catalog.model import Who
from payjournal.domain.submission import SubmissionState
from payjournal.integrations.models import AccountStatus
from payjournal.payroll.models import PayrollCompany, PayrollRun, SeenComponent
from payjournal.payroll.services import companies_for
from payjournal.preflight.cache import DailyCache
from payjournal.preflight.service import connection_problem
from payjournal.sending import services
from payjournal.sending.dashlet import error_title
from payjournal.sending.models import CompanySummary, Submission
from payjournal.sending.run_story import SENT, TO_SEND, WITHDRAWN, status_labels
from payjournal.sending.states import StaleSubmissionError
from payjournal.sending.summary import bring_up_to_date, refresh_many, unmapped_components
from payjournal.tenancy.models import Membership, Role
from payjournal.visma import CompanySettings, FiscalYear

__all__ = [
    "PAGE_SIZE",
    "CheckOutcome",
    "CockpitPage",
    "CockpitRow",
    "Order",
    "Show",
    "actors_of",
    "check_companies",
    "cockpit_page",
    "reauthorizations",
    "retry_companies",
    "send_companies",
]

#: Companies per page.
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Poll:
    """Where the cockpit's table asks for itself again, and the event it asks on: the change of
    the master's stamp (``live-master``, :mod:`payjournal.live`)."""

    url: str
    event: str


class Show(enum.StrEnum):
    """Which companies the page lists."""

    MINE = "mine"  # something the member's role can fix
    BOOKKEEPER = "bookkeeper"  # something the bookkeeper must fix in Visma
    ALL = "all"


class Order(enum.StrEnum):
    """How the page sorts; every order ends on the name and the id, so pages never overlap."""

    ATTENTION = "attention"  # needs action and broken connections first, then to send …
    NAME = "name"
    KEY = "key"
    PAYMENT_DATE = "paid"  # the latest run's payment date, latest first


def actors_of(membership: Membership) -> frozenset[Who]:
    """Whose work the member does: a master administrator also maps companies and signs in at
    Visma; a viewer fixes nothing."""
    if membership.role == Role.MASTER_ADMIN:
        return frozenset({Who.PAYROLL_ADMIN, Who.MASTER_ADMIN})
    if membership.role == Role.PAYROLL_ADMIN:
        return frozenset({Who.PAYROLL_ADMIN})
    return frozenset()


# --- SQL conditions over a company, its account, its drift report and its summary -----------

_CONNECTION_BROKEN = (
    Q(visma_account__isnull=True)
    | Q(visma_company_id="")
    | ~Q(visma_account__status=AccountStatus.AUTHORIZED)
    | ~Q(visma_account__visma_company_id=F("visma_company_id"))
)
_TO_SEND = Q(summary__last_status__in=sorted(TO_SEND))
_NEEDS = {
    Who.MASTER_ADMIN: _CONNECTION_BROKEN | Q(summary__for_master__gt=0),
    Who.PAYROLL_ADMIN: (_TO_SEND & ~_CONNECTION_BROKEN)
    | Q(summary__for_payroll__gt=0)
    | Q(summary__unmapped__gt=0),
    Who.BOOKKEEPER: Q(summary__for_bookkeeper__gt=0)
    | (Q(drift_report__passed=False) & ~_CONNECTION_BROKEN),
}
_NOTHING = Q(pk__in=[])


def _needs(actors: Iterable[Who]) -> Q:
    found = _NOTHING
    for who in actors:
        found |= _NEEDS[who]
    return found


def _attention() -> Case:
    """0 for the most urgent company: legs needing action, then a broken connection, a ledger
    scheme in need (a drift found, a wage component it does not map), a run to send, legs on
    their way, and last the companies with nothing to do."""
    return Case(
        When(summary__needs_action__gt=0, then=Value(0)),
        When(_CONNECTION_BROKEN, then=Value(1)),
        When(Q(drift_report__passed=False) | Q(summary__unmapped__gt=0), then=Value(2)),
        When(_TO_SEND, then=Value(3)),
        When(summary__moving__gt=0, then=Value(4)),
        default=Value(5),
        output_field=IntegerField(),
    )


_ORDERINGS: dict[Order, tuple[Any, ...]] = {
    Order.ATTENTION: ("attention", "name", "pk"),
    Order.NAME: ("name", "pk"),
    Order.KEY: ("key", "pk"),
    Order.PAYMENT_DATE: (F("summary__last_payment_date").desc(nulls_last=True), "name", "pk"),
}


# --- the rows ---------------------------------------------------------------------------------


@dataclass(slots=True)
class CockpitRow:
    """One company as the cockpit shows it."""

    pk: int
    name: str
    key: str
    href: str
    status: str = ""  # the latest run's status ("" without runs)
    status_label: str = ""
    run_key: str = ""
    run_href: str = ""
    period: str = ""
    paid: date | None = None
    voucher: str = ""
    needs_action: int = 0
    error_title: str = ""
    moving: int = 0
    connection: str = ""  # "" works; else a catalog code (not_authorized, invalid_grant …)
    connection_label: str = ""
    account_name: str = ""
    account_pk: int | None = None
    unmapped: list[str] = field(default_factory=list)
    drift: int = 0  # findings of the daily drift check (a broken connection not counted)
    scheme_href: str = ""
    risk: str = ""  # the next voucher date at risk, in words ("" none found)
    checked: bool = False  # the day's reads of Visma were there to judge the next date
    next_date: date | None = None
    who: list[str] = field(default_factory=list)

    @property
    def is_sent(self) -> bool:
        return self.status in (SENT, WITHDRAWN) and not self.needs_action and not self.moving

    @property
    def has_problem(self) -> bool:
        return bool(self.needs_action or self.connection or self.drift or self.risk)


@dataclass(frozen=True, slots=True)
class CockpitPage:
    """One page of rows and the counts of the three filters."""

    rows: list[CockpitRow]
    number: int
    pages: int
    total: int
    counts: dict[Show, int]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def moving(self) -> bool:
        return any(row.moving for row in self.rows)

    @property
    def shown(self) -> str:
        """The ids of the rows, for the poll and the actions to keep them in place."""
        return ",".join(str(row.pk) for row in self.rows)


def _base(membership: Membership, search: str) -> QuerySet[PayrollCompany]:
    companies = companies_for(membership)
    if search:
        companies = companies.filter(Q(name__icontains=search) | Q(key__icontains=search))
    return companies


def cockpit_page(
    membership: Membership,
    *,
    show: Show = Show.ALL,
    order: Order = Order.ATTENTION,
    search: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
    shown: list[int] | None = None,
) -> CockpitPage:
    """The page ``page`` of the companies ``membership`` sees, filtered, searched and sorted;
    with ``shown`` (a poll, an action's answer), those companies as they stand now, in that
    order, whatever the filter says of them now: rows do not jump while someone watches."""
    base = _base(membership, search)
    bring_up_to_date(base)  # the companies that changed since a page last looked
    mine = _needs(actors_of(membership))
    bookkeeper = _needs((Who.BOOKKEEPER,))
    counted = base.aggregate(
        all=Count("pk"),
        mine=Count("pk", filter=mine),
        bookkeeper=Count("pk", filter=bookkeeper),
    )
    counts = {
        Show.ALL: counted["all"],
        Show.MINE: counted["mine"],
        Show.BOOKKEEPER: counted["bookkeeper"],
    }
    total = counts[show]
    pages = max(1, -(-total // size))
    number = min(max(1, page), pages)
    listed = base
    if show is Show.MINE:
        listed = listed.filter(mine)
    elif show is Show.BOOKKEEPER:
        listed = listed.filter(bookkeeper)
    if order is Order.ATTENTION:
        listed = listed.annotate(attention=_attention())
    offset = (number - 1) * size
    # The page's ids first (the index and the joined rows' small columns), then its rows whole.
    if shown is not None:
        visible = set(base.filter(pk__in=shown[:size]).values_list("pk", flat=True))
        ids = [pk for pk in shown[:size] if pk in visible]
    else:
        ordered = listed.order_by(*_ORDERINGS[order]).values_list("pk", flat=True)
        ids = list(ordered[offset : offset + size])
    companies = _whole(ids)
    missing = [c.pk for c in companies if not _has_summary(c)]
    if missing:  # created since the page brought the summaries up to date
        refresh_many(missing)
        companies = _whole(ids)
    rows = _rows(companies, actors_of(membership))
    return CockpitPage(rows, number, pages, total, counts)


def _whole(ids: list[int]) -> list[PayrollCompany]:
    """The companies of ``ids``, in that order, with their account, summary and drift report."""
    found = PayrollCompany.objects.filter(pk__in=ids).select_related(
        "visma_account", "summary", "drift_report"
    )
    by_pk = {company.pk: company for company in found}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _has_summary(company: PayrollCompany) -> bool:
    try:
        company.summary  # noqa: B018 (select_related: no query)
    except PayrollCompany.summary.RelatedObjectDoesNotExist:
        return False
    return True


def _drift_report(company: PayrollCompany) -> Any:
    try:
        return company.drift_report
    except PayrollCompany.drift_report.RelatedObjectDoesNotExist:
        return None


class _Words:
    """The texts a page repeats, translated once."""

    def __init__(self) -> None:
        self.labels = status_labels()
        self.connection = {
            "": _("Authorized"),
            "not_mapped": _("not mapped"),
            "not_authorized": _("Not authorized"),
            "invalid_grant": _("Needs re-authorization"),
            "wrong_company": _("Wrong company — remap"),
        }
        self.who = {
            Who.PAYROLL_ADMIN: str(Role.PAYROLL_ADMIN.label),
            Who.BOOKKEEPER: pgettext("who acts", "Bookkeeper"),
            Who.MASTER_ADMIN: str(Role.MASTER_ADMIN.label),
        }
        self.titles: dict[str, str] = {}

    def title(self, code: str) -> str:
        if code not in self.titles:
            self.titles[code] = error_title(code, "")
        return self.titles[code]


def _rows(companies: Sequence[PayrollCompany], actors: frozenset[Who]) -> list[CockpitRow]:
    words = _Words()
    seen = _seen_components([c.pk for c in companies])
    cache = DailyCache()
    wanted = [
        (c.visma_company_id, name)
        for c in companies
        if c.visma_company_id
        for name in ("companysettings", "fiscalyears")
    ]
    books = cache.peek_many(wanted)
    company_base = reverse("company", args=(0,)).removesuffix("0/")
    rows = []
    for company in companies:
        summary = company.summary
        href = f"{company_base}{company.pk}/"
        row = CockpitRow(company.pk, company.name, company.key, href, scheme_href=f"{href}scheme/")
        if summary.last_run_pk is not None:
            row.status = summary.last_status
            row.status_label = words.labels.get(summary.last_status, summary.last_status)
            row.run_key = summary.last_run_key
            row.run_href = f"{href}runs/{summary.last_run_pk}/"
            row.period = summary.last_period
            row.paid = summary.last_payment_date
            row.voucher = summary.last_voucher
        row.needs_action = summary.needs_action
        row.moving = summary.moving
        if summary.error_code:
            row.error_title = words.title(summary.error_code)
        code = _connection(company)
        if company.visma_account is not None:
            row.account_name = company.visma_account.name
            row.account_pk = company.visma_account.pk
        row.connection = code
        row.connection_label = words.connection.get(code) or words.title(code)
        row.unmapped = unmapped_components(company, seen.get(company.pk, ()))
        report = _drift_report(company)
        if report is not None and not report.passed and not code:
            row.drift = sum(1 for f in report.failure_list if f["key"] not in _NOT_DRIFT)
        row.next_date = summary.next_voucher_date
        if row.next_date is not None and not code:
            settings = books.get((company.visma_company_id, "companysettings"))
            years = books.get((company.visma_company_id, "fiscalyears"))
            row.checked = settings is not None and years is not None
            row.risk = _risk(row.next_date, settings, years)
        row.who = [words.who[who] for who in _who(row, summary) if who in _SHOWN_WHO]
        rows.append(row)
    return rows


def _connection(company: PayrollCompany) -> str:
    """ "" when the connection works, else why not: ``not_mapped``, or the pre-flight's code —
    also for a refusal the pre-flight asks Visma about again (an API module switched off): the
    account is not authorized until it answers, and the master administrator acts."""
    account = company.visma_account
    if account is None:
        return "not_mapped"
    code = connection_problem(company)
    if not code and account.status != AccountStatus.AUTHORIZED:
        code = account.refusal_code or "invalid_grant"
    return code


#: Checks the drift report records that are not about the scheme's accounts.
_NOT_DRIFT = frozenset({"connection", "api_module"})
_SHOWN_WHO = (Who.MASTER_ADMIN, Who.PAYROLL_ADMIN, Who.BOOKKEEPER)


def _who(row: CockpitRow, summary: Any) -> list[Who]:
    """Who must act for the row, in the order of the work: connection, payroll, books."""
    found = []
    if row.connection or summary.for_master:
        found.append(Who.MASTER_ADMIN)
    if (row.status in TO_SEND and not row.connection) or summary.for_payroll or row.unmapped:
        found.append(Who.PAYROLL_ADMIN)
    if summary.for_bookkeeper or row.drift or row.risk:
        found.append(Who.BOOKKEEPER)
    return found


def _risk(day: date, settings: CompanySettings | None, years: tuple[FiscalYear, ...] | None) -> str:
    """Why Visma would refuse a voucher dated ``day``, from the day's cached reads ("" when
    they show nothing wrong or were not read today)."""
    if years is not None:
        year = next((y for y in years if y.contains(day)), None)
        if year is None:
            return _("No fiscal year in Visma for %(date)s") % {"date": day.isoformat()}
        if year.is_locked_for_accounting:
            return _("The fiscal year of %(date)s is closed in Visma") % {"date": day.isoformat()}
    locked = settings.accounting_locked_to if settings is not None else None
    if locked is not None and day <= locked:
        return _("%(date)s is in a locked period (Visma is locked up to %(lock)s)") % {
            "date": day.isoformat(),
            "lock": locked.isoformat(),
        }
    return ""


def _seen_components(company_ids: list[int]) -> dict[int, list[str]]:
    seen: dict[int, list[str]] = {}
    for company_id, component in (
        SeenComponent.objects.filter(company_id__in=company_ids)
        .order_by("component")
        .values_list("company_id", "component")
    ):
        seen.setdefault(company_id, []).append(component)
    return seen


def poll_of(query: dict[str, str], event: str) -> Poll:
    """Where the page asks for its rows again, and on which event: the page's poller of the
    master's stamp (:mod:`payjournal.live`, ``live-master``) announces that something of the
    master moved on. The one place the cockpit's live updates are decided."""
    return Poll(f"{reverse('cockpit')}?{urlencode({**query, 'part': 'table'})}", event)


# --- bulk actions -----------------------------------------------------------------------------


def send_companies(companies: Iterable[PayrollCompany]) -> services.BulkResult:
    """Send every run of the companies whose books do not hold it as the payroll has it."""
    runs: list[PayrollRun] = []
    for company in companies:
        runs.extend(services.unsent_runs(company))
    return services.request_send_many(runs)


def retry_companies(companies: Iterable[PayrollCompany]) -> int:
    """Retry every leg of the companies that needs action; how many went back to the queue."""
    retried = 0
    legs = Submission.objects.filter(
        company__in=list(companies), state=SubmissionState.NEEDS_ACTION
    ).order_by("company_id", "created_at")
    for leg in legs:
        try:
            services.retry(leg)
        except StaleSubmissionError:  # retried elsewhere meanwhile
            continue
        retried += 1
    return retried


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """A company's pre-flight of its latest run: passed, or the first failure's message."""

    company: PayrollCompany
    run_key: str
    passed: bool
    problem: str = ""


def check_companies(companies: Iterable[PayrollCompany]) -> list[CheckOutcome]:
    """The pre-flight of each company's latest run (the dashlet's Check), through the day-long
    cache; a company without runs is left out."""
    listed = list(companies)
    bring_up_to_date(PayrollCompany.objects.filter(pk__in=[company.pk for company in listed]))
    last = CompanySummary.objects.filter(company__in=listed, last_run_pk__isnull=False)
    latest = {
        run.company_id: run
        for run in PayrollRun.objects.filter(
            pk__in=last.values_list("last_run_pk", flat=True)
        ).select_related("journal")
    }
    outcomes = []
    for company in listed:
        found = latest.get(company.pk)
        if found is None:
            continue
        run = found
        run.company = company
        checklist = preflight.check_run(run)
        failed = checklist.failed
        explained = failed[0].explain() if failed else None
        problem = explained.message if explained is not None else ""
        if failed and failed[0].subject:
            problem = f"{problem} ({failed[0].subject})"
        outcomes.append(CheckOutcome(company, run.run_id, checklist.passed, problem))
    return outcomes


@dataclass(frozen=True, slots=True)
class Reauthorization:
    """A Visma account to sign in to again, and the companies that wait for it."""

    account_pk: int
    account_name: str
    url: str
    companies: tuple[str, ...]


def reauthorizations(companies: Iterable[PayrollCompany]) -> list[Reauthorization]:
    """One link per Visma account of the companies whose grant is refused, gone or was never
    given; each opens Visma's login for that account (Integrations' own authorize route)."""
    waiting: dict[int, tuple[str, list[str]]] = {}
    for company in companies:
        account = company.visma_account
        if account is None or account.status == AccountStatus.AUTHORIZED:
            continue
        waiting.setdefault(account.pk, (account.name, []))[1].append(company.name)
    return [
        Reauthorization(pk, name, reverse("visma-authorize", args=(pk,)), tuple(names))
        for pk, (name, names) in sorted(waiting.items(), key=lambda item: item[1][0])
    ]
