"""The limits the readers put on what a file may say: ids, codes, amounts, dates, nesting and
voucher text templates."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payjournal.domain.formats import InputError, read_run, read_scheme
from payjournal.domain.formats.fields import parse_amount, parse_date
from payjournal.domain.formats.jsontext import MAX_JSON_DEPTH, deepest_line

HEADER = (
    "company,run_id,kind,period_year,period_number,period_start,period_end,payment_date,currency,"
    "employee_id,employee_name,department,cost_center,component,amount"
)


def csv_run(*lines: str, run_id: str = "R1", year: str = "2026", start: str = "2026-09-01",
            end: str = "2026-09-30") -> bytes:  # fmt: skip
    fields = f"acme,{run_id},regular,{year},9,{start},{end},2026-09-25,EUR"
    return (HEADER + "".join(f"\n{fields},{line}" for line in lines) + "\n").encode()


def json_run(**fields: Any) -> bytes:
    document = {
        "company": "acme", "run_id": "R1",
        "period": {"year": 2026, "number": 9, "start": "2026-09-01", "end": "2026-09-30"},
        "payment_date": "2026-09-25", "currency": "EUR",
        "lines": [{"employee_id": "1", "component": "GROSS", "amount": "100.00"}],
    }  # fmt: skip
    return json.dumps({**document, **fields}).encode()


def refusal(data: bytes, reader: Any = read_run) -> str:
    with pytest.raises(InputError) as caught:
        reader(data, "in")
    return str(caught.value)


# --- amounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "decimal_comma"),
    [("1.234", True), ("-12.345", True), ("999.000", True), ("1,234", False), ("-1,234", False)],
)
def test_a_lone_mark_before_three_digits_is_ambiguous_and_refused(raw, decimal_comma):
    with pytest.raises(ValueError, match="is ambiguous in a file with decimal"):
        parse_amount(raw, decimal_comma)


@pytest.mark.parametrize(
    ("raw", "decimal_comma", "expected"),
    [
        ("1.234,5", True, "1234.5"), ("1.234.567", True, "1234567"), ("0.234", True, "0.234"),
        ("1234.567", True, "1234.567"), ("1.2345", True, "1.2345"), ("12.5", True, "12.5"),
        ("1,234.5", False, "1234.5"), ("1,234,567", False, "1234567"), ("1.234", False, "1.234"),
        ("1,234", True, "1.234"), ("1 234", True, "1234"),
    ],
)  # fmt: skip
def test_amounts_that_read_one_way_only_are_still_read(raw, decimal_comma, expected):
    assert parse_amount(raw, decimal_comma) == Decimal(expected)


def test_a_long_amount_is_refused_on_the_fast_path_of_a_comma_file_too():
    message = refusal(csv_run("1,Anna,PROD,,GROSS,100.00", "2,Bo,PROD,,GROSS," + "9" * 41))
    assert "line 3, field 'amount': '999999999999999999999999…' is too long" in message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_that_are_not_json_are_not_amounts(constant):
    data = json_run(lines=[{"employee_id": "1", "component": "GROSS", "amount": 0}])
    message = refusal(data.replace(b'"amount": 0', f'"amount": {constant}'.encode()))
    assert f"line 1, field 'amount': '{constant}' is not an amount" in message


# --- dates and periods -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"), [("1990-01-01", date(1990, 1, 1)), (" 2100-12-31 ", date(2100, 12, 31))]
)
def test_dates_from_1990_to_2100_are_read(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1989-12-31", "is not between 1990 and 2100"),
        ("2101-01-01", "is not between 1990 and 2100"),
        ("20260925", "is a number, not a date"),
        ("46290", "is a number, not a date"),
        ("2026-W39-5", "is not a date"),
        ("2026-09-31", "is not a date"),
        ("2026-9-1", "is not a date"),
    ],
)
def test_dates_outside_the_range_or_not_written_yyyy_mm_dd_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_date(raw)


@pytest.mark.parametrize("year", ["2025", "2026"])
def test_a_period_across_new_year_belongs_to_the_year_it_starts_or_ends_in(year):
    run = read_run(csv_run("1,,,,GROSS,1", year=year, start="2025-12-29", end="2026-01-04"), "w")
    assert run.period.year == int(year)


def test_a_period_year_that_fits_neither_date_is_refused():
    message = refusal(csv_run("1,,,,GROSS,1", year="2027", start="2025-12-29", end="2026-01-04"))
    assert (
        "line 2, field 'period_year': 2027 contradicts the period 2025-12-29 to 2026-01-04"
        in message
    )


# --- ids and codes -----------------------------------------------------------------------------


@pytest.mark.parametrize("run_id", ["2026-09", "2026-10-C1", "Run 12", "r.1:a_b", "9" * 64])
def test_run_ids_payroll_systems_use_are_read(run_id):
    assert read_run(csv_run("1,,,,GROSS,1", run_id=run_id), "r").run_id == run_id
    assert read_run(json_run(run_id=run_id), "r").run_id == run_id


@pytest.mark.parametrize(
    ("run_id", "message"),
    [
        ("a/b", "is not a run id"), ("..", "is not a run id"), (".x", "is not a run id"),
        ("Lön-9", "is not a run id"), ("R\t1", "is not a run id"), ("R\u200b1", "is not a run id"),
        ("9" * 65, "is too long (65 characters; at most 64)"),
    ],
)  # fmt: skip
def test_run_ids_that_a_database_or_an_url_cannot_take_are_refused(run_id, message):
    assert f"field 'run_id': {run_id[:24]!r}"[:-1] in refusal(json_run(run_id=run_id))
    assert message in refusal(json_run(run_id=run_id))
    assert message in refusal(csv_run("1,,,,GROSS,1", run_id=run_id))


def test_a_value_checked_as_a_name_is_checked_again_as_a_code():
    """The CSV reader remembers checked values; a name may be longer than a code."""
    long = "N" * 100
    message = refusal(csv_run(f"1,{long},PROD,,GROSS,1", f"{long},Bo,PROD,,GROSS,1"))
    assert "line 3, field 'employee_id': 'NNNNNNNNNNNNNNNNNNNNNNNN…' is too long" in message


def test_codes_in_an_allocation_are_checked():
    message = refusal(csv_run(f"1,,,{'C' * 65}:50|B:50,GROSS,1"))
    assert "line 2, field 'cost_center':" in message and "is too long" in message


def test_a_name_may_hold_a_line_break_but_no_other_control_character():
    assert (
        read_run(csv_run('1,"Anna\nBakker",,,GROSS,1'), "r").lines[0].employee_name
        == "Anna\nBakker"
    )
    message = refusal(csv_run("1,Anna\x1b[2J,,,GROSS,1"))
    assert "line 2, field 'employee_name': 'Anna\\x1b[2J' contains a control character" in message


# --- JSON nesting ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text('ab[]{}"\\\n'),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text('k[{"\\'), inner, max_size=3)
    ),
    max_leaves=30,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


@settings(max_examples=300)
@given(json_values, st.integers(0, 8), st.booleans())
def test_the_depth_check_counts_only_brackets_outside_strings(value, limit, ascii_only):
    data = json.dumps(value, ensure_ascii=ascii_only, indent=1).encode()
    assert (deepest_line(data, limit) is None) == (depth(value) <= limit)


def test_the_depth_check_names_the_line_where_it_is_exceeded():
    data = b'{"lines": [\n' + b"[" * MAX_JSON_DEPTH + b"\n" + b"]" * MAX_JSON_DEPTH + b"]}"
    assert deepest_line(data) == 2
    assert deepest_line(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) is None


@settings(max_examples=200)
@given(json_values)
def test_any_json_document_gives_a_run_or_an_input_error(value):
    for document in (value, {**json.loads(json_run()), "lines": value}, {"period": value}):
        try:
            read_run(json.dumps(document).encode(), "fuzz.json")
        except InputError as error:
            assert error.problems


# --- schemes -----------------------------------------------------------------------------------

SCHEME = {
    "name": "S", "rounding_account": "9990",
    "components": [{"component": "GROSS", "debit_account": "4000", "credit_account": "1650"}],
}  # fmt: skip


def test_a_voucher_text_uses_the_placeholders_plainly():
    template = "Run {run_id} of {company} ({kind}, {period}, {payment_date}) {{literal}}"
    scheme = read_scheme(json.dumps({**SCHEME, "voucher_text": template}).encode(), "s")
    assert scheme.voucher_text == template


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{run_id.__class__}", "'{run_id.__class__}' is not a placeholder"),
        ("{run_id[0]}", "'{run_id[0]}' is not a placeholder"),
        ("{run_id!r}", "'{run_id!r}' is not a placeholder"),
        ("{company:>999999999}", "'{company:>999999999}' is not a placeholder"),
        ("{salary}", "'{salary}' is not a placeholder"),
        ("Run {run_id", "is not a valid template"),
        ("Run \x07", "'Run \\x07' contains a control character"),
    ],
)
def test_a_voucher_text_with_anything_else_in_braces_is_refused(template, message):
    data = json.dumps({**SCHEME, "voucher_text": template}).encode()
    assert f"field 'voucher_text': {message}" in refusal(data, read_scheme)
