"""The bundled sample companies (``payjournal/samples``) as payroll companies with their runs.

The sample run files keep the dates they were written with (September and October 2026,
Nordisk's off-cycle run paid on 5 November; ``sample_calendar.SAMPLES_MONTH`` is November
2026). The demo imports them moved by whole months to the month it is started in
(``sample_calendar.shift_run_file``), so they keep their place relative to the demo seed's
Visma books, which go by the emulator's clock as well (fiscal years Y-1 … Y+1, Nordisk locked
up to the last day of the previous month): the regular runs fall in the two months before
the current one and the off-cycle run pays out in it, on any day the demo is started.

Each company shows one case of the demo (``payjournal demo`` prints them, the README walks
through them):

* ``nl-bakkerij`` — everything in order; beside its runs, ``to-try/`` holds this month's bonus
  run, whose wage component ``BONUS`` the ledger scheme lacks: the demo tries it once (refused,
  so the scheme editor lists ``BONUS`` as not mapped) and leaves the file to upload.
* ``nl-fietsen`` — a run from last month; at Visma the API module of the company is off.
* ``se-nordisk`` — Visma is locked up to the end of last month: its regular runs fall before it.
* ``se-sundsvall`` — its next run is January's of next year (written for 2027-01, moved by
  whole years, ``sample_calendar.next_year_shift``), and Visma holds only this year's books.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from payjournal.payroll.models import PayrollCompany
from payjournal.payroll.sample_calendar import (
    months_since_samples,
    next_year_shift,
    shift_run_file,
)
from payjournal.payroll.services import RunRejectedError, create_company, store_run
from payjournal.private_files import private_dir
from payjournal.tenancy.models import Master

#: In the order they are created (the bench and the demo take the first two by position).
SAMPLE_NAMES = {
    "nl-bakkerij": "Bakkerij De Vries B.V.",
    "se-nordisk": "Nordisk Trä AB",
    "nl-fietsen": "Fietsenmaker Jansen B.V.",
    "se-sundsvall": "Sundsvall Konsult AB",
}
#: The companies whose sample runs are next year's (moved by whole years, not months).
NEXT_YEAR_SAMPLES = frozenset({"se-sundsvall"})
#: The folder of a sample company with runs the demo leaves to try (refused as they are).
TO_TRY = "to-try"
#: Their organisation numbers (KvK, organisationsnummer), as their Visma companies have them.
SAMPLE_REGISTRATION_NUMBERS = {
    "nl-bakkerij": "12345678",
    "se-nordisk": "556677-8899",
    "nl-fietsen": "87654321",
    "se-sundsvall": "559900-1122",
}


@dataclass(frozen=True, slots=True)
class RunToTry:
    """A sample run left for the user to import: its company, its file and why it is refused."""

    company: PayrollCompany
    path: Path
    problems: tuple[str, ...]


def samples_dir() -> Path:
    return Path(str(resources.files("payjournal").joinpath("samples")))


def add_sample_companies(master: Master, today: date | None = None) -> list[PayrollCompany]:
    """Create each sample company (once), with its runs moved to ``today``'s calendar.

    ``today`` defaults to the current UTC date, the date the demo seed's Visma emulator goes
    by. The runs are imported only when the company is created: a demo restarted in a later
    month keeps the runs of its first start, just as its emulator keeps its books (both live
    in the demo's data directory), and never gets new versions of a run id.
    """
    day = today or datetime.now(UTC).date()
    added = []
    for key, name in SAMPLE_NAMES.items():
        folder = samples_dir() / key
        company = PayrollCompany.objects.filter(master=master, key=key).first()
        if company is None:
            scheme = next(folder.glob("scheme.*"))
            company = create_company(
                master,
                name,
                key,
                scheme.read_bytes(),
                scheme.name,
                SAMPLE_REGISTRATION_NUMBERS[key],
            )
            months = _shift(key, day)
            for run_file in sorted(folder.glob("run-*")):
                data, source_name = shift_run_file(run_file.read_bytes(), run_file.name, months)
                store_run(company, data, source_name)  # not mapped yet: nothing to book
        added.append(company)
    return added


def leave_runs_to_try(
    companies: list[PayrollCompany], into: Path, today: date | None = None
) -> list[RunToTry]:
    """Write each sample company's runs to try (``samples/<key>/to-try``) into
    ``into/<key>/``, moved to ``today``'s calendar, and try each once: refused, its problems
    are returned and its wage components count for the ledger scheme editor's coverage.

    A file already there (the demo's first start wrote it) is listed as it is, without
    problems and not tried again: by now the user may have mapped its component, and then
    importing it is theirs to do.
    """
    day = today or datetime.now(UTC).date()
    left = []
    for company in companies:
        for sample in sorted((samples_dir() / company.key / TO_TRY).glob("run-*")):
            data, name = shift_run_file(sample.read_bytes(), sample.name, _shift(company.key, day))
            target = private_dir(into / company.key) / name
            if target.exists():
                left.append(RunToTry(company, target, ()))
                continue
            target.write_bytes(data)
            try:
                store_run(company, data, name)
            except RunRejectedError as refused:
                left.append(RunToTry(company, target, tuple(refused.messages)))
            else:  # the scheme maps every component by now
                left.append(RunToTry(company, target, ()))
    return left


def _shift(key: str, today: date) -> int:
    return next_year_shift(today) if key in NEXT_YEAR_SAMPLES else months_since_samples(today)
