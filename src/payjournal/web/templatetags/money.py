"""Money as pages show it: ``{{ money|money }}`` for a :class:`~payjournal.domain.money.Money`,
``{{ units|minor:currency }}`` for integer minor units from the database. The currency's
decimals come from :class:`~payjournal.domain.money.Money` (never a float, never a fixed two);
the separators are the reader's language's (:mod:`payjournal.catalog.formats`): "1 234.50",
"1.234,50", "1 234,50".
"""

from __future__ import annotations

from django import template

from payjournal.catalog.formats import amount
from payjournal.domain.money import Money

register = template.Library()


@register.filter
def money(value: Money) -> str:
    """``value`` with its currency's decimals, thousands grouped: "1 234.50", "12 345" (yen)."""
    return amount(value)


@register.filter
def minor(units: int, currency: str) -> str:
    """Integer minor units of ``currency`` (as the database stores them) as a page shows them."""
    return money(Money.from_minor_units(int(units), currency))
