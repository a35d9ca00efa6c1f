"""Money: a `Decimal` amount in an ISO 4217 currency, quantized to the currency's minor unit.

There is one way to make money: :meth:`Money.of`. It accepts `Decimal`, `int` or a decimal
string, never `float`, and rounds half-up to the currency's minor unit (cents, öre). The
database stores :meth:`Money.minor_units`; :meth:`Money.from_minor_units` reads it back.
:meth:`Money.formatted` writes the amount with exactly the currency's decimals (two for euros,
none for yen), so no caller formats minor units by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["CURRENCY_EXPONENTS", "THOUSANDS", "Money", "MoneyError", "minor_unit", "quantize"]

#: Decimal places of the currencies payjournal books in. Visma eAccounting companies are
#: Dutch, Swedish, Norwegian, Danish and Finnish; the others are here for foreign-currency runs.
CURRENCY_EXPONENTS: dict[str, int] = {
    "EUR": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "GBP": 2,
    "USD": 2,
    "CHF": 2,
    "PLN": 2,
    "ISK": 0,
    "JPY": 0,
}


#: Between groups of thousands where people read amounts (pages, previews): a narrow no-break
#: space, as in "1 234.50" — neither a comma nor a point, so no language misreads it.
THOUSANDS = "\u202f"


class MoneyError(ValueError):
    """An amount or currency that cannot be money."""


def _decimals(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise MoneyError(
            f"unknown currency {currency!r}: use an ISO 4217 code such as EUR or SEK"
        ) from None


def minor_unit(currency: str) -> Decimal:
    """The smallest unit of `currency` as a Decimal exponent, e.g. ``Decimal("0.01")``."""
    return Decimal(1).scaleb(-_decimals(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` half-up to the minor unit of `currency` (the one rounding rule we use)."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency, always quantized to the currency's minor unit."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build money from a Decimal, an int or a decimal string (never a float)."""
        if isinstance(amount, float | bool):
            raise MoneyError(
                "money is never built from a float or a bool; pass a Decimal or a string"
            )
        try:
            value = amount if isinstance(amount, Decimal) else Decimal(amount)
        except InvalidOperation:
            raise MoneyError(f"{amount!r} is not a decimal amount") from None
        if not value.is_finite():
            raise MoneyError(f"{amount!r} is not a finite amount")
        return cls(quantize(value, currency), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money in `currency`."""
        return cls.of(0, currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """Money from an integer count of minor units (cents, öre), as the database stores it.

        Exact without rounding: a whole number of minor units shifted by the currency's
        decimals is already quantized (and a page of 1,000 totals builds them quickly).
        """
        if isinstance(units, bool) or not isinstance(units, int):
            raise MoneyError(f"{units!r} is not a whole number of minor units")
        return cls(Decimal(units).scaleb(-_decimals(currency)), currency)

    def minor_units(self) -> int:
        """The amount as an integer count of minor units (cents, öre)."""
        return int(self.amount.scaleb(CURRENCY_EXPONENTS[self.currency]))

    def formatted(self, thousands: str = "", decimal: str = ".") -> str:
        """The amount as text with exactly the currency's decimals: ``1234.50`` in euros,
        ``1235`` in Icelandic krónur; with ``thousands`` its digits grouped (``1 234.50``), with
        ``decimal`` another decimal mark — a reader's language: ``1.234,50`` in Dutch."""
        text = f"{self.amount:,f}" if thousands else f"{self.amount:f}"
        if decimal == "." and thousands in ("", ","):
            return text
        return text.replace(".", "\0").replace(",", thousands).replace("\0", decimal)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def is_zero(self) -> bool:
        """True when the amount is exactly zero."""
        return not self.amount

    def is_negative(self) -> bool:
        """True when the amount is below zero."""
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def _same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")
