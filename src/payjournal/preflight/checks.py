"""The checks themselves, on plain values and a :class:`~.books.Books` port (no Django models),
so they read like the checklist: connection, API module, rows with accounts, fiscal year, lock
date, accounts, cost centers. Every problem is reported, not only the first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from payjournal.integrations.identity import CompanyIdentity, company_key, mismatch
from payjournal.preflight.books import Books
from payjournal.preflight.checklist import CheckItem, CheckKey, CreateFiscalYear, Status
from payjournal.preflight.cost_centers import CostCenterItems
from payjournal.visma import (
    Account,
    CompanySettings,
    FiscalYear,
    PermissionDeniedError,
    VismaError,
)

__all__ = ["CompanyIdentity", "JournalRow", "Target", "next_fiscal_year", "run_checks"]


@dataclass(frozen=True, slots=True)
class JournalRow:
    account: str
    dimension: str = ""


@dataclass(frozen=True, slots=True)
class Target:
    """Where the journal goes and what it books. ``connection_problem`` is a catalog code when
    payjournal already knows the connection cannot work (no mapping, grant lost, re-bound)."""

    company_key: str
    voucher_date: date
    rows: tuple[JournalRow, ...]
    connection_problem: str = ""
    #: the payroll company's organisation number and currency, which the Visma company's
    #: settings must match
    identity: CompanyIdentity = field(default_factory=CompanyIdentity)


def _passed(key: CheckKey) -> CheckItem:
    return CheckItem(key, Status.PASSED)


def _failed(key: CheckKey, code: str, subject: str = "", **extra: object) -> CheckItem:
    return CheckItem(key, Status.FAILED, code, subject, **extra)  # type: ignore[arg-type]


def _skipped(*keys: CheckKey) -> list[CheckItem]:
    return [CheckItem(key, Status.SKIPPED) for key in keys]


def next_fiscal_year(years: tuple[FiscalYear, ...], day: date) -> CreateFiscalYear:
    """The fiscal year to create: the one after the latest (same length, contiguous), or the
    calendar year of ``day`` when the company has none."""
    if not years:
        return CreateFiscalYear(date(day.year, 1, 1), date(day.year, 12, 31))
    latest = max(years, key=lambda y: y.end_date)
    start = latest.end_date + timedelta(days=1)
    try:
        end = start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:  # started on 29 February
        end = start.replace(year=start.year + 1, day=28)
    return CreateFiscalYear(start, end)


def run_checks(target: Target, books: Books | None) -> list[CheckItem]:
    """Every check in order; later checks are skipped when the connection cannot be used.
    ``books`` may be ``None`` only when ``target.connection_problem`` is set."""
    later = (
        CheckKey.FISCAL_YEAR,
        CheckKey.PERIOD_OPEN,
        CheckKey.ACCOUNTS,
        CheckKey.COST_CENTERS,
    )
    rows = _check_rows(target)
    if target.connection_problem:
        return [
            _failed(CheckKey.CONNECTION, target.connection_problem),
            *_skipped(CheckKey.API_MODULE),
            rows,
            *_skipped(*later),
        ]
    if books is None:
        raise ValueError("a target without a connection problem needs the company's books")
    try:
        settings = books.company_settings()
    except PermissionDeniedError as exc:
        return [
            _passed(CheckKey.CONNECTION),
            _failed(CheckKey.API_MODULE, exc.code, error=exc),
            rows,
            *_skipped(*later),
        ]
    except VismaError as exc:
        return [
            _failed(CheckKey.CONNECTION, exc.code, error=exc),
            *_skipped(CheckKey.API_MODULE),
            rows,
            *_skipped(*later),
        ]
    if company_key(settings) != target.company_key:
        bound = _failed(CheckKey.CONNECTION, "wrong_company", settings.name)
        return [bound, _passed(CheckKey.API_MODULE), rows, *_skipped(*later)]
    wrong = mismatch(target.identity, settings.corporate_identity_number, settings.currency_code)
    if wrong is not None:  # one item, not one per account the other company's chart lacks
        bound = _failed(CheckKey.CONNECTION, wrong.code, wrong.subject)
        return [bound, _passed(CheckKey.API_MODULE), rows, *_skipped(*later)]
    items = [_passed(CheckKey.CONNECTION), _passed(CheckKey.API_MODULE), rows]
    try:
        items.extend(_check_books(target, books, settings))
    except VismaError as exc:  # a read failed half-way: say so on the item it concerns
        done = {item.key for item in items}
        pending = [key for key in later if key not in done]
        items.append(_failed(pending[0], exc.code, error=exc))
        items.extend(_skipped(*pending[1:]))
    return items


def _check_rows(target: Target) -> CheckItem:
    empty = [str(n) for n, row in enumerate(target.rows, start=1) if not row.account.strip()]
    if empty:
        return _failed(CheckKey.LEDGER_ACCOUNTS, "unmapped_component", ", ".join(empty))
    return _passed(CheckKey.LEDGER_ACCOUNTS)


def _check_books(target: Target, books: Books, settings: CompanySettings) -> list[CheckItem]:
    day = target.voucher_date
    years = books.fiscal_years()
    year = next((y for y in years if y.contains(day)), None)
    items: list[CheckItem] = []
    if year is None:
        fix = next_fiscal_year(years, day)
        items.append(_failed(CheckKey.FISCAL_YEAR, "fiscal_year_missing", day.isoformat(), fix=fix))
    elif year.is_locked_for_accounting:
        items.append(_failed(CheckKey.FISCAL_YEAR, "fiscal_year_locked", day.isoformat()))
    else:
        items.append(_passed(CheckKey.FISCAL_YEAR))
    locked_to = settings.accounting_locked_to
    if locked_to is not None and day <= locked_to:
        items.append(
            _failed(
                CheckKey.PERIOD_OPEN,
                "period_locked",
                locked_to.isoformat(),
                voucher_date=day,
                lock_date=locked_to,
            )
        )
    else:
        items.append(_passed(CheckKey.PERIOD_OPEN))
    if year is None:
        return [*items, *_skipped(CheckKey.ACCOUNTS, CheckKey.COST_CENTERS)]
    chart = books.accounts(year.id)
    items.extend(_check_accounts(target.rows, chart))
    if any(row.dimension for row in target.rows):
        items.extend(_check_cost_centers(target.rows, chart, books.cost_center_items()))
    else:
        items.append(_passed(CheckKey.COST_CENTERS))
    return items


def _check_accounts(rows: tuple[JournalRow, ...], chart: Mapping[str, Account]) -> list[CheckItem]:
    failed: list[CheckItem] = []
    for number in sorted({row.account for row in rows if row.account.strip()}):
        account = chart.get(number)
        if account is None:
            failed.append(_failed(CheckKey.ACCOUNTS, "account_not_found", number))
        elif not account.is_active:
            failed.append(_failed(CheckKey.ACCOUNTS, "account_inactive", number))
        elif account.is_blocked_for_manual_booking:
            failed.append(_failed(CheckKey.ACCOUNTS, "account_blocked_for_manual_booking", number))
    return failed or [_passed(CheckKey.ACCOUNTS)]


def _check_cost_centers(
    rows: tuple[JournalRow, ...],
    chart: Mapping[str, Account],
    items: CostCenterItems,
) -> list[CheckItem]:
    failed: list[CheckItem] = []
    pairs = sorted({(row.dimension, row.account) for row in rows if row.dimension})
    for dimension, number in pairs:
        subject = f"{dimension} / {number}"
        if items.find(dimension) is None:
            failed.append(_failed(CheckKey.COST_CENTERS, "cost_center_item_missing", subject))
            continue
        account = chart.get(number)
        if account is not None and not account.is_cost_center_allowed:
            failed.append(_failed(CheckKey.COST_CENTERS, "cost_center_not_allowed", subject))
    return failed or [_passed(CheckKey.COST_CENTERS)]
