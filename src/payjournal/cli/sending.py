"""Sending commands: ``runs send``, ``runs withdraw``, and the scaled processes ``web`` and
``worker``.

``serve`` and ``demo`` start an embedded DBOS executor through :func:`start_jobs`; ``web``
enqueues only; ``worker --executor-id N`` executes; :func:`stop_jobs` shuts it down. Errors
become messages here, once.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Collection, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from payjournal import cpu_budget
from payjournal.cli.history import LANG_OPTION, Language, speaking
from payjournal.cli.progress import progress
from payjournal.cli.web import print_mail_status
from payjournal.private_files import private_umask
from payjournal.site.bootstrap import start_django

if TYPE_CHECKING:
    from payjournal.payroll.models import PayrollCompany
    from payjournal.sending.models import Submission
    from payjournal.site.affinity import CoreWatch

console = Console()

#: The executing process's core watch (``PAYJOURNAL_CPU_AFFINITY=auto``), between
#: :func:`start_jobs` and :func:`stop_jobs`.
_core_watch: CoreWatch | None = None


def start_jobs(
    *,
    execute: bool = True,
    executor_id: str | None = None,
    worker: bool = False,
    long_running: bool = False,
) -> str:
    """Launch DBOS in this process (Django must be set up); returns the system database URL.
    ``worker``: a ``payjournal worker`` process, one of several beside PostgreSQL.
    ``long_running``: a process that serves until stopped (serve, demo, web, worker), whose
    garbage collector is tuned for it first (:mod:`payjournal.site.collector`); a command that
    sends and ends (``runs send --here``) leaves the collector as it is."""
    from django.conf import settings

    from payjournal import wiring
    from payjournal.config import get_settings
    from payjournal.jobs.dbos import system_database_url
    from payjournal.sending import workflows
    from payjournal.sending.services import sweep
    from payjournal.site.affinity import hold_threads
    from payjournal.site.collector import tune_for_serving

    global _core_watch
    config = get_settings()
    if long_running:  # Django and the modules are loaded: what start-up made is frozen
        tune_for_serving()
    if execute and _core_watch is None:  # before DBOS starts its threads: they inherit the cores
        _core_watch = hold_threads(config.cpu_affinity, worker=worker)
    if execute:  # before DBOS may recover a send, so that no send builds them
        wiring.current().shared.build()
    url = system_database_url(
        config.data_dir, config.database(), os.environ.get("PAYJOURNAL_DBOS_URL")
    )
    workflows.start(
        url,
        executor_id=executor_id,
        execute=execute,
        worker_concurrency=settings.PAYJOURNAL_WORKER_CONCURRENCY,
    )
    if execute:
        # Whatever was queued while no executor ran (idempotent: one workflow id per round).
        sweep(older_than=timedelta(0))
    return url


def current_core_watch() -> CoreWatch | None:
    """The core watch :func:`start_jobs` started, while it runs (the month-end benchmark
    reports its moves)."""
    return _core_watch


def stop_jobs() -> None:
    """Shut the executor of :func:`start_jobs` down."""
    from payjournal.sending import workflows

    global _core_watch
    workflows.stop()
    if _core_watch is not None:
        _core_watch.stop()
        _core_watch = None


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
    private_umask()  # like serve: whatever this process writes is its owner's alone
    start_django(migrate=True)
    url = start_jobs(execute=True, executor_id=executor_id, worker=True, long_running=True)
    cpu_budget.install_from_environment()  # the month-end benchmark's workers only
    console.print(f"payjournal worker {executor_id}: DBOS at {_redacted(url)}  (Ctrl-C stops)")
    print_mail_status()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop_jobs()


def web(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve the web app only; send workflows are enqueued for ``payjournal worker``."""
    import uvicorn

    private_umask()  # like serve: payroll data, sessions, mail files are 0600
    start_django(migrate=True)
    start_jobs(execute=False, long_running=True)
    from payjournal.site.asgi import application

    console.print(f"payjournal web on http://{host}:{port}/  (Ctrl-C stops)")
    print_mail_status()
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
    lang: Language | None = LANG_OPTION,
) -> None:
    """Send journals to Visma: the named runs, or every unsent run (of a period). A corrected
    run is booked as a reversal and the rebooking, or as one difference voucher; waits until
    each run id is settled or needs action."""
    start_django(migrate=True)
    with speaking(lang):
        _send(company, run_ids, start, end, here, wait)


def _send(
    company: int, run_ids: list[str] | None, start: str, end: str, here: bool, wait: float
) -> None:
    from django.utils.translation import gettext

    from payjournal.payroll.models import PayrollCompany
    from payjournal.sending.services import request_send_many, unsent_runs

    target = PayrollCompany.objects.filter(pk=company).first()
    if target is None:
        console.print(
            gettext("No payroll company with id %(id)s.") % {"id": company},
            style="red",
            markup=False,
            highlight=False,
        )
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
            console.print(
                gettext("skipped: %(reason)s") % {"reason": reason}, markup=False, highlight=False
            )
        if not result.queued:
            console.print(gettext("Nothing to send."), markup=False, highlight=False)
            return
        if not print_outcome(target, result.queued, wait):
            raise typer.Exit(1)
    finally:
        stop_jobs()


