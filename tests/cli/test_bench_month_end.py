"""``payjournal bench month-end``'s figures beyond one run: the summary of several runs, the
cores kept busy, the CPU budget per journal, and the workers' budgets (never timed)."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from payjournal import cpu_budget
from payjournal.benchmarks.month_end_runs import (
    Busy,
    budget_lines,
    budget_per_journal,
    collections,
    machine_before,
    statements_per_journal,
    summary_lines,
)
from payjournal.cli import app
from payjournal.cpu_budget import Figures
from tests.waiting import wait_until


def test_the_summary_gives_min_median_and_max_of_each_figure() -> None:
    runs = [
        {"wall time (s)": 12.0, "ratio to the bound": 1.2, "budget": {"claim": 1.0, "zero": 0.0}},
        {"wall time (s)": 10.0, "ratio to the bound": 1.0, "budget": {"claim": 3.0, "zero": 0.0}},
        {"wall time (s)": 11.0, "ratio to the bound": 1.1, "budget": {"claim": 2.0, "zero": 0.0}},
    ]
    lines = summary_lines(runs)
    assert lines[0] == "summary of 3 runs   min / median / max"
    assert any(
        line.startswith("wall time (s)") and "10.00 / 11.00 / 12.00" in line for line in lines
    )
    assert any(
        line.startswith("ratio to the bound") and "1.000 / 1.100 / 1.200" in line for line in lines
    )
    assert "budget:" in lines
    assert any(line.strip().startswith("claim") and "1.00 / 2.00 / 3.00" in line for line in lines)
    assert not any(line.strip().startswith("zero") for line in lines)  # a part that cost nothing


def test_busy_keeps_the_cores_busy_while_the_block_runs_and_stops_after() -> None:
    with Busy(2) as pids:
        assert len(pids) == 2
        for pid in pids:
            wait_until(lambda pid=pid: _cpu_ticks(pid) > 0, f"busy process {pid} spends CPU")
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or _state(pid) == "Z"


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_a_busy_process_may_run_on_any_core_though_the_benchmark_holds_one() -> None:
    """A child inherits its parent's cores: a spinner started by a sending process held on one
    core would crowd exactly that core, not a core the OS picks, as another program would."""
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})
    try:
        with Busy(1) as pids:
            assert os.sched_getaffinity(pids[0]) == cores
    finally:
        os.sched_setaffinity(0, cores)


def test_cores_names_a_known_choice() -> None:
    result = CliRunner().invoke(app, ["bench", "month-end", "--cores", "some"])
    assert result.exit_code == 2
    assert "--cores is one of auto, all, pin" in result.output


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_the_machine_lines_name_the_load_and_the_other_processes() -> None:
    before = machine_before()
    with Busy(1) as pids:
        wait_until(lambda: _cpu_ticks(pids[0]) > 2, "the busy process spends CPU")
        machine = before.after(ours=[os.getpid()])
    lines = machine.lines()
    assert lines[0].startswith("load average          before ")
    assert machine.others_cores > 0  # the busy process is not one of "ours" here
    assert 1 <= len(machine.busiest) <= 3
    assert all(cores > 0 for cores, _command in machine.busiest)
    assert lines[2].startswith(f"machine speed         reference loop {before.reference_ms:.1f} ms")
    assert machine.reference[0] == before.reference_ms and machine.reference[1] > 0
    assert machine.reference_ms == sum(machine.reference) / 2  # the window's: before and after


def test_the_budget_splits_the_cpu_into_the_parts_and_the_rest_of_each_threads_time() -> None:
    window = Figures(
        parts={"decide": 0.5, "enqueue": 0.25, "send: claim": 1.0, "token": 0.5},
        counts={},
        threads={
            "main thread": 1.0,
            "DBOS dequeue": 0.5,
            "workflow threads": 2.0,
            "other threads": 0.25,
        },
        process=3.75,
    )
    budget = budget_per_journal(window, journals=1000)
    assert budget["decide"] == 0.5 and budget["send: claim"] == 1.0 and budget["token"] == 0.5
    assert budget["DBOS dequeue"] == 0.5
    assert budget["DBOS bookkeeping"] == 0.5  # workflow threads beyond the send's parts
    assert budget["the benchmark's own"] == 0.25  # the main thread beyond decide and enqueue
    assert budget["total of the parts"] == 3.75 == budget["process CPU"]
    lines = budget_lines("this process", budget)
    assert lines[0] == "CPU budget per journal, this process (ms; database statements):"
    assert any("send: claim" in line and "1.00 ms" in line for line in lines)


def test_the_statements_per_journal_go_to_the_budgets_lines() -> None:
    window = Figures(
        statements={
            "send: claim": 3000,
            "token": 1000,
            "thread: workflow threads": 2000,  # outside every part: DBOS's bookkeeping
            "thread: DBOS dequeue": 500,
            "thread: main thread": 100,
        }
    )
    statements = statements_per_journal(window, journals=1000)
    assert statements["send: claim"] == 3.0 and statements["token"] == 1.0
    assert statements["DBOS bookkeeping"] == 2.0 and statements["DBOS dequeue"] == 0.5
    assert statements["the benchmark's own"] == 0.1
    assert statements["total of the parts"] == 6.6
    lines = budget_lines("this process", {"send: claim": 1.0}, statements)
    assert any("send: claim" in line and "1.00 ms   3.0" in line for line in lines)
    assert any("DBOS bookkeeping" in line and "0.00 ms   2.0" in line for line in lines)


@pytest.mark.django_db(transaction=True)
def test_each_database_statement_is_counted_for_its_part_or_its_thread() -> None:
    from django.contrib.auth.models import User

    engine = sa.create_engine("sqlite://")
    was = cpu_budget.enabled()
    cpu_budget.count_statements()
    cpu_budget.switch_on()
    try:
        before = cpu_budget.snapshot()
        with cpu_budget.part("test: reads"):
            User.objects.count()
            User.objects.filter(username="nobody").exists()
            with engine.connect() as connection:  # SQLAlchemy, as DBOS's system database
                connection.execute(sa.text("SELECT 1"))
        User.objects.count()  # outside every part
        spent = cpu_budget.snapshot().since(before)
    finally:
        cpu_budget._State.on = was
        engine.dispose()
    assert spent.statements["test: reads"] == 3
    assert spent.statements[cpu_budget.THREAD_PREFIX + "main thread"] == 1


def test_nested_parts_are_counted_once() -> None:
    was = cpu_budget.enabled()
    cpu_budget.switch_on()
    before = cpu_budget.snapshot()
    with cpu_budget.part("test: outer"):
        _spin()
        with cpu_budget.part("test: inner"):
            _spin()
    spent = cpu_budget.snapshot().since(before)
    assert spent.counts["test: outer"] == 1 and spent.counts["test: inner"] == 1
    outer, inner = spent.parts["test: outer"], spent.parts["test: inner"]
    assert outer > 0 and inner > 0
    assert outer + inner <= spent.threads["main thread"] + 1e-3
    cpu_budget._State.on = was


def test_the_garbage_collectors_runs_are_counted_and_shown_under_the_parts() -> None:
    was = cpu_budget.enabled()
    cpu_budget.switch_on()
    try:
        before = cpu_budget.snapshot()
        with cpu_budget.part("test: collecting"):
            gc.collect()
            gc.collect(0)
        spent = cpu_budget.snapshot().since(before)
    finally:
        cpu_budget._State.on = was
    # At least these two: another thread of the test process may collect meanwhile.
    assert collections(spent) >= 2
    assert spent.collector["seconds"] > 0
    budget = budget_per_journal(spent, journals=2)
    assert budget["of which the garbage collector"] == spent.collector["seconds"] * 500
    line = budget_lines("this process", budget, collected=collections(spent))[-1]
    assert "of which the garbage collector" in line
    assert f"{collections(spent)} collections in the window" in line


def test_a_collection_while_the_budget_holds_its_lock_does_not_hang() -> None:
    """A collection starts inside any allocation, also one made under the budget's lock."""
    was = cpu_budget.enabled()
    cpu_budget.switch_on()
    collected = threading.Event()

    def collect_holding_the_lock() -> None:
        with cpu_budget._State.lock:
            gc.collect()
        collected.set()

    try:
        thread = threading.Thread(target=collect_holding_the_lock, daemon=True)
        thread.start()
        assert collected.wait(timeout=60), "the collector's callback waited for the lock"
    finally:
        cpu_budget._State.on = was


