"""``payjournal bench build``: import and build a very large payroll run.

Generates a CSV run of N employees × M components (10,000 × 40 by default: 400,000 lines),
then, each in a fresh process so one measurement does not inflate the next:

- the baseline: merely parsing the CSV with the ``csv`` module;
- the work: ``read_run`` (decode, validate, build lines) + ``build_journal``.

Prints wall times, the ratio work/baseline and the peak resident memory of the work process.
Each measurement of the work follows one of the baseline, and the ratio of each pair is taken:
on a shared machine the two of a pair see about the same load, so min / median / max of the
pairs' ratios tell the code from the machine. Targets on a 2-core machine: ≤ 2 s, ≤ 300 MB,
ratio ≤ 3 (the median).
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import random
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import ParamSpec, TypeVar

from payjournal.domain.formats import read_run
from payjournal.domain.money import Money
from payjournal.domain.posting import build_journal
from payjournal.domain.scheme import ComponentMapping, CostCenterSide, LedgerScheme

DEPARTMENTS = ("PROD", "SALES", "ADM", "IT", "LOG")

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class BuildFigures:
    """What one benchmark run measured."""

    lines: int
    rows: int
    csv_seconds: float  # the best
    build_seconds: float  # the best
    peak_mb: float
    ratios: tuple[float, ...] = ()  # each pair's, in order

    @property
    def ratio(self) -> float:
        """The median of the pairs' ratios (of the best times without pairs)."""
        if not self.ratios:
            return self.build_seconds / self.csv_seconds
        return float(statistics.median(self.ratios))


def generate_run_csv(
    path: Path, employees: int, components: int, seed: int = 7, currency: str = "EUR"
) -> int:
    """Write a realistic run of `employees` × `components` lines in `currency` (each amount
    100 to 500,000 minor units: 1.00 to 5,000.00 euros); returns the line count."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    head = [
        "nl-bench",
        "BENCH-1",
        "regular",
        "2026",
        "11",
        "2026-11-01",
        "2026-11-30",
        "2026-11-25",
        currency,
    ]
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "company", "run_id", "kind", "period_year", "period_number", "period_start",
                "period_end", "payment_date", "currency", "employee_id", "employee_name",
                "department", "cost_center", "component", "amount",
            ]
        )  # fmt: skip
        for employee in range(1, employees + 1):
            department = DEPARTMENTS[employee % len(DEPARTMENTS)]
            split = "PROD:60|SALES:40" if employee % 10 == 0 else ""
            for component in range(components):
                units = rng.randint(1_00, 5_000_00)
                amount = Money.from_minor_units(units, currency).formatted()
                row = [
                    *head,
                    f"E{employee:05d}",
                    f"Employee {employee}",
                    department,
                    split,
                    f"C{component:02d}",
                    amount,
                ]
                writer.writerow(row)
    return employees * components


def bench_scheme(components: int, currency: str = "EUR") -> LedgerScheme:
    """A scheme mapping every generated component: costs by department, liabilities without."""
    mappings = {
        f"C{c:02d}": ComponentMapping(
            f"C{c:02d}",
            debit_account=str(4000 + c),
            credit_account=str(1600 + c % 10),
            cost_center_side=CostCenterSide.DEBIT if c % 2 == 0 else CostCenterSide.NONE,
            description=f"Component {c}",
        )
        for c in range(components)
    }
    return LedgerScheme(
        "bench",
        mappings,
        rounding_account="9990",
        currency=currency,
        dimensions={d: d for d in DEPARTMENTS},
    )


def _parse_only(path: str) -> float:
    start = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as file:
        count = sum(1 for _ in csv.reader(file))
    elapsed = time.perf_counter() - start
    assert count > 0
    return elapsed


def _import_and_build(path: str, components: int) -> tuple[float, int, float]:
    scheme = bench_scheme(components)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    run = read_run(Path(path).read_bytes(), path)
    journal = build_journal(run, scheme)
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if not journal.is_balanced or journal.debit_total.amount <= Decimal(0):
        raise RuntimeError("the benchmark journal is empty or does not balance")
    return elapsed, len(journal.rows), max(peak_kb, before) / 1024


def _send_result(
    queue: multiprocessing.Queue[R], work: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> None:
    queue.put(work(*args, **kwargs))


def _in_fresh_process(work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``work(*args, **kwargs)`` in a new interpreter (a module-level function: it is pickled)."""
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[R] = context.Queue()
    process = context.Process(target=_send_result, args=(queue, work, *args), kwargs=kwargs)
    process.start()
    result = queue.get()
    process.join()
    return result


def run_benchmark(
    workdir: Path, employees: int = 10_000, components: int = 40, repeat: int = 3
) -> BuildFigures:
    """Generate the file once, then measure parse-only and import+build `repeat` times, in
    pairs: the best times, and each pair's ratio."""
    path = workdir / "bench-run.csv"
    lines = generate_run_csv(path, employees, components)
    csv_times, build_times, peaks, rows = [], [], [], 0
    for _ in range(repeat):
        csv_times.append(_in_fresh_process(_parse_only, str(path)))
        elapsed, rows, peak = _in_fresh_process(_import_and_build, str(path), components)
        build_times.append(elapsed)
        peaks.append(peak)
    ratios = tuple(b / c for b, c in zip(build_times, csv_times, strict=True))
    return BuildFigures(lines, rows, min(csv_times), min(build_times), max(peaks), ratios)


def report(figures: BuildFigures, file_mb: float) -> str:
    """The figures as the lines the command prints."""
    out = io.StringIO()
    out.write(
        f"lines                 {figures.lines:,} ({file_mb:.1f} MB CSV) → {figures.rows} journal rows\n"
    )
    out.write(f"csv module parse      {figures.csv_seconds:.3f} s (best)\n")
    out.write(f"import + build        {figures.build_seconds:.3f} s (best)  (target ≤ 2 s)\n")
    spread = ""
    if figures.ratios:
        low, high = min(figures.ratios), max(figures.ratios)
        spread = f"  (min / median / max of {len(figures.ratios)} pairs: {low:.2f} / "
        spread += f"{figures.ratio:.2f} / {high:.2f})"
    out.write(f"ratio to csv parse    {figures.ratio:.2f}      (target ≤ 3, the median){spread}\n")
    out.write(f"peak memory (RSS)     {figures.peak_mb:.0f} MB    (target ≤ 300 MB)\n")
    return out.getvalue()
