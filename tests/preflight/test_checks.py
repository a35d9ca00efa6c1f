"""The checks on a fake company: each failure on its item, with its catalog entry and fix."""

from __future__ import annotations

from datetime import date

import pytest

from payjournal.preflight import (
    CheckKey,
    Checklist,
    CreateFiscalYear,
    JournalRow,
    Status,
    Target,
    next_fiscal_year,
    run_checks,
)
from payjournal.visma import FiscalYear, InvalidGrantError, ModuleNotActivatedError
from tests.preflight.fakes import FY_2026, FakeBooks, account, cost_centers, settings

KEY = "SE5599001122"
ROWS = (JournalRow("7210", "PROD"), JournalRow("1930"), JournalRow("2710"))


def books(**overrides: object) -> FakeBooks:
    options: dict[str, object] = {"centers": cost_centers("PROD", "ADM")} | overrides
    fake = FakeBooks(**options)  # type: ignore[arg-type]
    fake.charts[FY_2026.id] = {n: account(n) for n in ("7210", "1930", "2710")}
    return fake


def check(
    fake: FakeBooks, day: date = date(2026, 11, 25), rows=ROWS, problem: str = ""
) -> Checklist:  # type: ignore[no-untyped-def]
    return Checklist(tuple(run_checks(Target(KEY, day, rows, problem), fake)))


def failures(checklist: Checklist) -> list[tuple[str, str, str]]:
    return [(i.key.value, i.code, i.subject) for i in checklist.failed]


def test_a_clean_journal_passes_every_check() -> None:
    checklist = check(books())
    assert checklist.passed
    assert [i.key for i in checklist.items] == list(CheckKey)


def test_a_known_connection_problem_reads_nothing() -> None:
    checklist = check(None, problem="not_authorized")  # type: ignore[arg-type]
    assert failures(checklist) == [("connection", "not_authorized", "")]
    assert checklist.item(CheckKey.FISCAL_YEAR)[0].status is Status.SKIPPED


def test_module_off_fails_the_api_item_with_visma_s_words() -> None:
    error = ModuleNotActivatedError("ForbiddenRequestException - No access to module: api_standard")
    checklist = check(books(fail_with=error))
    assert failures(checklist) == [("api_module", "module_not_activated", "")]
    explained = checklist.failed[0].explain("nl")
    assert explained is not None and "api_standard" in explained.original
    assert (
        explained.message == "De API module is nog niet geactiveerd voor deze Visma-administratie."
    )


def test_a_lost_grant_fails_the_connection() -> None:
    checklist = check(books(fail_with=InvalidGrantError("refused")))
    assert failures(checklist) == [("connection", "invalid_grant", "")]


def test_a_grant_bound_to_another_company_is_the_wrong_company() -> None:
    checklist = check(books(company=settings("SE0000000000")))
    assert failures(checklist) == [("connection", "wrong_company", "Nordisk Trä AB")]


def test_a_missing_fiscal_year_offers_the_next_one() -> None:
    checklist = check(books(), day=date(2027, 1, 25))
    assert failures(checklist) == [("fiscal_year", "fiscal_year_missing", "2027-01-25")]
    assert checklist.failed[0].fix == CreateFiscalYear(date(2027, 1, 1), date(2027, 12, 31))


def test_locked_year_and_lock_date() -> None:
    locked = FiscalYear(FY_2026.id, FY_2026.start_date, FY_2026.end_date, True)
    fake = books(years=[locked], company=settings(locked_to=date(2026, 11, 30)))
    assert failures(check(fake)) == [
        ("fiscal_year", "fiscal_year_locked", "2026-11-25"),
        ("period_open", "period_locked", "2026-11-30"),
    ]


def test_every_account_problem_is_reported_at_once() -> None:
    fake = books()
    fake.charts[FY_2026.id] = {
        "7210": account("7210", is_active=False),
        "1930": account("1930", is_blocked_for_manual_booking=True),
    }
    assert failures(check(fake)) == [
        ("accounts", "account_blocked_for_manual_booking", "1930"),
        ("accounts", "account_not_found", "2710"),
        ("accounts", "account_inactive", "7210"),
    ]


def test_cost_centers_must_exist_and_be_allowed() -> None:
    fake = books(centers=cost_centers("PROD", "OLD", inactive=("OLD",)))
    fake.charts[FY_2026.id]["2710"] = account("2710", is_cost_center_allowed=False)
    rows = (JournalRow("7210", "OLD"), JournalRow("2710", "PROD"), JournalRow("1930", "NOPE"))
    assert failures(check(fake, rows=rows)) == [
        ("cost_centers", "cost_center_item_missing", "NOPE / 1930"),
        ("cost_centers", "cost_center_item_missing", "OLD / 7210"),
        ("cost_centers", "cost_center_not_allowed", "PROD / 2710"),
    ]


def test_a_row_without_a_ledger_account_is_the_seed_s_ledger_error() -> None:
    checklist = check(books(), rows=(*ROWS, JournalRow("  ")))
    assert failures(checklist) == [("ledger_accounts", "unmapped_component", "4")]
    explained = checklist.failed[0].explain("en")
    # found by the pre-flight: no Visma message is shown as if Visma had answered it
    assert explained is not None and explained.original == ""
    assert checklist.failed[0].found_before_sending


@pytest.mark.parametrize(
    ("years", "day", "expected"),
    [
        ((), date(2027, 3, 1), (date(2027, 1, 1), date(2027, 12, 31))),
        ((FY_2026,), date(2027, 3, 1), (date(2027, 1, 1), date(2027, 12, 31))),
        (
            (FiscalYear(FY_2026.id, date(2025, 7, 1), date(2026, 6, 30)),),
            date(2026, 8, 1),
            (date(2026, 7, 1), date(2027, 6, 30)),
        ),
    ],
)
def test_next_fiscal_year(
    years: tuple[FiscalYear, ...], day: date, expected: tuple[date, date]
) -> None:
    assert next_fiscal_year(years, day) == CreateFiscalYear(*expected)


def test_the_api_form_of_a_checklist() -> None:
    data = check(books(), day=date(2027, 1, 25)).as_dict("nl")
    assert data["passed"] is False
    year = next(i for i in data["items"] if i["key"] == "fiscal_year")
    assert year["status"] == "failed" and year["error"]["code"] == "fiscal_year_missing"
    assert year["error"]["message"] == "Visma heeft geen boekjaar voor de boekdatum."
    assert year["fix"] == {
        "action": "create_fiscal_year",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
    }
