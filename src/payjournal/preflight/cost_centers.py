"""Which Visma cost center item a journal row's dimension names — one rule for the check before
a send (:mod:`payjournal.preflight.checks`) and for the voucher it posts
(:mod:`payjournal.sending.voucher`), so a dimension the check passed is never refused after.

A dimension names an active item of an active cost center by the item's short name or its name,
in any case; where two share a name, the lowest-numbered center's (then the first item's) wins.

The day's cache keeps this index, not the cost centers it was made of
(:class:`~payjournal.preflight.books.CachedBooks`): it is what both the check and the voucher
need, and in plain values (a name, a number, an id as text) it unpickles without making an
object per item, which a send's pre-flight would pay for every journal.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from payjournal.visma import CostCenter

__all__ = ["CostCenterItems"]


class CostCenterItems:
    """The active cost center items of a Visma company by the names a dimension may use."""

    __slots__ = ("_by_name",)

    def __init__(self, centers: Iterable[CostCenter]) -> None:
        by_name: dict[str, tuple[int, str]] = {}  # casefolded name → (center, item id as text)
        for center in sorted(centers, key=lambda c: c.number):
            if not center.is_active:
                continue
            for item in center.items:
                if not item.is_active:
                    continue
                for name in (item.short_name, item.name):
                    if name:
                        by_name.setdefault(name.casefold(), (center.number, str(item.id)))
        self._by_name = by_name

    def find(self, dimension: str) -> tuple[int, UUID] | None:
        """The cost center's number (1–3) and the item's id that ``dimension`` names, if any."""
        found = self._by_name.get(dimension.casefold())
        return None if found is None else (found[0], UUID(found[1]))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CostCenterItems) and self._by_name == other._by_name

    def __repr__(self) -> str:
        return f"CostCenterItems({len(self._by_name)} names)"
