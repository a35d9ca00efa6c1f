"""One line per log record, with the structured fields the app passes in ``extra``.

The app logs events with their facts in ``extra`` (``event``, ``endpoint``, ``status``,
``elapsed_ms``, ``submission``, ``error`` …: ids, codes and timings, never tokens or payroll
data). Python's default format prints the message alone, which turns a month-end into
thousands of bare "visma request" lines; this one appends the fields as ``key=value``.
"""

from __future__ import annotations

import logging

__all__ = ["FieldsFormatter"]

#: Attributes every LogRecord has: whatever else a record carries came from ``extra``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class FieldsFormatter(logging.Formatter):
    """``time level logger message key=value …`` (the fields in the order they were given)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(
            f"{key}={value}" for key, value in vars(record).items() if key not in _STANDARD
        )
        if not fields:
            return line
        head, newline, rest = line.partition("\n")  # a traceback stays below the fields
        return f"{head} {fields}{newline}{rest}"
