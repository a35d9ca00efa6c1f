"""Money as pages show it: ``{{ units|minor:currency }}`` for integer minor units from the
database, :func:`amount` for :class:`~payjournal.domain.money.Money` in code. The currency's
decimals come from :class:`~payjournal.domain.money.Money` (never a float, never a fixed two);
thousands are set apart by a narrow no-break space."""

from __future__ import annotations

from django import template

from payjournal.domain.money import Money

register = template.Library()

#: Between groups of thousands: a narrow no-break space, as in "1 234.50".
THOUSANDS = "\u202f"


def amount(money: Money) -> str:
    """``money`` with its currency's decimals, thousands grouped: "1 234.50", "12 345" (yen)."""
    return money.formatted(THOUSANDS)


@register.filter
def minor(units: int, currency: str) -> str:
    """Integer minor units of ``currency`` (as the database stores them) as a page shows them."""
    return amount(Money.from_minor_units(int(units), currency))
