"""Reading a processed payroll run: the run-level fields both formats share, and the JSON
format (the CSV reader is in :mod:`payjournal.domain.formats.runcsv`; the formats are in
``docs/formats.md``)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from payjournal.domain.formats.codes import (
    parse_code,
    parse_company_key,
    parse_name,
    parse_run_id,
    shown,
)
from payjournal.domain.formats.fields import (
    EARLIEST_DATE,
    LATEST_DATE,
    ProblemList,
    complete_line,
    parse_amount,
    parse_date,
    parse_percentage,
)
from payjournal.domain.formats.jsontext import load_json
from payjournal.domain.money import CURRENCY_EXPONENTS
from payjournal.domain.run import CostShare, PayPeriod, PayrollLine, PayrollRun, RunKind

__all__ = [
    "HEADER_FIELDS",
    "LINE_FIELDS",
    "OPTIONAL_FIELDS",
    "parse_header",
    "read_run_json",
    "with_lines",
]

#: Run-level fields; in CSV they are repeated on every line and must agree.
HEADER_FIELDS = (
    "company",
    "run_id",
    "kind",
    "period_year",
    "period_number",
    "period_start",
    "period_end",
    "payment_date",
    "currency",
)
LINE_FIELDS = ("employee_id", "employee_name", "department", "cost_center", "component", "amount")
OPTIONAL_FIELDS = {"kind", "employee_name", "department", "cost_center"}
_KINDS = ", ".join(kind.value for kind in RunKind)
_YEAR = re.compile(r"[0-9]{4}")
_PERIOD_NUMBER = re.compile(r"[0-9]{1,2}")


def parse_header(values: Mapping[str, str], problems: ProblemList, line: int) -> PayrollRun | None:
    """The run without its lines, from the run-level fields; None (with problems) when any is wrong."""
    before = len(problems.items)
    for name in ("company", "run_id", "period_year", "period_number", "period_start", "period_end"):
        if not values.get(name, "").strip():
            problems.add(line, name, "is required")
    for name in ("payment_date", "currency"):
        if not values.get(name, "").strip():
            problems.add(line, name, "is required")
    kind_text = values.get("kind", "").strip() or RunKind.REGULAR.value
    kind = RunKind(kind_text) if kind_text in RunKind._value2member_map_ else None
    if kind is None:
        problems.add(line, "kind", f"{shown(kind_text)} is not a run kind (use {_KINDS})")
    currency = values.get("currency", "").strip().upper()
    if currency and currency not in CURRENCY_EXPONENTS:
        problems.add(line, "currency", f"{shown(currency)} is not a currency payjournal books in")
    if len(problems.items) > before:
        return None
    company = problems.attempt(line, "company", parse_company_key, values["company"])
    run_id = problems.attempt(line, "run_id", parse_run_id, values["run_id"])
    year = problems.attempt(line, "period_year", _parse_year, values["period_year"])
    number = problems.attempt(line, "period_number", _parse_period_number, values["period_number"])
    start = problems.attempt(line, "period_start", parse_date, values["period_start"])
    end = problems.attempt(line, "period_end", parse_date, values["period_end"])
    paid = problems.attempt(line, "payment_date", parse_date, values["payment_date"])
    if start and end and end < start:
        problems.add(line, "period_end", "the period ends before it starts")
        return None
    if year and start and end and year not in (start.year, end.year):
        problems.add(
            line,
            "period_year",
            f"{year} contradicts the period {start.isoformat()} to {end.isoformat()}: "
            "the period year is the year the period starts or ends in",
        )
        return None
    if (
        company is None
        or run_id is None
        or year is None
        or number is None
        or start is None
        or end is None
        or paid is None
        or kind is None
    ):
        return None
    period = PayPeriod(year, number, start, end)
    return PayrollRun(company, run_id, kind, period, paid, currency, ())


def _parse_year(raw: str) -> int:
    text = raw.strip()
    if not _YEAR.fullmatch(text) or not EARLIEST_DATE.year <= int(text) <= LATEST_DATE.year:
        raise ValueError(
            f"{shown(text)} is not a year from {EARLIEST_DATE.year} to {LATEST_DATE.year}"
        )
    return int(text)


def _parse_period_number(raw: str) -> int:
    text = raw.strip()
    if not _PERIOD_NUMBER.fullmatch(text) or not 1 <= int(text) <= 53:
        raise ValueError(f"{shown(text)} is not a period number (1 to 53: months or weeks)")
    return int(text)


def with_lines(header: PayrollRun, lines: list[PayrollLine]) -> PayrollRun:
    """The run `header` (from `parse_header`) with its `lines`."""
    return dataclasses.replace(header, lines=tuple(lines))


def read_run_json(data: bytes, source: str) -> PayrollRun:
    """A run from the JSON format; a line's number is its position in ``lines`` (1-based)."""
    problems = ProblemList(source)
    document = load_json(data, source, problems)
    if not isinstance(document, dict):
        problems.add(0, None, "expected a JSON object with the run's fields and its 'lines'")
        problems.check()
    period = document.get("period")
    if not isinstance(period, dict):
        problems.add(0, "period", "expected an object with year, number, start and end")
        period = {}
    flat = {
        "company": document.get("company"),
        "run_id": document.get("run_id"),
        "kind": document.get("kind"),
        "period_year": period.get("year"),
        "period_number": period.get("number"),
        "period_start": period.get("start"),
        "period_end": period.get("end"),
        "payment_date": document.get("payment_date"),
        "currency": document.get("currency"),
    }
    header = parse_header({k: _scalar(v) for k, v in flat.items()}, problems, 0)
    raw_lines = document.get("lines")
    if not isinstance(raw_lines, list):
        problems.add(0, "lines", "expected a list of lines")
        raw_lines = []
    lines = []
    for position, item in enumerate(raw_lines, start=1):
        line = _json_line(item, position, problems)
        if line is not None:
            lines.append(line)
    problems.check()
    assert header is not None
    return with_lines(header, lines)


