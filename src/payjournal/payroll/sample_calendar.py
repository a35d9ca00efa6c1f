"""The sample runs' calendar: the bundled run files moved by whole months (the demo's today).

Pure (stdlib only, no Django), so it can be tested on its own; ``samples.add_sample_companies``
applies it when the demo imports the samples.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
from datetime import date
from typing import Any

__all__ = ["SAMPLES_MONTH", "months_since_samples", "next_year_shift", "shift_run_file"]

#: The month (year, month) the sample runs were written for: their regular runs are the two
#: months before it, Nordisk's off-cycle run pays out in it.
SAMPLES_MONTH = (2026, 11)

#: A month label as in run ids and file names (``2026-10``, ``2026-10-C1``, ``run-2026-10.csv``).
_MONTH_LABEL = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?!\d)")


def months_since_samples(today: date) -> int:
    """Whole months from :data:`SAMPLES_MONTH` to ``today``'s month (negative before it)."""
    year, month = SAMPLES_MONTH
    return (today.year - year) * 12 + today.month - month


def next_year_shift(today: date) -> int:
    """Whole months that move a run written for the year after :data:`SAMPLES_MONTH`'s (its
    January run, 2027-01) to the year after ``today``'s: a company's next run whose fiscal year
    Visma does not hold yet, on any day."""
    return (today.year - SAMPLES_MONTH[0]) * 12


def shift_run_file(data: bytes, source_name: str, months: int) -> tuple[bytes, str]:
    """A monthly run file (JSON or CSV) and its name, moved by ``months`` whole months.

    Moves the period (year, number, start, end), the payment date and the month label in the
    run id and the file name; nothing else changes (amounts, lines, formatting, a CSV's
    delimiter, BOM and line ends), so ``months=0`` gives back the same bytes. A payment date
    keeps its day of the month (clamped to the month's length; a month's last day stays the
    last day), so the runs keep their order and the voucher date any scheme rule derives moves
    with its run. Only monthly periods can be moved: number = month, first to last day of the month;
    anything else raises ``ValueError``.
    """
    if months == 0:
        return data, source_name
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        shifted = _shift_json(data, months)
    else:
        shifted = _shift_csv(data, months)
    return shifted, _shift_label(source_name, months)


def _shift_json(data: bytes, months: int) -> bytes:
    # amounts stay the strings (or number literals, as strings) they were: no float on the way
    document: dict[str, Any] = json.loads(data, parse_float=str)
    period = document["period"]
    year, number, start, end = _shift_period(
        int(period["year"]), int(period["number"]), period["start"], period["end"], months
    )
    period.update(year=year, number=number, start=start, end=end)
    document["payment_date"] = _shift_date(document["payment_date"], months)
    document["run_id"] = _shift_label(document["run_id"], months)
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def _shift_csv(data: bytes, months: int) -> bytes:
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    line_end = "\r\n" if "\r\n" in first_line + "\n" else "\n"
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    column = {name.strip().lower(): index for index, name in enumerate(header)}
    for row in rows:
        if not row:
            continue
        year, number, start, end = _shift_period(
            int(row[column["period_year"]]),
            int(row[column["period_number"]]),
            row[column["period_start"]],
            row[column["period_end"]],
            months,
        )
        row[column["period_year"]], row[column["period_number"]] = str(year), str(number)
        row[column["period_start"]], row[column["period_end"]] = start, end
        index = column["payment_date"]
        row[index] = _shift_date(row[index], months)
        row[column["run_id"]] = _shift_label(row[column["run_id"]], months)
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator=line_end).writerows([header, *rows])
    written = out.getvalue()
    if not text.endswith(("\n", "\r")):
        written = written.removesuffix(line_end)
    return ("\ufeff" if bom else "").encode() + written.encode()


def _shift_period(
    year: int, number: int, start: str, end: str, months: int
) -> tuple[int, int, str, str]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if (first.year, first.month, first.day) != (year, number, 1) or last != _last_day(first):
        raise ValueError(f"period {year}-{number:02d} ({start} … {end}) is not a calendar month")
    moved = _add_months(first, months)
    return moved.year, moved.month, moved.isoformat(), _last_day(moved).isoformat()


def _shift_date(raw: str, months: int) -> str:
    return _add_months(date.fromisoformat(raw), months).isoformat()


def _shift_label(label: str, months: int) -> str:
    def moved(match: re.Match[str]) -> str:
        month = _add_months(date(int(match[1]), int(match[2]), 1), months)
        return f"{month.year}-{month.month:02d}"

    return _MONTH_LABEL.sub(moved, label)


def _add_months(day: date, months: int) -> date:
    """``day`` in the month ``months`` later: same day, clamped; a last day stays a last day."""
    index = day.year * 12 + day.month - 1 + months
    target = date(index // 12, index % 12 + 1, 1)
    if day == _last_day(day):
        return _last_day(target)
    return target.replace(day=min(day.day, _last_day(target).day))


def _last_day(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
