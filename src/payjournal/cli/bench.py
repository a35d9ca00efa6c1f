"""``payjournal bench …``: benchmarks that print figures (never timed tests)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Benchmarks: print wall time, memory and throughput figures.", no_args_is_help=True
)


@app.command("build")
def build(
    employees: int = typer.Option(10_000, help="Employees in the generated run."),
    components: int = typer.Option(40, help="Wage components per employee."),
    repeat: int = typer.Option(3, help="Measurements; the best time is reported."),
) -> None:
    """Import and build a generated run of employees × components; print time, memory, ratio."""
    import tempfile
    from pathlib import Path

    from payjournal.benchmarks.build import report, run_benchmark

    with tempfile.TemporaryDirectory() as workdir:
        figures = run_benchmark(Path(workdir), employees, components, repeat)
        size_mb = (Path(workdir) / "bench-run.csv").stat().st_size / 1e6
    typer.echo(report(figures, size_mb), nl=False)


@app.command("emulator")
def emulator(
    clients: int = typer.Option(8, help="Concurrent clients (threads, one connection each)."),
    per_client: int = typer.Option(500, help="Vouchers each client posts."),
) -> None:
    """Post vouchers to the emulator on loopback (own process, no added latency); print
    vouchers per second (target ≥ 500)."""
    from payjournal.emulator.bench import report, run

    typer.echo(report(run(clients, per_client)), nl=False)
