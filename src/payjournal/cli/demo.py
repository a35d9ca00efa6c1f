"""``payjournal demo``: the main job on bundled sample data, with no configuration.

Until the web app lands this previews the journal of every bundled sample run: a Dutch
bakery (EUR, JSON files) and a Swedish sawmill (SEK, semicolon CSV with decimal commas).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import typer
from rich.console import Console

from payjournal.cli.journal import load_files, print_journal, print_problems
from payjournal.domain.posting import build_journal, check_run


def samples_dir() -> Path:
    """Where the bundled sample companies live (one folder each: scheme + runs)."""
    return Path(str(resources.files("payjournal").joinpath("samples")))


def demo() -> None:
    """Preview the journals of the bundled sample companies."""
    console = Console()
    failed = False
    for company in sorted(p for p in samples_dir().iterdir() if p.is_dir()):
        scheme_file = next(company.glob("scheme.*"))
        for run_file in sorted(company.glob("run-*")):
            console.rule(f"{company.name} · {run_file.name}")
            run, scheme = load_files(run_file, scheme_file)
            problems = check_run(run, scheme)
            if problems:
                print_problems(console, run, problems)
                failed = True
                continue
            print_journal(console, build_journal(run, scheme))
    if failed:
        raise typer.Exit(1)
