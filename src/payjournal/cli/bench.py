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


@app.command("client")
def client(
    vouchers: int = typer.Option(2000, help="Vouchers to post."),
    threads: int = typer.Option(8, help="Threads sharing one client."),
    per_minute: int = typer.Option(6000, help="Rate limit per endpoint, client and emulator."),
    latency_ms: int = typer.Option(50, help="Latency the emulator adds to every request."),
) -> None:
    """Post vouchers through the Visma client to the emulator on loopback; print the rate
    reached as a ratio of the limit and the 429s seen."""
    from datetime import date

    from payjournal.emulator import (
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        EmulatorConfig,
        FaultPlan,
        create_app,
        emulator_of,
        stable_id,
    )
    from payjournal.emulator.server import run_in_thread
    from payjournal.visma import ClientCredentials, TokenSet
    from payjournal.visma.bench import report, run

    emulator_app = create_app(EmulatorConfig(rate_limit_per_minute=per_minute), seed="demo")
    emulator = emulator_of(emulator_app)
    emulator.faults.set(FaultPlan(latency_ms=latency_ms))
    scopes = ["ea:api", "offline_access", "ea:accounting", "ea:sales_readonly"]
    company = stable_id("company", "nl-bakkerij")
    answer = emulator.tokens.mint(DEMO_CLIENT_ID, "anna@bakkerij.example", company, scopes)
    tokens = TokenSet(str(answer["access_token"]), None, emulator.now().replace(year=9999))
    credentials = ClientCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, "http://127.0.0.1/cb")
    with run_in_thread(emulator_app) as base_url:
        result = run(
            base_url,
            tokens,
            credentials,
            vouchers=vouchers,
            threads=threads,
            per_minute=per_minute,
            day=date.today(),
            debit_account=4000,
            credit_account=1650,
        )
    server_429 = sum(1 for record in emulator.requests if record.status == 429)
    typer.echo(report(result, server_429), nl=False)


@app.command("emulator")
def emulator(
    clients: int = typer.Option(8, help="Concurrent clients (threads, one connection each)."),
    per_client: int = typer.Option(500, help="Vouchers each client posts."),
) -> None:
    """Post vouchers to the emulator on loopback (own process, no added latency); print
    vouchers per second (target ≥ 500)."""
    from payjournal.emulator.bench import report, run

    typer.echo(report(run(clients, per_client)), nl=False)
