"""The home page after sign-in: what needs the signed-in person today.

For the companies the member sees (a master administrator: every company of the master; a
payroll administrator or viewer: the assigned ones) it lists, each with a link to where to act:

* Visma accounts to authorize, or to authorize again (master administrators act on the
  Accounts tab; the others are told which of their companies wait for it);
* companies not linked to a Visma company, or linked to the wrong one (Administrations tab);
* runs that need action or wait to be sent (the company's dashlet row).

Nothing to do shows that all is well. A fixed number of queries, whatever the number of
companies or runs: the companies with their accounts, the accounts to authorize, and the
three of :func:`payjournal.sending.today.runs_to_do`.

Live: the page follows its master's change stamp (:mod:`payjournal.live`, ``master:<id>``);
when it moves on, the lists (``#today``) ask for the page again and take their part of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.live.stamps import Kind, Topic, poller
from payjournal.payroll.models import PayrollCompany
from payjournal.payroll.services import companies_for
from payjournal.sending.run_story import status_labels
from payjournal.sending.today import RunToDo, runs_to_do
from payjournal.tenancy.context import membership

#: At most this many runs per list: a company that imported a year of runs at once is one
#: look at its dashlet, not hundreds of lines here.
SHOWN_RUNS = 50


@dataclass(slots=True)
class AccountToDo:
    """A Visma account that needs (re-)authorizing, and the companies that wait for it."""

    account: VismaAccount
    href: str
    again: bool  # authorized once; Visma asks for it again
    companies: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CompanyLink:
    """A company on the page: its name and its page."""

    pk: int
    name: str
    href: str


@dataclass(frozen=True, slots=True)
class RunRow:
    """A run to act on, with its company's name, its mark's text and the link to its row in
    the company's dashlet (formatted here once: the page may list a hundred)."""

    run: RunToDo
    company: str
    label: str
    href: str


@login_required
def home(request: HttpRequest) -> HttpResponse:
    member = membership(request)["membership"]
    if member is None:
        return render(request, "web/no_master.html", status=403)
    live = poller(Topic(Kind.MASTER, member.master_id), request)  # before what it follows
    companies = list(companies_for(member).select_related("visma_account").order_by("name"))
    accounts: dict[int, AccountToDo] = {}
    no_account = False
    if member.is_master_admin:
        page = reverse("visma-accounts")
        every = list(VismaAccount.objects.filter(master=member.master))
        no_account = not every and bool(companies)  # with no company: add that first
        needed = AccountStatus.AUTHORIZATION_NEEDED.value
        accounts = {
            a.pk: AccountToDo(a, f"{page}#account-{a.pk}", a.status == needed)
            for a in every
            if not a.is_authorized
        }
    pages = {company.pk: reverse("company", args=(company.pk,)) for company in companies}
    unlinked: list[CompanyLink] = []
    wrong: list[CompanyLink] = []
    blocked: list[CompanyLink] = []
    for company in companies:
        account = company.visma_account
        link = CompanyLink(company.pk, company.name, pages[company.pk])
        if account is None:
            unlinked.append(link)
        elif not account.is_authorized:
            if account.pk in accounts:
                accounts[account.pk].companies.append(company.name)
            else:  # a payroll administrator's company: a master administrator authorizes
                blocked.append(link)
        elif company.mapping_is_wrong:
            wrong.append(link)
    runs = _run_rows(companies, pages, runs_to_do(list(pages), get_language()))
    needs_action = [row for row in runs if row.run.needs_action]
    to_send = [row for row in runs if not row.run.needs_action]
    context = {
        "accounts": list(accounts.values()),
        "no_account": no_account,
        "unlinked": unlinked,
        "wrong": wrong,
        "blocked": blocked,
        "needs_action": needs_action[:SHOWN_RUNS],
        "more_needs_action": max(0, len(needs_action) - SHOWN_RUNS),
        "to_send": to_send[:SHOWN_RUNS],
        "more_to_send": max(0, len(to_send) - SHOWN_RUNS),
        "company_count": len(companies),
        "all_well": not (accounts or no_account or unlinked or wrong or blocked or runs),
        "live": live,
    }
    return render(request, "web/home.html", context)


def _run_rows(
    companies: list[PayrollCompany], pages: dict[int, str], runs: list[RunToDo]
) -> list[RunRow]:
    """The rows in the order a person works: those needing action first, then by company
    name, each company's newest period first."""
    names = {company.pk: company.name for company in companies}
    labels = status_labels()
    rows = [
        RunRow(
            run,
            names[run.company_id],
            labels[run.status],
            f"{pages[run.company_id]}#run-{run.row_pk}",
        )
        for run in runs
    ]
    rows.sort(key=lambda row: (not row.run.needs_action, row.company))  # stable: periods stay
    return rows
