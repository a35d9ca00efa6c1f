"""``payjournal bench month-end``: many companies, one run each, sent to the emulator.

The emulator runs in its own process on loopback with a latency per call; each payroll
company has its own Visma company and authorization. Embedded (``--workers 0``) the sends run
in this process on SQLite, as ``payjournal serve`` does; scaled (``--workers N --database
postgres``) this process only decides and enqueues, as ``payjournal web`` does, and N
``payjournal worker`` processes send. The executors start first and the daily checks run (as
the 03:00 schedule does while the executors are up),
then the timed window: every run is sent and the wall time is compared with the rate-limit
bound (one ``POST /v2/vouchers`` per journal at ``--per-minute``).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import typer


def month_end(
    companies: int = typer.Option(1000, help="Payroll companies, one run each."),
    per_minute: int = typer.Option(6000, help="Rate limit per endpoint (emulator and ours)."),
    latency_ms: int = typer.Option(50, help="Latency the emulator adds to every request."),
    workers: int = typer.Option(0, help="0: send in this process; N: N worker processes."),
    database: str = typer.Option("sqlite", help="sqlite or postgres (127.0.0.1:5432)."),
    concurrency: int = typer.Option(32, help="Send workflows in flight per executor process."),
    daily_checks: bool = typer.Option(
        True, help="Run the daily checks before the window (the 03:00 schedule)."
    ),
) -> None:
    """Send one journal for each of ``companies`` companies and print the figures."""
    from payjournal.benchmarks import month_end as bench
    from payjournal.config import Settings
    from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
    from payjournal.site.bootstrap import start_django

    if database not in ("sqlite", "postgres"):
        raise typer.BadParameter("--database is sqlite or postgres")
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        emulator_child = stack.enter_context(
            bench.emulator_process(per_minute, companies * 12 + 1000)
        )
        url = emulator_child.url
        database_url = (
            stack.enter_context(bench.postgres_database(f"payjournal_bench_{os.getpid()}"))
            if database == "postgres"
            else f"sqlite:///{workdir / 'app.sqlite'}"
        )
        settings = Settings(
            data_dir=workdir,
            database_url=database_url,
            secure_cookies=False,
            visma_identity_url=url,
            visma_api_url=f"{url}/v2/",
            visma_client_id=DEMO_CLIENT_ID,
            visma_client_secret=DEMO_CLIENT_SECRET,  # type: ignore[arg-type]
            visma_per_minute=per_minute,
            worker_concurrency=concurrency,
        )
        start_django(settings, migrate=True)
        # One INFO line per Visma call would bury the figures; warnings and errors still show.
        logging.getLogger("payjournal.visma").setLevel(logging.WARNING)
        from payjournal.integrations import gateway

        stack.callback(gateway.reset)  # the limiter's pool, before its database is dropped
        from payjournal.cli.sending import start_jobs
        from payjournal.jobs import dbos as dbos_jobs
        from payjournal.preflight.daily import check_every_company
        from payjournal.sending.models import Submission
        from payjournal.sending.services import request_send_many

        emulator = bench.Emulator(url)
        mode = f"{workers} worker processes" if workers else "embedded (one process)"
        typer.echo(f"{companies} companies, {database}, {mode}; setting up …")
        runs = bench.setup_tenants(emulator, companies)
        worker_pids: list[int] = []
        if workers:
            worker_pids = stack.enter_context(bench.worker_processes(workers, settings, workdir))
        start_jobs(execute=not workers, executor_id=None if workers else "bench")
        stack.callback(dbos_jobs.stop)
        mark = emulator.request_count()
        if daily_checks:
            summary = check_every_company()
            daily = bench.Calls.of(emulator.requests(mark))
            typer.echo(
                f"daily checks          {summary.checked} companies, {summary.drifted} drifted; "
                f"{daily.total} calls = {daily.total / companies:.2f} per company "
                f"{daily.by_endpoint}"
            )
        if not workers:
            dbos_jobs.wait_until_listening()
        emulator.set_latency(latency_ms)
        mark = emulator.request_count()
        cpu_before = time.process_time()
        others_before = [bench.cpu_seconds(pid) for pid in (*worker_pids, emulator_child.pid)]
        started_at, started = datetime.now(UTC), time.monotonic()
        request_send_many(runs)
        decided = time.monotonic() - started
        while Submission.objects.exclude(state__in=["sent", "needs_action"]).exists():
            time.sleep(0.1)
        wall = time.monotonic() - started
        cpu = time.process_time() - cpu_before
        others = [
            bench.cpu_seconds(pid) - before
            for pid, before in zip((*worker_pids, emulator_child.pid), others_before, strict=True)
        ]
        worker_cpu, emulator_cpu = sum(others[:-1]), others[-1]
        backoffs = bench.contention_backoffs(workdir)
        sent = Submission.objects.filter(state="sent").count()
        failed = list(
            Submission.objects.filter(state="needs_action").values_list("error_code", flat=True)
        )
        window_rows = emulator.requests(mark)
        window = bench.Calls.of(window_rows)
        counts = emulator.voucher_counts({run.company.key for run in runs})
        duplicates = sum(max(0, n - 1) for n in counts.values())
        bound = companies / per_minute * 60
        typer.echo(
            f"journals sent         {sent} / {companies}  (needs action: {len(failed)}"
            f"{' ' + str(sorted(set(failed))) if failed else ''})\n"
            f"decide + enqueue      {decided:.2f} s\n"
            f"wall time             {wall:.2f} s\n"
            f"CPU per journal       {_ms(cpu, companies)} this process"
            + (f", {_ms(worker_cpu, companies)} workers" if workers else "")
            + f", {_ms(emulator_cpu, companies)} emulator\n"
            f"rate-limit bound      {bound:.2f} s  ({per_minute}/min per endpoint, "
            f"latency {latency_ms} ms)\n"
            f"ratio to the bound    {wall / bound:.3f}  (target <= 1.15)\n"
            f"API calls per voucher {window.total / max(sent, 1):.2f}  (target <= 1.2)  "
            f"{window.by_endpoint}\n"
            f"429s seen by Visma    {window.throttled}; surfaced as failures: "
            f"{failed.count('rate_limited')}  (target 0)\n"
            f"duplicates            {duplicates}  (target 0)\n"
            f"voucher POSTs         {bench.post_timeline(window_rows, started_at)}\n"
            "last sent             "
            + "\n                      ".join(bench.slowest_sends(started_at))
            + (
                f"\nDBOS polling back-offs {backoffs} (serialization conflicts between workers)"
                if workers
                else ""
            )
        )


def _ms(seconds: float, journals: int) -> str:
    return f"{seconds / journals * 1000:.1f} ms"
