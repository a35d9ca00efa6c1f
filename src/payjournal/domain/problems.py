"""Problems: everything that stops a run from becoming a journal, reported as values, all at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["JournalNotBuildableError", "Problem", "ProblemCode", "describe_lines"]


class ProblemCode(StrEnum):
    """Stable codes, so the app and the API can translate and link each problem."""

    EMPTY_RUN = "empty_run"
    NOTHING_TO_BOOK = "nothing_to_book"
    UNKNOWN_CURRENCY = "unknown_currency"
    CURRENCY_MISMATCH = "currency_mismatch"
    UNMAPPED_COMPONENT = "unmapped_component"
    UNMAPPED_DIMENSION = "unmapped_dimension"
    ALLOCATION_NOT_100 = "allocation_not_100"
    TEXT_TOO_LONG = "text_too_long"
    AMOUNT_OUT_OF_RANGE = "amount_out_of_range"
    AMOUNT_TOO_PRECISE = "amount_too_precise"
    # the file, before any booking rule: it cannot be read, is too large, or is another
    # company's; or the company's stored ledger scheme can no longer be read
    UNREADABLE_FILE = "unreadable_file"
    FILE_TOO_LARGE = "file_too_large"
    RUN_OF_ANOTHER_COMPANY = "run_of_another_company"
    SCHEME_UNREADABLE = "scheme_unreadable"


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a run cannot be booked, with the source lines it concerns.

    ``subject`` names the thing to fix (a component code, a department, an account), so a
    user interface can link to it; ``message`` is the sentence a payroll administrator reads.
    """

    code: ProblemCode
    message: str
    subject: str | None = None
    lines: tuple[int, ...] = ()

    def __str__(self) -> str:
        return self.message


class JournalNotBuildableError(ValueError):
    """`build_journal` was asked to build a run that has problems; they are all attached."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        listed = "\n".join(f"- {problem.message}" for problem in self.problems)
        super().__init__(f"the run cannot be booked ({len(self.problems)} problem(s)):\n{listed}")


def describe_lines(lines: Sequence[int], shown: int = 5) -> str:
    """``"line 4"``, ``"lines 4, 9"`` or ``"lines 4, 9, 12, 20, 31 and 17 more"``."""
    numbers = sorted(line for line in lines if line > 0)
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    head = ", ".join(str(n) for n in numbers[:shown])
    rest = len(numbers) - shown
    return f"lines {head}" + (f" and {rest} more" if rest > 0 else "")
