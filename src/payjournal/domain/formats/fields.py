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
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from payjournal.domain.run import CostShare

__all__ = [
    "MAX_REPORTED",
    "FileProblem",
    "InputError",
    "ProblemList",
    "cycle_collector_paused",
    "decode_text",
    "parse_allocation",
    "parse_amount",
    "parse_date",
    "parse_percentage",
]

MAX_REPORTED = 100
T = TypeVar("T")

_PLAIN_AMOUNT = re.compile(r"-?\d+(?:\.\d+)?")
_COMMA_AMOUNT = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|-?\d+(?:,\d+)?")
_POINT_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_GROUP_SPACES = str.maketrans("", "", " \u00a0\u202f'")


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
    """UTF-8 text with or without a byte-order mark; a clear error naming the line otherwise."""
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
    commas only in full groups of three (``1,234.56``).
    """
    text = raw.strip()
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
    raise ValueError(f"{raw!r} is not an amount (write it like {example})")


def parse_date(raw: str) -> date:
    """An ISO date, ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not a date (write it as YYYY-MM-DD)") from None


def parse_percentage(raw: str) -> Decimal:
    """A percentage between 0 (exclusive) and 100, such as ``60`` or ``33.33``."""
    text = raw.strip().rstrip("%").strip().replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not a percentage") from None
    if not value.is_finite() or not 0 < value <= 100:
        raise ValueError(f"{raw!r} is not a percentage between 0 and 100")
    return value


def parse_allocation(raw: str) -> tuple[CostShare, ...]:
    """``CC1`` (all of it to one cost center) or ``CC1:60|CC2:40`` (percentages)."""
    text = raw.strip()
    if not text:
        return ()
    if ":" not in text and "|" not in text:
        return (CostShare(text, Decimal(100)),)
    shares = []
    for part in text.split("|"):
        code, sep, percentage = part.partition(":")
        if not sep or not code.strip():
            raise ValueError(
                f"{raw!r} is not a cost center allocation (write it like CC1:60|CC2:40)"
            )
        shares.append(CostShare(code.strip(), parse_percentage(percentage)))
    codes = [share.cost_center for share in shares]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{raw!r} names a cost center twice")
    return tuple(shares)
