"""The benchmarks' generated inputs write amounts through ``Money``: in a currency without
minor units (yen) they are whole numbers, and the runs they make read and balance."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from payjournal.benchmarks.build import bench_scheme, generate_run_csv
from payjournal.benchmarks.month_end_corrections import corrected_file
from payjournal.domain.formats import read_run
from payjournal.domain.posting import build_journal

SAMPLE = Path(__file__).parents[2] / "src" / "payjournal" / "samples" / "nl-bakkerij"


def test_the_build_benchmarks_run_is_written_in_its_currencys_units(tmp_path: Path) -> None:
    path = tmp_path / "bench-run.csv"
    assert generate_run_csv(path, employees=3, components=4, currency="JPY") == 12
    run = read_run(path.read_bytes(), path.name)
    assert run.currency == "JPY" and len(run.lines) == 12
    assert all(line.amount == line.amount.to_integral_value() for line in run.lines)
    journal = build_journal(run, bench_scheme(4, "JPY"))
    assert journal.is_balanced and journal.debit_total.currency == "JPY"


def test_the_build_benchmarks_run_in_euros_keeps_its_cents(tmp_path: Path) -> None:
    path = tmp_path / "bench-run.csv"
    generate_run_csv(path, employees=2, components=2)
    amounts = [line.amount for line in read_run(path.read_bytes(), path.name).lines]
    assert all(amount.as_tuple().exponent == -2 for amount in amounts)
    assert all(Decimal("1.00") <= amount <= Decimal("5000.00") for amount in amounts)


def test_a_corrections_amounts_are_rounded_to_its_currencys_minor_unit() -> None:
    template = json.loads((SAMPLE / "run-2026-09.json").read_bytes())
    template["currency"] = "JPY"
    for line in template["lines"]:
        line["amount"] = str(Decimal(line["amount"]).to_integral_value())
    first, second = template["lines"][0]["amount"], template["lines"][1]["amount"]
    corrected = json.loads(corrected_file(template, "jp-company", "2026-09", 11))
    lines = corrected["lines"]
    assert (corrected["company"], corrected["run_id"]) == ("jp-company", "2026-09")
    assert Decimal(lines[0]["amount"]) == Decimal(first) + 111
    assert lines[1]["amount"] == str(Decimal(second) + 41)  # 37 % of 111 is 41.07 yen
    run = read_run(json.dumps(corrected).encode(), "corrected.json")
    assert run.currency == "JPY"
