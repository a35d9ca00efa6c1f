"""Field parsers shared by the file readers, and the error every reader raises.

Readers collect every problem of a file before giving up (up to :data:`MAX_REPORTED`), so a
payroll administrator fixes a file in one go; nothing is returned from a file with problems.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from payjournal.domain.formats.codes import parse_code, shown
from payjournal.domain.run import CostShare, PayrollLine

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_AMOUNT_LENGTH",
    "MAX_REPORTED",
    "FileProblem",
    "InputError",
    "ProblemList",
    "complete_line",
    "count_of_fields",
    "cycle_collector_paused",
    "decode_text",
    "parse_allocation",
    "parse_amount",
    "parse_date",
    "parse_percentage",
]

MAX_REPORTED = 100
#: Characters of an amount as written, grouping and sign included: room for any amount Visma
#: takes (below one billion, four decimals) written with spaces, and far from the thousands of
#: digits that would cost time to convert. Larger amounts are refused by `check_run`.
MAX_AMOUNT_LENGTH = 40
#: The dates a run may carry. Visma eAccounting holds no fiscal year before 1990, and a payroll
#: run is dated within years of today; the range catches typing errors (0202-09-25, 20266) and
#: keeps every date computation (period ends, voucher day rules) far from year 1 and 9999.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2100, 12, 31)
T = TypeVar("T")

_PLAIN_AMOUNT = re.compile(r"-?\d+(?:\.\d+)?")
_COMMA_AMOUNT = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|-?\d+(?:,\d+)?")
_POINT_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_GROUP_SPACES = str.maketrans("", "", " \u00a0\u202f'")
#: One group of three after a grouping-or-decimal mark: 1.234 is 1234 or 1.234 to a reader.
_AMBIGUOUS_POINT = re.compile(r"-?[1-9][0-9]{0,2}\.[0-9]{3}")
_AMBIGUOUS_COMMA = re.compile(r"-?[1-9][0-9]{0,2},[0-9]{3}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]*)?(?:[eE][-+]?[0-9]+)?")
_PERCENTAGE = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{1,6})?")


@dataclass(frozen=True, slots=True)
class FileProblem:
    """What is wrong where: ``source`` (file name), ``line`` (1-based; 0 = the file), ``field``."""

    source: str
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line <= 0 else f"{self.source}, line {self.line}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class InputError(ValueError):
    """A file that cannot be read; every problem found is attached, nothing was imported."""

    def __init__(self, problems: list[FileProblem], truncated: bool = False) -> None:
        self.problems = tuple(problems)
        self.truncated = truncated
        listed = "\n".join(f"- {problem}" for problem in self.problems)
        more = f"\n(stopped after {MAX_REPORTED} problems)" if truncated else ""
        super().__init__(f"{len(self.problems)} problem(s) in the input:\n{listed}{more}")


class ProblemList:
    """Collects the problems of one file; ``check()`` raises them all."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[FileProblem] = []
        self.truncated = False

    def add(self, line: int, field: str | None, message: str) -> None:
        if len(self.items) >= MAX_REPORTED:
            self.truncated = True
            raise InputError(self.items, truncated=True)
        self.items.append(FileProblem(self.source, line, field, message))

    def attempt(self, line: int, field: str, parse: Callable[[str], T], raw: str) -> T | None:
        """Parse `raw` with `parse`; on ValueError record a problem and return None."""
        try:
            return parse(raw)
        except ValueError as error:
            self.add(line, field, str(error))
            return None

    def check(self) -> None:
        if self.items:
            raise InputError(self.items, self.truncated)


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a reader builds many acyclic objects.

    A 400,000-line import creates as many line tuples; the collector would traverse them again
    and again as they pile up (about a quarter of the import's time), although they cannot form
    a cycle. Reference counting still frees memory as usual. Safe with threads: whichever
    reader found the collector enabled turns it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text with or without a byte-order mark; a clear error naming the line otherwise.

    A NUL character is refused as well: no text file has one, and PostgreSQL cannot store it.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise InputError(
            [FileProblem(source, line, None, "the file has a NUL character: it is not a text file")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            [
                FileProblem(
                    source,
                    line,
                    None,
                    "the file is not UTF-8 text: save it as UTF-8 (CSV UTF-8 in Excel)",
                )
            ]
        ) from None


def parse_amount(raw: str, decimal_comma: bool = False) -> Decimal:
    """An amount such as ``1234.56``, ``-12``, or with a decimal comma ``1.234,56``.

    Grouping by spaces is accepted in either convention; a decimal point file may group with
    commas only in full groups of three (``1,234.56``), a decimal comma file with points
    (``1.234,56``). A lone mark before three digits is refused instead of guessed: ``1.234``
    in a decimal comma file (and ``1,234`` in a decimal point one) may mean either 1234 or
    1.234, and payroll amounts do have more than two decimals.
    """
    text = raw.strip()
    if len(text) > MAX_AMOUNT_LENGTH:
        raise ValueError(
            f"{shown(text)} is too long for an amount "
            f"({len(text):,} characters; at most {MAX_AMOUNT_LENGTH})"
        )
    if (_AMBIGUOUS_POINT if decimal_comma else _AMBIGUOUS_COMMA).fullmatch(text):
        raise ValueError(_ambiguous(text, decimal_comma))
    digits = text[1:] if text[:1] == "-" else text
    if digits.replace(".", "", 1).isdigit() and digits.isascii() and digits[:1] != ".":
        return Decimal(text)  # the common case, 1234.56, without a regular expression
    text = text.translate(_GROUP_SPACES)
    if decimal_comma and _COMMA_AMOUNT.fullmatch(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    if not decimal_comma and _PLAIN_AMOUNT.fullmatch(text):
        return Decimal(text)
    if not decimal_comma and _POINT_GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    example = "1234,56" if decimal_comma else "1234.56"
    raise ValueError(f"{shown(raw.strip())} is not an amount (write it like {example})")


def _ambiguous(text: str, decimal_comma: bool) -> str:
    mark, other = (".", ",") if decimal_comma else (",", ".")
    convention = "decimal commas" if decimal_comma else "decimal points"
    return (
        f"{text!r} is ambiguous in a file with {convention}: write {text.replace(mark, '')} "
        f"if {mark!r} separates thousands, or {text.replace(mark, other)} if it marks decimals"
    )


def parse_date(raw: str) -> date:
    """An ISO date, ``YYYY-MM-DD``, from :data:`EARLIEST_DATE` to :data:`LATEST_DATE`."""
    text = raw.strip()
    if _NUMBER.fullmatch(text):
        raise ValueError(
            f"{shown(text)} is a number, not a date: write the date as YYYY-MM-DD "
            "(in a spreadsheet, format the column as text)"
        )
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        value = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{shown(text)} is not a date (write it as YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(
            f"{text!r} is not between {EARLIEST_DATE.year} and {LATEST_DATE.year}: check the year"
        )
    return value


def parse_percentage(raw: str) -> Decimal:
    """A percentage between 0 (exclusive) and 100, such as ``60`` or ``33.33``."""
    text = raw.strip().rstrip("%").strip()
    if not _PERCENTAGE.fullmatch(text):
        raise ValueError(f"{shown(raw.strip())} is not a percentage (write it like 60 or 33.33)")
    value = Decimal(text.replace(",", "."))
    if not 0 < value <= 100:
        raise ValueError(f"{shown(raw.strip())} is not a percentage between 0 and 100")
    return value


def parse_allocation(raw: str) -> tuple[CostShare, ...]:
    """``CC1`` (all of it to one cost center) or ``CC1:60|CC2:40`` (percentages)."""
    text = raw.strip()
    if not text:
        return ()
    if ":" not in text and "|" not in text:
        return (CostShare(parse_code(text), Decimal(100)),)
    shares = []
    for part in text.split("|"):
        code, sep, percentage = part.partition(":")
        if not sep or not code.strip():
            raise ValueError(
                f"{shown(text)} is not a cost center allocation (write it like CC1:60|CC2:40)"
            )
        shares.append(CostShare(parse_code(code), parse_percentage(percentage)))
    codes = [share.cost_center for share in shares]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{shown(text)} names a cost center twice")
    return tuple(shares)


def complete_line(
    employee: str | None,
    component: str | None,
    amount: Decimal | None,
    department: str | None,
    allocation: tuple[CostShare, ...] | None,
    name: str | None,
    line: int,
) -> PayrollLine | None:
    """The line of a run file once each of its fields was read, the same for CSV and JSON;
    ``None`` when one of them was not (``None``, or an empty required code): its problem is
    noted already. An empty department or name is simply absent."""
    if (
        not employee
        or not component
        or amount is None
        or allocation is None
        or name is None
        or department is None
    ):
        return None
    return PayrollLine(
        employee, component, amount, department or None, allocation, name or None, line
    )


def count_of_fields(count: int) -> str:
    """A CSV row's width in words: ``1 field``, ``3 fields`` (never "has 1 fields")."""
    return f"{count} field" if count == 1 else f"{count} fields"
