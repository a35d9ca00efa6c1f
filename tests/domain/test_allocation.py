"""Largest remainder: the parts of a split add up to the whole, to the cent."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payjournal.domain.allocation import split_by_percentages

CENT = Decimal("0.01")


@pytest.mark.parametrize(
    ("amount", "percentages", "expected"),
    [
        ("100.00", ["33.33", "33.33", "33.34"], ["33.33", "33.33", "33.34"]),
        ("0.10", ["33.33", "33.33", "33.34"], ["0.03", "0.03", "0.04"]),
        ("10.00", ["50", "50"], ["5.00", "5.00"]),
        ("0.01", ["50", "50"], ["0.01", "0.00"]),  # a tie goes to the earlier part
        ("-0.10", ["33.33", "33.33", "33.34"], ["-0.03", "-0.03", "-0.04"]),
        ("1000.01", ["60", "40"], ["600.01", "400.00"]),
    ],
)
def test_split_examples(amount, percentages, expected):
    parts = split_by_percentages(Decimal(amount), [Decimal(p) for p in percentages], CENT)
    assert parts == [Decimal(e) for e in expected]


def test_an_amount_finer_than_the_unit_is_refused():
    with pytest.raises(ValueError, match="whole number"):
        split_by_percentages(Decimal("1.001"), [Decimal(100)], CENT)


@st.composite
def percentages(draw):
    cuts = sorted(draw(st.lists(st.integers(1, 9_999), min_size=0, max_size=6, unique=True)))
    bounds = [0, *cuts, 10_000]
    return [Decimal(b - a) / 100 for a, b in itertools.pairwise(bounds)]


@given(cents=st.integers(-(10**11), 10**11), shares=percentages())
def test_parts_always_add_up_and_stay_within_a_cent_of_exact(cents, shares):
    amount = Decimal(cents) * CENT
    parts = split_by_percentages(amount, shares, CENT)
    assert sum(parts) == amount
    for part, share in zip(parts, shares, strict=True):
        assert abs(part - amount * share / 100) < CENT
