"""The bundled sample companies (``payjournal/samples``) as payroll companies with their runs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from payjournal.payroll.models import PayrollCompany
from payjournal.payroll.services import create_company, import_run
from payjournal.tenancy.models import Master

SAMPLE_NAMES = {"nl-bakkerij": "Bakkerij De Vries B.V.", "se-nordisk": "Nordisk Trä AB"}


def samples_dir() -> Path:
    return Path(str(resources.files("payjournal").joinpath("samples")))


def add_sample_companies(master: Master) -> list[PayrollCompany]:
    """Create each sample company (once) and import its runs; idempotent."""
    added = []
    for key, name in SAMPLE_NAMES.items():
        folder = samples_dir() / key
        company = PayrollCompany.objects.filter(master=master, key=key).first()
        if company is None:
            scheme = next(folder.glob("scheme.*"))
            company = create_company(master, name, key, scheme.read_bytes(), scheme.name)
        for run_file in sorted(folder.glob("run-*")):
            import_run(company, run_file.read_bytes(), run_file.name)
        added.append(company)
    return added
