"""The bad-input corpus: the files of ``corpus/`` with the message fragments ``expected.toml``
lists for each, and the cases too big to commit, made here. Shared by the reader tests, the
``journal preview`` tests and the ``runs import`` tests."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
MANIFEST = CORPUS / "expected.toml"
HUGE = "1" * 5000

_RUN: dict[str, object] = {
    "company": "acme",
    "run_id": "R1",
    "period": {"year": 2026, "number": 9, "start": "2026-09-01", "end": "2026-09-30"},
    "payment_date": "2026-09-25",
    "currency": "EUR",
    "lines": [{"employee_id": "1", "component": "GROSS", "amount": "100.00"}],
}
_CSV_RUN = (
    "company;run_id;kind;period_year;period_number;period_start;period_end;payment_date;"
    "currency;employee_id;employee_name;department;cost_center;component;amount\n"
    "acme;R1;regular;2026;9;2026-09-01;2026-09-30;2026-09-25;EUR;1;Anna;PROD;;GROSS;{amount}\n"
)
_SCHEME_CSV = (
    "type,key,value,debit_account,credit_account,cost_center_side\n"
    "setting,name,S,,,\nsetting,rounding_account,9990,,,\n"
    'component,GROSS,"{description}",4000,1650,none\n'
)


@dataclass(frozen=True)
class BadInput:
    """A file that every reader must refuse with a message containing each of `expect`."""

    name: str
    data: bytes
    expect: tuple[str, ...]

    @property
    def is_scheme(self) -> bool:
        return "scheme" in self.name

    def __str__(self) -> str:
        return self.name


def _json_run(**fields: object) -> bytes:
    return json.dumps({**_RUN, **fields}).encode()


def _json_with_number(document: dict[str, object], number: str) -> bytes:
    """`document` with the placeholder 0 written as the bare JSON number `number`."""
    return json.dumps(document).replace("-424242", number).encode()


def corpus_files() -> list[BadInput]:
    """Every file of the corpus folder, with its expected fragments (all must be listed)."""
    manifest = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    files = sorted(p.name for p in CORPUS.iterdir() if p != MANIFEST)
    assert files == sorted(manifest), "every corpus file needs an entry in expected.toml"
    return [
        BadInput(name, (CORPUS / name).read_bytes(), tuple(manifest[name]["expect"]))
        for name in files
    ]


def generated() -> list[BadInput]:
    """The cases too big to commit: nesting 100,000 deep, numbers of 5,000 digits."""
    deep = b"[" * 100_000 + b"]" * 100_000
    line = {"employee_id": "1", "component": "GROSS", "amount": -424242}
    scheme = {
        "name": "S",
        "rounding_account": "9990",
        "voucher_date": {"rule": "fixed_day", "day": -424242},
        "components": [{"component": "GROSS", "debit_account": "4000", "credit_account": "1650"}],
    }
    too_long = "is too long for an amount (5,000 characters; at most 40)"
    return [
        BadInput(
            "deep-run.json",
            b'{"company": "acme",\n "lines": ' + deep + b"}",
            ("deep-run.json, line 2: nested more than 20 levels deep",),
        ),
        BadInput(
            "deep-scheme.json",
            b'{"name": "S", "components": ' + deep + b"}",
            ("deep-scheme.json, line 1: nested more than 20 levels deep",),
        ),
        BadInput(
            "amount-5000-digits-number.json",
            _json_with_number({**_RUN, "lines": [line]}, HUGE),
            ("amount-5000-digits-number.json, line 1, field 'amount': '1111", too_long),
        ),
        BadInput(
            "amount-5000-digits-text.json",
            _json_run(lines=[{**line, "amount": HUGE}]),
            ("amount-5000-digits-text.json, line 1, field 'amount': '1111", too_long),
        ),
        BadInput(
            "amount-5000-digits.csv",
            _CSV_RUN.format(amount=HUGE).encode(),
            ("amount-5000-digits.csv, line 2, field 'amount': '1111", too_long),
        ),
        BadInput(
            "amount-5000-decimals.csv",
            _CSV_RUN.format(amount="1," + HUGE).encode(),
            ("amount-5000-decimals.csv, line 2, field 'amount': '1,111", "(5,002 characters"),
        ),
        BadInput(
            "year-5000-digits.json",
            _json_with_number({**_RUN, "period": {**_RUN["period"], "year": -424242}}, HUGE),
            ("year-5000-digits.json, field 'period_year': '1111", "is not a year"),
        ),
        BadInput(
            "scheme-day-5000-digits.json",
            _json_with_number(scheme, HUGE),
            ("scheme-day-5000-digits.json, field 'voucher_day': '1111",),
        ),
        BadInput(
            "scheme-field-over-the-csv-limit.csv",
            _SCHEME_CSV.format(description="x" * 200_000).encode(),
            ("scheme-field-over-the-csv-limit.csv: cannot be read as CSV",),
        ),
    ]


def every_case() -> list[BadInput]:
    return corpus_files() + generated()
