"""Reading a processed payroll run from JSON or CSV (the formats are in ``docs/formats.md``)."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import operator
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from payjournal.domain.formats.fields import (
    ProblemList,
    cycle_collector_paused,
    decode_text,
    parse_allocation,
    parse_amount,
    parse_date,
    parse_percentage,
)
from payjournal.domain.money import CURRENCY_EXPONENTS
from payjournal.domain.run import CostShare, PayPeriod, PayrollLine, PayrollRun, RunKind

__all__ = ["HEADER_FIELDS", "LINE_FIELDS", "read_run_csv", "read_run_json"]

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
_OPTIONAL = {"kind", "employee_name", "department", "cost_center"}
_KINDS = ", ".join(kind.value for kind in RunKind)


def _parse_header(values: Mapping[str, str], problems: ProblemList, line: int) -> PayrollRun | None:
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
        problems.add(line, "kind", f"{kind_text!r} is not a run kind (use {_KINDS})")
    currency = values.get("currency", "").strip().upper()
    if currency and currency not in CURRENCY_EXPONENTS:
        problems.add(line, "currency", f"{currency!r} is not a currency payjournal books in")
    if len(problems.items) > before:
        return None
    year = problems.attempt(line, "period_year", _parse_year, values["period_year"])
    number = problems.attempt(line, "period_number", _parse_period_number, values["period_number"])
    start = problems.attempt(line, "period_start", parse_date, values["period_start"])
    end = problems.attempt(line, "period_end", parse_date, values["period_end"])
    paid = problems.attempt(line, "payment_date", parse_date, values["payment_date"])
    if start and end and end < start:
        problems.add(line, "period_end", "the period ends before it starts")
        return None
    if (
        year is None
        or number is None
        or start is None
        or end is None
        or paid is None
        or kind is None
    ):
        return None
    period = PayPeriod(year, number, start, end)
    company, run_id = values["company"].strip(), values["run_id"].strip()
    return PayrollRun(company, run_id, kind, period, paid, currency, ())


def _parse_year(raw: str) -> int:
    if not raw.strip().isdigit() or not 1900 <= int(raw) <= 2999:
        raise ValueError(f"{raw!r} is not a year")
    return int(raw)


def _parse_period_number(raw: str) -> int:
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 53:
        raise ValueError(f"{raw!r} is not a period number (1 to 53: months or weeks)")
    return int(raw)


def _run(header: PayrollRun, lines: list[PayrollLine]) -> PayrollRun:
    return dataclasses.replace(header, lines=tuple(lines))


# --- CSV -------------------------------------------------------------------------------------


def read_run_csv(data: bytes, source: str) -> PayrollRun:
    """A run from CSV: one line per employee × component, run fields repeated on each line.

    Comma or semicolon delimiter (sniffed from the header), decimal point or decimal comma
    (a semicolon file may use decimal commas), UTF-8 with or without BOM.
    """
    problems = ProblemList(source)
    text = decode_text(data, source)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = _numbered_rows(text, delimiter, problems)
    del text  # the row iterator holds it; the caller may still hold the bytes
    _, header_row = next(reader, (0, None))
    if header_row is None:
        problems.add(0, None, "the file is empty: expected a header line and one line per amount")
        problems.check()
        raise AssertionError("unreachable")
    columns = {name.strip().lower(): index for index, name in enumerate(header_row)}
    missing = [
        name
        for name in (*HEADER_FIELDS, *LINE_FIELDS)
        if name not in columns and name not in _OPTIONAL
    ]
    if missing:
        problems.add(1, None, f"missing column(s): {', '.join(missing)}")
        problems.check()
    lines_reader = _CsvLineReader(columns, decimal_comma=delimiter == ";", problems=problems)
    with cycle_collector_paused():
        header, lines = lines_reader.read(reader, len(header_row))
    problems.check()
    assert header is not None
    return _run(header, lines)


def _numbered_rows(
    text: str, delimiter: str, problems: ProblemList
) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for every record of the CSV text.

    A file without a single quote character has no quoted fields, so its records are exactly
    its lines split on the delimiter: that is done with `str.split`, at twice the speed of the
    csv module. Files with quotes go through `csv.reader`, which handles quoted delimiters and
    line breaks. Neither copies the text whole (`io.StringIO` would keep four bytes per
    character).
    """
    if '"' not in text:
        return enumerate(
            map(str.split, _lines(text, keepends=False), itertools.repeat(delimiter)), start=1
        )
    reader = csv.reader(_lines(text, keepends=True), delimiter=delimiter, strict=True)
    return _quoted_rows(reader, problems)


