"""Amounts on pages: integer minor units from the database shown with their currency's
decimals — two for euros and kronor, none for yen or Icelandic krónur — grouped by thousands."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from payjournal.domain.money import Money
from payjournal.web.templatetags.money import minor
from payjournal.web.templatetags.money import money as amount

NARROW = "\u202f"


@pytest.mark.parametrize(
    ("units", "currency", "shown"),
    [
        (123456, "EUR", f"1{NARROW}234.56"),
        (-5, "SEK", "-0.05"),
        (123456, "JPY", f"123{NARROW}456"),
        (7, "ISK", "7"),
    ],
)
def test_minor_units_are_shown_with_their_currencys_decimals(
    units: int, currency: str, shown: str
) -> None:
    assert minor(units, currency) == shown
    assert amount(Money.from_minor_units(units, currency)) == shown
    page = Template("{% load money %}{{ units|minor:currency }}").render(
        Context({"units": units, "currency": currency})
    )
    assert page == shown
