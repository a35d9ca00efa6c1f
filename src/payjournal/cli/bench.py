"""``payjournal bench …``: benchmarks that print figures (never timed tests)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Benchmarks: print wall time, memory and throughput figures.", no_args_is_help=True)
