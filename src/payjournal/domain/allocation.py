"""Splitting an amount over percentages so the parts add up exactly (largest remainder)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

__all__ = ["split_by_percentages"]

HUNDRED = Decimal(100)


def split_by_percentages(
    amount: Decimal, percentages: Sequence[Decimal], unit: Decimal
) -> list[Decimal]:
    """Split `amount` into parts proportional to `percentages` (which add up to 100).

    Each part is a multiple of `unit`; the parts add up to exactly `amount` (which must itself be
    a multiple of `unit`). Units left over after rounding every part down go, one each, to the
    parts with the largest remainders; ties go to the earlier part, so the result is stable.
    """
    units = int(amount / unit)
    if units * unit != amount:
        raise ValueError(f"{amount} is not a whole number of {unit}")
    sign = -1 if units < 0 else 1
    units = abs(units)
    floors: list[int] = []
    remainders: list[tuple[Decimal, int]] = []
    for index, percentage in enumerate(percentages):
        exact = units * percentage / HUNDRED
        floor = int(exact)  # exact >= 0, so int() rounds down
        floors.append(floor)
        remainders.append((exact - floor, index))
    left = units - sum(floors)
    for _, index in sorted(remainders, key=lambda item: (-item[0], item[1]))[:left]:
        floors[index] += 1
    return [sign * part * unit for part in floors]
