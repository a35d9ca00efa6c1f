"""Money as pages show it: ``{{ money|money }}`` for a :class:`~payjournal.domain.money.Money`,
``{{ units|minor:currency }}`` for integer minor units from the database. The currency's
decimals come from :class:`~payjournal.domain.money.Money` (never a float, never a fixed two);
thousands are set apart by a narrow no-break space (:data:`~payjournal.domain.money.THOUSANDS`).
"""

from __future__ import annotations

from django import template

from payjournal.domain.money import THOUSANDS, Money

register = template.Library()


@register.filter
def money(value: Money) -> str:
    """``value`` with its currency's decimals, thousands grouped: "1 234.50", "12 345" (yen)."""
    return value.formatted(THOUSANDS)


@register.filter
def minor(units: int, currency: str) -> str:
    """Integer minor units of ``currency`` (as the database stores them) as a page shows them."""
    return money(Money.from_minor_units(int(units), currency))