def withdraw_run(
    run_key: str = typer.Argument(..., metavar="RUN", help="The payroll run id."),
    company: int = typer.Option(..., help="The payroll company's id."),
    here: bool = typer.Option(
        False, "--here", help="Execute in this process (no worker or server running)."
    ),
    wait: float = typer.Option(120.0, help="Seconds to wait for the outcome (0: don't)."),
    lang: Language | None = LANG_OPTION,
) -> None:
    """Withdraw a run: Visma's books should hold nothing of it. What is booked is reversed —
    at once when the company sends automatically, else by the next ``runs send``."""
    start_django(migrate=True)
    with speaking(lang):
        _withdraw(run_key, company, here, wait)


def _withdraw(run_key: str, company: int, here: bool, wait: float) -> None:
    from django.utils.translation import gettext

    from payjournal.api.history import preview_out
    from payjournal.cli.history import find_company, no_such_run, to_book_line
    from payjournal.payroll.models import PayrollRun
    from payjournal.sending.booking import preview
    from payjournal.sending.services import sends_automatically, withdraw

    errors = Console(stderr=True, soft_wrap=True)
    target = find_company(company, errors)
    latest = PayrollRun.objects.filter(company=target, run_id=run_key).order_by("-version").first()
    if latest is None:
        raise no_such_run(target, run_key, errors)
    automatic = target.visma_account_id is not None and sends_automatically(target)
    if automatic:
        start_jobs(execute=here, executor_id="cli" if here else None)
    try:
        again = latest.withdrawn_at is not None
        leg = withdraw(latest)
        said = (
            gettext("Run %(run)s was already withdrawn.")
            if again
            else gettext("Run %(run)s withdrawn.")
        )
        console.print(said % {"run": run_key}, markup=False, highlight=False)
        if leg is not None and automatic:
            if not print_outcome(target, [leg], wait):
                raise typer.Exit(1)
            return
        console.print(
            to_book_line(preview_out(preview(target, run_key))), markup=False, highlight=False
        )
    finally:
        if automatic:
            stop_jobs()


def wait_for_books(
    company: PayrollCompany,
    run_keys: Collection[str],
    seconds: float,
    *,
    pause: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    at_rest: Callable[[int], None] = lambda count: None,
) -> bool:
    """Wait until every run id of ``run_keys`` is settled (:attr:`RunState.is_settled`), has a
    leg that needs action, or has nothing more on its way; at most ``seconds``. True when
    they all came to rest. ``at_rest`` is told, after each look, how many have.

    A correction is two legs one after the other (the rebooking is created only once its
    reversal is sent), so waiting on the legs a send queued would stop half-way.
    """
    from payjournal.sending.booking import run_states

    deadline = clock() + seconds
    while True:
        states = run_states(company, run_keys).values()
        resting = sum(not (s.open_leg and s.open_leg.state_enum.is_moving) for s in states)
        at_rest(resting)
        if resting == len(states):
            return True
        if clock() >= deadline:
            return False
        pause(0.5)


def print_outcome(company: PayrollCompany, queued: Sequence[Submission], wait: float) -> bool:
    """Wait for the run ids of the ``queued`` legs, then print every leg from those on: the run,
    the leg, its state, voucher and error. False when a leg needs action."""
    from django.utils.translation import gettext

    from payjournal.api.history import leg_out
    from payjournal.cli.history import describe_leg, leg_note, state_label
    from payjournal.domain.submission import SubmissionState
    from payjournal.sending.booking import run_states

    first = {leg.run_key: leg.pk for leg in queued}
    if wait:
        what, unit = gettext("Waiting for Visma"), gettext("runs")
        with progress(console, what, len(first), unit) as bar:
            wait_for_books(company, list(first), wait, at_rest=bar.update)
    table = Table(
        gettext("Run"), gettext("Leg"), gettext("State"), gettext("Voucher"), gettext("Note")
    )
    failed = False
    for run_key, state in run_states(company, list(first)).items():
        legs = list(state.legs)
        since = next(i for i, leg in enumerate(legs) if leg.pk == first[run_key])
        for leg in legs[since:]:
            failed |= leg.state == SubmissionState.NEEDS_ACTION
            shown = leg_out(state, leg)
            table.add_row(
                run_key,
                describe_leg(shown.kind, shown.version, shown.base_version),
                state_label(shown.state),
                shown.voucher_number or "",
                leg_note(shown),
            )
    console.print(table)
    return not failed
