"""`payjournal runs import` with every run of the bad-input corpus: exit 2, the message naming
the file, line and field, and no trace of the file in the database — on SQLite and, through
a subprocess, on PostgreSQL (which refuses long ids and NUL bytes where SQLite stores them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection
from typer.testing import CliRunner

from payjournal.cli import app
from payjournal.payroll.models import PayrollRun, SeenComponent
from payjournal.payroll.samples import samples_dir
from tests.domain.bad_inputs import BadInput, every_case
from tests.fixtures.tenants import Tenant
from tests.on_postgres import assert_passes_on_postgresql

pytestmark = pytest.mark.django_db(transaction=True)
RUNS = [case for case in every_case() if not case.is_scheme]


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def nothing_stored() -> bool:
    return not PayrollRun.objects.exists() and not SeenComponent.objects.exists()


@pytest.mark.parametrize("case", RUNS, ids=str)
def test_runs_import_of_a_bad_file_exits_2_and_stores_nothing(
    cli: CliRunner, tenant: Tenant, tmp_path: Path, case: BadInput
) -> None:
    path = tmp_path / case.name
    path.write_bytes(case.data)
    result = cli.invoke(app, ["runs", "import", str(path), "--company", str(tenant.bakkerij.pk)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{case.name}: not imported" in result.output
    for fragment in case.expect:
        assert fragment in result.output
    assert nothing_stored()


def test_runs_import_prints_texts_from_the_file_as_they_are(
    cli: CliRunner, tenant: Tenant, tmp_path: Path
) -> None:
    run = (samples_dir() / "nl-bakkerij" / "run-2026-09.json").read_text()
    path = tmp_path / "markup.json"
    path.write_text(run.replace('"amount": "3450.00"', '"amount": "[/red]"', 1))
    result = cli.invoke(app, ["runs", "import", str(path), "--company", str(tenant.bakkerij.pk)])
    assert result.exit_code == 2, result.output
    assert "line 1, field 'amount': '[/red]' is not an amount" in result.output
    assert nothing_stored()


def test_runs_import_exits_1_for_a_run_with_problems_and_2_when_a_file_is_unreadable(
    cli: CliRunner, tenant: Tenant, tmp_path: Path
) -> None:
    run = samples_dir() / "nl-bakkerij" / "run-2026-09.json"
    for_nordisk = ["runs", "import", str(run), "--company", str(tenant.nordisk.pk)]
    assert cli.invoke(app, for_nordisk).exit_code == 1  # read, but for another company
    (tmp_path / "bad.csv").write_text("company,run_id\nacme\n")
    both = cli.invoke(
        app, [*for_nordisk[:2], str(run), str(tmp_path / "bad.csv"), *for_nordisk[3:]]
    )
    assert both.exit_code == 2, both.output
    assert "bad.csv, line 1: missing column(s)" in both.output


@pytest.mark.parametrize("run_id", ["R" * 65, "R\x001", "2026/09", "2026-09\u202e"])
def test_runs_import_refuses_a_run_id_a_database_or_an_url_cannot_take(
    cli: CliRunner, tenant: Tenant, tmp_path: Path, run_id: str
) -> None:
    """A run the company could book but for its id (on PostgreSQL the first two were a
    DataError, on SQLite stored as they are)."""
    document = json.loads((samples_dir() / "nl-bakkerij" / "run-2026-09.json").read_text())
    path = tmp_path / "run.json"
    path.write_text(json.dumps({**document, "run_id": run_id}))
    result = cli.invoke(app, ["runs", "import", str(path), "--company", str(tenant.bakkerij.pk)])
    assert result.exit_code == 2, result.output
    assert "run.json, field 'run_id':" in result.output
    assert nothing_stored()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "sqlite", reason="this session already runs on PostgreSQL")
@pytest.mark.postgres_again(__file__)
def test_the_bad_inputs_are_refused_on_postgresql_too(request: pytest.FixtureRequest) -> None:
    assert_passes_on_postgresql(request)
