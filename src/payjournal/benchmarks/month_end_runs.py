"""What the month-end benchmark prints beyond one run's figures: the machine it ran on, cores
kept busy on purpose, the CPU budget per journal, and min / median / max over several runs.

* :class:`Busy`: ``--busy N`` keeps N cores busy with separate processes (a spinning loop
  each) during the window, so a run on a shared machine can be told apart from the code.
* :func:`machine_before` / :meth:`MachineBefore.after`: the load average before and after
  the window and the CPU the machine's other processes used in it (from ``/proc``), the
  busiest named; and the machine's own speed, the CPU time of a fixed piece of Python
  (:func:`reference_loop_ms`), so the CPU per journal can be read in that unit as well.
* :func:`budget_lines`: the CPU per journal of the sending process(es) split into its measured
  parts (:mod:`payjournal.cpu_budget`).
* :func:`summary_lines`: each figure of several runs as min / median / max.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from payjournal.cpu_budget import THREAD_PREFIX, Figures

__all__ = [
    "Busy",
    "MachineBefore",
    "budget_lines",
    "budget_per_journal",
    "collections",
    "machine_before",
    "peak_rss_mb",
    "reference_loop_ms",
    "summary_lines",
]

#: What a busy process runs: a loop that never sleeps.
SPIN = "while True:\n    pass\n"


@contextmanager
def Busy(cores: int) -> Iterator[list[int]]:  # noqa: N802  # a context manager named as a thing
    """``cores`` processes spinning for as long as the block runs; yields their pids.

    Each may run on any core, like another program: a child inherits its parent's cores, and
    the benchmark's process may be holding its threads on one (``PAYJOURNAL_CPU_AFFINITY``)."""
    children = [
        subprocess.Popen([sys.executable, "-c", SPIN])  # noqa: S603
        for _ in range(max(0, cores))
    ]
    for child in children:
        _any_core(child.pid)
    try:
        yield [child.pid for child in children]
    finally:
        for child in children:
            child.kill()
        for child in children:
            child.wait(timeout=10)


def _any_core(pid: int) -> None:
    """Let process ``pid`` run on every core of the machine (where affinity exists)."""
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):  # a core this container may not use
            os.sched_setaffinity(pid, range(os.cpu_count() or 1))


def _ticks_by_process() -> dict[int, tuple[str, int]]:
    """Every process's name and CPU ticks so far (Linux ``/proc``; empty elsewhere)."""
    found: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if not entry.name.isdigit():
            continue
        try:
            head, tail = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = tail.split()
        found[int(entry.name)] = (head.split("(", 1)[1], int(fields[11]) + int(fields[12]))
    return found


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    words = [w for w in raw.decode(errors="replace").split("\0") if w]
    return " ".join(words)[:90]


def _reference_work() -> int:
    """A fixed piece of interpreter work like the send path's: small dicts, strings, calls."""
    total = 0
    for n in range(10_000):
        row = {"account": str(1000 + n % 97), "amount": str(n * 3), "text": f"line {n}"}
        total += len(row["text"]) + int(row["amount"]) % 7 + sum(divmod(n, 13))
    return total


def reference_loop_ms(repeats: int = 15) -> float:
    """The CPU time of :func:`_reference_work` in this thread, the median of ``repeats`` (ms).

    Machines of one kind run Python at different speeds (seen here: 2.6 times apart); the
    month-end's CPU per journal divided by this figure is comparable between them. The
    median of several, because a single short loop catches the core at its fastest or slowest.
    """
    times = []
    for _ in range(repeats):
        started = time.thread_time()
        _reference_work()
        times.append(time.thread_time() - started)
    return statistics.median(times) * 1000


