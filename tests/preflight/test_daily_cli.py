"""``payjournal checks daily`` run as an operator runs it (Typer's runner, the test database,
the emulator over loopback): with drift it prints the table of what to fix and exits 1; once
fixed it prints no table and exits 0."""

from __future__ import annotations

import httpx2
import pytest
from typer.testing import CliRunner

from payjournal import catalog
from payjournal.cli import app
from payjournal.preflight.models import DriftReport
from tests.fixtures.tenants import Tenant
from tests.preflight.test_seed_errors import connect

pytestmark = pytest.mark.django_db
ACCOUNT_4000 = "/_emulator/companies/nl-bakkerij/accounts/4000"
WIDE = {"COLUMNS": "240"}  # one table row per line, whatever the terminal


def test_checks_daily_prints_the_drift_and_exits_1_until_fixed(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    control.put(ACCOUNT_4000, json={"is_active": False}).raise_for_status()
    cli = CliRunner()

    drifted = cli.invoke(app, ["checks", "daily"], env=WIDE)
    assert drifted.exit_code == 1, drifted.output
    row = next(line for line in drifted.stdout.splitlines() if "4000" in line)
    assert tenant.bakkerij.name in row and "accounts" in row
    assert catalog.explain("account_inactive", "en").solution in " ".join(drifted.stdout.split())
    assert "checked 1 companies: 1 with drift, 0 not checkable" in drifted.stdout
    # not on a terminal: the progress is a plain line per company (a bar on a terminal)
    assert f"Checking: 1 of 1 companies, 0 to go ({tenant.bakkerij.name})" in drifted.stdout
    assert not DriftReport.objects.get(company=tenant.bakkerij).passed

    control.put(ACCOUNT_4000, json={"is_active": True}).raise_for_status()
    fixed = cli.invoke(app, ["checks", "daily"], env=WIDE)
    assert fixed.exit_code == 0, fixed.output
    assert "4000" not in fixed.stdout
    assert "checked 1 companies: 0 with drift, 0 not checkable" in fixed.stdout
    assert DriftReport.objects.get(company=tenant.bakkerij).passed


def test_checks_daily_names_the_accounts_to_authorize_again_and_exits_1(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    cli = CliRunner()
    assert cli.invoke(app, ["checks", "daily"], env=WIDE).exit_code == 0  # reads cached now
    control.delete("/_emulator/users/anna@bakkerij.example/grants").raise_for_status()

    refused = cli.invoke(app, ["checks", "daily"], env=WIDE)

    assert refused.exit_code == 1, refused.output
    assert "needs re-authorization" in refused.stdout
    assert "nl-bakkerij account" in refused.stdout.split("needs re-authorization", 1)[1]


def test_checks_daily_prints_the_drift_in_the_language_of_the_environment(
    tenant: Tenant, books_url: str, control: httpx2.Client, browser_http: httpx2.Client
) -> None:
    connect(tenant, browser_http, tenant.bakkerij, "anna@bakkerij.example", "nl-bakkerij")
    control.put(ACCOUNT_4000, json={"is_active": False}).raise_for_status()
    dutch = {"LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None, "LANG": "nl_NL.UTF-8"}

    drifted = CliRunner().invoke(app, ["checks", "daily"], env={**WIDE, **dutch})

    assert drifted.exit_code == 1, drifted.output
    out = " ".join(drifted.stdout.split())
    assert "Werkgever" in out and "Onderwerp" in out and "Wat te doen" in out
    assert catalog.explain("account_inactive", "nl").solution in out
    assert "1 werkgevers gecontroleerd: 1 met afwijkingen, 0 niet te controleren" in out
    assert f"Controleren: 1 van 1 werkgevers, nog 0 te gaan ({tenant.bakkerij.name})" in out
    assert "what to do" not in out and "checked 1 companies" not in out
