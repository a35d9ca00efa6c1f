"""Reading a processed payroll run from CSV (the format is in ``docs/formats.md``)."""

from __future__ import annotations

import csv
import itertools
import operator
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from payjournal.domain.formats.codes import parse_code, parse_name
from payjournal.domain.formats.fields import (
    MAX_AMOUNT_LENGTH,
    ProblemList,
    complete_line,
    count_of_fields,
    cycle_collector_paused,
    decode_text,
    parse_allocation,
    parse_amount,
)
from payjournal.domain.formats.runfile import (
    HEADER_FIELDS,
    LINE_FIELDS,
    OPTIONAL_FIELDS,
    parse_header,
    with_lines,
)
from payjournal.domain.run import CostShare, PayrollLine, PayrollRun

__all__ = ["read_run_csv"]


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
    columns = _columns(header_row, problems)
    missing = [
        name
        for name in (*HEADER_FIELDS, *LINE_FIELDS)
        if name not in columns and name not in OPTIONAL_FIELDS
    ]
    if missing:
        problems.add(1, None, f"missing column(s): {', '.join(missing)}")
        problems.check()
    lines_reader = _CsvLineReader(columns, decimal_comma=delimiter == ";", problems=problems)
    with cycle_collector_paused():
        header, lines = lines_reader.read(reader, len(header_row))
    problems.check()
    assert header is not None
    return with_lines(header, lines)


def _columns(header_row: list[str], problems: ProblemList) -> dict[str, int]:
    """Column name → index; a name given twice is refused (which one would count?)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header_row):
        name = cell.strip().lower()
        if name in columns and name in (*HEADER_FIELDS, *LINE_FIELDS):
            problems.add(1, name, "is a column twice: keep one")
        columns.setdefault(name, index)
    problems.check()
    return columns


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
    looked up in tables of already-seen, already-checked and stripped values (which also
    shares their memory) — one for codes, one for names, as they are checked differently —
    and a short decimal-point amount goes straight to `Decimal`. Anything unusual falls back
    to `_careful`, which records a problem for each bad field.
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
        self.codes: dict[str, str] = {}
        self.names: dict[str, str] = {}
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
        codes, names, allocations = self.codes, self.names, self.allocations
        i_employee, i_component, i_amount = self.i_employee, self.i_component, self.i_amount
        i_department, i_name, i_cost_center = self.i_department, self.i_name, self.i_cost_center
        fast_amounts = not self.decimal_comma
        make = tuple.__new__  # PayrollLine._make without its Python-level frame: a hot loop
        for line_no, row in reader:
            if len(row) != width:
                if any(cell.strip() for cell in row):  # a blank line is skipped quietly
                    self.problems.add(
                        line_no, None, f"has {count_of_fields(len(row))}, the header has {width}"
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
                header = parse_header(named, self.problems, line_no)
            try:
                employee = codes[row[i_employee]]
                component = codes[row[i_component]]
                department = codes[row[i_department]] if i_department >= 0 else ""
                name = names[row[i_name]] if i_name >= 0 else ""
                allocation = allocations[row[i_cost_center]] if i_cost_center >= 0 else ()
                raw = row[i_amount]
                if (
                    not fast_amounts
                    or "_" in raw
                    or "e" in raw
                    or "E" in raw
                    or len(raw) > MAX_AMOUNT_LENGTH
                ):
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

    def _code(self, raw: str, line_no: int, field: str) -> str | None:
        known = self.codes.get(raw)
        if known is not None:
            return known
        text = self.problems.attempt(line_no, field, parse_code, raw)
        if text is not None:
            self.codes[raw] = self.codes.setdefault(text, text)
        return text

    def _name(self, raw: str, line_no: int) -> str | None:
        known = self.names.get(raw)
        if known is not None:
            return known
        text = self.problems.attempt(line_no, "employee_name", parse_name, raw)
        if text is not None:
            self.names[raw] = self.names.setdefault(text, text)
        return text

    def _careful(self, row: list[str], line_no: int) -> PayrollLine | None:
        employee = self._code(row[self.i_employee], line_no, "employee_id")
        component = self._code(row[self.i_component], line_no, "component")
        if employee == "":
            self.problems.add(line_no, "employee_id", "is required")
        if component == "":
            self.problems.add(line_no, "component", "is required")
        amount = self.problems.attempt(line_no, "amount", self._amount, row[self.i_amount])
        allocation = self._allocation(
            row[self.i_cost_center] if self.i_cost_center >= 0 else "", line_no
        )
        name = self._name(row[self.i_name], line_no) if self.i_name >= 0 else ""
        department = (
            self._code(row[self.i_department], line_no, "department")
            if self.i_department >= 0
            else ""
        )
        return complete_line(employee, component, amount, department, allocation, name, line_no)

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
