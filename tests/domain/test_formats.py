"""Reading runs and schemes from JSON and CSV: the good files, and every way a file can be bad."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payjournal.domain.formats import (
    InputError,
    journal_to_csv,
    journal_to_dict,
    read_run,
    read_scheme,
)
from payjournal.domain.formats.fields import parse_amount
from payjournal.domain.posting import build_journal, check_run
from payjournal.domain.run import CostShare, RunKind
from payjournal.domain.scheme import CostCenterSide, DateRule, DetailLevel
from tests.domain.bad_inputs import BadInput, every_case

SAMPLES = Path(__file__).parents[2] / "src" / "payjournal" / "samples"
HEADER = (
    "company,run_id,kind,period_year,period_number,period_start,period_end,payment_date,currency,"
    "employee_id,employee_name,department,cost_center,component,amount"
)
RUN_FIELDS = "acme,R1,correction,2026,9,2026-09-01,2026-09-30,2026-09-25,EUR"


def test_a_csv_run_is_read_with_all_its_fields():
    text = f"{HEADER}\n{RUN_FIELDS},1001,Anna de Vries,PROD,,GROSS,3450.00\n{RUN_FIELDS},1002,,SHOP,PROD:60|SHOP:40,GROSS,-12.5\n"
    run = read_run(text.encode(), "run.csv")
    assert (run.company, run.run_id, run.kind, run.currency) == (
        "acme",
        "R1",
        RunKind.CORRECTION,
        "EUR",
    )
    assert (run.period.year, run.period.number, run.period.start, run.period.end) == (
        2026,
        9,
        date(2026, 9, 1),
        date(2026, 9, 30),
    )
    assert run.payment_date == date(2026, 9, 25)
    first, second = run.lines
    assert (first.employee_id, first.employee_name, first.department, first.allocation, first.component, first.amount, first.line_no) == (
        "1001", "Anna de Vries", "PROD", (), "GROSS", Decimal("3450.00"), 2
    )  # fmt: skip
    assert second.allocation == (CostShare("PROD", Decimal(60)), CostShare("SHOP", Decimal(40)))
    assert second.employee_name is None and second.amount == Decimal("-12.5")


def test_semicolons_decimal_commas_bom_and_crlf_are_understood():
    semicolon = HEADER.replace(",", ";")
    fields = RUN_FIELDS.replace(",", ";")
    text = f"{semicolon}\r\n{fields};1;Örjan Ström;PROD;;GROSS;1.234,56\r\n{fields};2;Åsa;PROD;;GROSS;-0,5\r\n"
    run = read_run(text.encode("utf-8-sig"), "run.csv")
    assert [line.amount for line in run.lines] == [Decimal("1234.56"), Decimal("-0.5")]
    assert run.lines[0].employee_name == "Örjan Ström"


def test_quoted_fields_take_the_csv_module_path_and_give_the_same_run():
    rows = [
        HEADER.split(","),
        *[
            [*RUN_FIELDS.split(","), str(n), f"Visser, {n}", "PROD", "", "GROSS", f"{n}.50"]
            for n in range(1, 4)
        ],
    ]
    quoted, plain = io.StringIO(), io.StringIO()
    csv.writer(quoted, quoting=csv.QUOTE_ALL).writerows(rows)
    csv.writer(plain).writerows([[cell.replace(",", "") for cell in row] for row in rows])
    from_quoted = read_run(quoted.getvalue().encode(), "quoted.csv")
    from_plain = read_run(plain.getvalue().encode(), "plain.csv")
    assert [line.employee_name for line in from_quoted.lines] == [
        "Visser, 1",
        "Visser, 2",
        "Visser, 3",
    ]
    assert [line._replace(employee_name=None) for line in from_quoted.lines] == [
        line._replace(employee_name=None) for line in from_plain.lines
    ]


def test_a_json_run_accepts_numbers_strings_and_allocations():
    document = {
        "company": "acme", "run_id": "R1", "kind": "off_cycle",
        "period": {"year": 2026, "number": 9, "start": "2026-09-01", "end": "2026-09-30"},
        "payment_date": "2026-09-25", "currency": "SEK",
        "lines": [
            {"employee_id": "1", "component": "GROSS", "amount": 34500.10, "department": "PROD"},
            {"employee_id": 2, "component": "GROSS", "amount": "100", "allocation": [{"cost_center": "A", "percentage": 50}, {"cost_center": "B", "percentage": "50"}]},
        ],
    }  # fmt: skip
    run = read_run(json.dumps(document).encode(), "run.json")
    assert run.kind is RunKind.OFF_CYCLE and run.currency == "SEK"
    assert run.lines[0].amount == Decimal("34500.10")  # parsed exactly, never through float
    assert run.lines[1].employee_id == "2" and run.lines[1].line_no == 2
    assert [share.cost_center for share in run.lines[1].allocation] == ["A", "B"]


def test_schemes_in_json_and_csv_mean_the_same():
    csv_text = (
        "type;key;value;debit_account;credit_account;cost_center_side\n"
        "setting;name;S;;;\nsetting;currency;EUR;;;\nsetting;rounding_account;9990;;;\n"
        "setting;voucher_date;fixed_day;;;\nsetting;voucher_day;25;;;\nsetting;detail;employee;;;\n"
        "component;GROSS;Gross salary;4000;1650;debit\ncomponent;TAX;;1650;1600;\n"
        "dimension;PROD;P-100;;;\n"
    )
    document = {
        "name": "S", "currency": "EUR", "rounding_account": "9990", "detail": "employee",
        "voucher_date": {"rule": "fixed_day", "day": 25},
        "components": [
            {"component": "GROSS", "description": "Gross salary", "debit_account": "4000", "credit_account": "1650", "cost_center_side": "debit"},
            {"component": "TAX", "debit_account": "1650", "credit_account": "1600"},
        ],
        "dimensions": {"PROD": "P-100"},
    }  # fmt: skip
    from_csv = read_scheme(csv_text.encode(), "scheme.csv")
    from_json = read_scheme(json.dumps(document).encode(), "scheme.json")
    assert from_csv == from_json
    assert from_csv.voucher_date.rule is DateRule.FIXED_DAY and from_csv.voucher_date.day == 25
    assert from_csv.detail is DetailLevel.EMPLOYEE
    assert from_csv.components["GROSS"].cost_center_side is CostCenterSide.DEBIT
    assert from_csv.components["TAX"].cost_center_side is CostCenterSide.NONE


@pytest.mark.parametrize("case", every_case(), ids=str)
def test_every_bad_input_names_the_file_line_and_field_of_every_problem(case: BadInput):
    reader = read_scheme if case.is_scheme else read_run
    with pytest.raises(InputError) as caught:
        reader(case.data, case.name)
    message = str(caught.value)
    for fragment in case.expect:
        assert fragment in message
    assert len(message) < 2000  # a value of megabytes is cut, never echoed whole


def test_a_bad_period_is_reported_with_its_field():
    text = f"{HEADER}\nacme,R1,regular,2026,9,2026-09-30,2026-09-01,2026-09-25,EUR,1,,,,GROSS,1\n"
    with pytest.raises(InputError, match="field 'period_end': the period ends before it starts"):
        read_run(text.encode(), "run.csv")


def test_an_unclosed_or_stray_quote_is_an_input_error():
    for body in (
        f'{RUN_FIELDS},1,"Anna,PROD,,GROSS,1\n',
        f'{RUN_FIELDS},1,"An"na,PROD,,GROSS,1\n',
    ):
        with pytest.raises(InputError, match="run.csv"):
            read_run(f"{HEADER}\n{body}".encode(), "run.csv")


def test_too_many_problems_stop_at_one_hundred():
    lines = "".join(f"{RUN_FIELDS},1,,,,GROSS,x{n}\n" for n in range(150))
    with pytest.raises(InputError) as caught:
        read_run(f"{HEADER}\n{lines}".encode(), "run.csv")
    assert len(caught.value.problems) == 100 and caught.value.truncated


@pytest.mark.parametrize(
    ("raw", "decimal_comma", "expected"),
    [
        ("1234.56", False, "1234.56"), ("-1", False, "-1"), ("1,234.56", False, "1234.56"), (" 12.5 ", False, "12.5"),
        ("1 234.56", False, "1234.56"), ("1234,56", True, "1234.56"), ("1.234,56", True, "1234.56"),
        ("1 234,5", True, "1234.5"), ("1234", True, "1234"),
    ],
)  # fmt: skip
def test_amount_notations(raw, decimal_comma, expected):
    assert parse_amount(raw, decimal_comma) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "decimal_comma"),
    [
        ("1,5", False),
        ("12,34,5", False),
        ("1.2.3", True),
        ("", False),
        ("NaN", False),
        ("1e5", False),
        ("€5", False),
    ],
)
def test_amount_notations_that_are_refused(raw, decimal_comma):
    with pytest.raises(ValueError, match="is not an amount"):
        parse_amount(raw, decimal_comma)


@settings(max_examples=300)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_arbitrary_bytes_give_a_run_or_an_input_error_never_a_crash(data):
    try:
        read_run(data, "fuzz")
    except InputError as error:
        assert error.problems and all(problem.source == "fuzz" for problem in error.problems)


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(st.text('abc ,;"\n', min_size=1, max_size=8), st.integers(-(10**9), 10**9)),
        min_size=1,
        max_size=8,
    )
)
def test_csv_fields_round_trip_through_the_writer(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER.split(","))
    for name, cents in rows:
        writer.writerow(
            [*RUN_FIELDS.split(","), "E1", name, "", "", "GROSS", f"{Decimal(cents) / 100:.2f}"]
        )
    run = read_run(out.getvalue().encode(), "round-trip.csv")
    assert [(line.employee_name or "", line.amount) for line in run.lines] == [
        (name.strip(), Decimal(cents) / 100) for name, cents in rows
    ]


@pytest.mark.parametrize("company", sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
def test_every_bundled_sample_run_builds_a_balanced_journal(company):
    folder = SAMPLES / company
    scheme_file = next(folder.glob("scheme.*"))
    scheme = read_scheme(scheme_file.read_bytes(), scheme_file.name)
    runs = sorted(folder.glob("run-*"))
    assert runs, f"{company} has no sample run"
    for run_file in runs:
        run = read_run(run_file.read_bytes(), run_file.name)
        assert check_run(run, scheme) == []
        journal = build_journal(run, scheme)
        assert journal.debit_total == journal.credit_total
        assert journal_to_dict(journal)["balanced"] is True
        assert journal_to_csv(journal).count("\n") == len(journal.rows) + 1


def test_a_row_of_one_field_is_said_in_good_english() -> None:
    from payjournal.domain.formats.fields import count_of_fields

    assert count_of_fields(1) == "1 field" and count_of_fields(3) == "3 fields"
