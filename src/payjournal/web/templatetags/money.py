"""``{{ money|money }}``: a :class:`Money` as a decimal amount with thin-space thousands (never
a float); ``{{ units|minor:currency }}``: integer minor units the same way."""

from __future__ import annotations

from django import template

from payjournal.domain.money import Money

register = template.Library()


@register.filter
def money(value: Money) -> str:
    return f"{value.amount:,.2f}".replace(",", "\u202f")


@register.filter
def minor(units: int, currency: str) -> str:
    return money(Money.from_minor_units(int(units), currency))
