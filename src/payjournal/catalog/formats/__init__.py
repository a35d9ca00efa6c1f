"""Numbers, amounts and dates in the reader's language.

The per-language conventions live in Django format modules next to this file
(``FORMAT_MODULE_PATH``): English ``1 234.56`` and ``2026-11-26``, Dutch ``1.234,56`` and
``26-11-2026``, Swedish ``1 234,56`` and ``2026-11-26``. Templates use them through
``|date:"SHORT_DATE_FORMAT"`` and the ``money`` filter; Python code that builds many rows at once
(the dashlet) takes a :class:`Reading` once per render — amounts are still formatted by
:meth:`Money.formatted <payjournal.domain.money.Money.formatted>`, the one way to format money.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import formats, timezone

from payjournal.domain.money import Money

__all__ = ["Reading", "amount", "day", "moment"]

#: Django's date format letters payjournal's formats use, as ``strftime`` directives.
_STRFTIME = {"Y": "%Y", "m": "%m", "d": "%d", "H": "%H", "i": "%M", "s": "%S"}


def _strftime(django_format: str) -> str:
    return "".join(_STRFTIME.get(char, char) for char in django_format)


class Reading:
    """The current language's separators and date patterns, read once (a page of 1,000 rows
    formats with plain ``strftime`` and string joins, no per-row format lookups)."""

    __slots__ = ("_date", "decimal", "minute", "thousands")

    def __init__(self) -> None:
        self.decimal = str(formats.get_format("DECIMAL_SEPARATOR"))
        self.thousands = str(formats.get_format("THOUSAND_SEPARATOR"))
        self._date = _strftime(str(formats.get_format("SHORT_DATE_FORMAT")))
        #: the ``strftime`` pattern of a moment to the minute
        self.minute = _strftime(str(formats.get_format("SHORT_DATETIME_FORMAT")))

    def amount(self, money: Money) -> str:
        """``money`` with its currency's decimals, grouped: "1.234,56" in Dutch."""
        return money.formatted(self.thousands, self.decimal)

    def day(self, value: date) -> str:
        return value.strftime(self._date)

    def moment(self, value: datetime) -> str:
        """``value`` in the current time zone, to the minute."""
        return timezone.localtime(value).strftime(self.minute)


def amount(money: Money) -> str:
    return Reading().amount(money)


def day(value: date) -> str:
    return Reading().day(value)


def moment(value: datetime) -> str:
    return Reading().moment(value)
