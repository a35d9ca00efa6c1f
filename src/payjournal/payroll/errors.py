"""Why a run or a ledger scheme was not imported (re-exported by :mod:`.services`)."""

from __future__ import annotations

from collections.abc import Sequence

from payjournal.domain.formats import InputError
from payjournal.domain.problems import Problem, ProblemCode

__all__ = ["RunRejectedError", "RunUnreadableError"]


class RunRejectedError(ValueError):
    """The file cannot become a journal; ``problems`` lists every reason, as domain problems
    (a code to explain and translate, the sentence, the subject and the source lines)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.messages))

    @property
    def messages(self) -> list[str]:
        """The sentences a payroll administrator reads, one per problem."""
        return [problem.message for problem in self.problems]


class RunUnreadableError(RunRejectedError):
    """The file itself cannot be read as a run (format, encoding, a field's value, its size)."""

    @classmethod
    def of_file(cls, error: InputError) -> RunUnreadableError:
        """The reader's problems, each naming the file, line and field it concerns."""
        return cls(
            [
                Problem(
                    ProblemCode.UNREADABLE_FILE,
                    str(problem),
                    problem.field,
                    (problem.line,) if problem.line > 0 else (),
                )
                for problem in error.problems
            ]
        )
