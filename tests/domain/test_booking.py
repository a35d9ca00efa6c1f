"""The booking of a run id across versions, as ledgers: what is booked, what comes next, and the
rows of reversals and differences."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payjournal.domain.booking import (
    NOTHING,
    CorrectionMode,
    LegKind,
    LegPlan,
    SettledLeg,
    booked_version,
    difference_rows,
    legs_to,
    net_by_account,
    next_leg,
    reversed_rows,
)
from payjournal.domain.journal import JournalRow, Side
from payjournal.domain.money import Money

REVERSE = CorrectionMode.REVERSE_AND_REBOOK
DIFFERENCE = CorrectionMode.DIFFERENCE


def rows(table: str) -> tuple[JournalRow, ...]:
    """``account side amount [dimension]`` per line."""
    found = []
    for line in table.strip().splitlines():
        account, side, amount, *dimension = line.split()
        found.append(
            JournalRow(
                account, Side(side), Money.of(amount, "EUR"), f"row {account}", *dimension[:1]
            )
        )
    return tuple(found)


SEPTEMBER_V1 = rows("""
    4000 debit  3450.00 PROD
    4000 debit  2100.00 SALES
    1500 credit 1275.47
    1600 credit 4274.53
""")
SEPTEMBER_V2 = rows("""
    4000 debit  3550.00 PROD
    4000 debit  2100.00 SALES
    1500 credit 1312.47
    1600 credit 4337.53
""")


def test_booked_version_folds_the_settled_legs() -> None:
    assert booked_version([]) == NOTHING
    assert booked_version([SettledLeg(LegKind.FULL, 1)]) == 1
    assert booked_version([SettledLeg(LegKind.FULL, 1), SettledLeg(LegKind.REVERSAL, 1)]) == 0
    assert (
        booked_version(
            [
                SettledLeg(LegKind.FULL, 1),
                SettledLeg(LegKind.DIFFERENCE, 3),
                SettledLeg(LegKind.REVERSAL, 3),
                SettledLeg(LegKind.FULL, 4),
            ]
        )
        == 4
    )


def test_a_reversal_of_a_version_that_is_not_booked_is_refused() -> None:
    with pytest.raises(ValueError, match="reversal of v2 while v1"):
        booked_version([SettledLeg(LegKind.FULL, 1), SettledLeg(LegKind.REVERSAL, 2)])


@pytest.mark.parametrize(
    ("booked", "wanted", "mode", "legs"),
    [
        (0, 1, REVERSE, [LegPlan(LegKind.FULL, 1)]),
        (1, 1, REVERSE, []),
        (1, 2, REVERSE, [LegPlan(LegKind.REVERSAL, 1), LegPlan(LegKind.FULL, 2)]),
        (1, 2, DIFFERENCE, [LegPlan(LegKind.DIFFERENCE, 2, base=1)]),
        (1, 0, REVERSE, [LegPlan(LegKind.REVERSAL, 1)]),
        (1, 0, DIFFERENCE, [LegPlan(LegKind.REVERSAL, 1)]),
        (0, 0, DIFFERENCE, []),
        (0, 3, DIFFERENCE, [LegPlan(LegKind.FULL, 3)]),
    ],
)
def test_the_legs_from_what_is_booked_to_what_is_wanted(
    booked: int, wanted: int, mode: CorrectionMode, legs: list[LegPlan]
) -> None:
    assert list(legs_to(booked, wanted, mode)) == legs


def test_a_version_that_books_the_same_is_recorded_with_no_voucher() -> None:
    for mode in CorrectionMode:
        assert next_leg(1, 2, mode, books_the_same=True) == LegPlan(
            LegKind.DIFFERENCE, 2, base=1, is_empty=True
        )


def test_a_reversal_swaps_debit_and_credit() -> None:
    assert reversed_rows(SEPTEMBER_V1) == rows("""
        4000 credit 3450.00 PROD
        4000 credit 2100.00 SALES
        1500 debit  1275.47
        1600 debit  4274.53
    """)


def test_the_difference_holds_new_minus_old_and_leaves_zero_rows_out() -> None:
    assert difference_rows(SEPTEMBER_V1, SEPTEMBER_V2, "EUR") == rows("""
        4000 debit  100.00 PROD
        1500 credit  37.00
        1600 credit  63.00
    """)


def test_a_fall_goes_to_the_other_side_and_a_vanished_row_is_reversed() -> None:
    new = rows("""
        4000 debit  3400.00 PROD
        1500 credit 1275.47
        1600 credit 2124.53
    """)
    assert difference_rows(SEPTEMBER_V1, new, "EUR") == rows("""
        4000 credit   50.00 PROD
        1600 debit  2150.00
        4000 credit 2100.00 SALES
    """)


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100000), places=2)
accounts = st.sampled_from(["4000", "4100", "1500", "1600"])
dimensions = st.sampled_from([None, "PROD", "SALES"])


@st.composite
def journals(draw: st.DrawFn) -> tuple[JournalRow, ...]:
    debits = draw(st.lists(st.tuples(accounts, amounts, dimensions), min_size=1, max_size=6))
    total = sum((amount for _, amount, _ in debits), Decimal(0))
    found = [JournalRow(a, Side.DEBIT, Money.of(x, "EUR"), "d", d) for a, x, d in debits]
    found.append(JournalRow(draw(accounts), Side.CREDIT, Money.of(total, "EUR"), "c"))
    return tuple(found)


def _plus(*parts: dict[tuple[str, str], Money]) -> dict[tuple[str, str], Money]:
    total: dict[tuple[str, str], Money] = {}
    for part in parts:
        for key, amount in part.items():
            total[key] = total[key] + amount if key in total else amount
    return {key: amount for key, amount in total.items() if not amount.is_zero()}


@given(journals(), journals())
def test_booked_plus_difference_nets_to_the_new_journal(
    old: tuple[JournalRow, ...], new: tuple[JournalRow, ...]
) -> None:
    change = difference_rows(old, new, "EUR")
    assert _plus(net_by_account(old), net_by_account(change)) == net_by_account(new)
    debit = sum((r.amount.amount for r in change if r.side is Side.DEBIT), Decimal(0))
    credit = sum((r.amount.amount for r in change if r.side is Side.CREDIT), Decimal(0))
    assert debit == credit


@given(journals())
def test_a_journal_plus_its_reversal_nets_to_nothing(journal: tuple[JournalRow, ...]) -> None:
    assert _plus(net_by_account(journal), net_by_account(reversed_rows(journal))) == {}
