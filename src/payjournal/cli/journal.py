"""``payjournal journal …``: look at the journal a run becomes, before anything is sent."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from payjournal.domain.formats import (
    InputError,
    journal_to_csv,
    journal_to_dict,
    read_run,
    read_scheme,
)
from payjournal.domain.journal import Journal
from payjournal.domain.posting import build_journal, check_run
from payjournal.domain.problems import Problem
from payjournal.domain.run import PayrollRun
from payjournal.domain.scheme import LedgerScheme

app = typer.Typer(help="Build and inspect journals from payroll runs.", no_args_is_help=True)

#: Exit codes: 0 the journal is fine, 1 the run has problems, 2 a file could not be read.
EXIT_PROBLEMS = 1
EXIT_INPUT = 2


class OutputFormat(StrEnum):
    """How `preview` prints the journal."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def load_files(run_file: Path, scheme_file: Path) -> tuple[PayrollRun, LedgerScheme]:
    """Read a run and a scheme from disk; raises `InputError` (or `OSError`) with the file named."""
    scheme = read_scheme(scheme_file.read_bytes(), str(scheme_file))
    run = read_run(run_file.read_bytes(), str(run_file))
    return run, scheme


@app.command()
def preview(
    run_file: Path = typer.Argument(..., help="The processed run, JSON or CSV."),
    scheme: Path = typer.Option(..., "--scheme", "-s", help="The ledger scheme, JSON or CSV."),
    output: OutputFormat = typer.Option(
        OutputFormat.TABLE, "--format", "-f", help="table, json or csv"
    ),
) -> None:
    """Print the journal a run becomes (rows, totals, balanced) or every problem that stops it."""
    console = Console()
    errors = Console(stderr=True, soft_wrap=True)  # messages name files and lines: never wrap them
    try:
        run, ledger = load_files(run_file, scheme)
    except InputError as error:
        errors.print(str(error), markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    except OSError as error:
        errors.print(f"cannot read {error.filename}: {error.strerror}", markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    problems = check_run(run, ledger)
    if problems:
        print_problems(errors, run, problems, as_json=output is OutputFormat.JSON)
        raise typer.Exit(EXIT_PROBLEMS)
    journal = build_journal(run, ledger)
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(journal_to_dict(journal), ensure_ascii=False, indent=2))
    elif output is OutputFormat.CSV:
        typer.echo(journal_to_csv(journal), nl=False)
    else:
        print_journal(console, journal)


def print_problems(
    console: Console, run: PayrollRun, problems: list[Problem], as_json: bool = False
) -> None:
    """Every problem of a run, as a list (or as JSON for scripts)."""
    if as_json:
        listed = [
            {"code": p.code.value, "message": p.message, "subject": p.subject, "lines": p.lines}
            for p in problems
        ]
        console.print_json(json.dumps({"run_id": run.run_id, "problems": listed}))
        return
    console.print(f"Run {run.run_id} cannot be booked — {len(problems)} problem(s):", markup=False)
    for problem in problems:
        console.print(f"  • {problem.message}", markup=False, highlight=False)


def print_journal(console: Console, journal: Journal) -> None:
    """The journal as a table with totals; texts from the files are shown as they are (never
    read as Rich markup: a row text ``[/red]`` would stop the command)."""
    table = Table(
        title=Text(
            f"{journal.voucher_text}\n"
            f"voucher date {journal.voucher_date.isoformat()}, {journal.currency}"
        ),
        title_justify="left",
    )
    table.add_column("Account")
    table.add_column("Debit", justify="right")
    table.add_column("Credit", justify="right")
    table.add_column("Text")
    table.add_column("Dimension")
    for row in journal.rows:
        debit = "" if row.debit.is_zero() else row.debit.formatted()
        credit = "" if row.credit.is_zero() else row.credit.formatted()
        table.add_row(row.account, debit, credit, Text(row.text), Text(row.dimension or ""))
    table.add_section()
    table.add_row(
        "Total", journal.debit_total.formatted(), journal.credit_total.formatted(), "", ""
    )
    console.print(table)
    verdict = "yes" if journal.is_balanced else "NO"
    console.print(f"Balanced: {verdict} ({len(journal.rows)} rows)", markup=False)