def _spin() -> None:
    end = time.thread_time() + 0.02
    while time.thread_time() < end:
        pass


def test_a_worker_writes_its_budget_of_the_window_when_signalled(tmp_path: Path) -> None:
    prefix = tmp_path / "cpu-budget"
    code = (
        "import signal, time\n"
        "from payjournal import cpu_budget\n"
        "cpu_budget.install_from_environment()\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    with cpu_budget.part('send: claim'):\n"
        "        sum(range(1000))\n"
        "    time.sleep(0.001)\n"
    )
    env = dict(os.environ, **{cpu_budget.ENVIRONMENT: str(prefix)})
    child = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        child.send_signal(signal.SIGUSR1)  # the window starts
        path = Path(f"{prefix}.{child.pid}.json")
        child.send_signal(signal.SIGUSR2)  # … and ends
        wait_until(path.exists, "the worker wrote its budget")
        figures = Figures.from_json(json.loads(path.read_text()))
        assert set(figures.threads) == {"main thread"}
        assert figures.process >= 0 and figures.parts.get("send: claim", 0.0) >= 0
    finally:
        child.kill()
        child.wait()


def test_several_runs_each_in_its_own_process_then_the_summary() -> None:
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "month-end",
            "--companies",
            "2",
            "--runs",
            "2",
            "--busy",
            "1",
            "--no-daily-checks",
        ],
    )
    assert result.exit_code == 0, result.output
    output = result.output
    assert "=== run 1 of 2" in output and "=== run 2 of 2" in output
    assert "summary of 2 runs   min / median / max" in output
    assert "busy cores            1" in output
    assert "cores                 one core at a time, watched (auto)" in output
    assert "2 companies, sqlite, embedded (one process); charts of 400 accounts" in output
    assert "CPU budget per journal, this process (embedded) (ms; database statements):" in output
    assert "load average          before" in output
    assert "machine speed         reference loop" in output
    assert "reference loops in the sending process (the machine's speed above)" in output
    summary = output.split("summary of 2 runs", 1)[1]
    assert "ratio to the bound" in summary and "duplicates" in summary
    assert "CPU per journal, sending process(es) (reference loops)" in summary
    assert "machine speed: reference loop (ms)" in summary


def test_chart_size_gives_every_visma_company_a_chart_of_a_real_companys_size() -> None:
    result = CliRunner().invoke(
        app, ["bench", "month-end", "--companies", "2", "--runs", "2", "--chart-size", "60"]
    )  # two runs: each in a process of its own, as a test may not open the app's database
    assert result.exit_code == 0, result.output
    assert "2 companies, sqlite, embedded (one process); charts of 60 accounts" in result.output
    assert "needs action          0" in result.output
    assert "books net             2 / 2 run ids to their latest version" in result.output


def test_chart_size_is_a_number_of_accounts_the_emulator_takes() -> None:
    result = CliRunner().invoke(app, ["bench", "month-end", "--runs", "1", "--chart-size", "-1"])
    assert result.exit_code == 2
    assert "--chart-size is a number of accounts from 0 to 5000, not -1" in result.output
