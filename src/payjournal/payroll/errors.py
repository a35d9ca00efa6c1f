"""Why a run or a ledger scheme was not imported (re-exported by :mod:`.services`)."""

from __future__ import annotations

__all__ = ["RunRejectedError", "RunUnreadableError"]


class RunRejectedError(ValueError):
    """The file cannot become a journal; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class RunUnreadableError(RunRejectedError):
    """The file itself cannot be read as a run (format, encoding, a field's value, its size)."""
