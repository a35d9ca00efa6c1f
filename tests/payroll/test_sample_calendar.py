"""The sample runs moved by whole months for the demo (``payroll.sample_calendar``): the same
runs, the same lines, only the period, the payment date and the month labels move."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from payjournal.domain.formats import read_run
from payjournal.payroll.sample_calendar import (
    months_since_samples,
    next_year_shift,
    shift_run_file,
)
from payjournal.payroll.samples import samples_dir

RUN_FILES = sorted([*samples_dir().glob("*/run-*"), *samples_dir().glob("*/to-try/run-*")])


@pytest.mark.parametrize("path", RUN_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_months_gives_back_the_same_bytes(path: Path) -> None:
    assert shift_run_file(path.read_bytes(), path.name, 0) == (path.read_bytes(), path.name)


@pytest.mark.parametrize("months", [1, 3, 14, -2])
@pytest.mark.parametrize("path", RUN_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_moved_run_is_the_same_run_in_another_month(path: Path, months: int) -> None:
    original = read_run(path.read_bytes(), path.name)
    data, name = shift_run_file(path.read_bytes(), path.name, months)
    moved = read_run(data, name)

    assert moved.lines == original.lines
    assert (moved.company, moved.kind, moved.currency) == (
        original.company,
        original.kind,
        original.currency,
    )
    months_apart = (moved.period.year - original.period.year) * 12
    assert months_apart + moved.period.number - original.period.number == months
    assert (moved.period.start.month, moved.period.start.day) == (moved.period.number, 1)
    assert moved.period.end.month == moved.period.number
    assert moved.run_id.startswith(moved.period.label)
    assert name == path.name.replace(original.period.label, moved.period.label)
    # the payment date keeps its place relative to the period
    assert (moved.payment_date <= moved.period.end) == (
        original.payment_date <= original.period.end
    )
    # and the file stays as it was written: a CSV keeps its BOM, delimiter and line ends
    head = path.read_bytes()[:80]
    assert data.startswith(b"\xef\xbb\xbf") == head.startswith(b"\xef\xbb\xbf")
    assert (b"\r\n" in data) == (b"\r\n" in path.read_bytes())
    assert data.count(b";") == path.read_bytes().count(b";")


def test_days_are_clamped_and_month_ends_stay_month_ends() -> None:
    path = samples_dir() / "nl-bakkerij" / "run-2026-10-correction.json"  # paid on 30 October
    data, name = shift_run_file(path.read_bytes(), path.name, 4)
    moved = json.loads(data)
    assert name == "run-2027-02-correction.json"
    assert moved["run_id"] == "2027-02-C1"
    assert moved["period"] == {
        "year": 2027,
        "number": 2,
        "start": "2027-02-01",
        "end": "2027-02-28",
    }
    assert moved["payment_date"] == "2027-02-28"
    assert moved["lines"][0]["amount"] == "150.00"  # amounts are left as written

    back = json.loads(shift_run_file(data, name, -1)[0])
    assert back["period"]["end"] == "2027-01-31"  # a last day stays a last day
    assert back["payment_date"] == "2027-01-31"


def test_only_calendar_month_periods_are_moved() -> None:
    path = samples_dir() / "nl-bakkerij" / "run-2026-09.json"
    four_weekly = json.loads(path.read_bytes())
    four_weekly["period"] |= {"number": 10, "start": "2026-09-07", "end": "2026-10-04"}
    with pytest.raises(ValueError, match="not a calendar month"):
        shift_run_file(json.dumps(four_weekly).encode(), path.name, 1)


def test_months_are_counted_from_november_2026() -> None:
    assert months_since_samples(date(2026, 11, 30)) == 0
    assert months_since_samples(date(2026, 12, 1)) == 1
    assert months_since_samples(date(2027, 12, 31)) == 13
    assert months_since_samples(date(2026, 9, 1)) == -2


def test_a_next_years_run_moves_to_january_of_the_year_after_today() -> None:
    """Sundsvall's sample run, written for January 2027, lands in the January after today."""
    data = (samples_dir() / "se-sundsvall" / "run-2027-01.csv").read_bytes()
    for today, label in ((date(2026, 11, 30), "2027-01"), (date(2027, 1, 1), "2028-01")):
        moved, name = shift_run_file(data, "run-2027-01.csv", next_year_shift(today))
        assert name == f"run-{label}.csv"
        assert read_run(moved, name).period.start == date(int(label[:4]), 1, 1)
