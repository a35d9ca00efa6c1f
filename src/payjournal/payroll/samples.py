"""The bundled sample companies (``payjournal/samples``) as payroll companies with their runs.

The sample run files keep the dates they were written with (September and October 2026,
Nordisk's off-cycle run paid on 5 November; ``sample_calendar.SAMPLES_MONTH`` is November
2026). The demo imports them moved by whole months to the month it is started in
(``sample_calendar.shift_run_file``), so they keep their place relative to the demo seed's
Visma books, which go by the emulator's clock as well (fiscal years Y-1 … Y+1, Nordisk locked
up to the last day of the previous month): the regular runs fall in the two months before
the current one and the off-cycle run pays out in it, on any day the demo is started.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from payjournal.payroll.models import PayrollCompany
from payjournal.payroll.sample_calendar import months_since_samples, shift_run_file
from payjournal.payroll.services import create_company, store_run
from payjournal.tenancy.models import Master

SAMPLE_NAMES = {"nl-bakkerij": "Bakkerij De Vries B.V.", "se-nordisk": "Nordisk Trä AB"}
#: Their organisation numbers (KvK, organisationsnummer), as their Visma companies have them.
SAMPLE_REGISTRATION_NUMBERS = {"nl-bakkerij": "12345678", "se-nordisk": "556677-8899"}


def samples_dir() -> Path:
    return Path(str(resources.files("payjournal").joinpath("samples")))


def add_sample_companies(master: Master, today: date | None = None) -> list[PayrollCompany]:
    """Create each sample company (once), with its runs moved to ``today``'s calendar.

    ``today`` defaults to the current UTC date, the date the demo seed's Visma emulator goes
    by. The runs are imported only when the company is created: a demo restarted in a later
    month keeps the runs of its first start, just as its emulator keeps its books (both live
    in the demo's data directory), and never gets new versions of a run id.
    """
    months = months_since_samples(today or datetime.now(UTC).date())
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
            for run_file in sorted(folder.glob("run-*")):
                data, source_name = shift_run_file(run_file.read_bytes(), run_file.name, months)
                store_run(company, data, source_name)  # not mapped yet: nothing to book
        added.append(company)
    return added