def _quoted_rows(reader: Any, problems: ProblemList) -> Iterator[tuple[int, list[str]]]:
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:  # e.g. a NUL byte, or a quote that never closes
        problems.add(reader.line_num, None, f"cannot be read as CSV: {error}")


def _lines(text: str, keepends: bool, chunk_size: int = 1 << 20) -> Iterator[str]:
    """The lines of `text`, split on CR LF, LF or CR (not on the other characters that
    `str.splitlines` treats as breaks), a chunk of about `chunk_size` characters at a time."""
    start, size = 0, len(text)
    while start < size:
        cut = text.find("\n", start + chunk_size)
        end = size if cut < 0 else cut + 1
        chunk = text[start:end].replace("\r\n", "\n").replace("\r", "\n")  # universal newlines
        start = end
        lines = chunk.split("\n")
        if lines[-1] == "":
            lines.pop()
        if keepends:
            yield from (line + "\n" for line in lines)
        else:
            yield from lines


class _CsvLineReader:
    """Turns one CSV row into a `PayrollLine`.

    This is the hot loop of a 400,000-line import, so a row takes a fast path: texts are
    looked up in a table of already-seen, already-stripped values (which also shares their
    memory), and a decimal-point amount goes straight to `Decimal`. Anything unusual falls
    back to `_careful`, which records a problem for each bad field.
    """

    def __init__(self, columns: dict[str, int], decimal_comma: bool, problems: ProblemList) -> None:
        self.columns = columns
        self.i_employee = columns["employee_id"]
        self.i_name = columns.get("employee_name", -1)
        self.i_department = columns.get("department", -1)
        self.i_cost_center = columns.get("cost_center", -1)
        self.i_component = columns["component"]
        self.i_amount = columns["amount"]
        self.decimal_comma = decimal_comma
        self.problems = problems
        self.texts: dict[str, str] = {}
        self.allocations: dict[str, tuple[CostShare, ...]] = {"": ()}

    def read(
        self, reader: Iterator[tuple[int, list[str]]], width: int
    ) -> tuple[PayrollRun | None, list[PayrollLine]]:
        """Every line of the file after the header, and the run fields of its first line."""
        present = [name for name in HEADER_FIELDS if name in self.columns]
        run_fields = operator.itemgetter(*(self.columns[name] for name in present))
        header: PayrollRun | None = None
        first_values: tuple[str, ...] | None = None
        lines: list[PayrollLine] = []
        append = lines.append
        texts, allocations = self.texts, self.allocations
        i_employee, i_component, i_amount = self.i_employee, self.i_component, self.i_amount
        i_department, i_name, i_cost_center = self.i_department, self.i_name, self.i_cost_center
        fast_amounts = not self.decimal_comma
        make = tuple.__new__  # PayrollLine._make without its Python-level frame: a hot loop
        for line_no, row in reader:
            if len(row) != width:
                if any(cell.strip() for cell in row):  # a blank line is skipped quietly
                    self.problems.add(
                        line_no, None, f"has {len(row)} fields, the header has {width}"
                    )
                continue
            values = run_fields(row)
            if values != first_values:
                if first_values is not None:
                    field = next(
                        n for n, a, b in zip(present, values, first_values, strict=True) if a != b
                    )
                    self.problems.add(
                        line_no, field, "differs from the first line: a file holds exactly one run"
                    )
                    continue
                first_values = values
                named = dict(zip(present, (value.strip() for value in values), strict=True))
                header = _parse_header(named, self.problems, line_no)
            try:
                employee = texts[row[i_employee]]
                component = texts[row[i_component]]
                department = texts[row[i_department]] if i_department >= 0 else ""
                name = texts[row[i_name]] if i_name >= 0 else ""
                allocation = allocations[row[i_cost_center]] if i_cost_center >= 0 else ()
                raw = row[i_amount]
                if not fast_amounts or "_" in raw or "e" in raw or "E" in raw:
                    raise KeyError(raw)
                amount = Decimal(raw)
            except (KeyError, ArithmeticError):
                line = self._careful(row, line_no)
                if line is not None:
                    append(line)
                continue
            if not employee or not component or not amount.is_finite():
                line = self._careful(row, line_no)
                if line is not None:
                    append(line)
                continue
            fields = (
                employee,
                component,
                amount,
                department or None,
                allocation,
                name or None,
                line_no,
            )
            append(make(PayrollLine, fields))
        if first_values is None:
            self.problems.add(0, None, "the file has a header but no lines")
        return header, lines

    def _text(self, raw: str) -> str:
        text = self.texts[raw] = raw.strip()
        self.texts.setdefault(text, text)
        return text

    def _careful(self, row: list[str], line_no: int) -> PayrollLine | None:
        employee = self._text(row[self.i_employee])
        component = self._text(row[self.i_component])
        ok = bool(employee and component)
        if not employee:
            self.problems.add(line_no, "employee_id", "is required")
        if not component:
            self.problems.add(line_no, "component", "is required")
        amount = self.problems.attempt(line_no, "amount", self._amount, row[self.i_amount])
        allocation = self._allocation(
            row[self.i_cost_center] if self.i_cost_center >= 0 else "", line_no
        )
        if not ok or amount is None or allocation is None:
            return None
        name = self._text(row[self.i_name]) if self.i_name >= 0 else ""
        department = self._text(row[self.i_department]) if self.i_department >= 0 else ""
        return PayrollLine(
            employee, component, amount, department or None, allocation, name or None, line_no
        )

    def _amount(self, raw: str) -> Decimal:
        return parse_amount(raw, self.decimal_comma)

    def _allocation(self, raw: str, line_no: int) -> tuple[CostShare, ...] | None:
        known = self.allocations.get(raw)
        if known is not None:
            return known
        try:
            parsed = parse_allocation(raw)
        except ValueError as error:
            self.problems.add(line_no, "cost_center", str(error))
            return None
        self.allocations[raw] = parsed
        return parsed


