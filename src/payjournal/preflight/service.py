"""Pre-flight of a stored run: build the target from the run, its journal and its mapping,
read the Visma company through the day-long cache, and offer the fiscal-year fix."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from payjournal import wiring
from payjournal.domain.journal import Journal
from payjournal.integrations.models import AccountStatus, VismaAccount
from payjournal.integrations.watch import RECOVERABLE_CODES
from payjournal.payroll.journals import load_journal
from payjournal.payroll.models import PayrollCompany, PayrollRun
from payjournal.preflight.books import BooksClient, CachedBooks
from payjournal.preflight.cache import DailyCache
from payjournal.preflight.checklist import (
    CheckKey,
    Checklist,
    CreateFiscalYear,
    FixRefusedError,
    Status,
)
from payjournal.preflight.checks import CompanyIdentity, JournalRow, Target, run_checks
from payjournal.visma import FiscalYear, VismaClient

__all__ = [
    "ClientFactory",
    "FixRefusedError",
    "check_run",
    "checklist_for",
    "checklist_with",
    "connection_problem",
    "create_fiscal_year",
    "default_client",
    "identity_of",
    "target_of",
    "target_of_journal",
]

#: Builds the Visma client of an account (tests may pass their own). Clients are not closed
#: here: the default ones share the process's transport (see :mod:`payjournal.wiring`).
ClientFactory = Callable[[VismaAccount], VismaClient]


def default_client(account: VismaAccount) -> VismaClient:
    """The account's Visma client on the process's wiring (the usual ``ClientFactory``);
    ``account`` is its row as just read, whose tokens serve the client's first call."""
    return wiring.current().client(account.pk, row=account)


def connection_problem(company: PayrollCompany) -> str:
    """The catalog code when payjournal already knows the connection cannot work, else ""."""
    account = company.visma_account
    if account is None or not company.visma_company_id:
        return "not_authorized"
    if account.status == AccountStatus.AUTHORIZATION_NEEDED:
        if account.refusal_code in RECOVERABLE_CODES:
            return ""  # the grant may work again (module on, access back): ask Visma
        return account.refusal_code or "invalid_grant"
    if not account.is_authorized:
        return "not_authorized"
    if company.mapping_is_wrong:
        return "wrong_company"
    return ""


def target_of(run: PayrollRun) -> Target:
    """What the run's journal needs from Visma."""
    return target_of_journal(run.company, load_journal(run.journal))


def target_of_journal(company: PayrollCompany, journal: Journal) -> Target:
    """What ``journal`` (a run's, or a booking leg's on its date) needs from ``company``'s
    Visma: its date, and the account and dimension of each row."""
    rows = tuple(JournalRow(row.account, row.dimension or "") for row in journal.rows)
    return Target(
        company.visma_company_id,
        journal.voucher_date,
        rows,
        connection_problem(company),
        identity_of(company, journal.currency),
    )


def identity_of(company: PayrollCompany, currency: str | None) -> CompanyIdentity:
    """Who the Visma company must be for ``company``: its organisation number, and the
    currency it books in (a journal's, else its ledger scheme's)."""
    return CompanyIdentity(company.registration_number, currency or "")


def check_run(
    run: PayrollRun,
    *,
    client_factory: ClientFactory | None = None,
    cache: DailyCache | None = None,
) -> Checklist:
    """The checklist of ``run`` (call it before sending; the dashlet's "Check" shows it).

    Visma is read at most once per Visma company per day for company settings, fiscal years,
    accounts and cost centers; a failed check drops that company's cached reads.
    """
    return checklist_for(run.company, target_of(run), client_factory=client_factory, cache=cache)


def checklist_for(
    company: PayrollCompany,
    target: Target,
    *,
    client_factory: ClientFactory | None = None,
    cache: DailyCache | None = None,
) -> Checklist:
    """Run the checks of ``target`` against ``company``'s Visma books (cached reads)."""
    account = company.visma_account
    if target.connection_problem or account is None:
        return Checklist(tuple(run_checks(target, None)))
    cache = cache or DailyCache()
    if account.status == AccountStatus.AUTHORIZATION_NEEDED:
        # refused for a reason Visma may have lifted: ask Visma, not the day's reads
        cache.invalidate(target.company_key)
    client = (client_factory or default_client)(account)
    return checklist_with(client, target, cache=cache)


def checklist_with(
    client: BooksClient, target: Target, *, cache: DailyCache | None = None
) -> Checklist:
    """The checks of ``target`` read through ``client`` (left open: the send step shares it).

    A failure found on cached reads is confirmed on fresh ones before it is reported (a fix
    made in Visma since the reads must not stop a send); the failure drops the cached reads.
    ``target.connection_problem`` must be empty: with a known problem there is no client.
    """
    books = CachedBooks(client, target.company_key, cache or DailyCache())
    books.prefetch()
    checklist = Checklist(tuple(run_checks(target, books)))
    if not checklist.passed and books.read_from_cache:
        books.forget()
        books = CachedBooks(client, target.company_key, cache or DailyCache())
        checklist = Checklist(tuple(run_checks(target, books)))
    if not checklist.passed:
        books.forget()
    return checklist


def create_fiscal_year(
    run: PayrollRun,
    start_date: date,
    end_date: date,
    *,
    client_factory: ClientFactory | None = None,
    cache: DailyCache | None = None,
) -> FiscalYear:
    """The one-click fix, after the user confirmed the dates the checklist proposed.

    Refused unless the run's fiscal-year check fails with exactly this proposal, so a stale
    page cannot create a year nobody asked for.
    """
    proposed = _proposal(check_run(run, client_factory=client_factory, cache=cache))
    if proposed != CreateFiscalYear(start_date, end_date):
        raise FixRefusedError("The fiscal year check does not propose these dates (any more).")
    account = run.company.visma_account
    assert account is not None  # a proposal exists only for a working connection
    client = (client_factory or default_client)(account)
    books = CachedBooks(client, run.company.visma_company_id, cache or DailyCache())
    return books.create_fiscal_year(start_date, end_date)


def _proposal(checklist: Checklist) -> CreateFiscalYear | None:
    for item in checklist.item(CheckKey.FISCAL_YEAR):
        if item.status is Status.FAILED and item.fix is not None:
            return item.fix
    return None
