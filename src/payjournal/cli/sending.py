"""Sending commands: ``runs send``, and the scaled processes ``web`` and ``worker``.

``serve`` and ``demo`` start an embedded DBOS executor through :func:`start_jobs`; ``web``
enqueues only; ``worker --executor-id N`` executes. Errors become messages here, once.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import date, timedelta

import typer
from rich.console import Console
from rich.table import Table

from payjournal.site.bootstrap import start_django

console = Console()


def start_jobs(*, execute: bool = True, executor_id: str | None = None) -> str:
    """Launch DBOS in this process (Django must be set up); returns the system database URL."""
    from django.conf import settings

    from payjournal.config import get_settings
    from payjournal.jobs import dbos as dbos_jobs

    config = get_settings()
    url = dbos_jobs.system_database_url(
        config.data_dir, config.database(), os.environ.get("PAYJOURNAL_DBOS_URL")
    )
    dbos_jobs.start(
        url,
        executor_id=executor_id,
        execute=execute,
        worker_concurrency=settings.PAYJOURNAL_WORKER_CONCURRENCY,
    )
    if execute:
        from payjournal.sending.services import sweep

        # Whatever was queued while no executor ran (idempotent: one workflow id per round).
        sweep(older_than=timedelta(0))
    return url


def _redacted(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url


def worker(
    executor_id: str = typer.Option(
        ..., help="A stable id (worker-0, worker-1 …): a restarted worker recovers its own work."
    ),
) -> None:
    """Execute send workflows (scaled mode: PostgreSQL for the app and DBOS)."""
    start_django(migrate=True)
    url = start_jobs(execute=True, executor_id=executor_id)
    console.print(f"payjournal worker {executor_id}: DBOS at {_redacted(url)}  (Ctrl-C stops)")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        from payjournal.jobs import dbos as dbos_jobs

        dbos_jobs.stop()


def web(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve the web app only; send workflows are enqueued for ``payjournal worker``."""
    import uvicorn

    start_django(migrate=True)
    start_jobs(execute=False)
    from payjournal.site.asgi import application

    console.print(f"payjournal web on http://{host}:{port}/  (Ctrl-C stops)")
    uvicorn.run(application, host=host, port=port, log_level="warning")


def send_runs(
    company: int = typer.Option(..., help="The payroll company's id."),
    run_ids: list[str] = typer.Argument(None, help="Run ids; none = every unsent run."),
    start: str = typer.Option("", help="Period from (YYYY-MM-DD), for a bulk send."),
    end: str = typer.Option("", help="Period to (YYYY-MM-DD), for a bulk send."),
    here: bool = typer.Option(
        False, "--here", help="Execute in this process (no worker or server running)."
    ),
    wait: float = typer.Option(120.0, help="Seconds to wait for the outcome (0: don't)."),
) -> None:
    """Send journals to Visma: the named runs, or every unsent run (of a period)."""
    start_django(migrate=True)
    from payjournal.payroll.models import PayrollCompany
    from payjournal.sending.models import Submission
    from payjournal.sending.services import request_send_many, unsent_runs

    target = PayrollCompany.objects.filter(pk=company).first()
    if target is None:
        console.print(f"[red]No payroll company with id {company}.[/red]")
        raise typer.Exit(1)
    try:
        first = date.fromisoformat(start) if start else None
        last = date.fromisoformat(end) if end else None
    except ValueError:
        raise typer.BadParameter("dates are YYYY-MM-DD") from None
    runs = unsent_runs(target, first, last)
    if run_ids:
        runs = runs.filter(run_id__in=run_ids)
    start_jobs(execute=here, executor_id="cli" if here else None)
    try:
        result = request_send_many(list(runs))
        for reason in result.skipped.values():
            console.print(f"[yellow]skipped:[/yellow] {reason}")
        if not result.queued:
            console.print("Nothing to send.")
            return
        ids = [s.pk for s in result.queued]
        deadline = time.monotonic() + wait
        final = {"sent", "needs_action"}
        while wait and time.monotonic() < deadline:
            if all(s.state in final for s in Submission.objects.filter(pk__in=ids)):
                break
            time.sleep(0.5)
        table = Table("run", "state", "voucher", "error")
        failed = False
        for submission in Submission.objects.filter(pk__in=ids).select_related("journal__run"):
            run = submission.journal.run
            failed |= submission.state == "needs_action"
            table.add_row(
                f"{run.run_id} v{run.version}",
                submission.state,
                submission.voucher_number,
                submission.error_message,
            )
        console.print(table)
        if failed:
            raise typer.Exit(1)
    finally:
        from payjournal.jobs import dbos as dbos_jobs

        dbos_jobs.stop()