# --- JSON ------------------------------------------------------------------------------------


def read_run_json(data: bytes, source: str) -> PayrollRun:
    """A run from the JSON format; a line's number is its position in ``lines`` (1-based)."""
    problems = ProblemList(source)
    document = _load_json(data, source, problems)
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
    header = _parse_header({k: _scalar(v) for k, v in flat.items()}, problems, 0)
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
    return _run(header, lines)


def _load_json(data: bytes, source: str, problems: ProblemList) -> Any:
    text = decode_text(data, source)
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        problems.add(error.lineno, None, f"not valid JSON: {error.msg} (column {error.colno})")
        problems.check()
        raise AssertionError("unreachable") from None


def _scalar(value: object) -> str:
    """A JSON scalar as the text the shared field parsers take ('' for null or missing)."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value)


def _json_line(item: object, position: int, problems: ProblemList) -> PayrollLine | None:
    if not isinstance(item, dict):
        problems.add(position, None, "a line must be an object")
        return None
    employee = _scalar(item.get("employee_id")).strip()
    component = _scalar(item.get("component")).strip()
    ok = bool(employee and component)
    if not employee:
        problems.add(position, "employee_id", "is required")
    if not component:
        problems.add(position, "component", "is required")
    raw_amount = item.get("amount")
    amount = None
    if isinstance(raw_amount, str | int | Decimal) and not isinstance(raw_amount, bool):
        amount = problems.attempt(position, "amount", parse_amount, str(raw_amount))
    else:
        problems.add(position, "amount", "is required: a number or a decimal string")
    allocation = _json_allocation(item, position, problems)
    if not ok or amount is None or allocation is None:
        return None
    name = _scalar(item.get("employee_name")).strip() or None
    department = _scalar(item.get("department")).strip() or None
    return PayrollLine(employee, component, amount, department, allocation, name, position)


def _json_allocation(
    item: dict[str, Any], position: int, problems: ProblemList
) -> tuple[CostShare, ...] | None:
    shares = item.get("allocation")
    cost_center = _scalar(item.get("cost_center")).strip()
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
        percentage = problems.attempt(
            position, "allocation", parse_percentage, _scalar(share.get("percentage"))
        )
        if percentage is None:
            return None
        result.append(CostShare(_scalar(share["cost_center"]).strip(), percentage))
    return tuple(result)