@dataclass(frozen=True, slots=True)
class MachineBefore:
    """The machine at the window's start, to compare with its end."""

    load: tuple[float, float, float]
    ticks: dict[int, tuple[str, int]]
    at: float
    reference_ms: float

    def after(self, ours: Iterable[int]) -> Machine:
        """The load average now, and the cores the other processes used since (the busiest
        three by name); ``ours`` are the benchmark's own processes."""
        now = _ticks_by_process()
        elapsed = max(time.monotonic() - self.at, 1e-9)
        tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        mine = set(ours)
        used: list[tuple[float, int, str]] = []
        for pid, (name, ticks) in now.items():
            if pid in mine:
                continue
            before = self.ticks.get(pid, (name, 0))[1]
            cores = (ticks - before) / tick / elapsed
            if cores > 0:
                used.append((cores, pid, name))
        used.sort(reverse=True)
        return Machine(
            self.load,
            _loadavg(),
            sum(c for c, _pid, _name in used),
            [(c, _command(pid) or name) for c, pid, name in used[:3]],
            (self.reference_ms, reference_loop_ms()),
        )


@dataclass(frozen=True, slots=True)
class Machine:
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    others_cores: float  # CPU of the machine's other processes in the window, in cores
    busiest: list[tuple[float, str]]
    reference: tuple[float, float]  # the machine's speed: reference_loop_ms() before, after

    @property
    def reference_ms(self) -> float:
        """The machine's speed in the window: the reference loop before and after, averaged."""
        return sum(self.reference) / 2

    def lines(self) -> list[str]:
        busiest = "; ".join(f"{c:.2f} {cmd}" for c, cmd in self.busiest) or "none"
        return [
            f"load average          before {_load(self.load_before)}, after "
            f"{_load(self.load_after)} (1, 5, 15 min; {os.cpu_count()} cores)",
            f"other processes       {self.others_cores:.2f} cores in the window; busiest: {busiest}",
            f"machine speed         reference loop {self.reference[0]:.1f} ms of CPU before the "
            f"window, {self.reference[1]:.1f} after (a fixed piece of Python, median of 15; "
            "a slower machine takes longer)",
        ]


def _loadavg() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


def _load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in load)


