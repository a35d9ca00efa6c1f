"""Money is built one way, from Decimal, int or string, quantized half-up, never from float."""

from decimal import Decimal

import pytest

from payjournal.domain.money import Money, MoneyError, quantize


def test_money_is_quantized_half_up_to_the_minor_unit():
    assert Money.of("10.005", "EUR").amount == Decimal("10.01")
    assert Money.of("10.004", "EUR").amount == Decimal("10.00")
    assert Money.of("-10.005", "SEK").amount == Decimal("-10.01")
    assert Money.of(7, "EUR").amount == Decimal("7.00")


def test_currencies_without_minor_units_round_to_whole_units():
    assert Money.of("1234.5", "ISK").amount == Decimal("1235")


@pytest.mark.parametrize("bad", [1.5, True, "abc", "NaN", "Infinity", ""])
def test_money_refuses_floats_bools_and_non_numbers(bad):
    with pytest.raises(MoneyError):
        Money.of(bad, "EUR")


def test_unknown_currency_is_refused_with_a_hint():
    with pytest.raises(MoneyError, match="ISO 4217"):
        Money.of("1", "XXX")


def test_minor_units_round_trip_as_the_database_stores_them():
    money = Money.of("1234.56", "SEK")
    assert money.minor_units() == 123456
    assert Money.from_minor_units(123456, "SEK") == money
    assert Money.from_minor_units(-5, "EUR").amount == Decimal("-0.05")


def test_arithmetic_keeps_the_currency_and_refuses_mixing():
    total = Money.of("1.10", "EUR") + Money.of("2.20", "EUR") - Money.of("0.30", "EUR")
    assert total == Money.of("3.00", "EUR")
    assert -total == Money.of("-3", "EUR")
    with pytest.raises(MoneyError, match="EUR with SEK"):
        _ = Money.of(1, "EUR") + Money.of(1, "SEK")


def test_quantize_is_the_one_rounding_rule():
    assert quantize(Decimal("0.125"), "EUR") == Decimal("0.13")
    assert quantize(Decimal("0.135"), "EUR") == Decimal("0.14")  # half-up, not banker's


@pytest.mark.parametrize(
    ("units", "currency", "plain", "grouped"),
    [
        (123456, "EUR", "1234.56", "1 234.56"),
        (-5, "SEK", "-0.05", "-0.05"),
        (0, "EUR", "0.00", "0.00"),
        (1234567, "JPY", "1234567", "1 234 567"),
        (-1234, "ISK", "-1234", "-1 234"),
    ],
)
def test_money_is_written_with_exactly_its_currencys_decimals(units, currency, plain, grouped):
    money = Money.from_minor_units(units, currency)
    assert money == Money.of(plain, currency)
    assert money.formatted() == plain
    assert money.formatted(" ") == grouped


@pytest.mark.parametrize("bad", [1.5, True, "12", Decimal("1")])
def test_minor_units_are_whole_numbers(bad):
    with pytest.raises(MoneyError, match="whole number"):
        Money.from_minor_units(bad, "EUR")


def test_minor_units_of_an_unknown_currency_are_refused():
    with pytest.raises(MoneyError, match="ISO 4217"):
        Money.from_minor_units(1, "XXX")
