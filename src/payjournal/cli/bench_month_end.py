"""``payjournal bench month-end``: many companies, one run each, sent to the emulator.

The emulator runs in its own process on loopback with a latency per call; each payroll
company has its own Visma company and authorization, with a chart of ``--chart-size``
accounts (a real company's size: the seed's chart has 18). Embedded (``--workers 0``) the sends run
in this process on SQLite, as ``payjournal serve`` does; scaled (``--workers N --database
postgres``) this process only decides and enqueues, as ``payjournal web`` does, and N
``payjournal worker`` processes send. The executors start first and the daily checks run (as
the 03:00 schedule does while the executors are up),
then the timed window: every run is sent and the wall time is compared with the rate-limit
bound (one ``POST /v2/vouchers`` per voucher posted at ``--per-minute``).

With ``--corrections F`` a share F of the runs arrives again as a corrected version during the
window — while its first leg is queued, in flight or after it was sent
(:mod:`payjournal.benchmarks.month_end_corrections`) — imported in this process and booked by
automatic sending in ``--correction-mode``; afterwards the emulator's books are checked: no
marker posted twice, every run id netting to its latest version
(:mod:`payjournal.benchmarks.month_end_books`).

Every figure depends on the machine as much as on the code, so the command runs the benchmark
``--runs`` times (each in a fresh process) and prints min / median / max of each figure; each
run prints the load average before and after its window, what the machine's other
processes used meanwhile and the machine's own speed (the CPU time of a fixed piece of Python
before and after the window, with the CPU per journal in that unit), and ``--busy N`` keeps N
cores busy with separate processes during the window. The CPU per journal of the sending
process(es) is printed as a budget of measured parts (:mod:`payjournal.cpu_budget`,
:mod:`payjournal.benchmarks.month_end_runs`).
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from payjournal.benchmarks.month_end_corrections import Corrector
    from payjournal.benchmarks.month_end_runs import Machine
    from payjournal.cpu_budget import Figures

#: ``--correction-mode`` → the company setting.
MODES = {"reverse-and-rebook": "reverse_and_rebook", "difference": "difference"}
CORE_CHOICES = ("auto", "all", "pin")
#: Accounts in each company's chart unless said otherwise: a real company's chart has hundreds,
#: and a send's pre-flight reads it (with the seed's 18 the benchmark hid what they cost).
DEFAULT_CHART_SIZE = 400
#: The largest ``--chart-size`` (the emulator adds at most 5,000 accounts at once; a full
#: Swedish BAS chart has about 1,300).
MAX_CHART_SIZE = 5_000


def month_end(
    companies: int = typer.Option(1000, help="Payroll companies, one run each."),
    per_minute: int = typer.Option(6000, help="Rate limit per endpoint (emulator and ours)."),
    latency_ms: int = typer.Option(50, help="Latency the emulator adds to every request."),
    workers: int = typer.Option(0, help="0: send in this process; N: N worker processes."),
    database: str = typer.Option("sqlite", help="sqlite or postgres (127.0.0.1:5432)."),
    concurrency: int = typer.Option(32, help="Send workflows in flight per executor process."),
    chart_size: int = typer.Option(
        DEFAULT_CHART_SIZE,
        help="Accounts in each Visma company's chart, filler added to the seed's 18, as a real"
        " company has hundreds; 0: the seed's alone.",
    ),
    daily_checks: bool = typer.Option(
        True, help="Run the daily checks before the window (the 03:00 schedule)."
    ),
    corrections: float = typer.Option(
        0.0, help="Share of the runs (0–1) that arrive again corrected during the window."
    ),
    correction_mode: str = typer.Option(
        "reverse-and-rebook",
        help="How the companies book corrections: reverse-and-rebook or difference.",
    ),
    runs: int = typer.Option(
        3, help="Runs, each in a fresh process; min / median / max of each figure after."
    ),
    busy: int = typer.Option(
        0, help="Cores kept busy by separate processes during the window (a shared machine)."
    ),
    cores: str = typer.Option(
        "auto",
        help="Where the sending processes run their threads (PAYJOURNAL_CPU_AFFINITY): auto, the"
        " default, one core at a time, moved when another program crowds it; all, wherever the"
        " OS runs them; pin, embedded this process on the last core, worker N on core N.",
    ),
    figures_to: str = typer.Option(
        "", hidden=True, help="One run, in this process: write its figures here as JSON."
    ),
) -> None:
    """Send one journal for each of ``companies`` companies and print the figures."""
    if runs < 1:
        raise typer.BadParameter("--runs is at least 1")
    if busy < 0:
        raise typer.BadParameter("--busy is a number of cores, 0 or more")
    if cores not in CORE_CHOICES:
        raise typer.BadParameter(f"--cores is one of {', '.join(CORE_CHOICES)}")
    if runs > 1 and not figures_to:
        options = {
            "--companies": companies,
            "--per-minute": per_minute,
            "--latency-ms": latency_ms,
            "--workers": workers,
            "--database": database,
            "--concurrency": concurrency,
            "--chart-size": chart_size,
            "--corrections": corrections,
            "--correction-mode": correction_mode,
            "--busy": busy,
            "--cores": cores,
        }
        flags = [] if daily_checks else ["--no-daily-checks"]
        _repeat(runs, [*(f"{k}={v}" for k, v in options.items()), *flags])
        return
    _one_run(
        companies,
        per_minute,
        latency_ms,
        workers,
        database,
        concurrency,
        chart_size,
        daily_checks,
        corrections,
        correction_mode,
        busy,
        cores,
        figures_to,
    )


def _repeat(runs: int, arguments: list[str]) -> None:
    """Run the benchmark ``runs`` times, each in a fresh process, printing each run's output
    as it comes, then min / median / max of each figure."""
    from payjournal.benchmarks.month_end_runs import summary_lines

    collected: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        for number in range(1, runs + 1):
            typer.echo(f"=== run {number} of {runs}")
            out = Path(scratch) / f"run-{number}.json"
            command = [sys.executable, "-m", "payjournal", "bench", "month-end", *arguments]
            with subprocess.Popen(  # noqa: S603
                [*command, "--runs=1", f"--figures-to={out}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            ) as child:
                assert child.stdout is not None
                for line in child.stdout:  # as it comes
                    typer.echo(line, nl=False)
            if child.returncode != 0:
                raise typer.Exit(child.returncode)
            collected.append(json.loads(out.read_text()))
    typer.echo("\n".join(["===", *summary_lines(collected)]))


def _one_run(
    companies: int,
    per_minute: int,
    latency_ms: int,
    workers: int,
    database: str,
    concurrency: int,
    chart_size: int,
    daily_checks: bool,
    corrections: float,
    correction_mode: str,
    busy: int,
    cores: str,
    figures_to: str,
) -> None:
    from pydantic import SecretStr

    from payjournal.benchmarks import month_end as bench
    from payjournal.config import Settings
    from payjournal.emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
    from payjournal.site.bootstrap import start_django

    if database not in ("sqlite", "postgres"):
        raise typer.BadParameter("--database is sqlite or postgres")
    if not 0.0 <= corrections <= 1.0:
        raise typer.BadParameter(
            f"--corrections is a share of the runs from 0 to 1 (0.1 = 10 %), not {corrections}"
        )
    if not 0 <= chart_size <= MAX_CHART_SIZE:
        raise typer.BadParameter(
            f"--chart-size is a number of accounts from 0 to {MAX_CHART_SIZE}, not {chart_size}"
        )
    if correction_mode not in MODES:
        raise typer.BadParameter(
            f"--correction-mode is reverse-and-rebook or difference, not {correction_mode!r}"
        )
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
            visma_client_secret=SecretStr(DEMO_CLIENT_SECRET),
            visma_per_minute=per_minute,
            worker_concurrency=concurrency,
            # The emulator, started above, keeps the cores the OS gives it.
            cpu_affinity=bench.embedded_cores(cores),
        )
        start_django(settings, migrate=True)
        from payjournal import cpu_budget

        cpu_budget.count_statements()  # before any thread connects: counted from the window on
        # One INFO line per Visma call would bury the figures; warnings and errors still show.
        logging.getLogger("payjournal.visma").setLevel(logging.WARNING)
        from payjournal import wiring

        stack.callback(wiring.current().close)  # the limiter's pool, before its database is dropped
        from payjournal.benchmarks import month_end_runs
        from payjournal.benchmarks.month_end_corrections import Corrector
        from payjournal.cli.sending import start_jobs, stop_jobs
        from payjournal.integrations import watch
        from payjournal.jobs import dbos as dbos_jobs
        from payjournal.preflight.daily import check_every_company

        emulator = bench.Emulator(url)
        mode = f"{workers} worker processes" if workers else "embedded (one process)"
        booked_as = correction_mode.replace("-", " ")
        typer.echo(
            f"{companies} companies, {database}, {mode}"
            + (f"; {corrections:.0%} corrected, booked as {booked_as}" if corrections else "")
            + (f"; charts of {chart_size} accounts" if chart_size else "")
            + "; setting up …"
        )
        runs = bench.setup_tenants(emulator, companies, chart_size)
        bench.send_automatically(runs, MODES[correction_mode])
        corrector = Corrector(runs, corrections, bench.run_template())
        worker_pids: list[int] = []
        if workers:
            worker_pids = stack.enter_context(
                bench.worker_processes(workers, settings, workdir, cores=cores)
            )
        # This process is `payjournal serve`'s shape (embedded) or `payjournal web`'s (scaled):
        # its collector is tuned as theirs is.
        start_jobs(execute=not workers, executor_id=None if workers else "bench", long_running=True)
        stack.callback(stop_jobs)
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
        # The daily checks ran a moment ago, not at 03:00: without this, each account's answered
        # call in the window would be within the minute of its check's and not stored.
        watch.forget_answers()
        emulator.set_latency(latency_ms)
        with month_end_runs.Busy(busy) as busy_pids:
            window = _window(emulator, runs, corrector, worker_pids, emulator_child.pid, busy_pids)
        typer.echo(f"cores                 {bench.cores_line(workers, cores)}")
        figures = _report(
            emulator, runs, corrector, window, workers, per_minute, latency_ms, workdir, busy
        )
        figures["cockpit catch-up (s)"] = _cockpit_catch_up()
        if figures_to:
            Path(figures_to).write_text(json.dumps(figures))


def _cockpit_catch_up() -> float:
    """The first cockpit page after the window recomputes the summary of every company that
    changed in it (the send path writes none): time that, and print it."""
    from payjournal.payroll.models import PayrollCompany
    from payjournal.sending.summary import bring_up_to_date

    started = time.perf_counter()
    recomputed = bring_up_to_date(PayrollCompany.objects.all())
    took = time.perf_counter() - started
    typer.echo(
        f"cockpit catch-up      {recomputed} company summaries recomputed in {took:.2f} s "
        "(the first cockpit page after the window; the sends wrote none)"
    )
    return took


@dataclass(frozen=True, slots=True)
class Window:
    """What the timed window measured (the books are read afterwards)."""

    mark: int  # the emulator's request index at the start
    started_at: datetime
    decided: float
    wall: float
    cpu: float  # this process
    others: list[float]  # the workers', then the emulator's
    budget: Figures  # this process's parts and threads
    worker_budget: Figures | None  # the workers', added (None: they wrote none)
    machine: Machine
    rss_mb: dict[str, float]  # peak resident memory by process


def _window(
    emulator: Any,
    runs: list[Any],
    corrector: Corrector,
    worker_pids: list[int],
    emulator_pid: int,
    busy_pids: list[int],
) -> Window:
    """Send every run in one bulk decision, let the corrections arrive, wait until no leg moves."""
    from payjournal import cpu_budget
    from payjournal.benchmarks import month_end as bench
    from payjournal.benchmarks import month_end_runs
    from payjournal.domain.submission import MOVING_STATES
    from payjournal.sending.models import Submission
    from payjournal.sending.services import request_send_many

    pids = (*worker_pids, emulator_pid)
    mark = emulator.request_count()
    cpu_budget.switch_on()
    _signal(worker_pids, signal.SIGUSR1)  # the workers' budget: the window starts
    machine = month_end_runs.machine_before()
    budget_before = cpu_budget.snapshot()
    cpu_before = time.process_time()
    others_before = [bench.cpu_seconds(pid) for pid in pids]
    started_at, started = datetime.now(UTC), time.monotonic()
    # The corrections may arrive from the moment the first legs are committed (the corrector
    # looks for legs; it finds none before the first batch of the decision commits).
    corrector.start()
    with cpu_budget.part("decide"):
        request_send_many(runs)  # each batch's legs leave at its commit, as a user's bulk send
    decided = time.monotonic() - started
    while corrector.is_alive() or Submission.objects.filter(state__in=MOVING_STATES).exists():
        time.sleep(0.1)
    wall = time.monotonic() - started
    cpu = time.process_time() - cpu_before
    others = [
        bench.cpu_seconds(pid) - before for pid, before in zip(pids, others_before, strict=True)
    ]
    budget = cpu_budget.snapshot().since(budget_before)
    _signal(worker_pids, signal.SIGUSR2)  # … and ends: each writes its figures
    after = machine.after((os.getpid(), *pids, *busy_pids))
    if corrector.error is not None:
        raise corrector.error
    rss = {"this process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    for number, pid in enumerate(worker_pids):
        rss[f"worker {number}"] = month_end_runs.peak_rss_mb(pid)
    rss["emulator"] = month_end_runs.peak_rss_mb(emulator_pid)
    return Window(
        mark,
        started_at,
        decided,
        wall,
        cpu,
        others,
        budget,
        _worker_budget(worker_pids),
        after,
        rss,
    )


def _signal(pids: list[int], signum: int) -> None:
    for pid in pids:
        os.kill(pid, signum)


def _worker_budget(pids: list[int], timeout_s: float = 30.0) -> Figures | None:
    """The workers' budgets of the window, added (each writes its own file when signalled)."""
    from payjournal import cpu_budget

    if not pids:
        return None
    from payjournal.benchmarks.month_end import budget_prefix
    from payjournal.config import get_settings

    prefix = budget_prefix(get_settings().data_dir)
    paths = [Path(f"{prefix}.{pid}.json") for pid in pids]
    deadline = time.monotonic() + timeout_s
    while not all(path.exists() for path in paths):
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)
    total = cpu_budget.Figures()
    for path in paths:
        total = total.plus(cpu_budget.Figures.from_json(json.loads(path.read_text())))
    return total