def machine_before() -> MachineBefore:
    reference_ms = reference_loop_ms()
    return MachineBefore(_loadavg(), _ticks_by_process(), time.monotonic(), reference_ms)


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory of a living process so far, in MB (``VmHWM``; 0 elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


#: The budget's parts in the order of a journal's way, with what each holds.
PARTS = (
    ("decide", "the bulk decision: booking rows and outbox rows (request_send_many)"),
    ("enqueue", "DBOS enqueue, after the decision's commit"),
    ("DBOS dequeue", "DBOS's queue thread: polling, claiming, reading the claimed"),
    ("send: load the leg", "the leg with its journal, company and account"),
    ("send: claim", "queued → sending, with its timeline row"),
    ("send: the leg's journal and voucher", "the journal's lines, the voucher built"),
    ("send: pre-flight from the cache", "the checks on the day's cached reads"),
    ("token", "the account's access token, read and decrypted"),
    ("send: HTTP (POST /v2/vouchers)", "the rate-limit slot, the request, its answer"),
    ("send: sent, and the next leg", "sending → sent, its timeline row, the run's next leg"),
    ("send: the rest", "the workflow body outside the parts above"),
    ("DBOS bookkeeping", "workflow threads outside the send: dispatch, the outcome's write"),
    ("DBOS's other threads", "scheduler, notifications, background jobs, event loop"),
    ("the benchmark's own", "this process's main thread: waiting for the legs to settle"),
)


def budget_per_journal(window: Figures, journals: int) -> dict[str, float]:
    """The window's CPU of one process (or several, added) per journal in ms, by part; the
    threads' time that no part names is DBOS's (``DBOS bookkeeping``) or the benchmark's."""
    per = 1000.0 / max(journals, 1)
    parts = dict(window.parts)
    send_parts = sum(v for k, v in parts.items() if k.startswith("send:") or k == "token")
    main_parts = parts.get("decide", 0.0) + parts.get("enqueue", 0.0)
    threads = window.threads
    found = {name: parts.get(name, 0.0) * per for name, _what in PARTS}
    found["DBOS dequeue"] = threads.get("DBOS dequeue", 0.0) * per
    found["DBOS bookkeeping"] = max(0.0, threads.get("workflow threads", 0.0) - send_parts) * per
    found["DBOS's other threads"] = threads.get("other threads", 0.0) * per
    found["the benchmark's own"] = max(0.0, threads.get("main thread", 0.0) - main_parts) * per
    found["total of the parts"] = sum(found.values())
    found["process CPU"] = window.process * per
    found[COLLECTOR] = window.collector.get("seconds", 0.0) * per
    return found


#: The garbage collector's CPU per journal, which lies inside the parts.
COLLECTOR = "of which the garbage collector"


def collections(window: Figures) -> int:
    """How many times the garbage collector ran in the window (every generation)."""
    return round(window.collector.get("collections", 0.0))


#: Where the statements a thread ran outside every part go in the budget (by its role).
_STATEMENTS_OUTSIDE_PARTS = {
    "DBOS dequeue": "DBOS dequeue",
    "workflow threads": "DBOS bookkeeping",
    "other threads": "DBOS's other threads",
    "main thread": "the benchmark's own",
}


def statements_per_journal(window: Figures, journals: int) -> dict[str, float]:
    """The window's database statements (the app's and DBOS's) per journal, by the budget's
    parts; a thread's statements outside every part go to its role's line. Unlike the CPU,
    these do not depend on the machine."""
    found: dict[str, float] = {}
    for key, count in window.statements.items():
        if key.startswith(THREAD_PREFIX):
            key = _STATEMENTS_OUTSIDE_PARTS[key.removeprefix(THREAD_PREFIX)]
        found[key] = found.get(key, 0.0) + count / max(journals, 1)
    found["total of the parts"] = sum(found.values())
    return {name: found.get(name, 0.0) for name in (*(n for n, _ in PARTS), "total of the parts")}


def budget_lines(
    title: str,
    budget: dict[str, float],
    statements: dict[str, float] | None = None,
    collected: int = 0,
) -> list[str]:
    """The budget of :func:`budget_per_journal` as lines (parts that cost nothing left out),
    with each part's database statements per journal when given, and last the garbage
    collector's share with its ``collected`` runs (:func:`collections`)."""
    statements = statements or {}
    lines = [f"CPU budget per journal, {title} (ms; database statements):"]
    for name, what in PARTS:
        value = budget.get(name, 0.0)
        if value >= 0.005 or statements.get(name, 0.0) >= 0.005:
            lines.append(f"  {value:6.2f} ms {_count(statements, name)}  {name:<38} {what}")
    total, process = budget.get("total of the parts", 0.0), budget.get("process CPU", 0.0)
    lines.append(
        f"  {total:6.2f} ms {_count(statements, 'total of the parts')}  "
        f"{'total of the parts':<38} (the process's CPU: {process:.2f} ms; "
        "the difference is threads that ended in the window)"
    )
    lines.append(
        f"  {budget.get(COLLECTOR, 0.0):6.2f} ms {'':5}  {COLLECTOR:<38} inside the parts above: "
        f"{collected} collections in the window"
    )
    return lines


def _count(statements: dict[str, float], name: str) -> str:
    return f"{statements[name]:5.1f}" if name in statements else " " * 5


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def summary_lines(runs: Sequence[dict[str, Any]]) -> list[str]:
    """Each numeric figure of ``runs`` (the same keys in each; a nested dict is a budget) as
    ``min / median / max``, in the first run's order."""
    if not runs:
        return []
    lines = [f"summary of {len(runs)} runs   min / median / max"]
    for key, first in runs[0].items():
        if isinstance(first, dict):
            lines.append(f"{key}:")
            for part in first:
                values = [float(run[key].get(part, 0.0)) for run in runs]
                if max(values) >= 0.005:
                    lines.append(f"  {part:<40} {_triple(values, 2)}")
        elif isinstance(first, int | float) and not isinstance(first, bool):
            values = [float(run[key]) for run in runs]
            digits = 3 if key.startswith("ratio") else 2
            lines.append(f"{key:<42} {_triple(values, digits)}")
    return lines


def _triple(values: Sequence[float], digits: int) -> str:
    return " / ".join(f"{v:.{digits}f}" for v in (min(values), _median(values), max(values)))
