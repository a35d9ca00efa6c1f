"""Progress of long command-line work (``payjournal.cli.progress``): plain lines when the output
is not a terminal (Typer's runner, a pipe), a Rich bar with the count and what remains on a
pseudo-terminal. ``checks daily`` and ``runs send`` assert their lines in their own tests
(tests/preflight/test_daily_cli.py, tests/sending/test_runs_cli.py)."""

from __future__ import annotations

import os
import pty
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import IO

import pytest
from rich.console import Console
from typer.testing import CliRunner

from payjournal.cli import app
from payjournal.cli.progress import progress
from payjournal.payroll.models import PayrollRun
from payjournal.payroll.samples import samples_dir
from tests.fixtures.tenants import Tenant

#: The bar Rich draws (a finished bar is all heavy lines).
BAR = "━━━━━"


@contextmanager
def terminal() -> Iterator[tuple[IO[str], list[bytes]]]:
    """A pseudo-terminal: the file a program writes to (a tty) and what the terminal received
    (read on a thread, so a long output never blocks the writer)."""
    leader, follower = pty.openpty()
    received: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the follower side was closed
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    screen = os.fdopen(follower, "w", encoding="utf-8")
    try:
        yield screen, received
    finally:
        screen.close()
        reader.join(timeout=30)
        os.close(leader)


def test_plain_lines_when_not_on_a_terminal() -> None:
    out = StringIO()
    console = Console(file=out, width=200)
    assert not console.is_terminal
    with progress(console, "Importing", 3, "files") as bar:
        bar.advance(item="a.csv")
        bar.update(1)  # no change of the count: no line
        bar.advance(2, item="c.csv")
    assert out.getvalue().splitlines() == [
        "Importing: 1 of 3 files, 2 to go (a.csv)",
        "Importing: 3 of 3 files, 0 to go (c.csv)",
    ]


def test_a_bar_with_the_count_and_what_remains_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    with terminal() as (screen, received):
        console = Console(file=screen, width=120)
        assert console.is_terminal
        with progress(console, "Importing", 4, "files") as bar:
            bar.advance(item="one.csv")
            bar.advance(3, item="four.csv")
    shown = b"".join(received).decode()
    assert BAR in shown and "4/4" in shown and "0 to go" in shown and "four.csv" in shown
    assert "Importing: " not in shown  # no plain lines on a terminal


@pytest.mark.django_db
def test_runs_import_of_many_files_counts_them(tenant: Tenant) -> None:
    runs = sorted(str(p) for p in (samples_dir() / "se-nordisk").glob("run-*"))
    names = [Path(run).name for run in runs]
    command = ["runs", "import", *runs, "--company", str(tenant.nordisk.pk)]
    result = CliRunner().invoke(app, command, env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if line.startswith("Importing:")] == [
        f"Importing: {done} of 3 files, {3 - done} to go ({names[done - 1]})" for done in (1, 2, 3)
    ]


@pytest.mark.django_db
def test_runs_import_on_a_terminal_draws_the_bar(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = sorted(str(p) for p in (samples_dir() / "se-nordisk").glob("run-*"))
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "160")
    with terminal() as (screen, received):
        monkeypatch.setattr(sys, "stdout", screen)  # the command's console writes to the tty
        command = ["runs", "import", *runs, "--company", str(tenant.nordisk.pk)]
        with pytest.raises(SystemExit) as done:
            app(command)
        screen.flush()
        monkeypatch.undo()
    assert done.value.code == 0
    shown = b"".join(received).decode()
    assert BAR in shown and "3/3" in shown and "0 to go" in shown
    assert "run-2026-10.csv: run 2026-10 v1 imported" in shown
    assert PayrollRun.objects.filter(company=tenant.nordisk).count() == 3
