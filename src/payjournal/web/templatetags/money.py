"""``{{ units|minor:currency }}``: integer minor units as a decimal amount (never a float)."""

from __future__ import annotations

from django import template

from payjournal.domain.money import Money

register = template.Library()


@register.filter
def minor(units: int, currency: str) -> str:
    amount = Money.from_minor_units(int(units), currency).amount
    return f"{amount:,.2f}".replace(",", "\u202f")