def _scalar(value: object) -> str:
    """A JSON scalar as the text the shared field parsers take ('' for null or missing)."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value)


def _json_line(item: object, position: int, problems: ProblemList) -> PayrollLine | None:
    if not isinstance(item, dict):
        problems.add(position, None, "a line must be an object")
        return None
    employee = problems.attempt(
        position, "employee_id", parse_code, _scalar(item.get("employee_id"))
    )
    component = problems.attempt(position, "component", parse_code, _scalar(item.get("component")))
    if employee == "":
        problems.add(position, "employee_id", "is required")
    if component == "":
        problems.add(position, "component", "is required")
    raw_amount = item.get("amount")
    amount = None
    if isinstance(raw_amount, str | int | Decimal) and not isinstance(raw_amount, bool):
        amount = problems.attempt(position, "amount", parse_amount, str(raw_amount))
    else:
        problems.add(position, "amount", "is required: a number or a decimal string")
    allocation = _json_allocation(item, position, problems)
    name = problems.attempt(
        position, "employee_name", parse_name, _scalar(item.get("employee_name"))
    )
    department = problems.attempt(
        position, "department", parse_code, _scalar(item.get("department"))
    )
    return complete_line(employee, component, amount, department, allocation, name, position)


def _json_allocation(
    item: dict[str, Any], position: int, problems: ProblemList
) -> tuple[CostShare, ...] | None:
    shares = item.get("allocation")
    cost_center = problems.attempt(
        position, "cost_center", parse_code, _scalar(item.get("cost_center"))
    )
    if cost_center is None:
        return None
    if shares is None:
        return (CostShare(cost_center, Decimal(100)),) if cost_center else ()
    if cost_center:
        problems.add(position, "allocation", "give either cost_center or allocation, not both")
        return None
    if not isinstance(shares, list) or not shares:
        problems.add(position, "allocation", "expected a list of {cost_center, percentage}")
        return None
    result = []
    for share in shares:
        if not isinstance(share, dict) or not _scalar(share.get("cost_center")).strip():
            problems.add(position, "allocation", "each share needs a cost_center and a percentage")
            return None
        code = problems.attempt(position, "allocation", parse_code, _scalar(share["cost_center"]))
        percentage = problems.attempt(
            position, "allocation", parse_percentage, _scalar(share.get("percentage"))
        )
        if code is None or percentage is None:
            return None
        result.append(CostShare(code, percentage))
    return tuple(result)
