"""A pay period comes back from the label it is stored under."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payjournal.domain.run import PayPeriod

START, END = date(2026, 9, 1), date(2026, 9, 30)


@given(year=st.integers(1900, 2199), number=st.integers(1, 53))
def test_a_period_reads_back_from_its_label(year: int, number: int) -> None:
    period = PayPeriod(year, number, START, END)
    assert PayPeriod.from_label(period.label, START, END) == period


@pytest.mark.parametrize("label", ["", "2026", "2026-", "-09", "2026-W9", "September", "2026 09"])
def test_a_label_that_is_no_period_is_refused(label: str) -> None:
    with pytest.raises(ValueError, match="is not a period label"):
        PayPeriod.from_label(label, START, END)
