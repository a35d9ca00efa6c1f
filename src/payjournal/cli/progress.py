"""Progress of long command-line work, one way for every command: a Rich bar with the count
and what remains on a terminal, plain lines when the output is a file or a pipe.

``runs import`` of many files, ``runs send`` waiting for Visma's outcomes and ``checks daily``
across companies use it::

    with progress(console, gettext("Importing"), total=len(files), unit=gettext("files")) as bar:
        for path in files:
            ...
            bar.advance(item=path.name)

On a terminal the bar reads ``Importing ━━━━━━━━━━━━ 3/10 files · 7 to go · 0:00:04 run-x.csv``
and stays on screen when done; anything printed to ``console`` meanwhile appears above it.
Elsewhere (a cron job, CI, a pipe to a log) each change of the count is one line,
``Importing: 3 of 10 files, 7 to go (run-x.csv)``, and nothing is redrawn.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

__all__ = ["Tracker", "progress"]


class Tracker:
    """The count of one piece of long work: :meth:`advance` by a step, or :meth:`update` to a
    count (``runs send`` polls how many run ids came to rest)."""

    def __init__(
        self, console: Console, what: str, total: int, unit: str, bar: Progress | None
    ) -> None:
        self.console = console
        self.what = what
        self.total = total
        self.unit = unit
        self.done = 0
        self._bar = bar
        self._task: TaskID | None = None
        if bar is not None:
            self._task = bar.add_task(what, total=total, unit=unit, left=total, item="")

    def advance(self, step: int = 1, item: str = "") -> None:
        """``step`` more done; ``item`` names the one just done (a file, a company)."""
        self.update(self.done + step, item)

    def update(self, done: int, item: str = "") -> None:
        """``done`` of the total are done now; a plain line only when the count changed."""
        done = max(0, min(done, self.total))
        changed = done != self.done
        self.done = done
        left = self.total - done
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done, left=left, item=item)
        elif changed:
            self.console.print(self.line(item), markup=False, highlight=False, soft_wrap=True)

    def line(self, item: str = "") -> str:
        """The plain line of the current count."""
        text = gettext("%(what)s: %(done)d of %(total)d %(unit)s, %(left)d to go") % {
            "what": self.what,
            "done": self.done,
            "total": self.total,
            "unit": self.unit,
            "left": self.total - self.done,
        }
        return f"{text} ({item})" if item else text


@contextmanager
def progress(console: Console, what: str, total: int, unit: str) -> Iterator[Tracker]:
    """Track ``total`` steps of ``unit`` (already translated) while the block runs: a live bar
    when ``console`` writes to a terminal, else a plain line per change of the count."""
    if not console.is_terminal:
        yield Tracker(console, what, total, unit, None)
        return
    to_go = gettext("to go")
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]} · {task.fields[left]} " + to_go.replace("[", r"\[")),
        TimeRemainingColumn(),
        TextColumn("{task.fields[item]}", markup=False),
        console=console,
    )
    with bar:
        yield Tracker(console, what, total, unit, bar)
