"""The CSV journal of `payjournal journal preview --format csv`: a spreadsheet opens it without
running a formula from a payroll or scheme file."""

from __future__ import annotations

import json

import pytest

from payjournal.domain.formats import journal_to_csv, read_run, read_scheme
from payjournal.domain.formats.journalfile import spreadsheet_text
from payjournal.domain.posting import build_journal

HEADER = (
    "company,run_id,kind,period_year,period_number,period_start,period_end,payment_date,currency,"
    "employee_id,employee_name,department,cost_center,component,amount"
)
FIELDS = "acme,R1,regular,2026,9,2026-09-01,2026-09-30,2026-09-25,EUR"
SCHEME = {"name": "S", "rounding_account": "9990"}


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Bruto loon", "Bruto loon"),
        ("", ""), ("a=b", "a=b"),
    ],
)  # fmt: skip
def test_a_text_cell_a_spreadsheet_would_run_is_neutralised(text, shown):
    assert spreadsheet_text(text) == shown


def test_the_csv_journal_neutralises_texts_and_keeps_amounts_as_numbers():
    scheme = read_scheme(
        json.dumps({
            **SCHEME,
            "components": [{"component": "GROSS", "description": '=HYPERLINK("http://evil","pay")',
                            "debit_account": "4000", "credit_account": "1650", "cost_center_side": "debit"}],
            "dimensions": {"PROD": "@PROD"},
        }).encode(),
        "s",
    )  # fmt: skip
    run = read_run(
        f"{HEADER}\n{FIELDS},1,,PROD,,GROSS,100.00\n{FIELDS},2,,PROD,,GROSS,-30.50\n".encode(), "r"
    )
    lines = journal_to_csv(build_journal(run, scheme)).splitlines()
    assert sorted(lines[1:]) == [
        '2026-09-30;1650;0.00;69.50;"\'=HYPERLINK(""http://evil"",""pay"")";',
        '2026-09-30;4000;69.50;0.00;"\'=HYPERLINK(""http://evil"",""pay"")";\'@PROD',
    ]
