"""The JSON boundary: amounts leave as two-decimal numbers and come back as Decimal."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payjournal.visma import NewVoucher, VoucherRow, wire


@pytest.mark.parametrize(
    ("amount", "literal"),
    [
        (Decimal("50000"), "50000.00"),
        (Decimal("0.1"), "0.10"),
        (Decimal("1234.56"), "1234.56"),
        (Decimal("1E+3"), "1000.00"),
        (Decimal("0.30"), "0.30"),
        (Decimal("999999999.99"), "999999999.99"),
    ],
)
def test_amounts_are_written_as_two_decimal_json_numbers(amount: Decimal, literal: str) -> None:
    assert wire.dumps({"A": amount}) == f'{{"A":{literal}}}'.encode()


@pytest.mark.parametrize(
    "amount", [Decimal("0.005"), Decimal("1.001"), Decimal("NaN"), Decimal("Infinity")]
)
def test_amounts_that_would_need_rounding_are_refused(amount: Decimal) -> None:
    with pytest.raises(ValueError, match="decimals|finite"):
        wire.dumps({"A": amount})


def test_amounts_above_visma_maximum_are_refused() -> None:
    with pytest.raises(ValueError, match="maximum"):
        wire.format_amount(Decimal("1000000000.01"))


def test_floats_are_never_sent() -> None:
    with pytest.raises(TypeError):
        wire.dumps({"A": 0.1})
    with pytest.raises(TypeError):
        wire.dumps(0.1)


def test_dates_uuids_nested_values_and_unicode_round_trip() -> None:
    body = {
        "VoucherDate": date(2026, 1, 31),
        "Id": UUID("12345678-1234-5678-1234-567812345678"),
        "Rows": [{"N": 1, "T": "Löner", "X": None, "B": True}],
    }
    assert json.loads(wire.dumps(body)) == {
        "VoucherDate": "2026-01-31",
        "Id": "12345678-1234-5678-1234-567812345678",
        "Rows": [{"N": 1, "T": "Löner", "X": None, "B": True}],
    }


def test_responses_parse_fractions_as_decimal_without_float_artefacts() -> None:
    data = wire.loads(b'{"DebitAmount": 0.1, "CreditAmount": 0.30000000000000004, "N": 7}')
    assert data["DebitAmount"] == Decimal("0.1")
    assert wire.amount(data, "DebitAmount") == Decimal("0.10")
    assert wire.amount(data, "CreditAmount") == Decimal("0.30")
    assert wire.amount(data, "N") == Decimal("7.00")
    assert wire.amount(data, "Missing") == Decimal("0.00")


def test_voucher_payload_on_the_wire() -> None:
    voucher = NewVoucher(
        date(2026, 1, 31),
        "Payroll 2026-01 [pj:abc]",
        (
            VoucherRow(7010, debit_amount=Decimal("50000"), transaction_text="Gross"),
            VoucherRow(2710, credit_amount=Decimal("15000.5")),
            VoucherRow(1930, credit_amount=Decimal("34999.50")),
        ),
    )
    text = wire.dumps(voucher.to_wire()).decode()
    assert '"DebitAmount":50000.00' in text
    assert '"CreditAmount":15000.50' in text
    assert "NumberSeries" not in text  # absent, not null: Visma's default series
    assert json.loads(text)["Rows"][1] == {
        "AccountNumber": 2710,
        "DebitAmount": 0,
        "CreditAmount": 15000.5,
    }
    assert voucher.debit_total == voucher.credit_total == Decimal("50000.00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "missing field Name"),
        ({"Name": 5}, "should be a string"),
    ],
)
def test_readers_say_what_is_wrong(data: dict[str, object], message: str) -> None:
    with pytest.raises(wire.WireFormatError, match=message):
        wire.req_str(data, "Name")


def test_timestamps_without_zone_are_utc_and_dates_keep_the_calendar_day() -> None:
    data = {"D": "2026-01-31T00:00:00", "T": "2026-11-23T09:00:00.000Z"}
    assert wire.opt_date(data, "D") == date(2026, 1, 31)
    stamp = wire.opt_datetime(data, "T")
    assert stamp is not None and stamp.utcoffset() is not None
    with pytest.raises(wire.WireFormatError):
        wire.opt_date({"D": "31/01/2026"}, "D")


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES)
def test_plain_values_are_written_exactly_as_json_writes_them(value: object) -> None:
    """Strings (quotes, control characters, non-ASCII), numbers, booleans and nesting: the
    hand-written encoder agrees byte for byte with the json module, compactly written."""
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert wire.dumps(value) == expected.encode("utf-8")