def _report(
    emulator: Any,
    runs: list[Any],
    corrector: Corrector,
    window: Window,
    workers: int,
    per_minute: int,
    latency_ms: int,
    workdir: Path,
    busy: int,
) -> dict[str, Any]:
    """Print the run's figures; return the numeric ones (for the summary of several runs)."""
    from payjournal.benchmarks import month_end as bench
    from payjournal.benchmarks.month_end_books import check_books
    from payjournal.benchmarks.month_end_corrections import Moment, arrivals
    from payjournal.benchmarks.month_end_runs import (
        budget_lines,
        budget_per_journal,
        collections,
        statements_per_journal,
    )
    from payjournal.domain.submission import SubmissionState
    from payjournal.sending.models import Submission

    companies = len(runs)
    worker_cpu, emulator_cpu = sum(window.others[:-1]), window.others[-1]
    backoffs = bench.contention_backoffs(workdir)
    failed = list(
        Submission.objects.filter(state=SubmissionState.NEEDS_ACTION).values_list(
            "error_code", flat=True
        )
    )
    window_rows = emulator.requests(window.mark)
    calls = bench.Calls.of(window_rows)
    books = check_books(emulator, [run.company for run in runs])
    made = corrector.made
    arrived = arrivals(made)
    corrected = {corrector.companies[correction.company_id].key for correction in made}
    planned = sum(corrector.planned.values())
    reads = [r for r in window_rows if r["method"] != "POST"]
    # the vouchers Visma stored in the window (each POST that answered 201)
    vouchers = sum(
        1 for r in window_rows if r["endpoint"] == "POST /v2/vouchers" and r["status"] == 201
    )
    bound = max(vouchers, 1) / per_minute * 60
    budget = budget_per_journal(window.budget, vouchers)
    statements = statements_per_journal(window.budget, vouchers)
    worker_budget = worker_statements = None
    if window.worker_budget:
        worker_budget = budget_per_journal(window.worker_budget, vouchers)
        worker_statements = statements_per_journal(window.worker_budget, vouchers)
    sending_cpu = worker_cpu if workers else window.cpu
    # The CPU per journal in units of the machine's speed (comparable between machines).
    loops = sending_cpu / max(vouchers, 1) * 1000 / window.machine.reference_ms
    typer.echo(
        "\n".join(
            [
                *window.machine.lines(),
                f"busy cores            {busy} (separate processes spinning during the window)",
            ]
        )
    )
    typer.echo(
        f"runs                  {companies}; corrections {len(made)}"
        + (f" of {planned} planned" if len(made) != planned else "")
        + " "
        f"(arrived {', '.join(f'{arrived[m]} {m.value}' for m in Moment)})\n"
        f"vouchers posted       {books.posted_total}: full {books.posted['full']} "
        f"({books.posted_later_versions} of a corrected version), "
        f"reversal {books.posted['reversal']}, difference {books.posted['difference']}; "
        f"legs superseded {books.superseded}, no change to book {books.no_change}  "
        f"(Visma stored {vouchers} in the window)\n"
        f"corrections' CPU      {corrector.import_cpu:.2f} s importing "
        f"({_ms(corrector.import_cpu, len(made))} each; {_ms(corrector.import_wall, len(made))} "
        f"of wall time), {corrector.look_cpu:.2f} s looking for their moments (the "
        "benchmark's own)\n"
        f"needs action          {len(failed)}"
        f"{' ' + str(sorted(set(failed))) if failed else ''}\n"
        f"decide + enqueue      {window.decided:.2f} s\n"
        f"wall time             {window.wall:.2f} s\n"
        f"CPU per voucher       {_ms(window.cpu, vouchers)} this process"
        + (f", {_ms(worker_cpu, vouchers)} workers" if workers else "")
        + f", {_ms(emulator_cpu, vouchers)} emulator  (target <= 5 ms in the sending "
        f"process{'es' if workers else ''})\n"
        f"                      = {loops:.2f} reference loops in the sending "
        f"process{'es' if workers else ''} (the machine's speed above)\n"
        f"rate-limit bound      {bound:.2f} s  ({vouchers} vouchers at {per_minute}/min per "
        f"endpoint, latency {latency_ms} ms)\n"
        f"ratio to the bound    {window.wall / bound:.3f}  (target <= {1.05 if workers else 1.10})\n"
        f"API calls per voucher {calls.total / max(vouchers, 1):.2f}  (target <= 1.05)  "
        f"{calls.by_endpoint}\n"
        f"reads in the window   {len(reads)}, {sum(r['company'] in corrected for r in reads)} "
        "of them for corrected runs (the pre-flight reads the day's cache)\n"
        f"429s seen by Visma    {calls.throttled}; surfaced as failures: "
        f"{failed.count('rate_limited')}  (target 0)\n"
        f"duplicates            {books.duplicates} markers posted twice, {books.stray} vouchers "
        "without a marker of ours  (target 0)\n"
        f"books net             {books.netting} / {books.run_ids} run ids to their latest version "
        f"= {books.netting / max(books.run_ids, 1):.1%}  (target 100 %)"
        + (f" not: {', '.join(books.not_netting)}" if books.not_netting else "")
        + "\n"
        "peak RSS              "
        + ", ".join(f"{name} {mb:.0f} MB" for name, mb in window.rss_mb.items())
        + "\n"
        f"voucher POSTs         {bench.post_timeline(window_rows, window.started_at)}\n"
        "last sent             "
        + "\n                      ".join(bench.slowest_sends(window.started_at))
        + (
            f"\nDBOS polling back-offs {backoffs} (serialization conflicts between workers)"
            if workers
            else ""
        )
    )
    typer.echo(
        "\n".join(
            budget_lines(
                "this process" + ("" if workers else " (embedded)"),
                budget,
                statements,
                collections(window.budget),
            )
        )
    )
    worker_collections = collections(window.worker_budget) if window.worker_budget else 0
    if worker_budget is not None and worker_statements is not None:
        typer.echo(
            "\n".join(
                budget_lines(
                    f"the {workers} workers together",
                    worker_budget,
                    worker_statements,
                    worker_collections,
                )
            )
        )
    figures: dict[str, Any] = {
        "decide + enqueue (s)": window.decided,
        "wall time (s)": window.wall,
        "ratio to the bound": window.wall / bound,
        "CPU per journal, sending process(es) (ms)": sending_cpu / max(vouchers, 1) * 1000,
        "CPU per journal, sending process(es) (reference loops)": loops,
        "machine speed: reference loop (ms)": window.machine.reference_ms,
        "CPU per journal, this process (ms)": window.cpu / max(vouchers, 1) * 1000,
        "CPU per journal, emulator (ms)": emulator_cpu / max(vouchers, 1) * 1000,
        "API calls per voucher": calls.total / max(vouchers, 1),
        "429s seen by Visma": calls.throttled,
        "429s surfaced": failed.count("rate_limited"),
        "needs action": len(failed),
        "duplicates": books.duplicates + books.stray,
        "books net (%)": books.netting / max(books.run_ids, 1) * 100,
        **{f"peak RSS, {name} (MB)": mb for name, mb in window.rss_mb.items()},
        "load average before (1 min)": window.machine.load_before[0],
        "load average after (1 min)": window.machine.load_after[0],
        "other processes (cores)": window.machine.others_cores,
        "garbage collections in the window, this process": collections(window.budget),
        "budget, this process (ms per journal)": budget,
        "database statements per journal, this process": statements,
    }
    if worker_budget is not None and worker_statements is not None:
        figures["garbage collections in the window, workers together"] = worker_collections
        figures["budget, workers together (ms per journal)"] = worker_budget
        figures["database statements per journal, workers together"] = worker_statements
    return figures


def _ms(seconds: float, journals: int) -> str:
    return f"{seconds / max(journals, 1) * 1000:.1f} ms"
