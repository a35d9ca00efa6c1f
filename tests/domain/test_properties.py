"""Properties of build_journal over generated runs: it balances, it preserves each component's
total, and it does not care in which order the lines come."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from payjournal.domain.journal import Side
from payjournal.domain.posting import build_journal, check_run
from payjournal.domain.run import CostShare, PayPeriod, PayrollLine, PayrollRun, RunKind
from payjournal.domain.scheme import ComponentMapping, CostCenterSide, DetailLevel, LedgerScheme

COMPONENTS = ("GROSS", "TAX", "PENSION", "SOCIAL")
DEPARTMENTS = ("PROD", "SHOP", "ADM")
PERIOD = PayPeriod(2026, 9, date(2026, 9, 1), date(2026, 9, 30))


def scheme(detail: DetailLevel, side: CostCenterSide) -> LedgerScheme:
    """Each component on accounts of its own, so per-component totals can be read back."""
    components = {
        code: ComponentMapping(code, str(4000 + n), str(1600 + n), side, code.title())
        for n, code in enumerate(COMPONENTS)
    }
    return LedgerScheme(
        "prop", components, "9990", detail=detail, dimensions={d: f"I-{d}" for d in DEPARTMENTS}
    )


amounts = st.decimals(min_value=Decimal("-99999.9999"), max_value=Decimal("99999.9999"), places=4)
cent_amounts = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2)
allocations = st.sampled_from(
    [
        (),
        (CostShare("PROD", Decimal(100)),),
        (CostShare("PROD", Decimal(60)), CostShare("SHOP", Decimal(40))),
        (
            CostShare("PROD", Decimal("33.33")),
            CostShare("SHOP", Decimal("33.33")),
            CostShare("ADM", Decimal("33.34")),
        ),
    ]
)


@st.composite
def runs(draw: st.DrawFn, amount_strategy: st.SearchStrategy[Decimal] = amounts) -> PayrollRun:
    lines = draw(
        st.lists(
            st.builds(
                PayrollLine,
                employee_id=st.sampled_from(["1", "2", "3", "4"]),
                component=st.sampled_from(COMPONENTS),
                amount=amount_strategy,
                department=st.sampled_from((None, *DEPARTMENTS)),
                allocation=allocations,
                employee_name=st.none(),
                line_no=st.just(0),
            ),
            min_size=1,
            max_size=40,
        )
    )
    return PayrollRun("acme", "R1", RunKind.REGULAR, PERIOD, date(2026, 9, 25), "EUR", tuple(lines))


details = st.sampled_from(list(DetailLevel))
sides = st.sampled_from(list(CostCenterSide))


@settings(max_examples=300)
@given(run=runs(), detail=details, side=sides)
def test_every_buildable_run_balances_to_the_cent(run, detail, side):
    ledger = scheme(detail, side)
    if check_run(run, ledger):
        return  # e.g. everything netted to zero: nothing to book
    journal = build_journal(run, ledger)
    assert journal.debit_total == journal.credit_total
    assert all(row.amount.amount > 0 for row in journal.rows)
    assert all(
        row.amount.amount == row.amount.amount.quantize(Decimal("0.01")) for row in journal.rows
    )


@settings(max_examples=300)
@given(run=runs(cent_amounts), detail=details, side=sides)
def test_each_component_total_is_preserved_on_its_accounts(run, detail, side):
    ledger = scheme(detail, side)
    if check_run(run, ledger):
        return
    journal = build_journal(run, ledger)
    assert journal.rounding_rows == ()  # cent amounts never need rounding
    for n, code in enumerate(COMPONENTS):
        expected = sum((line.amount for line in run.lines if line.component == code), Decimal(0))
        debit_account, credit_account = str(4000 + n), str(1600 + n)
        booked_debit = sum(
            (row.amount.amount if row.side is Side.DEBIT else -row.amount.amount)
            for row in journal.rows
            if row.account == debit_account
        )
        booked_credit = sum(
            (row.amount.amount if row.side is Side.CREDIT else -row.amount.amount)
            for row in journal.rows
            if row.account == credit_account
        )
        assert booked_debit == expected == booked_credit


@settings(max_examples=200)
@given(run=runs(), detail=details, side=sides, data=st.data())
def test_the_journal_does_not_depend_on_line_order(run, detail, side, data):
    ledger = scheme(detail, side)
    shuffled = data.draw(st.permutations(run.lines))
    other = PayrollRun(
        run.company,
        run.run_id,
        run.kind,
        run.period,
        run.payment_date,
        run.currency,
        tuple(shuffled),
    )
    first, second = check_run(run, ledger), check_run(other, ledger)
    assert [p.code for p in first] == [p.code for p in second]
    if not first:
        assert build_journal(run, ledger) == build_journal(other, ledger)
