"""A journal frozen in minor units and loaded back: the same journal, amounts through Money."""

from __future__ import annotations

from datetime import date

import pytest

from payjournal.domain.formats import read_run, read_scheme
from payjournal.domain.journal import Journal, JournalRow, Side, UnbalancedJournalError
from payjournal.domain.money import Money
from payjournal.domain.posting import build_journal
from payjournal.domain.run import PayPeriod, RunKind
from payjournal.payroll.journals import journal_total, load_journal, store_journal, store_journals
from payjournal.payroll.models import JournalLine, PayrollCompany, PayrollRun
from payjournal.payroll.samples import samples_dir
from payjournal.payroll.services import in_voucher_language
from payjournal.sending.services import import_run
from tests.fixtures.tenants import Tenant

pytestmark = pytest.mark.django_db

SEPTEMBER = PayPeriod(2026, 9, date(2026, 9, 1), date(2026, 9, 30))


def stored_run(company: PayrollCompany, run_id: str, currency: str) -> PayrollRun:
    return PayrollRun.objects.create(
        company=company,
        run_id=run_id,
        version=1,
        kind=RunKind.OFF_CYCLE.value,
        period_label=SEPTEMBER.label,
        period_start=SEPTEMBER.start,
        period_end=SEPTEMBER.end,
        payment_date=date(2026, 9, 25),
        currency=currency,
        source_name="test",
        source_sha256=run_id,
    )


def journal_in(company: PayrollCompany, run_id: str, currency: str, amount: str) -> Journal:
    money = Money.of(amount, currency)
    return Journal(
        company=company.key,
        run_id=run_id,
        run_kind=RunKind.OFF_CYCLE,
        period=SEPTEMBER,
        currency=currency,
        voucher_date=date(2026, 9, 30),
        voucher_text=f"Bonus {run_id}",
        rows=(
            JournalRow("7010", Side.DEBIT, money, "Bonus", "PROD", "E1"),
            JournalRow("1930", Side.CREDIT, money, "Net pay", is_rounding=True),
        ),
    )


@pytest.mark.parametrize(
    ("key", "name"), [("nl-bakkerij", "run-2026-09.json"), ("se-nordisk", "run-2026-09.csv")]
)
def test_an_imported_run_loads_as_the_journal_it_was_built_as(
    tenant: Tenant, key: str, name: str
) -> None:
    company = tenant.bakkerij if key == "nl-bakkerij" else tenant.nordisk
    data = (samples_dir() / key / name).read_bytes()
    parsed = read_run(data, name)
    scheme = read_scheme(company.scheme_source.encode(), company.scheme_filename)
    # built as import builds it: the voucher text in the company's language (kind included)
    built = build_journal(
        parsed, in_voucher_language(scheme, company, parsed.kind, parsed.currency)
    )
    run = import_run(company, data, name).run

    loaded = load_journal(run.journal)

    assert loaded == built
    assert loaded.fingerprint() == run.journal.fingerprint
    assert journal_total(run.journal) == built.debit_total


def test_a_currency_without_cents_comes_back_as_it_was_stored(tenant: Tenant) -> None:
    journal = journal_in(tenant.bakkerij, "B1", "ISK", "125000")
    snapshot = store_journal(stored_run(tenant.bakkerij, "B1", "ISK"), journal)

    assert list(snapshot.lines.values_list("amount_minor", flat=True)) == [125000, 125000]
    assert snapshot.total_minor == 125000
    assert load_journal(snapshot) == journal
    assert journal_total(snapshot) == Money.of("125000", "ISK")


def test_many_journals_are_stored_each_with_its_own_rows_in_order(tenant: Tenant) -> None:
    pairs = [
        (
            stored_run(tenant.bakkerij, run_id, "EUR"),
            journal_in(tenant.bakkerij, run_id, "EUR", amount),
        )
        for run_id, amount in (("B1", "10.05"), ("B2", "2000"), ("B3", "0.01"))
    ]
    snapshots = store_journals(pairs)

    assert [load_journal(s) for s in snapshots] == [journal for _run, journal in pairs]
    assert [s.run.run_id for s in snapshots] == ["B1", "B2", "B3"]


def test_a_stored_journal_that_no_longer_balances_is_refused_when_loaded(
    tenant: Tenant,
) -> None:
    snapshot = store_journal(
        stored_run(tenant.bakkerij, "B1", "EUR"), journal_in(tenant.bakkerij, "B1", "EUR", "10")
    )
    JournalLine.objects.filter(journal=snapshot, position=1).update(amount_minor=999)

    with pytest.raises(UnbalancedJournalError, match="debit 9.99 EUR ≠ credit 10.00 EUR"):
        load_journal(snapshot)
